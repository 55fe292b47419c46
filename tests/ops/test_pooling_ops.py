"""Pooling primitives (ops/pooling.py): values and chosen positions against a direct loop,
gradients by finite differences (first and second order), tie rules, PyTorch when installed."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.autograd import gradcheck, gradgradcheck
from autograd_core.ops import pooling as P


def _direct_max_pool(x, kernel, stride, padding, dilation, out_size):
    """Per output position: PyTorch's scan of the window in row-major order, keeping an element
    when ``value > best or isnan(value)`` (so the first maximum, or the last NaN), and its plane
    index; a window of nothing but -inf keeps its first real element."""
    n_dims = len(kernel)
    spatial = x.shape[2:]
    values = np.zeros(x.shape[:2] + tuple(out_size))
    indices = np.zeros(values.shape, dtype=np.int64)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for position in itertools.product(*[range(s) for s in out_size]):
            best, best_index = -np.inf, None
            for offset in itertools.product(*[range(k) for k in kernel]):
                coordinate = [
                    p * s - pad + o * d
                    for p, s, pad, o, d in zip(position, stride, padding, offset, dilation)
                ]
                if all(0 <= q < size for q, size in zip(coordinate, spatial)):
                    value = x[(n, c) + tuple(coordinate)]
                    if best_index is None or value > best or np.isnan(value):
                        best, best_index = value, int(np.ravel_multi_index(coordinate, spatial))
            values[(n, c) + position] = best
            indices[(n, c) + position] = best_index
    assert n_dims == len(out_size)
    return values, indices


def _distinct(rng, *shape):
    """Values with no ties and at least 0.1 apart, so finite differences never cross a kink."""
    values = rng.permutation(np.prod(shape)).reshape(shape) * 0.1
    return ag.tensor(values + rng.uniform(-0.01, 0.01, shape), requires_grad=True)


@settings(max_examples=30, deadline=None)
@given(
    size=st.tuples(st.integers(2, 7), st.integers(2, 7)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    ceil_mode=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_max_pool2d_matches_direct_loop_with_ties(size, kernel, stride, padding, dilation, ceil_mode, seed):
    if any(2 * p > d * (k - 1) + 1 for k, p, d in zip(kernel, padding, dilation)):
        return
    out_size = [P._pool_size(*args, ceil_mode) for args in zip(size, kernel, stride, padding, dilation)]
    if min(out_size) < 1:
        return
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, (2, 2, *size)).astype(np.float64)  # many ties
    out, indices = P.max_pool2d(
        ag.tensor(x), kernel, stride, padding, dilation, ceil_mode, return_indices=True
    )
    expected, expected_indices = _direct_max_pool(x, kernel, stride, padding, dilation, out_size)
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(indices.numpy(), expected_indices)
    assert indices.dtype == ag.int64


def _with_nans(rng, shape, nan_fraction=0.3):
    """Small integers (many ties) with NaNs and a few -inf scattered in: float64."""
    x = rng.integers(-2, 3, shape).astype(np.float64)
    draw = rng.uniform(size=shape)
    x[draw < nan_fraction] = np.nan
    x[draw > 0.95] = -np.inf
    return x


@settings(max_examples=30, deadline=None)
@given(
    n_dims=st.integers(1, 3),
    size=st.integers(2, 6),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 1),
    dilation=st.integers(1, 2),
    ceil_mode=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_max_pool_with_nans_matches_direct_loop(
    n_dims, size, kernel, stride, padding, dilation, ceil_mode, seed
):
    if 2 * padding > dilation * (kernel - 1) + 1:
        return
    out_length = P._pool_size(size, kernel, stride, padding, dilation, ceil_mode)
    if out_length < 1:
        return
    rng = np.random.default_rng(seed)
    x = _with_nans(rng, (2, 2) + (size,) * n_dims)
    function = {1: P.max_pool1d, 2: P.max_pool2d, 3: P.max_pool3d}[n_dims]
    ax = ag.tensor(x, requires_grad=True)
    out, indices = function(ax, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    expected, expected_indices = _direct_max_pool(
        x,
        (kernel,) * n_dims,
        (stride,) * n_dims,
        (padding,) * n_dims,
        (dilation,) * n_dims,
        (out_length,) * n_dims,
    )
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(indices.numpy(), expected_indices)
    upstream = rng.standard_normal(out.shape)
    out.backward(ag.tensor(upstream))
    expected_grad = np.zeros(x.shape)
    for plane in np.ndindex(*x.shape[:2]):
        np.add.at(expected_grad[plane].reshape(-1), expected_indices[plane].ravel(), upstream[plane].ravel())
    np.testing.assert_array_equal(ax.grad.numpy(), expected_grad)


def test_nan_wins_its_window_by_hand():
    nan = np.nan
    x = ag.tensor([[[1.0, nan, 3.0, nan, 2.0, 0.0]]], requires_grad=True)
    out, indices = P.max_pool1d(x, 3, return_indices=True)
    assert np.isnan(out.numpy()).all() and out.shape == (1, 1, 2)
    np.testing.assert_array_equal(indices.numpy(), [[[1, 3]]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[0.0, 1.0, 0.0, 1.0, 0.0, 0.0]]])
    # several NaNs in a window: the last one (row-major) wins, as PyTorch
    several = ag.tensor([[[nan, 1.0, nan, 3.0, nan, 2.0, nan, nan, nan]]])
    np.testing.assert_array_equal(P.max_pool1d(several, 3, return_indices=True)[1].numpy(), [[[2, 4, 8]]])
    # 2-D: window [[nan, 7], [nan, 0]] picks the NaN at (1, 0); window [[5, 5], [5, 4]] the first 5
    x2 = ag.tensor([[[[nan, 7.0, 5.0, 5.0], [nan, 0.0, 5.0, 4.0]]]], requires_grad=True)
    out2, indices2 = P.max_pool2d(x2, 2, return_indices=True)
    np.testing.assert_array_equal(out2.numpy(), [[[[nan, 5.0]]]])
    np.testing.assert_array_equal(indices2.numpy(), [[[[4, 2]]]])
    out2.sum().backward()
    np.testing.assert_array_equal(x2.grad.numpy(), [[[[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]]])
    # padding: the window [pad, nan, 1] chooses the NaN, not the last real element
    padded_out, padded_indices = P.max_pool1d(
        ag.tensor([[[nan, 1.0, 2.0, nan]]]), 3, stride=2, padding=1, ceil_mode=True, return_indices=True
    )
    np.testing.assert_array_equal(padded_out.numpy(), [[[nan, nan, nan]]])
    np.testing.assert_array_equal(padded_indices.numpy(), [[[0, 3, 3]]])


def test_all_minus_inf_window_in_dilated_padding_points_at_its_first_real_element():
    # kernel 3, dilation 2, padding 1: window 0 reads (-1, 1, 3); PyTorch's index is 1, not 0
    x = ag.full((1, 1, 5), -np.inf, requires_grad=True)
    out, indices = P.max_pool1d(x, 3, stride=1, padding=1, dilation=2, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), [[[-np.inf, -np.inf, -np.inf]]])
    np.testing.assert_array_equal(indices.numpy(), [[[1, 0, 1]]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[1.0, 2.0, 0.0, 0.0, 0.0]]])


def test_max_pool_gradient_goes_to_the_first_maximum_only():
    x = ag.tensor([[[[1.0, 1.0, 0.0, 2.0], [1.0, 0.5, 2.0, 2.0]]]], requires_grad=True)
    P.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]]])


def test_overlapping_windows_add_their_gradients():
    x = ag.tensor([[[0.0, 5.0, 1.0, 2.0, 0.0]]], requires_grad=True)
    out = P.max_pool1d(x, 3, stride=1)
    np.testing.assert_array_equal(out.numpy(), [[[5.0, 5.0, 2.0]]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[0.0, 2.0, 0.0, 1.0, 0.0]]])


@pytest.mark.parametrize(
    "function, kwargs, shape",
    [
        (P.max_pool1d, dict(kernel_size=3, stride=2, padding=1, dilation=2), (2, 2, 9)),
        (P.max_pool2d, dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 1), ceil_mode=True), (2, 2, 5, 6)),
        (P.max_pool2d, dict(kernel_size=2, stride=1), (1, 2, 4, 4)),
        (P.max_pool3d, dict(kernel_size=2), (1, 2, 4, 4, 4)),
        (P.avg_pool1d, dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), (2, 2, 8)),
        (P.avg_pool2d, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 2, 6, 7)),
        (P.avg_pool2d, dict(kernel_size=2, divisor_override=3), (1, 2, 4, 6)),
        (P.adaptive_avg_pool1d, dict(output_size=4), (2, 3, 10)),
        (P.adaptive_avg_pool2d, dict(output_size=(3, 4)), (2, 2, 7, 5)),
        (P.adaptive_avg_pool3d, dict(output_size=2), (1, 2, 3, 5, 4)),
    ],
)
def test_pooling_gradients_first_and_second_order(function, kwargs, shape):
    x = _distinct(np.random.default_rng(0), *shape)
    assert gradcheck(lambda x: function(x, **kwargs), x)
    assert gradgradcheck(lambda x: function(x, **kwargs) ** 2, x)


def test_avg_pool_divisors_follow_pytorch_rules():
    x = ag.ones(1, 1, 3, 3)
    np.testing.assert_allclose(
        P.avg_pool2d(x, 2, stride=2, padding=1).numpy()[0, 0], [[0.25, 0.5], [0.5, 1.0]]
    )
    np.testing.assert_allclose(
        P.avg_pool2d(x, 2, stride=2, padding=1, count_include_pad=False).numpy()[0, 0], np.ones((2, 2))
    )
    # ceil_mode: the last window holds only 6.0; its divisor is clipped to the input (plus padding)
    np.testing.assert_allclose(
        P.avg_pool1d(ag.tensor([[[2.0, 4.0, 6.0]]]), 2, ceil_mode=True).numpy(), [[[3.0, 6.0]]]
    )


def test_adaptive_bins_follow_floor_and_ceil():
    start, end = P.adaptive_bins(5, 3)
    np.testing.assert_array_equal(start, [0, 1, 3])
    np.testing.assert_array_equal(end, [2, 4, 5])
    out = P.adaptive_avg_pool1d(ag.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 3)
    np.testing.assert_allclose(out.numpy(), [[[1.5, 3.0, 4.5]]])
    assert P.adaptive_avg_pool2d(ag.randn(2, 3, 4, 4), (None, 1)).shape == (2, 3, 4, 1)


def test_unbatched_input_and_dtype():
    x = ag.randn(3, 8, 8, dtype=ag.float32)
    out, indices = P.max_pool2d(x, 2, return_indices=True)
    assert out.shape == (3, 4, 4) and indices.shape == (3, 4, 4) and out.dtype == ag.float32
    assert P.avg_pool2d(x, 2).dtype == ag.float32


def test_pooling_errors_say_what_to_do():
    x = ag.randn(1, 1, 4, 4)
    with pytest.raises(ValueError, match="pad should be at most half of effective kernel size"):
        P.max_pool2d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match="output size .* is too small"):
        P.max_pool2d(ag.randn(1, 1, 2, 2), 3)
    with pytest.raises(TypeError, match="floating-point"):
        P.avg_pool2d(ag.ones(1, 1, 4, 4, dtype=ag.int64), 2)
    with pytest.raises(RuntimeError, match="expects a 4-D input"):
        P.max_pool2d(ag.randn(4, 4), 2)
    with pytest.raises(ValueError, match="output_size must be positive"):
        P.adaptive_avg_pool2d(x, 0)


@pytest.mark.parametrize(
    "name, shape, kwargs",
    [
        ("max_pool1d", (2, 3, 12), dict(kernel_size=3)),
        ("max_pool1d", (2, 3, 11), dict(kernel_size=3, stride=1)),
        ("max_pool1d", (2, 3, 11), dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)),
        ("max_pool1d", (1, 2, 10), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)),
        ("max_pool2d", (2, 3, 8, 8), dict(kernel_size=2)),
        ("max_pool2d", (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ("max_pool2d", (2, 2, 8, 8), dict(kernel_size=(2, 3), stride=1, dilation=(2, 1))),
        ("max_pool2d", (1, 2, 7, 9), dict(kernel_size=3, stride=(1, 2), padding=(1, 0), dilation=2)),
        ("max_pool3d", (1, 2, 6, 6, 6), dict(kernel_size=2)),
        ("max_pool3d", (1, 2, 5, 6, 5), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0))),
        ("max_pool3d", (2, 2, 6, 5, 7), dict(kernel_size=2, stride=2, padding=1, dilation=2, ceil_mode=True)),
    ],
)
def test_max_pool_with_nans_and_ties_against_pytorch(name, shape, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = _with_nans(rng, shape)
    assert np.isnan(x).any() and np.isinf(x).any()
    tx = torch.tensor(x, requires_grad=True)
    expected, expected_indices = getattr(torch.nn.functional, name)(tx, return_indices=True, **kwargs)
    ax = ag.tensor(x, requires_grad=True)
    out, indices = getattr(P, name)(ax, return_indices=True, **kwargs)
    assert np.isnan(expected.detach().numpy()).any()
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
    upstream = rng.standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(upstream))
    out.backward(ag.tensor(upstream))
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), rtol=0, atol=1e-12)


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    rng = np.random.default_rng(1)
    cases = [
        (
            "max_pool2d",
            (2, 3, 9, 7),
            dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True),
        ),
        ("max_pool2d", (2, 3, 8, 8), dict(kernel_size=(2, 3), dilation=(2, 1), return_indices=True)),
        ("max_pool1d", (2, 3, 11), dict(kernel_size=3, stride=2, padding=1, dilation=2, return_indices=True)),
        ("avg_pool2d", (2, 3, 10, 7), dict(kernel_size=(3, 2), stride=(2, 3), padding=1, ceil_mode=True)),
        ("avg_pool2d", (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
        ("avg_pool1d", (2, 3, 11), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ("adaptive_avg_pool2d", (2, 3, 10, 7), dict(output_size=(3, 4))),
        ("adaptive_avg_pool2d", (2, 3, 5, 7), dict(output_size=(8, 9))),
        ("adaptive_avg_pool1d", (2, 3, 13), dict(output_size=5)),
    ]
    for name, shape, kwargs in cases:
        x = np.round(rng.standard_normal(shape), 1)
        tx = torch.tensor(x, requires_grad=True)
        expected = getattr(functional, name)(tx, **kwargs)
        ax = ag.tensor(x, requires_grad=True)
        out = getattr(P, name)(ax, **kwargs)
        if kwargs.get("return_indices"):
            (expected, expected_indices), (out, indices) = expected, out
            np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy(), err_msg=name)
        upstream = rng.standard_normal(tuple(expected.shape))
        expected.backward(torch.tensor(upstream))
        out.backward(ag.tensor(upstream))
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-12, err_msg=name)
        np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), atol=1e-12, err_msg=name)
