"""Activation modules: values against NumPy formulas, gradients (finite differences, float64),
stability at large inputs, PReLU's learned slope, reprs and the PyTorch oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.nn.nn_testing import assert_close, gradcheck_module, load_from_torch, t64


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


_erf = np.vectorize(math.erf)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# module, NumPy formula, PyTorch constructor (as a function of torch.nn)
CASES = {
    "ReLU": (nn.ReLU(), lambda x: np.maximum(x, 0), lambda tnn: tnn.ReLU()),
    "LeakyReLU": (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x), lambda tnn: tnn.LeakyReLU(0.2)),
    "ELU": (nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)), lambda tnn: tnn.ELU(0.7)),
    "SELU": (
        nn.SELU(),
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
        lambda tnn: tnn.SELU(),
    ),
    "GELU": (nn.GELU(), lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))), lambda tnn: tnn.GELU()),
    "GELU_tanh": (
        nn.GELU("tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        lambda tnn: tnn.GELU("tanh"),
    ),
    "SiLU": (nn.SiLU(), lambda x: x * _sigmoid(x), lambda tnn: tnn.SiLU()),
    "Mish": (nn.Mish(), lambda x: x * np.tanh(_softplus(x)), lambda tnn: tnn.Mish()),
    "Softplus": (nn.Softplus(), _softplus, lambda tnn: tnn.Softplus()),
    "Softplus_beta": (
        nn.Softplus(beta=2.0, threshold=3.0),
        lambda x: _softplus(x, 2.0, 3.0),
        lambda tnn: tnn.Softplus(beta=2.0, threshold=3.0),
    ),
    "LogSigmoid": (nn.LogSigmoid(), lambda x: np.log(_sigmoid(x)), lambda tnn: tnn.LogSigmoid()),
    "Sigmoid": (nn.Sigmoid(), _sigmoid, lambda tnn: tnn.Sigmoid()),
    "Tanh": (nn.Tanh(), np.tanh, lambda tnn: tnn.Tanh()),
    "Hardtanh": (
        nn.Hardtanh(-0.5, 1.5),
        lambda x: np.clip(x, -0.5, 1.5),
        lambda tnn: tnn.Hardtanh(-0.5, 1.5),
    ),
    "ReLU6": (nn.ReLU6(), lambda x: np.clip(x, 0, 6), lambda tnn: tnn.ReLU6()),
    "Softmax": (
        nn.Softmax(dim=1),
        lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True),
        lambda tnn: tnn.Softmax(dim=1),
    ),
    "Softmin": (
        nn.Softmin(dim=0),
        lambda x: np.exp(-x) / np.exp(-x).sum(0, keepdims=True),
        lambda tnn: tnn.Softmin(dim=0),
    ),
    "LogSoftmax": (
        nn.LogSoftmax(dim=-1),
        lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
        lambda tnn: tnn.LogSoftmax(dim=-1),
    ),
}


def _inputs() -> np.ndarray:
    """Values in [-7, 7], away from the kinks at 0, -0.5, 1.5, 6 and the Softplus threshold 1.5."""
    x = np.random.default_rng(0).uniform(-7, 7, size=(4, 6))
    for kink in (0.0, -0.5, 1.5, 6.0):
        x = np.where(np.abs(x - kink) < 0.05, x + 0.1, x)
    return x


@pytest.mark.parametrize("name", list(CASES))
def test_activation_values(name):
    module, formula, _ = CASES[name]
    x = _inputs()
    np.testing.assert_allclose(module(t64(x)).numpy(), formula(x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", list(CASES))
def test_activation_gradients(name):
    module, _, _ = CASES[name]
    assert gradcheck_module(module, t64(_inputs()[:2, :4] / 2, requires_grad=True))


@pytest.mark.parametrize("name", list(CASES))
def test_activation_matches_torch(name):
    torch = pytest.importorskip("torch")
    module, _, build = CASES[name]
    theirs = build(torch.nn)
    assert repr(module) == repr(theirs)
    x = _inputs() * 3
    ours_in, theirs_in = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = module(ours_in), theirs(theirs_in)
    assert_close(out, expected, rtol=1e-12, atol=1e-14)
    upstream = np.random.default_rng(1).normal(size=x.shape)
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(ours_in.grad, theirs_in.grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["ELU", "SELU", "SiLU", "Mish", "Softplus", "LogSigmoid", "GELU", "Sigmoid"])
def test_activation_is_stable_at_large_inputs(name):
    module = CASES[name][0]
    x = t64([-1e4, -800.0, 800.0, 1e4], requires_grad=True)
    y = module(x)
    y.sum().backward()
    assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(x.grad.numpy()))


def test_logsigmoid_and_softplus_keep_their_tails():
    x = t64([-1e4, 1e4])
    np.testing.assert_array_equal(nn.LogSigmoid()(x).numpy(), [-1e4, 0.0])
    np.testing.assert_array_equal(nn.Softplus()(x).numpy(), [0.0, 1e4])


def test_inplace_relu_changes_its_input():
    x = ag.tensor([-1.0, 2.0])
    out = nn.ReLU(inplace=True)(x)
    assert out is x
    np.testing.assert_array_equal(x.numpy(), [0.0, 2.0])
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"


def test_gelu_rejects_unknown_approximations():
    with pytest.raises(ValueError, match="none or tanh"):
        nn.GELU("fast")


def test_hardtanh_rejects_inverted_bounds():
    with pytest.raises(ValueError, match="cannot be greater"):
        nn.Hardtanh(2.0, 1.0)


# ----------------------------------------------------------------------------- PReLU
def test_prelu_starts_at_a_quarter_and_learns_its_slope():
    layer = nn.PReLU()
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    np.testing.assert_array_equal(layer.weight.numpy(), [0.25])
    x = ag.tensor([-2.0, 3.0, -1.0])
    out = layer(x)
    np.testing.assert_allclose(out.numpy(), [-0.5, 3.0, -0.25])
    out.sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), [-3.0])  # d/da Σ a·x over x < 0


def test_prelu_per_channel_gradients():
    layer = nn.PReLU(num_parameters=3, init=0.1, dtype=ag.float64)
    assert repr(layer) == "PReLU(num_parameters=3)"
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    x = np.where(np.abs(x) < 0.05, 0.3, x)
    out = layer(t64(x))
    expected = np.where(x > 0, x, 0.1 * x)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    assert gradcheck_module(layer, t64(x, requires_grad=True))
    with pytest.raises(RuntimeError, match="one per channel"):
        layer(ag.ones(2, 5, dtype=ag.float64))


def test_prelu_matches_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.PReLU(3, init=0.3).double()
    ours = nn.PReLU(3).double()
    load_from_torch(ours, theirs)
    x = np.random.default_rng(2).normal(size=(4, 3, 2))
    out, expected = ours(ag.tensor(x)), theirs(torch.tensor(x))
    assert_close(out, expected)
    out.sum().backward()
    expected.sum().backward()
    assert_close(ours.weight.grad, theirs.weight.grad)


def test_softmax_without_dim_warns_and_picks_pytorchs_dimension():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = nn.Softmax()(ag.ones(2, 4))
    np.testing.assert_allclose(out.numpy(), np.full((2, 4), 0.25))
