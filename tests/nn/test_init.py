"""nn.init: PyTorch's gains and fans, and each scheme's statistics within sampling tolerance."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn import init


def _standard_error_of_std(n: int, std: float) -> float:
    return std / math.sqrt(2 * n)


def test_calculate_gain():
    assert (
        init.calculate_gain("linear") == init.calculate_gain("conv2d") == init.calculate_gain("sigmoid") == 1
    )
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "big")


def test_fans():
    assert init._calculate_fan_in_and_fan_out(ag.empty(3, 5)) == (5, 3)
    assert init._calculate_fan_in_and_fan_out(ag.empty(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ag.empty(4))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ag.empty(3, 3), mode="fan_avg")


def test_uniform_and_normal():
    ag.manual_seed(0)
    w = init.uniform_(ag.empty(200, 500), -2.0, 3.0).numpy()
    assert w.min() >= -2 and w.max() <= 3
    assert abs(w.mean() - 0.5) < 4 * 5 / math.sqrt(12 * w.size)
    w = init.normal_(ag.empty(200, 500), 1.0, 2.0).numpy()
    assert abs(w.mean() - 1.0) < 4 * 2 / math.sqrt(w.size)
    assert abs(w.std() - 2.0) < 4 * _standard_error_of_std(w.size, 2.0)


def test_constant_zeros_ones_eye():
    np.testing.assert_array_equal(
        init.constant_(ag.empty(2, 2), 0.3).numpy(), np.full((2, 2), 0.3, np.float32)
    )
    assert not init.zeros_(ag.ones(3)).numpy().any()
    assert np.all(init.ones_(ag.zeros(3)).numpy() == 1)
    np.testing.assert_array_equal(init.eye_(ag.empty(2, 3)).numpy(), np.eye(2, 3))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(ag.empty(2, 2, 2))


@pytest.mark.parametrize("shape", [(300, 200), (64, 32, 3, 3)])
def test_xavier(shape):
    ag.manual_seed(1)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(ag.empty(*shape))
    std = 2.0 * math.sqrt(2 / (fan_in + fan_out))
    w = init.xavier_uniform_(ag.empty(*shape), gain=2.0).numpy()
    assert np.abs(w).max() <= math.sqrt(3) * std
    assert abs(w.std() - std) < 4 * _standard_error_of_std(w.size, std)  # conservative for a uniform
    w = init.xavier_normal_(ag.empty(*shape), gain=2.0).numpy()
    assert abs(w.std() - std) < 4 * _standard_error_of_std(w.size, std)
    assert abs(w.mean()) < 4 * std / math.sqrt(w.size)


@pytest.mark.parametrize(
    ("mode", "nonlinearity", "a"),
    [("fan_in", "relu", 0), ("fan_out", "leaky_relu", 0.1), ("fan_in", "tanh", 0)],
)
def test_kaiming(mode, nonlinearity, a):
    ag.manual_seed(2)
    shape = (128, 64, 3, 3)
    fan = 64 * 9 if mode == "fan_in" else 128 * 9
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    w = init.kaiming_uniform_(ag.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity).numpy()
    assert np.abs(w).max() <= math.sqrt(3) * std
    assert np.abs(w).max() > 0.999 * math.sqrt(3) * std
    assert abs(w.std() - std) < 6 * _standard_error_of_std(w.size, std)
    w = init.kaiming_normal_(ag.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity).numpy()
    assert abs(w.std() - std) < 4 * _standard_error_of_std(w.size, std)


def test_kaiming_on_an_empty_tensor_is_a_no_op():
    empty = ag.empty(0, 3)
    assert init.kaiming_uniform_(empty) is empty


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 2, 3)])
def test_orthogonal(shape):
    ag.manual_seed(3)
    w = init.orthogonal_(ag.empty(*shape, dtype=ag.float64), gain=1.5).numpy()
    flat = w.reshape(shape[0], -1) / 1.5
    small = min(flat.shape)
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(ag.empty(3))


def test_orthogonal_columns_are_uniformly_oriented():
    """Haar-distributed: each entry of a random n×n orthogonal matrix has mean 0, variance 1/n."""
    ag.manual_seed(4)
    entries = np.concatenate([init.orthogonal_(ag.empty(8, 8)).numpy().ravel() for _ in range(300)])
    assert abs(entries.mean()) < 4 / math.sqrt(8 * entries.size)
    assert abs(entries.var() - 1 / 8) < 0.01


def _density(z: float) -> float:
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_trunc_normal():
    ag.manual_seed(5)
    w = init.trunc_normal_(ag.empty(100_000), mean=0.5, std=1.0, a=-0.5, b=1.0).numpy()
    assert w.min() >= -0.5 and w.max() <= 1.0
    # a normal restricted to [μ - 1, μ + 0.5] has its mean below μ: μ + (φ(-1) - φ(0.5)) / (Φ(0.5) - Φ(-1))
    expected = 0.5 + (_density(-1) - _density(0.5)) / (_cdf(0.5) - _cdf(-1))
    assert abs(w.mean() - expected) < 0.01
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(ag.empty(3), a=1.0, b=0.0)


def test_init_works_on_parameters_without_recording():
    layer = nn.Linear(4, 4)
    out = init.xavier_uniform_(layer.weight)
    assert out is layer.weight and out.is_leaf and out.requires_grad
    assert layer.weight.grad_fn is None


def test_same_seed_same_initialisation():
    ag.manual_seed(11)
    first = init.kaiming_normal_(ag.empty(5, 5)).numpy().copy()
    ag.manual_seed(11)
    np.testing.assert_array_equal(init.kaiming_normal_(ag.empty(5, 5)).numpy(), first)


def test_statistics_match_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ag.manual_seed(0)
    shape = (256, 128)
    pairs = [
        ("xavier_uniform_", {}),
        ("xavier_normal_", {}),
        ("kaiming_uniform_", {"a": math.sqrt(5)}),
        ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
        ("orthogonal_", {}),
    ]
    for name, kwargs in pairs:
        ours = getattr(init, name)(ag.empty(*shape), **kwargs).numpy()
        theirs = getattr(torch.nn.init, name)(torch.empty(*shape), **kwargs).numpy()
        np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.02, err_msg=name)
        np.testing.assert_allclose(np.abs(ours).max(), np.abs(theirs).max(), rtol=0.25, err_msg=name)
