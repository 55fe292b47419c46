"""erf and erfc: values against the standard library's (Cody's approximations to ~1e-16), exact
derivatives, first and second order, and PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.special import erf_array, erfc_array
from tests.helpers import OpCase, op_tests, unary_inputs

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])

CASES = [
    OpCase("erf", lambda x: x.erf(), _erf, unary_inputs(low=-5.0, high=5.0), torch=lambda x: x.erf()),
    OpCase("erfc", lambda x: ag.erfc(x), _erfc, unary_inputs(low=-5.0, high=5.0), torch=lambda x: x.erfc()),
]

(test_forward_and_gradient, test_second_order, test_against_torch) = op_tests(CASES)


def _relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    scale = np.maximum(np.abs(expected), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(actual - expected) / scale))


def test_erf_is_accurate_to_rounding_over_the_whole_line():
    x = np.concatenate(
        [np.linspace(-7.0, 7.0, 20001), np.geomspace(1e-300, 30.0, 2000), -np.geomspace(1e-300, 30.0, 2000)]
    )
    assert _relative_error(erf_array(x), _erf(x)) < 2e-15
    assert _relative_error(erfc_array(x), _erfc(x)) < 2e-15


def test_erfc_keeps_its_tail_where_one_minus_erf_is_zero():
    x = np.array([6.0, 10.0, 26.0])
    assert np.all(1.0 - erf_array(x) == 0.0)
    assert _relative_error(erfc_array(x), _erfc(x)) < 2e-15


def test_erf_limits_nan_and_dtype():
    values = erf_array(np.array([0.0, np.inf, -np.inf, 30.0, np.nan]))
    np.testing.assert_array_equal(values[:4], [0.0, 1.0, -1.0, 1.0])
    assert np.isnan(values[4])
    np.testing.assert_array_equal(erfc_array(np.array([np.inf, -np.inf, 40.0])), [0.0, 2.0, 0.0])
    assert ag.erf(ag.tensor([0.5])).dtype == ag.float32
    assert ag.erf(ag.tensor([1, 2])).dtype == ag.float32


def test_erf_derivative_is_the_gaussian():
    x = ag.tensor(np.linspace(-3, 3, 7), requires_grad=True)
    x.erf().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 / math.sqrt(math.pi) * np.exp(-(x.numpy() ** 2)), rtol=1e-15)


def test_erf_matches_torch_on_a_wide_range():
    torch = pytest.importorskip("torch")
    x = np.linspace(-10, 10, 4001)
    np.testing.assert_allclose(erf_array(x), torch.erf(torch.tensor(x)).numpy(), rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(erfc_array(x), torch.erfc(torch.tensor(x)).numpy(), rtol=5e-15, atol=1e-300)
