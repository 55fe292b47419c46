"""BatchNorm1d/2d, LayerNorm, GroupNorm: formulas, running statistics, train/eval, gradients,
errors and the PyTorch oracle."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.nn.nn_testing import assert_close, gradcheck_module, load_from_torch, randn64, t64


def _batch_norm_reference(x, weight, bias, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axes, keepdims=True)
    var = x.var(axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight.reshape(shape) + bias.reshape(shape)


# ----------------------------------------------------------------------------- BatchNorm
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 4)])
def test_batch_norm_training_output(shape):
    x = np.random.default_rng(0).normal(2.0, 3.0, size=shape)
    layer = (nn.BatchNorm2d(3) if len(shape) == 4 else nn.BatchNorm1d(3)).double()
    with ag.no_grad():
        layer.weight.copy_(ag.tensor([1.0, 2.0, 0.5]))
        layer.bias.copy_(ag.tensor([0.0, -1.0, 3.0]))
    out = layer(t64(x))
    expected = _batch_norm_reference(x, layer.weight.numpy(), layer.bias.numpy())
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_running_statistics_follow_the_batches():
    rng = np.random.default_rng(1)
    layer = nn.BatchNorm1d(2, momentum=0.1).double()
    running_mean, running_var = np.zeros(2), np.ones(2)
    for _ in range(3):
        x = rng.normal(5.0, 2.0, size=(8, 2))
        layer(t64(x))
        running_mean = 0.9 * running_mean + 0.1 * x.mean(0)
        running_var = 0.9 * running_var + 0.1 * x.var(0, ddof=1)  # unbiased, as PyTorch
    np.testing.assert_allclose(layer.running_mean.numpy(), running_mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.numpy(), running_var, rtol=1e-12)
    assert layer.num_batches_tracked.item() == 3 and layer.num_batches_tracked.dtype == ag.int64


def test_momentum_none_is_the_cumulative_average():
    rng = np.random.default_rng(2)
    layer = nn.BatchNorm1d(3, momentum=None).double()
    batches = [rng.normal(size=(5, 3)) * (i + 1) for i in range(4)]
    for x in batches:
        layer(t64(x))
    np.testing.assert_allclose(
        layer.running_mean.numpy(), np.mean([b.mean(0) for b in batches], 0), rtol=1e-12
    )
    np.testing.assert_allclose(
        layer.running_var.numpy(), np.mean([b.var(0, ddof=1) for b in batches], 0), rtol=1e-12
    )


def test_evaluation_uses_the_running_statistics():
    layer = nn.BatchNorm1d(2).double()
    with ag.no_grad():
        layer.running_mean.copy_(ag.tensor([1.0, -1.0]))
        layer.running_var.copy_(ag.tensor([4.0, 0.25]))
    layer.eval()
    x = np.array([[3.0, 0.0], [1.0, -1.0]])
    out = layer(t64(x))
    np.testing.assert_allclose(out.numpy(), (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5))
    assert layer.num_batches_tracked.item() == 0  # evaluation changes no statistic
    np.testing.assert_array_equal(layer.running_mean.numpy(), [1.0, -1.0])


def test_without_running_statistics_batch_statistics_are_used_in_eval_too():
    layer = nn.BatchNorm1d(2, track_running_stats=False, affine=False).double().eval()
    assert layer.running_mean is None and list(layer.state_dict()) == []
    x = np.random.default_rng(3).normal(size=(6, 2))
    np.testing.assert_allclose(layer(t64(x)).numpy(), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-12)


def test_reset_running_stats():
    layer = nn.BatchNorm1d(2)
    layer(ag.randn(4, 2) * 3 + 1)
    layer.reset_running_stats()
    np.testing.assert_array_equal(layer.running_mean.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(layer.running_var.numpy(), [1.0, 1.0])
    assert layer.num_batches_tracked.item() == 0


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients(training):
    ag.manual_seed(0)
    layer = nn.BatchNorm2d(2).double()
    with ag.no_grad():
        layer.weight.normal_()
        layer.bias.normal_()
        layer.running_var.fill_(0.7)
    layer.train(training)
    assert gradcheck_module(layer, randn64(3, 2, 2, 2))
    assert gradcheck_module(nn.BatchNorm1d(2).double().train(training), randn64(4, 2, 3, seed=1))


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(ag.ones(1, 3))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(ag.ones(2, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(ag.ones(2, 3, 2, 2))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\) got an input with 4 channels"):
        nn.BatchNorm1d(3)(ag.ones(2, 4))


def test_batch_norm_repr_and_state_dict_match_torch():
    torch = pytest.importorskip("torch")
    for kwargs in [{}, {"momentum": None, "affine": False}, {"eps": 1e-3, "track_running_stats": False}]:
        ours, theirs = nn.BatchNorm2d(4, **kwargs), torch.nn.BatchNorm2d(4, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(nn.BatchNorm1d(3, bias=False)) == repr(torch.nn.BatchNorm1d(3, bias=False))


@pytest.mark.parametrize("shape", [(6, 3), (5, 3, 4), (3, 3, 2, 5)])
def test_batch_norm_matches_torch_in_training_and_evaluation(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    cls, torch_cls = (
        (nn.BatchNorm2d, torch.nn.BatchNorm2d) if len(shape) == 4 else (nn.BatchNorm1d, torch.nn.BatchNorm1d)
    )
    theirs = torch_cls(3, momentum=0.3).double()
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours = cls(3, momentum=0.3).double()
    load_from_torch(ours, theirs)
    for _ in range(3):
        x = rng.normal(1.0, 2.0, size=shape)
        upstream = rng.normal(size=shape)
        ours_in, theirs_in = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(ours_in), theirs(theirs_in)
        assert_close(out, expected, rtol=1e-10, atol=1e-12)
        out.backward(ag.tensor(upstream))
        expected.backward(torch.tensor(upstream))
        assert_close(ours_in.grad, theirs_in.grad, rtol=1e-9, atol=1e-12)
        assert_close(ours.weight.grad, theirs.weight.grad, rtol=1e-9, atol=1e-12)
        assert_close(ours.bias.grad, theirs.bias.grad, rtol=1e-9, atol=1e-12)
        ours.zero_grad()
        theirs.zero_grad()
    assert_close(ours.running_mean, theirs.running_mean)
    assert_close(ours.running_var, theirs.running_var)
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 3
    ours.eval()
    theirs.eval()
    x = rng.normal(size=shape)
    assert_close(ours(ag.tensor(x)), theirs(torch.tensor(x)))


# ----------------------------------------------------------------------------- LayerNorm
def test_layer_norm_normalises_each_sample():
    x = np.random.default_rng(5).normal(3.0, 2.0, size=(4, 2, 5))
    layer = nn.LayerNorm((2, 5)).double()
    assert layer.weight.shape == (2, 5) and np.all(layer.weight.numpy() == 1) and not layer.bias.numpy().any()
    out = layer(t64(x)).numpy()
    mean = x.mean((1, 2), keepdims=True)
    var = x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-12, atol=1e-12)


def test_layer_norm_gradients():
    ag.manual_seed(0)
    layer = nn.LayerNorm(4).double()
    with ag.no_grad():
        layer.weight.normal_()
        layer.bias.normal_()
    assert gradcheck_module(layer, randn64(3, 4))
    assert gradcheck_module(nn.LayerNorm(3, elementwise_affine=False).double(), randn64(2, 3))


def test_layer_norm_shape_error():
    with pytest.raises(
        RuntimeError, match=r"expected input with shape \[\*, 4\], but got input of size\[2, 3\]"
    ):
        nn.LayerNorm(4)(ag.ones(2, 3))


def test_layer_norm_matches_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.LayerNorm([3, 4], eps=1e-3).double()
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours = nn.LayerNorm([3, 4], eps=1e-3).double()
    assert repr(ours) == repr(theirs)
    load_from_torch(ours, theirs)
    x = np.random.default_rng(6).normal(size=(2, 5, 3, 4))
    ours_in, theirs_in = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(ours_in), theirs(theirs_in)
    assert_close(out, expected)
    upstream = np.random.default_rng(7).normal(size=x.shape)
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(ours_in.grad, theirs_in.grad, rtol=1e-9)
    assert_close(ours.weight.grad, theirs.weight.grad, rtol=1e-9)
    assert_close(ours.bias.grad, theirs.bias.grad, rtol=1e-9)
    assert repr(nn.LayerNorm(3, bias=False)) == repr(torch.nn.LayerNorm(3, bias=False))


# ----------------------------------------------------------------------------- GroupNorm
def test_group_norm_matches_torch_and_gradchecks():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.GroupNorm(2, 4).double()
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    ours = nn.GroupNorm(2, 4).double()
    assert repr(ours) == repr(theirs)
    load_from_torch(ours, theirs)
    x = np.random.default_rng(8).normal(size=(3, 4, 2, 3))
    assert_close(ours(ag.tensor(x)), theirs(torch.tensor(x)))
    assert gradcheck_module(ours, randn64(2, 4, 3))


def test_group_norm_needs_divisible_channels():
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)
