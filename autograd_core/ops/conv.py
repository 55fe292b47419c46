"""Convolution as one big matrix product: im2col, col2im and three bilinear maps.

A convolution reads, for every output position, a small window of the (padded) input. Laying
those windows out as the columns of a matrix (``im2col``, a strided view of the input copied
once) turns the whole convolution into one matrix product with the weights::

    cols[n, c·k, l] = x_pad[n, c, l·stride + k·dilation]        (k: kernel offset, l: output position)
    out[n, o, l]    = Σ_{c·k} w[o, c·k] · cols[n, c·k, l] + b[o]

The convolution is bilinear in (x, w), so its two gradients are linear maps of the incoming
gradient g, and each is again one of three operations defined here:

- ``Convolution``   y = conv(x, w)               (the layer)
- ``ConvTranspose`` x̃ = conv_transpose(y, w)     the adjoint in x: dL/dx = conv_transpose(g, w);
  ``col2im`` of wᵀ·g, which scatters every column back onto the window it came from
- ``ConvWeight``    w̃ = conv_weight(x, y)        the adjoint in w: dL/dw = Σ_n g · colsᵀ

Each one's backward calls the others, written with Tensor operations, so second derivatives
(grad of grad) come out of the same three primitives. ``ConvTranspose`` is also the transposed
convolution layer. ``Unfold``/``Fold`` are im2col/col2im themselves (PyTorch's ``F.unfold`` and
``F.fold``), each the other's backward.

Works for any number of spatial dimensions with stride, padding (also uneven), dilation and
groups. The only Python loop is over kernel offsets in ``col2im`` (9 for a 3×3 kernel), never
over pixels.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

if TYPE_CHECKING:
    from collections.abc import Sequence


class Geometry(NamedTuple):
    """How windows are laid over the input: per spatial dimension, the kernel size, stride,
    padding ``(before, after)`` and dilation; and the number of channel groups."""

    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int = 1


# --------------------------------------------------------------------- NumPy helpers
# What depends only on shapes and geometry (output sizes, slices) is computed once per shape and
# cached: a small network calls these thousands of times with the same few shapes.
def window_positions(size: int, kernel: int, stride: int, padding: tuple, dilation: int) -> int:
    """Number of window positions: ⌊(size + before + after - dilation·(kernel-1) - 1) / stride⌋ + 1."""
    return (size + padding[0] + padding[1] - dilation * (kernel - 1) - 1) // stride + 1


@functools.lru_cache(maxsize=256)
def out_size_of(spatial: tuple, geometry: Geometry) -> tuple:
    """The number of window positions along every spatial dimension."""
    return tuple(
        window_positions(size, k, s, p, d)
        for size, k, s, p, d in zip(
            spatial, geometry.kernel, geometry.stride, geometry.padding, geometry.dilation
        )
    )


@functools.lru_cache(maxsize=256)
def _padding_plan(spatial: tuple, padding: tuple) -> tuple | None:
    """(padded spatial size, index of the original inside it), or None without padding."""
    if not any(before or after for before, after in padding):
        return None
    padded = tuple(size + before + after for size, (before, after) in zip(spatial, padding))
    inside = (Ellipsis,) + tuple(slice(before, before + size) for size, (before, _) in zip(spatial, padding))
    return padded, inside


def pad_array(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    """``x`` with ``padding[i] = (before, after)`` added around spatial dimension i (dims 2...)."""
    plan = _padding_plan(x.shape[2:], padding)
    if plan is None:
        return x
    padded, inside = plan
    out = np.full(x.shape[:2] + padded, value, dtype=x.dtype)
    out[inside] = x
    return out


def windows(x_padded: np.ndarray, geometry: Geometry, out_size: tuple) -> np.ndarray:
    """View (N, C, *kernel, *out) of a padded input: element [n, c, k, l] is
    x_padded[n, c, l·stride + k·dilation]. No copy (``np.ndarray`` on the same buffer: what
    ``as_strided`` does, without its overhead); do not write to it."""
    x_padded = np.ascontiguousarray(x_padded)
    spatial = x_padded.strides[2:]
    strides = (
        x_padded.strides[:2]
        + tuple(s * d for s, d in zip(spatial, geometry.dilation))
        + tuple(s * t for s, t in zip(spatial, geometry.stride))
    )
    shape = x_padded.shape[:2] + tuple(geometry.kernel) + tuple(out_size)
    return np.ndarray(shape, x_padded.dtype, x_padded, 0, strides)


def im2col(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """The windows of ``x`` (N, C, *spatial) as a contiguous array (N, C, *kernel, *out)."""
    out_size = out_size_of(x.shape[2:], geometry)
    return np.ascontiguousarray(windows(pad_array(x, geometry.padding), geometry, out_size))


@functools.lru_cache(maxsize=256)
def _col2im_plan(spatial: tuple, geometry: Geometry, out_size: tuple) -> tuple:
    """(padded size, [(kernel offset, slices of the padded input it touches)], inside)."""
    padded = tuple(size + before + after for size, (before, after) in zip(spatial, geometry.padding))
    targets = []
    for offset in np.ndindex(*geometry.kernel):
        target = tuple(
            slice(k * d, k * d + s * (length - 1) + 1, s)
            for k, d, s, length in zip(offset, geometry.dilation, geometry.stride, out_size)
        )
        targets.append(((slice(None), slice(None)) + offset, (Ellipsis,) + target))
    inside = (Ellipsis,) + tuple(
        slice(before, before + size) for size, (before, _) in zip(spatial, geometry.padding)
    )
    return padded, tuple(targets), inside


def col2im(cols: np.ndarray, spatial: tuple, geometry: Geometry) -> np.ndarray:
    """The adjoint of ``im2col``: add every window (N, C, *kernel, *out) back onto the input
    positions it was read from, giving (N, C, *spatial). Loops over kernel offsets only."""
    out_size = cols.shape[2 + len(spatial) :]
    padded, targets, inside = _col2im_plan(tuple(spatial), geometry, out_size)
    result = np.zeros(cols.shape[:2] + padded, dtype=cols.dtype)
    for offset, target in targets:
        result[target] += cols[offset]
    return result[inside]


def _grouped_cols(cols: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, *kernel, *out) as (N, groups, C/groups · K, L)."""
    n = cols.shape[0]
    positions = math.prod(cols.shape[2 + (cols.ndim - 2) // 2 :])
    return cols.reshape(n, groups, -1, positions)


def _grouped_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/groups, *kernel) as (groups, O/groups, C/groups · K)."""
    return weight.reshape(groups, weight.shape[0] // groups, -1)


def _spatial_dims(x: Tensor) -> tuple:
    return tuple(range(2, x.ndim))


# ------------------------------------------------------------------- the primitives
class Convolution(Function):
    """out[n, o, l] = Σ_{c, k} w[o, c, k] · x_pad[n, c, l·stride + k·dilation] + b[o], with the
    input channels split into ``groups`` independent groups.

    forward: im2col, then one matrix product per group (batched over n).
    backward: dL/dx = conv_transpose(g, w), dL/dw = conv_weight(x, g), dL/db = Σ_{n, l} g.
    The columns are kept for the weight gradient (memory for speed, as hand-written code does).
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None, geometry: Geometry) -> np.ndarray:
        ctx.geometry = geometry
        cols = im2col(x.numpy(), geometry)
        out = _grouped_weight(weight.numpy(), geometry.groups) @ _grouped_cols(cols, geometry.groups)
        n_dims = len(geometry.kernel)
        out = out.reshape((x.shape[0], weight.shape[0]) + cols.shape[2 + n_dims :])
        if bias is not None:
            out += bias.numpy().reshape((-1,) + (1,) * n_dims)
        if weight.requires_grad:
            ctx.save_for_backward(x, weight, cols)
        else:
            ctx.save_for_backward(x, weight)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        saved = ctx.saved_tensors
        x, weight = saved[0], saved[1]
        geometry = ctx.geometry
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_x = ConvTranspose.apply(grad, weight, None, geometry, x.shape[2:])
        if ctx.needs_input_grad[1]:
            grad_weight = ConvWeight.apply(x, grad, geometry, weight.shape, saved[2].numpy())
        if ctx.needs_input_grad[2]:
            grad_bias = grad.sum((0,) + _spatial_dims(grad))
        return grad_x, grad_weight, grad_bias, None


class ConvTranspose(Function):
    """The adjoint of ``Convolution`` in its input: x̃ = col2im(wᵀ · y) (+ b), shape
    (N, C, *spatial). It is dL/dx of a convolution, and the transposed-convolution layer
    (weight (C_in, C_out/groups, *kernel): the convolution weight read the other way).

    Bilinear in (y, w): dL/dy = conv(h, w), dL/dw = conv_weight(h, y), dL/db = Σ h, for the
    incoming gradient h.
    """

    @staticmethod
    def forward(
        ctx, y: Tensor, weight: Tensor, bias: Tensor | None, geometry: Geometry, spatial: tuple[int, ...]
    ) -> np.ndarray:
        ctx.geometry = geometry
        ctx.save_for_backward(y, weight)
        groups = geometry.groups
        n_dims = len(geometry.kernel)
        grouped_y = y.numpy().reshape(y.shape[0], groups, y.shape[1] // groups, -1)
        cols = _grouped_weight(weight.numpy(), groups).transpose(0, 2, 1) @ grouped_y
        channels = weight.shape[1] * groups
        cols = cols.reshape((y.shape[0], channels) + tuple(geometry.kernel) + y.shape[2:])
        out = col2im(cols, tuple(spatial), geometry)
        if bias is not None:
            out += bias.numpy().reshape((-1,) + (1,) * n_dims)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        y, weight = ctx.saved_tensors
        geometry = ctx.geometry
        grad_y = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_y = Convolution.apply(grad, weight, None, geometry)
        if ctx.needs_input_grad[1]:
            grad_weight = ConvWeight.apply(grad, y, geometry, weight.shape, None)
        if ctx.needs_input_grad[2]:
            grad_bias = grad.sum((0,) + _spatial_dims(grad))
        return grad_y, grad_weight, grad_bias, None, None


class ConvWeight(Function):
    """The adjoint of ``Convolution`` in its weight: w̃[o, c, k] = Σ_{n, l} y[n, o, l] ·
    cols(x)[n, c, k, l], the weight gradient of a convolution of x for output gradient y.
    ``cols`` may pass im2col(x) when it is already known.

    Bilinear in (x, y): dL/dx = conv_transpose(y, v), dL/dy = conv(x, v), for the incoming
    gradient v (shaped like a weight).
    """

    @staticmethod
    def forward(
        ctx, x: Tensor, y: Tensor, geometry: Geometry, weight_shape: tuple[int, ...], cols: np.ndarray | None
    ) -> np.ndarray:
        ctx.geometry = geometry
        ctx.save_for_backward(x, y)
        groups = geometry.groups
        if cols is None:
            cols = im2col(x.numpy(), geometry)
        grouped_y = y.numpy().reshape(y.shape[0], groups, y.shape[1] // groups, -1)
        per_sample = grouped_y @ _grouped_cols(cols, groups).transpose(0, 1, 3, 2)
        return per_sample.sum(axis=0).reshape(weight_shape)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, y = ctx.saved_tensors
        geometry = ctx.geometry
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = ConvTranspose.apply(y, grad, None, geometry, x.shape[2:])
        if ctx.needs_input_grad[1]:
            grad_y = Convolution.apply(x, grad, None, geometry)
        return grad_x, grad_y, None, None, None


class Unfold(Function):
    """im2col: the sliding windows of x (N, C, *spatial) as columns (N, C·K, L), PyTorch's
    ``F.unfold`` layout. Linear; its backward is ``Fold`` (col2im)."""

    @staticmethod
    def forward(ctx, x: Tensor, geometry: Geometry) -> np.ndarray:
        ctx.geometry = geometry
        ctx.spatial = x.shape[2:]
        cols = im2col(x.numpy(), geometry)
        n_dims = len(geometry.kernel)
        return cols.reshape(x.shape[0], -1, math.prod(cols.shape[2 + n_dims :]))

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return Fold.apply(grad, ctx.geometry, ctx.spatial), None


class Fold(Function):
    """col2im: columns (N, C·K, L) added back onto an output of size ``spatial``, PyTorch's
    ``F.fold``. Linear; its backward is ``Unfold`` (im2col)."""

    @staticmethod
    def forward(ctx, cols: Tensor, geometry: Geometry, spatial: tuple[int, ...]) -> np.ndarray:
        ctx.geometry = geometry
        out_size = out_size_of(tuple(spatial), geometry)
        blocks = cols.numpy().reshape((cols.shape[0], -1) + tuple(geometry.kernel) + out_size)
        return col2im(blocks, tuple(spatial), geometry)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return Unfold.apply(grad, ctx.geometry), None, None


# ------------------------------------------------------------------ argument checking
def expand_param(value: int | Sequence[int], n_dims: int, name: str) -> tuple[int, ...]:
    """An int or a sequence of ``n_dims`` ints as a tuple of ``n_dims`` ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n_dims
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values * n_dims
    if len(values) != n_dims:
        raise ValueError(f"{name} must be an int or a tuple of {n_dims} ints, got {tuple(value)}")
    return values


def _check_positive(values: tuple, name: str) -> None:
    if any(v <= 0 for v in values):
        raise ValueError(f"{name} must be positive, got {values}")


def conv_padding(
    padding: str | int | tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> tuple[tuple[int, int], ...]:
    """PyTorch's ``padding`` (int, tuple, 'valid' or 'same') as ``(before, after)`` pairs.

    'same' keeps the spatial size (stride 1 only); when dilation·(kernel-1) is odd, the extra
    row goes after, as PyTorch does.
    """
    n_dims = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n_dims
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(
                    f"padding='same' is not supported for strided convolutions (stride={stride}); "
                    "use stride=1 or give the padding as numbers"
                )
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((total // 2, total - total // 2) for total in totals)
        raise ValueError(f"padding must be an int, a tuple, 'valid' or 'same'; got {padding!r}")
    amounts = expand_param(padding, n_dims, "padding")
    if any(p < 0 for p in amounts):
        raise ValueError(f"padding must be non-negative, got {amounts}")
    return tuple((p, p) for p in amounts)


def _batched(input: Tensor, n_dims: int, name: str) -> tuple[Tensor, bool]:
    """``input`` with a batch dimension, and whether one was added (unbatched input)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim == n_dims + 1:
        return input.unsqueeze(0), True
    if input.ndim != n_dims + 2:
        raise RuntimeError(
            f"{name} expects a {n_dims + 2}-D input (batch, channels, {_spatial_names(n_dims)}) or a "
            f"{n_dims + 1}-D unbatched one, got shape {tuple(input.shape)}"
        )
    return input, False


def _spatial_names(n_dims: int) -> str:
    return {1: "length", 2: "height, width", 3: "depth, height, width"}.get(n_dims, f"{n_dims} sizes")


def _check_float(name: str, **tensors) -> None:
    dtypes_seen = {label: t.dtype for label, t in tensors.items() if t is not None}
    for label, dtype in dtypes_seen.items():
        if dtype.kind != "f":
            raise TypeError(f"{name}: {label} must be a floating-point tensor, got {dtype}; use .float()")
    if len(set(dtypes_seen.values())) > 1:
        listed = ", ".join(f"{label} {dtype}" for label, dtype in dtypes_seen.items())
        raise TypeError(
            f"{name}: input, weight and bias must have the same dtype, got {listed}; convert one "
            "with .float() or .double()"
        )


def _check_windows_fit(name: str, spatial: tuple, geometry: Geometry) -> None:
    padded = tuple(size + before + after for size, (before, after) in zip(spatial, geometry.padding))
    reach = tuple(d * (k - 1) + 1 for k, d in zip(geometry.kernel, geometry.dilation))
    if any(r > p for r, p in zip(reach, padded)):
        raise RuntimeError(
            f"{name}: the padded input size per channel {padded} is smaller than the (dilated) "
            f"kernel size {reach}; use a smaller kernel, more padding, or a larger input"
        )


# ------------------------------------------------------------------------ public API
def convolution(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: int | tuple[int, ...],
    padding: str | int | tuple[int, ...],
    dilation: int | tuple[int, ...],
    groups: int,
    name: str,
) -> Tensor:
    """N-d convolution (N = weight.ndim - 2): the shared body of ``conv1d``/``conv2d``/``conv3d``."""
    n_dims = weight.ndim - 2
    x, unbatched = _batched(input, n_dims, name)
    _check_float(name, input=x, weight=weight, bias=bias)
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(f"{name}: bias must have shape ({weight.shape[0]},), got {tuple(bias.shape)}")
    geometry = _conv_geometry(
        name, x.shape, weight.shape, hashable(stride), hashable(padding), hashable(dilation), groups
    )
    out = Convolution.apply(x, weight, bias, geometry)
    return out.squeeze(0) if unbatched else out


def hashable(value: int | str | tuple[int, ...] | list[int] | None) -> int | str | tuple[int, ...] | None:
    """Lists (as users may pass for sizes) as tuples, so the argument can key a cache."""
    return tuple(value) if isinstance(value, list) else value


@functools.lru_cache(maxsize=256)
def _conv_geometry(
    name: str, input_shape: tuple, weight_shape: tuple, stride, padding, dilation, groups
) -> Geometry:
    """Check a convolution's arguments against the shapes and build its ``Geometry`` (cached:
    a network calls each layer with the same shapes again and again)."""
    n_dims = len(weight_shape) - 2
    kernel = tuple(weight_shape[2:])
    stride = expand_param(stride, n_dims, "stride")
    dilation = expand_param(dilation, n_dims, "dilation")
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    if groups <= 0 or input_shape[1] % groups or weight_shape[0] % groups:
        raise RuntimeError(
            f"{name}: groups={groups} must be positive and divide both the input channels "
            f"({input_shape[1]}) and the output channels ({weight_shape[0]})"
        )
    if input_shape[1] != weight_shape[1] * groups:
        raise RuntimeError(
            f"{name}: given groups={groups}, weight of size {list(weight_shape)} expects the input "
            f"to have {weight_shape[1] * groups} channels, but input of size {list(input_shape)} has "
            f"{input_shape[1]} channels. Check in_channels of the layer against the data (channels "
            "come first: (batch, channels, ...))."
        )
    geometry = Geometry(kernel, stride, conv_padding(padding, kernel, stride, dilation), dilation, groups)
    _check_windows_fit(name, input_shape[2:], geometry)
    return geometry


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: str | int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution of input (N, C_in, L) with weight (C_out, C_in/groups, k).

    >>> import autograd_core as ag
    >>> x = ag.randn(2, 3, 10); w = ag.randn(4, 3, 3)
    >>> conv1d(x, w, padding=1).shape
    (2, 4, 10)
    """
    _check_weight_dims(weight, 1, "conv1d")
    return convolution(input, weight, bias, stride, padding, dilation, groups, "conv1d")


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: str | int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution of input (N, C_in, H, W) with weight (C_out, C_in/groups, kH, kW):
    out[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x_pad[n, c, i·s + p·d, j·s + q·d].

    >>> import autograd_core as ag
    >>> x = ag.randn(8, 1, 28, 28); w = ag.randn(16, 1, 3, 3)
    >>> conv2d(x, w, stride=2, padding=1).shape
    (8, 16, 14, 14)
    """
    _check_weight_dims(weight, 2, "conv2d")
    return convolution(input, weight, bias, stride, padding, dilation, groups, "conv2d")


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: str | int | tuple[int, ...] = 0,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
) -> Tensor:
    """3-D convolution of input (N, C_in, D, H, W) with weight (C_out, C_in/groups, kD, kH, kW)."""
    _check_weight_dims(weight, 3, "conv3d")
    return convolution(input, weight, bias, stride, padding, dilation, groups, "conv3d")


def _check_weight_dims(weight: Tensor, n_dims: int, name: str) -> None:
    if not isinstance(weight, Tensor) or weight.ndim != n_dims + 2:
        shape = tuple(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"{name} expects a {n_dims + 2}-D weight (out_channels, in_channels/groups, kernel...), "
            f"got {shape}"
        )


def conv_transpose(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: int | tuple[int, ...],
    padding: int | tuple[int, ...],
    output_padding: int | tuple[int, ...],
    groups: int,
    dilation: int | tuple[int, ...],
    name: str,
) -> Tensor:
    """N-d transposed convolution: the shared body of ``conv_transpose1d``/``2d``/``3d``.

    Output size per dimension: (in - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1.
    """
    n_dims = weight.ndim - 2
    x, unbatched = _batched(input, n_dims, name)
    _check_float(name, input=x, weight=weight, bias=bias)
    kernel = tuple(weight.shape[2:])
    stride = expand_param(stride, n_dims, "stride")
    dilation = expand_param(dilation, n_dims, "dilation")
    amounts = expand_param(padding, n_dims, "padding")
    extra = expand_param(output_padding, n_dims, "output_padding")
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    if any(e >= max(s, d) for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(
            f"{name}: output_padding {extra} must be smaller than stride {stride} or dilation {dilation}"
        )
    if groups <= 0 or x.shape[1] != weight.shape[0] or weight.shape[0] % groups:
        raise RuntimeError(
            f"{name}: weight of size {list(weight.shape)} expects {weight.shape[0]} input channels "
            f"(divisible by groups={groups}), but input of size {list(x.shape)} has {x.shape[1]}"
        )
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"{name}: bias must have shape ({out_channels},), got {tuple(bias.shape)}")
    spatial = tuple(
        (size - 1) * s - 2 * p + d * (k - 1) + e + 1
        for size, s, p, d, k, e in zip(x.shape[2:], stride, amounts, dilation, kernel, extra)
    )
    if any(size <= 0 for size in spatial):
        raise RuntimeError(f"{name}: the output size {spatial} would not be positive; reduce the padding")
    geometry = Geometry(kernel, stride, tuple((p, p) for p in amounts), dilation, groups)
    out = ConvTranspose.apply(x, weight, bias, geometry, spatial)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    output_padding: int | tuple[int, ...] = 0,
    groups: int = 1,
    dilation: int | tuple[int, ...] = 1,
) -> Tensor:
    """1-D transposed convolution of input (N, C_in, L) with weight (C_in, C_out/groups, k)."""
    _check_weight_dims(weight, 1, "conv_transpose1d")
    return conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, "conv_transpose1d"
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    output_padding: int | tuple[int, ...] = 0,
    groups: int = 1,
    dilation: int | tuple[int, ...] = 1,
) -> Tensor:
    """2-D transposed convolution ("deconvolution") of input (N, C_in, H, W) with weight
    (C_in, C_out/groups, kH, kW): the gradient of conv2d with respect to its input.

    >>> import autograd_core as ag
    >>> x = ag.randn(1, 16, 7, 7); w = ag.randn(16, 8, 4, 4)
    >>> conv_transpose2d(x, w, stride=2, padding=1).shape
    (1, 8, 14, 14)
    """
    _check_weight_dims(weight, 2, "conv_transpose2d")
    return conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, "conv_transpose2d"
    )


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    output_padding: int | tuple[int, ...] = 0,
    groups: int = 1,
    dilation: int | tuple[int, ...] = 1,
) -> Tensor:
    """3-D transposed convolution of input (N, C_in, D, H, W) with weight (C_in, C_out/groups, kD, kH, kW)."""
    _check_weight_dims(weight, 3, "conv_transpose3d")
    return conv_transpose(
        input, weight, bias, stride, padding, output_padding, groups, dilation, "conv_transpose3d"
    )


def _unfold_geometry(kernel_size, dilation, padding, stride) -> Geometry:
    kernel = expand_param(kernel_size, 2, "kernel_size")
    dilation = expand_param(dilation, 2, "dilation")
    stride = expand_param(stride, 2, "stride")
    amounts = expand_param(padding, 2, "padding")
    _check_positive(kernel, "kernel_size")
    _check_positive(dilation, "dilation")
    _check_positive(stride, "stride")
    return Geometry(kernel, stride, tuple((p, p) for p in amounts), dilation)


def unfold(
    input: Tensor,
    kernel_size: int | tuple[int, ...],
    dilation: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    stride: int | tuple[int, ...] = 1,
) -> Tensor:
    """im2col: the sliding blocks of a (N, C, H, W) input as columns (N, C·kH·kW, L), L the
    number of block positions. Its adjoint is ``fold``.

    >>> import autograd_core as ag
    >>> unfold(ag.randn(1, 3, 4, 4), kernel_size=2).shape
    (1, 12, 9)
    """
    x, unbatched = _batched(input, 2, "unfold")
    geometry = _unfold_geometry(kernel_size, dilation, padding, stride)
    _check_windows_fit("unfold", x.shape[2:], geometry)
    out = Unfold.apply(x, geometry)
    return out.squeeze(0) if unbatched else out


def fold(
    input: Tensor,
    output_size: int | tuple[int, ...],
    kernel_size: int | tuple[int, ...],
    dilation: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    stride: int | tuple[int, ...] = 1,
) -> Tensor:
    """col2im: columns (N, C·kH·kW, L) summed back into (N, C, *output_size), each column onto
    the block it describes (overlapping blocks add). The adjoint of ``unfold``.

    >>> import autograd_core as ag
    >>> fold(ag.ones(1, 4, 9), output_size=(4, 4), kernel_size=2).shape
    (1, 1, 4, 4)
    """
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        raise RuntimeError(
            f"fold expects a 3-D input (N, C·kH·kW, L) or a 2-D unbatched one, got {input!r:.60}"
        )
    unbatched = input.ndim == 2
    cols = input.unsqueeze(0) if unbatched else input
    geometry = _unfold_geometry(kernel_size, dilation, padding, stride)
    spatial = expand_param(output_size, 2, "output_size")
    blocks = math.prod(geometry.kernel)
    positions = math.prod(
        window_positions(size, k, s, p, d)
        for size, k, s, p, d in zip(
            spatial, geometry.kernel, geometry.stride, geometry.padding, geometry.dilation
        )
    )
    if cols.shape[1] % blocks or cols.shape[2] != positions:
        raise RuntimeError(
            f"fold: input of shape {tuple(input.shape)} does not match kernel_size {geometry.kernel} and "
            f"output_size {spatial}: dimension 1 must be a multiple of {blocks} and dimension 2 must be "
            f"{positions} (the number of block positions)"
        )
    out = Fold.apply(cols, geometry, spatial)
    return out.squeeze(0) if unbatched else out
