"""Pooling layers: what they compute, repr, no parameters, gradients, PyTorch's numbers."""

import doctest
import importlib

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.autograd import gradcheck


def test_max_pool_picks_window_maxima_and_indices():
    x = ag.tensor(
        [[[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0], [0.0, 9.0, 2.0, 2.0]]]]
    )
    out, indices = nn.MaxPool2d(2, return_indices=True)(x)
    np.testing.assert_array_equal(out.numpy(), [[[[4.0, 5.0], [9.0, 2.0]]]])
    np.testing.assert_array_equal(indices.numpy(), [[[[5, 2], [13, 10]]]])
    np.testing.assert_array_equal(
        nn.MaxPool1d(3, stride=1)(ag.tensor([[[1.0, 3.0, 2.0, 0.0]]])).numpy(), [[[3.0, 3.0]]]
    )


def test_max_pool_layers_propagate_nan_and_point_at_it():
    nan = float("nan")
    x = ag.tensor([[[1.0, nan, 3.0, nan, 2.0, 0.0]]], requires_grad=True)
    out, indices = nn.MaxPool1d(3, return_indices=True)(x)
    assert np.isnan(out.numpy()).all()
    np.testing.assert_array_equal(indices.numpy(), [[[1, 3]]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[0.0, 1.0, 0.0, 1.0, 0.0, 0.0]]])
    # 3-D, a (2, 2, 4) plane, two 2×2×2 windows: the first holds NaNs at plane indices 1 and 8
    # (the last, 8, wins); the second ties at 3 (the first, index 2, wins)
    x3 = ag.tensor(
        [[[[[1.0, nan, 3.0, 3.0], [2.0, 0.0, 3.0, 1.0]], [[nan, 4.0, 0.0, 3.0], [5.0, 6.0, 2.0, 3.0]]]]],
        requires_grad=True,
    )
    out3, indices3 = nn.MaxPool3d(2, return_indices=True)(x3)
    np.testing.assert_array_equal(out3.numpy(), [[[[[nan, 3.0]]]]])
    np.testing.assert_array_equal(indices3.numpy(), [[[[[8, 2]]]]])
    out3.sum().backward()
    expected_grad = np.zeros((1, 1, 2, 2, 4))
    expected_grad.reshape(-1)[[8, 2]] = 1.0
    np.testing.assert_array_equal(x3.grad.numpy(), expected_grad)


def test_average_pools():
    x = ag.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_allclose(nn.AvgPool2d(2)(x).numpy(), [[[[2.5, 4.5], [10.5, 12.5]]]])
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d(1)(x).numpy(), [[[[7.5]]]])
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d((1, 2))(x).numpy(), [[[[6.5, 8.5]]]])
    np.testing.assert_allclose(nn.AvgPool1d(2)(ag.tensor([[[1.0, 3.0, 5.0, 7.0]]])).numpy(), [[[2.0, 6.0]]])
    np.testing.assert_allclose(
        nn.AdaptiveAvgPool1d(2)(ag.tensor([[[1.0, 3.0, 5.0]]])).numpy(), [[[2.0, 4.0]]]
    )


def test_pools_have_no_parameters_and_print_like_pytorch():
    for layer in (
        nn.MaxPool2d(2),
        nn.AvgPool2d(3),
        nn.AdaptiveAvgPool2d(1),
        nn.MaxPool1d(2),
        nn.AvgPool1d(2),
    ):
        assert list(layer.parameters()) == []
    assert (
        repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    assert repr(nn.AvgPool2d(3, stride=2, padding=1)) == "AvgPool2d(kernel_size=3, stride=2, padding=1)"
    assert repr(nn.AdaptiveAvgPool2d((5, 7))) == "AdaptiveAvgPool2d(output_size=(5, 7))"


@pytest.mark.parametrize(
    "layer, shape",
    [
        (nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 2, 6, 7)),
        (nn.MaxPool1d(2, dilation=2), (2, 3, 7)),
        (nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 2, 6, 7)),
        (nn.AdaptiveAvgPool2d((2, 3)), (2, 2, 5, 7)),
    ],
)
def test_layer_gradients_in_float64(layer, shape):
    rng = np.random.default_rng(0)
    values = rng.permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct: no ties at the max
    x = ag.tensor(values, requires_grad=True)
    assert gradcheck(layer, x)


@pytest.mark.parametrize(
    "name, kwargs, shape",
    [
        ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 3, 9, 7)),
        ("MaxPool1d", dict(kernel_size=2, dilation=2), (2, 3, 9)),
        (
            "AvgPool2d",
            dict(kernel_size=(3, 2), stride=1, padding=(1, 0), count_include_pad=False),
            (2, 3, 6, 7),
        ),
        ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 3, 10)),
        ("AdaptiveAvgPool2d", dict(output_size=(4, 3)), (2, 3, 9, 7)),
        ("AdaptiveAvgPool1d", dict(output_size=4), (2, 3, 9)),
    ],
)
def test_against_pytorch(name, kwargs, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = np.round(rng.standard_normal(shape), 1)
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(ax), theirs(tx)
    upstream = rng.standard_normal(tuple(expected.shape))
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), atol=1e-12)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("module_name", ["nn.modules.conv", "nn.modules.pooling", "nn.modules.rnn"])
def test_docstring_examples_run(module_name):
    failures, attempted = doctest.testmod(
        importlib.import_module(module_name), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0 and attempted > 0
