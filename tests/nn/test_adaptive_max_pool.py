"""Adaptive max pooling (nn.AdaptiveMaxPool1d/2d/3d, nn.functional.adaptive_max_pool1d/2d/3d):
values, indices and gradients against a direct loop over the bins (PyTorch's own algorithm),
finite differences to second order, errors, and PyTorch's numbers."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.autograd import gradcheck, gradgradcheck

F = nn.functional
FUNCTIONS = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}
MODULES = {1: nn.AdaptiveMaxPool1d, 2: nn.AdaptiveMaxPool2d, 3: nn.AdaptiveMaxPool3d}


def reference(x: np.ndarray, out_size: tuple) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's CPU loop: for every output position, scan its bin in row-major order and keep
    an element that is larger than the best so far (so ties go to the first)."""
    spatial = x.shape[2:]
    values = np.empty(x.shape[:2] + out_size, dtype=x.dtype)
    indices = np.empty(x.shape[:2] + out_size, dtype=np.int64)
    for plane in np.ndindex(*x.shape[:2]):
        for position in np.ndindex(*out_size):
            ranges = [
                range(math.floor(i * n / o), math.ceil((i + 1) * n / o))
                for i, n, o in zip(position, spatial, out_size)
            ]
            best, best_index = -np.inf, None
            for point in itertools.product(*ranges):
                if best_index is None or x[plane + point] > best:
                    best, best_index = x[plane + point], np.ravel_multi_index(point, spatial)
            values[plane + position], indices[plane + position] = best, best_index
    return values, indices


def distinct(shape: tuple, seed: int = 0) -> ag.Tensor:
    """float64 values 0.1 apart (no ties: finite differences never cross a kink)."""
    values = np.random.default_rng(seed).permutation(math.prod(shape)).reshape(shape) * 0.1
    return ag.tensor(values, requires_grad=True)


def test_small_examples_by_hand():
    x = ag.tensor([[[1.0, 5.0, 2.0, 0.0, 3.0]]])
    out, indices = F.adaptive_max_pool1d(x, 2, return_indices=True)  # bins [0, 3) and [2, 5)
    np.testing.assert_array_equal(out.numpy(), [[[5.0, 3.0]]])
    np.testing.assert_array_equal(indices.numpy(), [[[1, 4]]])
    out, indices = F.adaptive_max_pool1d(x, 7, return_indices=True)  # bins [0, 1), [0, 2), [1, 3), ...
    np.testing.assert_array_equal(out.numpy(), [[[1.0, 5.0, 5.0, 2.0, 2.0, 3.0, 3.0]]])
    np.testing.assert_array_equal(indices.numpy(), [[[0, 1, 1, 2, 2, 4, 4]]])
    grid = ag.tensor([[[[0.0, 2.0, 1.0], [4.0, 4.0, 3.0], [0.0, 9.0, 1.0]]]], requires_grad=True)
    out, indices = nn.AdaptiveMaxPool2d(2, return_indices=True)(grid)  # 2x2 bins that overlap
    np.testing.assert_array_equal(out.numpy(), [[[[4.0, 4.0], [9.0, 9.0]]]])
    np.testing.assert_array_equal(indices.numpy(), [[[[3, 4], [7, 7]]]])  # the tie 4, 4: the first
    out.sum().backward()
    np.testing.assert_array_equal(grid.grad.numpy(), [[[[0, 0, 0], [1, 1, 0], [0, 2, 0]]]])


@settings(max_examples=30, deadline=None)
@given(data=st.data(), n_dims=st.sampled_from([1, 2, 3]))
def test_values_indices_and_gradient_match_a_loop_over_the_bins(data, n_dims):
    spatial = tuple(data.draw(st.lists(st.integers(1, 6), min_size=n_dims, max_size=n_dims)))
    out_size = tuple(data.draw(st.lists(st.integers(1, 8), min_size=n_dims, max_size=n_dims)))
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))) + spatial
    seed = data.draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).integers(0, 4, size=shape).astype(np.float64)  # many ties
    x = ag.tensor(values, requires_grad=True)
    out, indices = FUNCTIONS[n_dims](x, out_size, return_indices=True)
    expected, expected_indices = reference(values, out_size)
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(indices.numpy(), expected_indices)
    assert indices.dtype == ag.int64 and not indices.requires_grad
    upstream = np.random.default_rng(seed + 1).standard_normal(expected.shape)
    out.backward(ag.tensor(upstream))
    expected_grad = np.zeros((shape[0] * shape[1], math.prod(spatial)))
    planes = np.arange(shape[0] * shape[1])[:, None]
    np.add.at(
        expected_grad, (planes, expected_indices.reshape(len(planes), -1)), upstream.reshape(len(planes), -1)
    )
    np.testing.assert_allclose(x.grad.numpy(), expected_grad.reshape(shape), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "n_dims, shape, output_size",
    [
        (1, (2, 3, 7), 3),  # bins of 3, overlapping
        (1, (2, 2, 3), 5),  # more outputs than inputs
        (2, (2, 2, 5, 7), (3, 4)),  # sizes that do not divide
        (2, (2, 3, 4), (6, None)),  # unbatched; None keeps the width
        (2, (1, 2, 6, 4), 1),  # global max pooling
        (3, (1, 2, 3, 4, 5), (2, 3, 2)),
        (3, (2, 2, 3, 2), (4, None, 3)),  # unbatched 3-D, larger than the input in two dimensions
    ],
)
def test_gradients_first_and_second_order_float64(n_dims, shape, output_size):
    x = distinct(shape)
    pool = MODULES[n_dims](output_size)
    assert gradcheck(pool, x)
    assert gradgradcheck(pool, x)


@pytest.mark.parametrize(
    "n_dims, shape, output_size, expected_shape",
    [
        (1, (4, 3, 10), 4, (4, 3, 4)),
        (1, (3, 10), (13,), (3, 13)),
        (2, (2, 3, 7, 9), (3, None), (2, 3, 3, 9)),
        (2, (3, 7, 9), 11, (3, 11, 11)),
        (2, (2, 3, 7, 9), [None, 2], (2, 3, 7, 2)),
        (3, (2, 3, 4, 5, 6), (None, 7, 1), (2, 3, 4, 7, 1)),
        (3, (3, 4, 5, 6), 2, (3, 2, 2, 2)),
    ],
)
def test_output_shapes_batched_and_unbatched(n_dims, shape, output_size, expected_shape):
    x = ag.randn(*shape)
    out, indices = FUNCTIONS[n_dims](x, output_size, return_indices=True)
    assert out.shape == expected_shape and indices.shape == expected_shape
    assert out.dtype == ag.float32
    assert MODULES[n_dims](output_size)(x).shape == expected_shape


def test_unbatched_input_gives_the_batched_result_without_its_batch_dimension():
    x = distinct((3, 5, 7))
    out, indices = F.adaptive_max_pool2d(x, (2, 3), return_indices=True)
    batched, batched_indices = F.adaptive_max_pool2d(x.unsqueeze(0), (2, 3), return_indices=True)
    np.testing.assert_array_equal(out.numpy(), batched.numpy()[0])
    np.testing.assert_array_equal(indices.numpy(), batched_indices.numpy()[0])


def test_module_options_and_repr():
    pool = nn.AdaptiveMaxPool2d((None, 3), return_indices=True)
    assert pool.output_size == (None, 3) and pool.return_indices
    assert repr(pool) == "AdaptiveMaxPool2d(output_size=(None, 3))"
    assert repr(nn.AdaptiveMaxPool1d(4)) == "AdaptiveMaxPool1d(output_size=4)"
    assert repr(nn.AdaptiveMaxPool3d(2)) == "AdaptiveMaxPool3d(output_size=2)"
    assert list(pool.parameters()) == []
    out, indices = pool(ag.randn(1, 2, 4, 6))
    assert out.shape == indices.shape == (1, 2, 4, 3)


def test_errors_say_what_was_wrong():
    x = ag.randn(1, 2, 4, 4)
    with pytest.raises(ValueError, match=r"output_size must be positive, got \(2, 0\)"):
        F.adaptive_max_pool2d(x, (2, 0))
    with pytest.raises(ValueError, match=r"output_size must be positive, got \(-1, -1\)"):
        nn.AdaptiveMaxPool2d(-1)(x)
    with pytest.raises(ValueError, match=r"output_size must be an int, None, or a tuple of 2 ints or Nones"):
        F.adaptive_max_pool2d(x, (1, 2, 3))
    with pytest.raises(ValueError, match=r"adaptive_max_pool3d: .* got \(2, 2\.5, 2\)"):
        F.adaptive_max_pool3d(ag.randn(1, 2, 4, 4, 4), (2, 2.5, 2))
    with pytest.raises(ValueError, match="got 'big'"):
        F.adaptive_max_pool1d(ag.randn(1, 2, 4), "big")
    with pytest.raises(RuntimeError, match=r"adaptive_max_pool2d expects a 4-D input .* got shape \(4, 4\)"):
        F.adaptive_max_pool2d(ag.randn(4, 4), 2)
    with pytest.raises(RuntimeError, match=r"adaptive_max_pool1d expects a 3-D input .* \(1, 2, 3, 4\)"):
        nn.AdaptiveMaxPool1d(2)(ag.randn(1, 2, 3, 4))
    with pytest.raises(TypeError, match="floating-point tensor, got int64; use .float()"):
        F.adaptive_max_pool2d(ag.ones(1, 1, 4, 4, dtype=ag.int64), 2)
    with pytest.raises(RuntimeError, match=r"non-zero size for non-batch dimensions.* \(1, 2, 0, 3\)"):
        F.adaptive_max_pool2d(ag.randn(1, 2, 0, 3), 2)


def test_nan_is_chosen_as_pytorch_chooses_it():
    nan = float("nan")
    x = ag.tensor([[[[1.0, nan, 0.0], [nan, 2.0, nan], [5.0, nan, 1.0]]]])
    out, indices = F.adaptive_max_pool2d(x, 2, return_indices=True)
    assert np.isnan(out.numpy()).all()
    np.testing.assert_array_equal(indices.numpy(), [[[[3, 5], [7, 7]]]])  # the last NaN of each bin


@pytest.mark.parametrize(
    "n_dims, shape, output_size",
    [
        (1, (2, 3, 11), 4),
        (1, (3, 4), 9),
        (2, (2, 3, 10, 7), (3, 4)),
        (2, (2, 3, 5, 7), (8, 9)),
        (2, (3, 6, 5), (None, 2)),
        (3, (2, 2, 5, 4, 6), (2, 3, 4)),
        (3, (2, 3, 2, 4), (3, None, 5)),
    ],
)
@pytest.mark.parametrize("ties", [False, True])
def test_against_pytorch(n_dims, shape, output_size, ties):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(n_dims)
    values = rng.integers(0, 3, size=shape).astype(np.float64) if ties else rng.standard_normal(shape)
    ours, theirs = (
        MODULES[n_dims](output_size, True),
        getattr(torch.nn, f"AdaptiveMaxPool{n_dims}d")(output_size, True),
    )
    x, tx = ag.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    (out, indices), (expected, expected_indices) = ours(x), theirs(tx)
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
    assert indices.numpy().dtype == np.int64
    upstream = rng.standard_normal(tuple(expected.shape))
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    functional = getattr(torch.nn.functional, f"adaptive_max_pool{n_dims}d")
    np.testing.assert_array_equal(
        FUNCTIONS[n_dims](x, output_size).numpy(), functional(tx, output_size).detach().numpy()
    )
    assert repr(ours) == repr(theirs)
