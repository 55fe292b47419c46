"""Linear and Bilinear: values, gradients, PyTorch's initialisation, errors, PyTorch oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.nn.nn_testing import assert_close, gradcheck_module, load_from_torch, randn64


def test_linear_is_x_w_transpose_plus_b():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = ag.randn(4, 3)
    expected = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-6)


@settings(max_examples=20, deadline=None)
@given(
    batch=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    features=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    bias=st.booleans(),
)
def test_linear_gradients_any_leading_shape(batch, features, bias):
    ag.manual_seed(1)
    layer = nn.Linear(*features, bias=bias).double()
    assert gradcheck_module(layer, randn64(*batch, features[0]))


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_default_init_is_pytorchs():
    ag.manual_seed(0)
    fan_in = 400
    layer = nn.Linear(fan_in, 300)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=√5): gain √(2/6), bound gain·√(3/fan_in)
    weight = layer.weight.numpy()
    assert np.abs(weight).max() <= bound
    assert np.abs(weight).max() > 0.99 * bound
    np.testing.assert_allclose(weight.std(), bound / math.sqrt(3), rtol=0.01)
    assert abs(weight.mean()) < 0.01 * bound
    assert np.abs(layer.bias.numpy()).max() <= bound


def test_reset_parameters_draws_new_values_reproducibly():
    ag.manual_seed(3)
    first = nn.Linear(5, 5)
    ag.manual_seed(3)
    second = nn.Linear(5, 5)
    np.testing.assert_array_equal(first.weight.numpy(), second.weight.numpy())
    before = first.weight.numpy().copy()
    first.reset_parameters()
    assert not np.array_equal(before, first.weight.numpy())


def test_linear_dtype_argument():
    assert nn.Linear(2, 2, dtype=ag.float64).weight.dtype == ag.float64


def test_linear_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"input's last dimension \(5.*in_features.*\(3"):
        nn.Linear(3, 2)(ag.ones(4, 5))


def test_fused_linear_second_derivatives():
    x, w, b = randn64(3, 4, seed=1), randn64(2, 4, seed=2), randn64(2, seed=3)
    assert ag.autograd.gradgradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), (x, w, b))


def test_linear_matches_torch_values_and_gradients():
    torch = pytest.importorskip("torch")
    torch_layer = torch.nn.Linear(5, 3).double()
    layer = nn.Linear(5, 3).double()
    load_from_torch(layer, torch_layer)
    x = np.random.default_rng(0).normal(size=(2, 4, 5))
    upstream = np.random.default_rng(1).normal(size=(2, 4, 3))
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = layer(ours), torch_layer(theirs)
    assert_close(out, expected)
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(ours.grad, theirs.grad)
    assert_close(layer.weight.grad, torch_layer.weight.grad)
    assert_close(layer.bias.grad, torch_layer.bias.grad)


def test_linear_init_statistics_match_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ag.manual_seed(0)
    ours, theirs = nn.Linear(256, 512), torch.nn.Linear(256, 512)
    for a, b in [(ours.weight, theirs.weight), (ours.bias, theirs.bias)]:
        b = b.detach().numpy()
        assert abs(np.abs(a.numpy()).max() - np.abs(b).max()) < 0.002
        np.testing.assert_allclose(a.numpy().std(), b.std(), rtol=0.1)


# ----------------------------------------------------------------------------- Bilinear
def test_bilinear_formula_and_gradients():
    ag.manual_seed(0)
    layer = nn.Bilinear(3, 2, 4).double()
    x1, x2 = randn64(5, 3, seed=1), randn64(5, 2, seed=2)
    expected = np.einsum("ni,oij,nj->no", x1.numpy(), layer.weight.numpy(), x2.numpy()) + layer.bias.numpy()
    np.testing.assert_allclose(layer(x1, x2).numpy(), expected, rtol=1e-12)
    assert gradcheck_module(layer, x1, x2)
    assert repr(layer) == "Bilinear(in1_features=3, in2_features=2, out_features=4, bias=True)"


def test_bilinear_matches_torch():
    torch = pytest.importorskip("torch")
    torch_layer = torch.nn.Bilinear(3, 2, 4).double()
    layer = nn.Bilinear(3, 2, 4).double()
    load_from_torch(layer, torch_layer)
    x1, x2 = np.random.default_rng(0).normal(size=(5, 3)), np.random.default_rng(1).normal(size=(5, 2))
    out = layer(ag.tensor(x1), ag.tensor(x2))
    expected = torch_layer(torch.tensor(x1), torch.tensor(x2))
    assert_close(out, expected)
    out.sum().backward()
    expected.sum().backward()
    assert_close(layer.weight.grad, torch_layer.weight.grad)
