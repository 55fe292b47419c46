"""The fused nn operations: Linear (x Wᵀ + b), Softplus, BinaryCrossEntropy — values against
NumPy, gradients against finite differences, second order, and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.ops.nn_ops import binary_cross_entropy, linear, softplus
from tests.helpers import OpCase, float_arrays, op_tests, unary_inputs


@st.composite
def linear_inputs(draw, bias=True):
    batch = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    features_in, features_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    arrays = [draw(float_arrays((*batch, features_in))), draw(float_arrays((features_out, features_in)))]
    if bias:
        arrays.append(draw(float_arrays((features_out,))))
    return arrays, {}


@st.composite
def probabilities_and_targets(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    return [draw(float_arrays(shape, 0.05, 0.95)), draw(float_arrays(shape, 0.0, 1.0))], {}


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _bce(x, t):
    return -(t * np.log(x) + (1 - t) * np.log(1 - x))


CASES = [
    OpCase("linear", linear, lambda x, w, b: x @ w.T + b, linear_inputs(), torch=lambda x, w, b: x @ w.T + b),
    OpCase("linear_no_bias", linear, lambda x, w: x @ w.T, linear_inputs(bias=False)),
    OpCase(
        "softplus",
        softplus,
        _softplus,
        unary_inputs(low=-4, high=4),
        torch=lambda x: __import__("torch").nn.functional.softplus(x),
    ),
    OpCase(
        "softplus_beta",
        lambda x: softplus(x, beta=2.0, threshold=3.0),
        lambda x: _softplus(x, 2.0, 3.0),
        unary_inputs(low=-4, high=4, kinks=(1.5,)),
        smooth=False,
    ),
    OpCase("bce", binary_cross_entropy, _bce, probabilities_and_targets()),
]

(test_forward_and_gradient, test_second_order, test_against_torch) = op_tests(CASES)


def test_softplus_is_stable_at_large_inputs():
    x = ag.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=ag.float64, requires_grad=True)
    y = softplus(x, threshold=1e9)
    np.testing.assert_allclose(y.numpy(), [0.0, np.exp(-50.0), np.log(2.0), 50.0, 1e4], rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-15)


def test_bce_clamps_its_logs_and_keeps_a_finite_gradient():
    x = ag.tensor([0.0, 1.0, 0.0], dtype=ag.float64, requires_grad=True)
    t = ag.tensor([1.0, 0.0, 0.0], dtype=ag.float64)
    loss = binary_cross_entropy(x, t)
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0, 0.0])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1e12, 1e12, 0.0])


def test_bce_gradient_with_respect_to_the_target_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([0.2, 0.7, 0.999])
    t = np.array([0.1, 0.5, 0.9])
    ours = ag.tensor(t, requires_grad=True)
    theirs = torch.tensor(t, requires_grad=True)
    binary_cross_entropy(ag.tensor(x), ours).sum().backward()
    torch.nn.functional.binary_cross_entropy(torch.tensor(x), theirs, reduction="sum").backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-14)


def test_bce_target_gradient_is_the_slope_of_the_clamped_loss():
    """The loss is linear in t with slope max(log(1-x), -100) - max(log x, -100); at x = 1 that is
    -100 (PyTorch returns -inf there, the slope of the unclamped formula)."""
    t = ag.tensor([0.3, 0.3], dtype=ag.float64, requires_grad=True)
    x = ag.tensor([1.0, 0.0], dtype=ag.float64)
    binary_cross_entropy(x, t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [-100.0, 100.0])


def test_linear_rejects_mismatched_shapes():
    with pytest.raises(RuntimeError, match="in_features"):
        linear(ag.ones(2, 3), ag.ones(4, 2))
    with pytest.raises(RuntimeError, match="2-D weight"):
        linear(ag.ones(2, 3), ag.ones(3))
    with pytest.raises(RuntimeError, match="bias of shape"):
        linear(ag.ones(2, 3), ag.ones(4, 3), ag.ones(3))
