"""Pooling: max, average and adaptive average, over any number of spatial dimensions.

- Max pooling picks, in every window, the first largest element (row-major order within the
  window, as PyTorch); the gradient goes to that element only. Forward is one ``MaxPool`` node
  that remembers the chosen positions; its backward scatters the gradient there
  (``ScatterFlat``), whose backward gathers (``GatherFlat``), and back again: exact to any order.
- Average pooling is a depthwise convolution with a kernel of ones, divided by the window size
  (PyTorch's divisor rules for padding and ``ceil_mode``), so it reuses the convolution
  primitives and their gradients.
- Adaptive average pooling averages over bins [⌊i·in/out⌋, ⌈(i+1)·in/out⌉): along each
  dimension that is a matrix product with a fixed averaging matrix, written as Tensor matmuls.
"""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function
from .conv import Convolution, Geometry, _batched, _check_positive, expand_param, pad_array


# ----------------------------------------------------------------------- max pooling
def _axis_window(array: np.ndarray, axis: int, offset: int, geometry_dim: tuple, length: int) -> np.ndarray:
    """The view of ``array`` along ``axis`` read by kernel offset ``offset`` at every output
    position: elements offset·dilation + stride·l for l < length."""
    stride, dilation = geometry_dim
    start = offset * dilation
    index = [slice(None)] * array.ndim
    index[axis] = slice(start, start + stride * (length - 1) + 1, stride)
    return array[tuple(index)]


def _window_max(x_padded: np.ndarray, geometry: Geometry, out_size: tuple) -> tuple:
    """Window maxima of a padded input, and per spatial dimension the kernel offset of the first
    maximum. Reduces one dimension at a time, the last first, so that ties go to the first
    element in row-major order (a Python loop over kernel offsets, never over pixels).

    Choices are made with arithmetic (``old + better·(new - old)``), several times faster than
    ``np.where`` on unpredictable masks.
    """
    offset_dtype = np.min_scalar_type(-max(geometry.kernel))
    values = x_padded
    offsets: list = []
    for dim in reversed(range(len(out_size))):
        axis = 2 + dim
        step = (geometry.stride[dim], geometry.dilation[dim])
        best = _axis_window(values, axis, 0, step, out_size[dim])
        best_offset = np.zeros(best.shape, dtype=offset_dtype)
        carried = [_axis_window(o, axis, 0, step, out_size[dim]) for o in offsets]
        for k in range(1, geometry.kernel[dim]):
            candidate = _axis_window(values, axis, k, step, out_size[dim])
            better = (candidate > best).view(np.int8)
            best = np.maximum(best, candidate)
            best_offset = best_offset + better * (k - best_offset)
            carried = [
                c + better * (_axis_window(o, axis, k, step, out_size[dim]) - c)
                for o, c in zip(offsets, carried)
            ]
        values = best
        offsets = carried + [best_offset]
    return values, offsets[::-1]


def _flat_positions(offsets: list, input_shape: tuple, geometry: Geometry, out_size: tuple) -> np.ndarray:
    """Index into ``x.ravel()`` of each chosen element: window start plus offset·dilation along
    every dimension, in row-major places. Where padding was chosen (a window of -inf only) the
    coordinate is clipped to the nearest real element, as PyTorch's index would be."""
    spatial = input_shape[2:]
    n_dims = len(spatial)
    starts_grid = np.zeros((1,) * n_dims, dtype=np.int64)  # unpadded window starts, broadcast
    positions = None
    for dim in range(n_dims):
        place = math.prod(spatial[dim + 1 :])
        before, after = geometry.padding[dim]
        starts = np.arange(out_size[dim], dtype=np.int64) * geometry.stride[dim] - before
        starts = starts.reshape((-1,) + (1,) * (n_dims - 1 - dim))
        if before or after:
            coordinate = starts + offsets[dim] * np.int64(geometry.dilation[dim])
            term = np.clip(coordinate, 0, spatial[dim] - 1) * place
        else:
            starts_grid = starts_grid + starts * place
            term = offsets[dim] * np.int64(geometry.dilation[dim] * place)
        if positions is None:
            positions = term
        else:
            positions += term
    positions += starts_grid
    planes = np.arange(input_shape[0] * input_shape[1], dtype=np.int64) * math.prod(spatial)
    positions += planes.reshape(input_shape[:2] + (1,) * n_dims)
    return positions


class MaxPool(Function):
    """out = max over each window; d out / d x = 1 at the first maximum of the window, else 0.

    With ``return_indices`` a second output gives, per window, the index of the chosen element
    within its (flattened) input plane, as PyTorch. backward: the gradient scattered to the chosen
    positions (added where windows overlap).
    """

    @staticmethod
    def forward(ctx, x, geometry, out_size, return_indices):
        data = x.numpy()
        padded = pad_array(data, geometry.padding, -np.inf)
        values, offsets = _window_max(padded, geometry, out_size)
        positions = _flat_positions(offsets, data.shape, geometry, out_size)
        ctx.positions = positions
        ctx.input_shape = data.shape
        ctx.overlapping = any(
            s < d * (k - 1) + 1 for k, s, d in zip(geometry.kernel, geometry.stride, geometry.dilation)
        )
        values = np.ascontiguousarray(values)
        if return_indices:
            return values, positions % math.prod(data.shape[2:])
        return values

    @staticmethod
    def backward(ctx, grad, *unused_index_grad):
        return ScatterFlat.apply(grad, ctx.positions, ctx.input_shape, ctx.overlapping), None, None, None


class ScatterFlat(Function):
    """zeros(shape) with ``values`` added at flat ``positions`` (into the raveled result).
    Linear; its backward gathers from those positions."""

    @staticmethod
    def forward(ctx, values, positions, shape, repeats):
        ctx.positions = positions
        flat_values = values.numpy().ravel()
        size = math.prod(shape)
        if repeats:
            out = np.bincount(positions.ravel(), weights=flat_values, minlength=size).astype(values.dtype)
        else:
            out = np.zeros(size, dtype=values.dtype)
            out[positions.ravel()] = flat_values
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return GatherFlat.apply(grad, ctx.positions), None, None, None


class GatherFlat(Function):
    """``x.ravel()[positions]`` (shaped like ``positions``). Its backward scatters back."""

    @staticmethod
    def forward(ctx, x, positions):
        ctx.positions = positions
        ctx.input_shape = x.shape
        return x.numpy().ravel()[positions]

    @staticmethod
    def backward(ctx, grad):
        return ScatterFlat.apply(grad, ctx.positions, ctx.input_shape, True), None


def _pool_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size; with ``ceil_mode`` the last window must start inside the
    input or its left padding."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _pool_geometry(
    name: str, x: Tensor, n_dims: int, kernel_size, stride, padding, dilation, ceil_mode: bool
) -> tuple[Geometry, tuple]:
    """The windows of a pooling layer and the output size; the right padding grows so that
    ``ceil_mode``'s last, partial window exists."""
    kernel = expand_param(kernel_size, n_dims, "kernel_size")
    stride = (
        kernel if stride is None or stride == [] or stride == () else expand_param(stride, n_dims, "stride")
    )
    amounts = expand_param(padding, n_dims, "padding")
    dilation = expand_param(dilation, n_dims, "dilation")
    _check_positive(kernel, "kernel_size")
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    for k, p, d in zip(kernel, amounts, dilation):
        if p < 0 or 2 * p > d * (k - 1) + 1:
            raise ValueError(
                f"{name}: pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    spatial = x.shape[2:]
    out_size = tuple(
        _pool_size(size, k, s, p, d, ceil_mode)
        for size, k, s, p, d in zip(spatial, kernel, stride, amounts, dilation)
    )
    if any(size < 1 for size in out_size):
        raise RuntimeError(
            f"{name}: given input size {tuple(spatial)}, the calculated output size {out_size} is too "
            f"small (kernel_size={kernel}, stride={stride}, padding={amounts}, dilation={dilation}); "
            "use a smaller kernel or a larger input"
        )
    pairs = tuple(
        (p, max(p, (out - 1) * s + d * (k - 1) + 1 - size - p))
        for size, out, k, s, p, d in zip(spatial, out_size, kernel, stride, amounts, dilation)
    )
    return Geometry(kernel, stride, pairs, dilation), out_size


def max_pool(
    input: Tensor,
    kernel_size,
    stride,
    padding,
    dilation,
    ceil_mode: bool,
    return_indices: bool,
    n_dims: int,
    name: str,
):
    """N-d max pooling: the shared body of ``max_pool1d``/``2d``/``3d``."""
    x, unbatched = _batched(input, n_dims, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {x.dtype}; use .float()")
    geometry, out_size = _pool_geometry(name, x, n_dims, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool.apply(x, geometry, out_size, return_indices)
    if unbatched:
        return tuple(o.squeeze(0) for o in out) if return_indices else out.squeeze(0)
    return out


def max_pool1d(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D max pooling over (N, C, L): the largest element of every window.

    >>> max_pool1d(tensor([[[1.0, 3.0, 2.0, 5.0]]]), 2)
    tensor([[[3., 5.]]])
    """
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling over (N, C, H, W); ``stride`` defaults to ``kernel_size``. Padding counts
    as -inf. With ``return_indices`` also the index of each maximum within its flattened H·W
    plane.

    >>> max_pool2d(randn(8, 16, 28, 28), 2).shape
    (8, 16, 14, 14)
    """
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """3-D max pooling over (N, C, D, H, W)."""
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


# ------------------------------------------------------------------- average pooling
def _window_counts(size: int, out: int, kernel: int, stride: int, padding: int, count_include_pad: bool):
    """Per output position, how many elements its window averages (PyTorch's rule): the window
    clipped to the padded input, or, without ``count_include_pad``, to the input itself."""
    start = np.arange(out) * stride - padding
    end = np.minimum(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def avg_pool(
    input: Tensor,
    kernel_size,
    stride,
    padding,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override,
    n_dims: int,
    name: str,
) -> Tensor:
    """N-d average pooling: window sums (a depthwise convolution with a kernel of ones) divided
    by the window sizes."""
    x, unbatched = _batched(input, n_dims, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {x.dtype}; use .float()")
    geometry, out_size = _pool_geometry(name, x, n_dims, kernel_size, stride, padding, 1, ceil_mode)
    channels = x.shape[1]
    ones = _tensor_from_array(np.ones((channels, 1) + geometry.kernel, dtype=x.dtype))
    sums = Convolution.apply(x, ones, None, geometry._replace(groups=channels))
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError(f"{name}: divisor_override must not be zero")
        out = sums / divisor_override
    else:
        counts = np.ones((), dtype=x.dtype)
        for dim in range(n_dims):
            per_dim = _window_counts(
                x.shape[2 + dim],
                out_size[dim],
                geometry.kernel[dim],
                geometry.stride[dim],
                geometry.padding[dim][0],
                count_include_pad,
            )
            counts = np.multiply.outer(counts, per_dim.astype(x.dtype))
        out = sums * _tensor_from_array(1 / counts)
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over (N, C, L).

    >>> avg_pool1d(tensor([[[1.0, 3.0, 2.0, 6.0]]]), 2)
    tensor([[[2., 4.]]])
    """
    return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """2-D average pooling over (N, C, H, W): the mean of every window. Zero padding counts in
    the mean unless ``count_include_pad=False``; ``divisor_override`` replaces the window size.

    >>> avg_pool2d(ones(1, 1, 4, 4), 2)
    tensor([[[[1., 1.],
              [1., 1.]]]])
    """
    return avg_pool(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2, "avg_pool2d"
    )


def avg_pool3d(
    input: Tensor,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """3-D average pooling over (N, C, D, H, W)."""
    return avg_pool(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3, "avg_pool3d"
    )


# ---------------------------------------------------------- adaptive average pooling
def adaptive_bins(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's bins: output i averages input [⌊i·in/out⌋, ⌈(i+1)·in/out⌉)."""
    i = np.arange(out_size)
    return (i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)


def _averaging_matrix(in_size: int, out_size: int, dtype) -> np.ndarray:
    """(out, in) matrix whose row i averages bin i."""
    start, end = adaptive_bins(in_size, out_size)
    column = np.arange(in_size)
    inside = (column >= start[:, None]) & (column < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool(input: Tensor, output_size, n_dims: int, name: str) -> Tensor:
    """N-d adaptive average pooling: along each spatial dimension, a product with that
    dimension's averaging matrix (Tensor matmuls, so every derivative comes for free)."""
    x, unbatched = _batched(input, n_dims, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {x.dtype}; use .float()")
    sizes = (
        (output_size,) * n_dims if output_size is None or isinstance(output_size, int) else tuple(output_size)
    )
    if len(sizes) == 1:
        sizes = sizes * n_dims
    if len(sizes) != n_dims:
        raise ValueError(f"{name}: output_size must be an int or a tuple of {n_dims}, got {output_size}")
    sizes = tuple(x.shape[2 + dim] if size is None else int(size) for dim, size in enumerate(sizes))
    if any(size <= 0 for size in sizes):
        raise ValueError(f"{name}: output_size must be positive, got {sizes}")
    out = x
    for dim, size in enumerate(sizes):
        in_size = x.shape[2 + dim]
        if size == in_size:
            continue
        matrix = _tensor_from_array(_averaging_matrix(in_size, size, x.dtype))
        out = (out.transpose(2 + dim, -1) @ matrix.T).transpose(2 + dim, -1)
    return out.squeeze(0) if unbatched else out


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """1-D adaptive average pooling over (N, C, L) to length ``output_size``.

    >>> adaptive_avg_pool1d(tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
    tensor([[[2.0000, 4.0000]]])
    """
    return adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """2-D adaptive average pooling over (N, C, H, W) to ``output_size`` (an int, or a pair in
    which None keeps that size): output (i, j) averages the bin rows [⌊i·H/h⌋, ⌈(i+1)·H/h⌉),
    columns likewise.

    >>> adaptive_avg_pool2d(randn(2, 8, 7, 9), (3, None)).shape
    (2, 8, 3, 9)
    """
    return adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """3-D adaptive average pooling over (N, C, D, H, W)."""
    return adaptive_avg_pool(input, output_size, 3, "adaptive_avg_pool3d")
