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
    """Per output position: the first maximum of the window (row-major) and its plane index."""
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
                    if best_index is None or value > best:
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
