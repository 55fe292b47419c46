"""Pooling: max, average and adaptive average, over any number of spatial dimensions.

- Max pooling picks, in every window, the first largest element (row-major order within the
  window, as PyTorch), or, if the window holds a NaN, its last NaN (NaN propagates, as PyTorch);
  the gradient goes to that element only. Forward is one ``MaxPool`` node that remembers the
  chosen positions; its backward scatters the gradient there (``ScatterFlat``), whose backward
  gathers (``GatherFlat``), and back again: exact to any order.
- Average pooling is a depthwise convolution with a kernel of ones, divided by the window size
  (PyTorch's divisor rules for padding and ``ceil_mode``), so it reuses the convolution
  primitives and their gradients.
- Adaptive average pooling averages over bins [⌊i·in/out⌋, ⌈(i+1)·in/out⌉): along each
  dimension that is a matrix product with a fixed averaging matrix, written as Tensor matmuls.
- Adaptive max pooling takes the maximum over the same bins, one spatial dimension at a time
  (the last first, so that ties go to the first maximum in row-major order, as PyTorch); like
  max pooling, one node remembers the chosen positions and its backward scatters there.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function
from .conv import Convolution, Geometry, _batched, _check_positive, expand_param, hashable, pad_array


# ----------------------------------------------------------------------- max pooling
# What depends only on shapes and geometry (slices, window starts, index tables) is computed
# once per shape and cached.
@functools.lru_cache(maxsize=256)
def _kernel_slices(geometry: Geometry, out_size: tuple) -> tuple:
    """For each kernel offset (row-major over the kernel), the index that reads that element of
    every window of a padded input: a strided view of shape (N, C, *out)."""
    slices = []
    for offset in np.ndindex(*geometry.kernel):
        index = (slice(None), slice(None)) + tuple(
            slice(k * d, k * d + s * (length - 1) + 1, s)
            for k, d, s, length in zip(offset, geometry.dilation, geometry.stride, out_size)
        )
        slices.append(index)
    return tuple(slices)


def _window_max(x_padded: np.ndarray, geometry: Geometry, out_size: tuple) -> tuple:
    """Window maxima of a padded input, and for each window the (row-major) kernel offset of the
    element chosen as PyTorch chooses it: the first maximum, or the last NaN if the window holds
    one (PyTorch's scan keeps an element when ``value > best or isnan(value)``).

    The maxima come from one ``np.maximum`` per kernel offset, over strided views (a Python loop
    over kernel offsets, never over pixels); ``np.maximum`` propagates NaN. Then the offset of the
    first maximum counts, for each window, the leading offsets whose element differs from the
    maximum. A NaN differs from everything, so windows whose maximum is NaN (rare: one check of
    the output finds them) get the offset of their last NaN instead.
    """
    views = [x_padded[index] for index in _kernel_slices(geometry, out_size)]
    best = np.maximum(views[0], views[1]) if len(views) > 1 else views[0].copy()
    for view in views[2:]:
        np.maximum(best, view, out=best)
    not_yet = views[0] != best
    first = not_yet.view(np.int8).copy() if len(views) < 128 else not_yet.astype(np.int64)
    for view in views[1:-1]:
        not_yet &= view != best
        first += not_yet
    if np.isnan(best).any():
        for offset, view in enumerate(views):
            np.putmask(first, np.isnan(view), offset)
    return best, first


@functools.lru_cache(maxsize=256)
def _position_plan(input_shape: tuple, geometry: Geometry, out_size: tuple) -> tuple:
    """How a window's first-maximum offset becomes an index into ``x.ravel()``: the base index
    of every window (plane offset + window start), a table from kernel offset to its distance
    from the window start, and, for padded dimensions, what moving into the input needs."""
    spatial = input_shape[2:]
    n_dims = len(spatial)
    planes = np.arange(input_shape[0] * input_shape[1], dtype=np.int64) * math.prod(spatial)
    base = planes.reshape(input_shape[:2] + (1,) * n_dims)
    kernel_offsets = np.array(list(np.ndindex(*geometry.kernel)), dtype=np.int64).reshape(-1, n_dims)
    distances = np.zeros(len(kernel_offsets), dtype=np.int64)
    padded = []
    for dim in range(n_dims):
        place = math.prod(spatial[dim + 1 :])
        before, after = geometry.padding[dim]
        starts = np.arange(out_size[dim], dtype=np.int64) * geometry.stride[dim] - before
        starts = starts.reshape((-1,) + (1,) * (n_dims - 1 - dim))
        steps = kernel_offsets[:, dim] * geometry.dilation[dim]
        if before or after:
            padded.append((starts, steps, geometry.dilation[dim], place))
        else:
            base = base + starts * place
            distances += steps * place
    return base, distances, tuple(padded)


def _flat_positions(first: np.ndarray, input_shape: tuple, geometry: Geometry, out_size: tuple) -> np.ndarray:
    """Index into ``x.ravel()`` of each window's chosen element. Only a window of nothing but -inf
    chooses a padding element (its first offset, in the left padding); it then points at its
    first real element, a whole number of dilation steps further, where PyTorch's scan starts."""
    base, distances, padded = _position_plan(input_shape, geometry, out_size)
    first = first.astype(np.intp)  # table lookups with native indices (and no range check: all valid)
    positions = np.take(distances, first, mode="clip")
    positions += base
    for starts, steps, dilation, place in padded:
        coordinate = starts + np.take(steps, first, mode="clip")
        coordinate = np.where(coordinate < 0, coordinate % dilation, coordinate)
        positions += coordinate * place
    return positions


@functools.lru_cache(maxsize=256)
def _overlapping(geometry: Geometry) -> bool:
    """Whether windows share elements (a stride shorter than the dilated kernel)."""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(geometry.kernel, geometry.stride, geometry.dilation))


class MaxPool(Function):
    """out = max over each window; d out / d x = 1 at the first maximum of the window (its last
    NaN if it holds one, the NaN being the maximum), else 0.

    With ``return_indices`` a second output gives, per window, the index of the chosen element
    within its (flattened) input plane, as PyTorch. backward: the gradient scattered to the chosen
    positions (added where windows overlap).
    """

    @staticmethod
    def forward(
        ctx, x: Tensor, geometry: Geometry, out_size: tuple[int, ...], return_indices: bool
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        data = x.numpy()
        padded = pad_array(data, geometry.padding, -np.inf)
        values, first = _window_max(padded, geometry, out_size)
        positions = _flat_positions(first, data.shape, geometry, out_size)
        ctx.positions = positions
        ctx.input_shape = data.shape
        ctx.overlapping = _overlapping(geometry)
        values = np.ascontiguousarray(values)
        if return_indices:
            return values, positions % math.prod(data.shape[2:])
        return values

    @staticmethod
    def backward(ctx, grad: Tensor, *unused_index_grad: Tensor) -> tuple[Tensor | None, ...]:
        return ScatterFlat.apply(grad, ctx.positions, ctx.input_shape, ctx.overlapping), None, None, None


class ScatterFlat(Function):
    """zeros(shape) with ``values`` added at flat ``positions`` (into the raveled result).
    Linear; its backward gathers from those positions."""

    @staticmethod
    def forward(
        ctx, values: Tensor, positions: np.ndarray, shape: tuple[int, ...], repeats: bool
    ) -> np.ndarray:
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
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return GatherFlat.apply(grad, ctx.positions), None, None, None


class GatherFlat(Function):
    """``x.ravel()[positions]`` (shaped like ``positions``). Its backward scatters back."""

    @staticmethod
    def forward(ctx, x: Tensor, positions: np.ndarray) -> np.ndarray:
        ctx.positions = positions
        ctx.input_shape = x.shape
        return x.numpy().ravel()[positions]

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return ScatterFlat.apply(grad, ctx.positions, ctx.input_shape, True), None


def _pool_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size; with ``ceil_mode`` the last window must start inside the
    input or its left padding."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


@functools.lru_cache(maxsize=256)
def _pool_geometry(
    name: str, spatial: tuple, kernel_size, stride, padding, dilation, ceil_mode: bool
) -> tuple[Geometry, tuple]:
    """The windows of a pooling layer and the output size; the right padding grows so that
    ``ceil_mode``'s last, partial window exists. Cached per shape and arguments."""
    n_dims = len(spatial)
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
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None,
    padding: int | tuple[int, ...],
    dilation: int | tuple[int, ...],
    ceil_mode: bool,
    return_indices: bool,
    n_dims: int,
    name: str,
) -> Tensor | tuple[Tensor, Tensor]:
    """N-d max pooling: the shared body of ``max_pool1d``/``2d``/``3d``."""
    x, unbatched = _batched(input, n_dims, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {x.dtype}; use .float()")
    geometry, out_size = _pool_geometry(
        name,
        x.shape[2:],
        hashable(kernel_size),
        hashable(stride),
        hashable(padding),
        hashable(dilation),
        ceil_mode,
    )
    out = MaxPool.apply(x, geometry, out_size, return_indices)
    if unbatched:
        return tuple(o.squeeze(0) for o in out) if return_indices else out.squeeze(0)
    return out


def max_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """1-D max pooling over (N, C, L): the largest element of every window.

    >>> import autograd_core as ag
    >>> max_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 5.0]]]), 2)
    tensor([[[3., 5.]]])
    """
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """2-D max pooling over (N, C, H, W); ``stride`` defaults to ``kernel_size``. Padding counts
    as -inf. With ``return_indices`` also the index of each maximum within its flattened H·W
    plane.

    >>> import autograd_core as ag
    >>> max_pool2d(ag.randn(8, 16, 28, 28), 2).shape
    (8, 16, 14, 14)
    """
    return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(
    input: Tensor,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
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
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None,
    padding: int | tuple[int, ...],
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
    n_dims: int,
    name: str,
) -> Tensor:
    """N-d average pooling: window sums (a depthwise convolution with a kernel of ones) divided
    by the window sizes."""
    x, unbatched = _batched(input, n_dims, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {x.dtype}; use .float()")
    geometry, out_size = _pool_geometry(
        name, x.shape[2:], hashable(kernel_size), hashable(stride), hashable(padding), 1, ceil_mode
    )
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


def avg_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling over (N, C, L).

    >>> import autograd_core as ag
    >>> avg_pool1d(ag.tensor([[[1.0, 3.0, 2.0, 6.0]]]), 2)
    tensor([[[2., 4.]]])
    """
    return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling over (N, C, H, W): the mean of every window. Zero padding counts in
    the mean unless ``count_include_pad=False``; ``divisor_override`` replaces the window size.

    >>> import autograd_core as ag
    >>> avg_pool2d(ag.ones(1, 1, 4, 4), 2)
    tensor([[[[1., 1.],
              [1., 1.]]]])
    """
    return avg_pool(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2, "avg_pool2d"
    )


def avg_pool3d(
    input: Tensor,
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] | None = None,
    padding: int | tuple[int, ...] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """3-D average pooling over (N, C, D, H, W)."""
    return avg_pool(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3, "avg_pool3d"
    )


# ---------------------------------------------------------- adaptive average pooling
def adaptive_bins(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's bins: output i averages input [⌊i·in/out⌋, ⌈(i+1)·in/out⌉)."""
    i = np.arange(out_size)
    return (i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)


def _adaptive_output_size(x: Tensor, output_size, n_dims: int, name: str) -> tuple[int, ...]:
    """Check a batched input and ``output_size`` (an int, None, or a tuple of ints and Nones, None
    keeping that input size) and return one positive int per spatial dimension."""
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {x.dtype}; use .float()")
    if any(size == 0 for size in x.shape[2:]):
        raise RuntimeError(
            f"{name}: expected input to have non-zero size for non-batch dimensions, but input has "
            f"shape {tuple(x.shape)} (an adaptive bin needs at least one element)"
        )
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,)
    if len(sizes) == 1:
        sizes = tuple(sizes) * n_dims
    if len(sizes) != n_dims or not all(
        size is None or (isinstance(size, (int, np.integer)) and not isinstance(size, bool)) for size in sizes
    ):
        raise ValueError(
            f"{name}: output_size must be an int, None, or a tuple of {n_dims} ints or Nones "
            f"(None keeps that input size), got {output_size!r}"
        )
    sizes = tuple(x.shape[2 + dim] if size is None else int(size) for dim, size in enumerate(sizes))
    if any(size <= 0 for size in sizes):
        raise ValueError(f"{name}: output_size must be positive, got {sizes}")
    return sizes


def _averaging_matrix(in_size: int, out_size: int, dtype) -> np.ndarray:
    """(out, in) matrix whose row i averages bin i."""
    start, end = adaptive_bins(in_size, out_size)
    column = np.arange(in_size)
    inside = (column >= start[:, None]) & (column < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool(
    input: Tensor, output_size: int | tuple[int | None, ...] | None, n_dims: int, name: str
) -> Tensor:
    """N-d adaptive average pooling: along each spatial dimension, a product with that
    dimension's averaging matrix (Tensor matmuls, so every derivative comes for free)."""
    x, unbatched = _batched(input, n_dims, name)
    sizes = _adaptive_output_size(x, output_size, n_dims, name)
    out = x
    for dim, size in enumerate(sizes):
        in_size = x.shape[2 + dim]
        if size == in_size:
            continue
        matrix = _tensor_from_array(_averaging_matrix(in_size, size, x.dtype))
        out = (out.transpose(2 + dim, -1) @ matrix.T).transpose(2 + dim, -1)
    return out.squeeze(0) if unbatched else out


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int | None, ...] | None) -> Tensor:
    """1-D adaptive average pooling over (N, C, L) to length ``output_size``.

    >>> import autograd_core as ag
    >>> adaptive_avg_pool1d(ag.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
    tensor([[[2., 4.]]])
    """
    return adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, ...] | None) -> Tensor:
    """2-D adaptive average pooling over (N, C, H, W) to ``output_size`` (an int, or a pair in
    which None keeps that size): output (i, j) averages the bin rows [⌊i·H/h⌋, ⌈(i+1)·H/h⌉),
    columns likewise.

    >>> import autograd_core as ag
    >>> adaptive_avg_pool2d(ag.randn(2, 8, 7, 9), (3, None)).shape
    (2, 8, 3, 9)
    """
    return adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size: int | tuple[int | None, ...] | None) -> Tensor:
    """3-D adaptive average pooling over (N, C, D, H, W)."""
    return adaptive_avg_pool(input, output_size, 3, "adaptive_avg_pool3d")


# -------------------------------------------------------------- adaptive max pooling
@functools.lru_cache(maxsize=256)
def _bin_table(in_size: int, out_size: int) -> tuple[np.ndarray, bool]:
    """The input positions of every adaptive bin as an (out, K) table, K the longest bin; a shorter
    bin repeats its last position (a repeat comes after the original, so it never wins a tie).
    Also whether neighbouring bins share positions. Cached: treat the table as read-only."""
    start, end = adaptive_bins(in_size, out_size)
    width = int((end - start).max())
    table = np.minimum(start[:, None] + np.arange(width), end[:, None] - 1).astype(np.int64)
    return table, bool(np.any(start[1:] < end[:-1]))


def _bin_max_along(
    values: np.ndarray, offsets: np.ndarray | None, axis: int, table: np.ndarray, place: int, has_nan: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of every bin along ``axis``, and the offset (within the spatial plane) of the
    element chosen: the first maximum of the bin, or its last NaN if it holds one (as PyTorch).

    ``offsets`` are the plane offsets already chosen along the later axes (None before the first
    reduction); ``table`` gives the bins' positions along ``axis``, and ``place`` what one step
    along ``axis`` adds to a plane offset. One gather (``np.take``) forms every bin at once, an
    (…, out, K, …) array, and ``argmax`` picks within each: no loop over bins or pixels.
    """
    windows = np.take(values, table, axis=axis)
    chosen = np.expand_dims(np.argmax(windows, axis=axis + 1), axis + 1)
    if has_nan:
        is_nan = np.isnan(windows)
        last_nan = table.shape[1] - 1 - np.argmax(np.flip(is_nan, axis=axis + 1), axis=axis + 1)
        chosen = np.where(
            is_nan.any(axis=axis + 1, keepdims=True), np.expand_dims(last_nan, axis + 1), chosen
        )
    maxima = np.take_along_axis(windows, chosen, axis=axis + 1).squeeze(axis + 1)
    bins = np.arange(table.shape[0]).reshape((-1,) + (1,) * (values.ndim - 1 - axis))
    coordinate = table[bins, chosen.squeeze(axis + 1)]
    chosen_offsets = coordinate * place
    if offsets is not None:
        chosen_offsets += np.take_along_axis(
            np.take(offsets, table, axis=axis), chosen, axis=axis + 1
        ).squeeze(axis + 1)
    return maxima, chosen_offsets


class AdaptiveMaxPool(Function):
    """out = the maximum of each adaptive bin [⌊i·in/out⌋, ⌈(i+1)·in/out⌉) (per dimension);
    d out / d x = 1 at the chosen element (the bin's first maximum in row-major order), else 0.

    With ``return_indices`` a second output gives the index of each chosen element within its
    flattened input plane (int64), as PyTorch. backward: the gradient scattered to the chosen
    positions (added where bins overlap, which happens when the sizes do not divide).
    """

    @staticmethod
    def forward(
        ctx, x: Tensor, out_size: tuple[int, ...], return_indices: bool
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        data = x.numpy()
        has_nan = bool(np.isnan(data).any())
        values, within, overlapping = data, None, False
        for dim in reversed(range(len(out_size))):
            table, shared = _bin_table(data.shape[2 + dim], out_size[dim])
            place = math.prod(data.shape[3 + dim :])
            values, within = _bin_max_along(values, within, 2 + dim, table, place, has_nan)
            overlapping = overlapping or shared
        plane = math.prod(data.shape[2:])
        planes = np.arange(data.shape[0] * data.shape[1], dtype=np.int64) * plane
        ctx.positions = within + planes.reshape(data.shape[:2] + (1,) * len(out_size))
        ctx.input_shape = data.shape
        ctx.overlapping = overlapping
        if return_indices:
            return values, within
        return values

    @staticmethod
    def backward(ctx, grad: Tensor, *unused_index_grad: Tensor) -> tuple[Tensor | None, ...]:
        return ScatterFlat.apply(grad, ctx.positions, ctx.input_shape, ctx.overlapping), None, None


def adaptive_max_pool(
    input: Tensor,
    output_size: int | tuple[int | None, ...] | None,
    return_indices: bool,
    n_dims: int,
    name: str,
) -> Tensor | tuple[Tensor, Tensor]:
    """N-d adaptive max pooling: the shared body of ``adaptive_max_pool1d``/``2d``/``3d``."""
    x, unbatched = _batched(input, n_dims, name)
    sizes = _adaptive_output_size(x, output_size, n_dims, name)
    out = AdaptiveMaxPool.apply(x, sizes, return_indices)
    if unbatched:
        return tuple(o.squeeze(0) for o in out) if return_indices else out.squeeze(0)
    return out


def adaptive_max_pool1d(
    input: Tensor, output_size: int | tuple[int | None, ...] | None, return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """1-D adaptive max pooling over (N, C, L) to length ``output_size``: output i is the
    maximum of the bin [⌊i·L/out⌋, ⌈(i+1)·L/out⌉).

    >>> import autograd_core as ag
    >>> adaptive_max_pool1d(ag.tensor([[[1.0, 5.0, 2.0, 0.0, 3.0]]]), 2, return_indices=True)
    (tensor([[[5., 3.]]]), tensor([[[1, 4]]]))
    """
    return adaptive_max_pool(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(
    input: Tensor, output_size: int | tuple[int | None, ...] | None, return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """2-D adaptive max pooling over (N, C, H, W) to ``output_size`` (an int, or a pair in which
    None keeps that size): output (i, j) is the maximum over rows [⌊i·H/h⌋, ⌈(i+1)·H/h⌉),
    columns likewise. With ``return_indices`` also the index of each maximum within its
    flattened H·W plane.

    >>> import autograd_core as ag
    >>> adaptive_max_pool2d(ag.randn(2, 8, 7, 9), (3, None)).shape
    (2, 8, 3, 9)
    """
    return adaptive_max_pool(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d(
    input: Tensor, output_size: int | tuple[int | None, ...] | None, return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """3-D adaptive max pooling over (N, C, D, H, W)."""
    return adaptive_max_pool(input, output_size, return_indices, 3, "adaptive_max_pool3d")
