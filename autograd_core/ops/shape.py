"""Operations that move elements around without changing them: reshape, permute, expand,
sum_to, squeeze/unsqueeze, cat/stack/split, pad, flip. Their backwards move the gradient back."""

from __future__ import annotations

import builtins
import math
from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes, grad_mode
from .._tensor import Tensor, _normalize_dim, _tensor_from_array
from ..autograd.function import Function
from .indexing import GetItem

if TYPE_CHECKING:
    from collections.abc import Sequence


def _shares_version(
    view: Tensor, base: Tensor, view_class=None, view_args: tuple = (), rebuild=None
) -> Tensor:
    """A view shares its base's version counter: changing one in place changes both.

    When the two really share memory, the view also records how it is made from the base
    (``view_class.apply(base, *view_args)``) and how the base is made from it again
    (``rebuild``: ``("index", index)``, ``("reshape", base_shape)``, ``("permute", dims)`` or
    None), so that the graph follows in-place changes of either
    (``autograd.function.current_grad_fn`` and ``ops/inplace.py``). Views made with grad mode
    off (inside backward, under ``no_grad``) are not recorded: they never join a graph.
    """
    view._version_counter = base._version_counter
    if view_class is not None and grad_mode.is_grad_enabled() and np.may_share_memory(view._data, base._data):
        view._view_of = (base, base._version_counter[0], view_class, view_args, rebuild)
    else:
        view._view_of = None
    return view


class Reshape(Function):
    """The same elements in a new shape; the gradient is reshaped back."""

    @staticmethod
    def forward(ctx, a: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = shape
        ctx.input_shape = a.shape
        return a.numpy().reshape(shape)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad.reshape(ctx.input_shape), None


class Permute(Function):
    """Reorders dimensions; the gradient is permuted by the inverse order."""

    @staticmethod
    def forward(ctx, a: Tensor, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return a.numpy().transpose(dims)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad.permute(*np.argsort(ctx.dims).tolist()), None


class Expand(Function):
    """Broadcasts to a larger shape without copying; the gradient is summed back."""

    @staticmethod
    def forward(ctx, a: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = shape
        ctx.input_shape = a.shape
        return np.broadcast_to(a.numpy(), shape)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return sum_to(grad, ctx.input_shape), None


class SumTo(Function):
    """Sums a broadcast array back to ``shape``: over leading dimensions and over dimensions
    that are 1 in ``shape``. The adjoint of ``Expand``; the engine uses it for broadcasting."""

    @staticmethod
    def forward(ctx, a: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        x = a.numpy()
        ctx.shape = shape
        ctx.input_shape = x.shape
        return sum_array_to(x, shape)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad.expand(ctx.input_shape), None


def sum_to(a: Tensor, shape: tuple, what: str = "sum_to_size") -> Tensor:
    """Sum ``a`` down to ``shape`` (which ``a``'s shape must be a broadcast of)."""
    shape = tuple(shape)
    if a._data.shape == shape:
        return a
    if _sum_to_axes(a._data.shape, shape) is None:
        raise RuntimeError(
            f"{what} has shape {tuple(a._data.shape)}, which cannot be summed down to shape "
            f"{shape}: it is not a broadcast of it"
        )
    return SumTo.apply(a, shape)


def sum_array_to(x: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...] | None = None) -> np.ndarray:
    """The array ``x`` summed down to ``shape`` (``x.shape`` must be a broadcast of it), over
    ``axes`` when the caller already knows them (``_sum_to_axes``)."""
    if axes is None:
        axes = _sum_to_axes(x.shape, shape)
    summed = np.add.reduce(x, axis=axes)  # x.sum without its Python wrapper
    return summed if summed.shape == shape else summed.reshape(shape)


def _sum_to_axes(large: tuple, small: tuple) -> tuple | None:
    """The axes to sum so that an array of shape ``large`` becomes ``small``: the leading
    ones, and those where ``small`` has 1. None when ``large`` is not a broadcast of ``small``.

    Cached: every bias gradient of every training step asks the same question.
    """
    key = (large, small)
    if key in _SUM_TO_AXES:
        return _SUM_TO_AXES[key]
    axes = None
    if _broadcasts_to(small, large):
        lead = len(large) - len(small)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, size in enumerate(small) if size == 1 and large[lead + i] != 1
        )
    if len(_SUM_TO_AXES) < _SUM_TO_AXES_CACHE_SIZE:
        _SUM_TO_AXES[key] = axes
    return axes


_SUM_TO_AXES: dict = {}
_SUM_TO_AXES_CACHE_SIZE = 4096


def _broadcasts_to(small: tuple, large: tuple) -> bool:
    if len(small) > len(large):
        return False
    tail = large[len(large) - len(small) :]
    return builtins.all(s == t or s == 1 for s, t in zip(small, tail))


def _resolve_shape(shape, numel: int, input_shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    known = int(np.prod([s for s in shape if s != -1]))
    if len(unknown) > 1:
        raise RuntimeError(
            f"only one dimension can be -1 in a shape, got {shape}; give the other sizes explicitly"
        )
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(
                f"shape {shape} is invalid for a tensor of shape {input_shape} ({numel} elements): "
                f"the known sizes multiply to {known}, which does not divide {numel}"
            )
        shape = shape[: unknown[0]] + (numel // known,) + shape[unknown[0] + 1 :]
    elif known != numel:
        raise RuntimeError(
            f"shape {shape} is invalid for a tensor of shape {input_shape} ({numel} elements): "
            f"it holds {known} elements. The sizes must multiply to {numel}; use -1 for one size "
            "to have it inferred"
        )
    return shape


def reshape(a: Tensor, *shape: int | Sequence[int]) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(type(s) is int for s in shape) or -1 in shape or math.prod(shape) != a._data.size:
        shape = _resolve_shape(shape, a._data.size, a._data.shape)
    if shape == a._data.shape:
        return a
    return _shares_version(Reshape.apply(a, shape), a, Reshape, (shape,), ("reshape", a._data.shape))


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if a._data.ndim == 0:
        return reshape(a, 1)
    start = _normalize_dim(start_dim, a.ndim)
    end = _normalize_dim(end_dim, a.ndim)
    shape = a.shape[:start] + (-1,) + a.shape[end + 1 :]
    return reshape(a, shape)


def unflatten(a: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    dim = _normalize_dim(dim, a.ndim)
    return reshape(a, a.shape[:dim] + tuple(sizes) + a.shape[dim + 1 :])


def squeeze(a: Tensor, dim: int | tuple[int, ...] | None = None) -> Tensor:
    if dim is None:
        return reshape(a, tuple(s for s in a.shape if s != 1))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = {_normalize_dim(d, a.ndim) for d in dims}
    return reshape(a, tuple(s for i, s in enumerate(a.shape) if not (i in dims and s == 1)))


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    dim = _normalize_dim(dim, a.ndim + 1)
    return reshape(a, a.shape[:dim] + (1,) + a.shape[dim:])


def permute(a: Tensor, *dims: int | Sequence[int]) -> Tensor:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    if len(dims) != a.ndim:
        raise RuntimeError(
            f"permute needs {a.ndim} dimensions for a tensor of shape {tuple(a.shape)}, got {dims}"
        )
    dims = tuple(_normalize_dim(d, a.ndim) for d in dims)
    if sorted(dims) != list(range(a.ndim)):
        raise RuntimeError(
            f"permute: {dims} is not an ordering of the dimensions 0..{a.ndim - 1}; "
            "name each dimension exactly once"
        )
    if dims == tuple(range(a.ndim)):
        return a
    return _shares_version(Permute.apply(a, dims), a, Permute, (dims,), ("permute", dims))


def swap_last_two(a: Tensor) -> Tensor:
    """The matrix transpose of the last two dimensions (``a.mT``): the hot path of matmul's
    backward, so it skips the general checks of ``permute``."""
    if a._data.ndim < 2:
        raise RuntimeError(f"mT needs at least 2 dimensions, got shape {tuple(a.shape)}")
    if not (a._requires_grad and grad_mode._grad_enabled.get()):  # nothing to record
        return _shares_version(_tensor_from_array(a._data.swapaxes(-1, -2)), a)
    dims = _LAST_TWO_SWAPPED.get(a._data.ndim)
    if dims is None:
        dims = _LAST_TWO_SWAPPED[a._data.ndim] = tuple(range(a._data.ndim - 2)) + (
            a._data.ndim - 1,
            a._data.ndim - 2,
        )
    return _shares_version(Permute.apply(a, dims), a, Permute, (dims,), ("permute", dims))


_LAST_TWO_SWAPPED: dict = {}


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    dims = list(range(a.ndim))
    d0, d1 = _normalize_dim(dim0, a.ndim), _normalize_dim(dim1, a.ndim)
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(a, dims)


def t(a: Tensor) -> Tensor:
    if a.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with at most 2 dimensions, got shape {tuple(a.shape)}; "
            "use transpose(dim0, dim1)"
        )
    return a if a.ndim < 2 else transpose(a, 0, 1)


def expand(a: Tensor, *shape: int | Sequence[int]) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    lead = len(shape) - a.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the target shape {shape} has fewer dimensions than the tensor {tuple(a.shape)}"
        )
    shape = tuple(a.shape[i - lead] if s == -1 else int(s) for i, s in enumerate(shape))
    if shape == a._data.shape:
        return a
    if not _broadcasts_to(a._data.shape, shape):
        raise RuntimeError(
            f"expand: a tensor of shape {tuple(a.shape)} cannot be expanded to {shape}: only "
            "dimensions of size 1 can grow"
        )
    return _shares_version(Expand.apply(a, shape), a, Expand, (shape,))


def broadcast_to(a: Tensor, shape: Sequence[int]) -> Tensor:
    return expand(a, tuple(shape))


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    shape = np.broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


class Cat(Function):
    """Joins tensors along ``dim``; each input's gradient is its slice of the gradient."""

    @staticmethod
    def forward(ctx, dim: int, *tensors: Tensor) -> np.ndarray:
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] for t in tensors]
        return np.concatenate([t.numpy() for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        grads = [None]
        start = 0
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            index = (slice(None),) * ctx.dim + (slice(start, start + size),)
            grads.append(grad[index] if needed else None)
            start += size
        return tuple(grads)


class Stack(Function):
    """Stacks equal-shaped tensors along a new dimension ``dim``."""

    @staticmethod
    def forward(ctx, dim: int, *tensors: Tensor) -> np.ndarray:
        ctx.dim = dim
        return np.stack([t.numpy() for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        grads = [None]
        for i, needed in enumerate(ctx.needs_input_grad[1:]):
            grads.append(grad.select(ctx.dim, i) if needed else None)
        return tuple(grads)


def _as_tensors(tensors, name: str) -> list:
    """The inputs of cat/stack as Tensors of one promoted dtype."""
    tensors = [t if isinstance(t, Tensor) else _tensor_from_array(np.asarray(t)) for t in tensors]
    if not tensors:
        raise ValueError(f"{name}() needs at least one tensor")
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dtypes.promote_types(dtype, t.dtype)
    return [t if t._data.dtype == dtype else t.to(dtype) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = _as_tensors(tensors, "cat")
    dim = _normalize_dim(dim, tensors[0].ndim)
    for t in tensors[1:]:
        if t.ndim != tensors[0].ndim or any(
            s != r for i, (s, r) in enumerate(zip(t.shape, tensors[0].shape)) if i != dim
        ):
            raise RuntimeError(
                f"cat: all tensors must have the same shape except in dimension {dim}; got "
                f"{[tuple(x.shape) for x in tensors]}. Reshape them to match, or concatenate along "
                "the dimension where they differ"
            )
    return Cat.apply(dim, *tensors)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = _as_tensors(tensors, "stack")
    dim = _normalize_dim(dim, tensors[0].ndim + 1)
    if builtins.any(t.shape != tensors[0].shape for t in tensors):
        raise RuntimeError(
            f"stack: all tensors must have the same shape, got {[tuple(x.shape) for x in tensors]}; "
            "use cat to join tensors of different lengths along an existing dimension"
        )
    return Stack.apply(dim, *tensors)


def split(a: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along dim (the last may be smaller), or of the listed sizes."""
    dim = _normalize_dim(dim, a.ndim)
    length = a.shape[dim]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split size must be positive, got {size}")
        sizes = [builtins.min(size, length - start) for start in range(0, length, size)]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != length:
            raise RuntimeError(
                f"split sizes {sizes} do not add up to the dimension's length {length}; "
                "list sizes that sum to it, or pass one int for equal pieces"
            )
    pieces, start = [], 0
    for size in sizes:
        pieces.append(narrow(a, dim, start, size))
        start += size
    return tuple(pieces)


def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    length = a.shape[_normalize_dim(dim, a.ndim)]
    return split(a, -(-length // chunks) if length else 1, dim)


class Unbind(Function):
    """The slices along ``dim`` as separate tensors (views), in one node: the gradient stacks
    the slices' gradients back (the engine supplies zeros for slices that got none)."""

    @staticmethod
    def forward(ctx, a: Tensor, dim: int) -> tuple[np.ndarray, ...]:
        ctx.dim = dim
        return tuple(np.moveaxis(a.numpy(), dim, 0))

    @staticmethod
    def backward(ctx, *grads: Tensor) -> tuple[Tensor | None, ...]:
        return stack(grads, ctx.dim), None


def unbind(a: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """All slices along ``dim``; one node however many slices (an RNN unbinds a sequence of
    1,000 steps)."""
    dim = _normalize_dim(dim, a.ndim)
    if a.shape[dim] == 0:
        return ()
    pieces = Unbind.apply(a, dim)
    lead = (slice(None),) * dim
    return tuple(
        _shares_version(piece, a, GetItem, (lead + (i,),), ("index", lead + (i,)))
        for i, piece in enumerate(pieces)
    )


def narrow(a: Tensor, dim: int, start: int, length: int) -> Tensor:
    dim = _normalize_dim(dim, a.ndim)
    return a[(slice(None),) * dim + (slice(start, start + length),)]


def select(a: Tensor, dim: int, index: int) -> Tensor:
    dim = _normalize_dim(dim, a.ndim)
    return a[(slice(None),) * dim + (index,)]


class Pad(Function):
    """Constant padding; the gradient is the un-padded middle of the gradient."""

    @staticmethod
    def forward(ctx, a: Tensor, widths: tuple[tuple[int, int], ...], value: float) -> np.ndarray:
        ctx.widths = widths
        return np.pad(a.numpy(), widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        index = tuple(slice(before, grad.shape[i] - after) for i, (before, after) in enumerate(ctx.widths))
        return grad[index], None, None


def pad(a: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """PyTorch's ``pad``: ``(left, right)`` for the last dimension, then the one before..."""
    if mode != "constant":
        raise ValueError(f"pad mode {mode!r} is not available here; use mode='constant'")
    if len(pad) % 2 or len(pad) // 2 > a.ndim:
        raise ValueError(f"pad must have an even length of at most 2*{a.ndim}, got {tuple(pad)}")
    widths = [(0, 0)] * a.ndim
    for i in range(len(pad) // 2):
        widths[a.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if builtins.any(before < 0 or after < 0 for before, after in widths):
        raise ValueError(
            f"negative padding {tuple(pad)} is not supported; crop with slicing or narrow instead"
        )
    return Pad.apply(a, tuple(widths), value)


class Flip(Function):
    """Reverses the order along dims; so does the gradient."""

    @staticmethod
    def forward(ctx, a: Tensor, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return np.flip(a.numpy(), dims).copy()  # a copy, as in PyTorch: not a view of a

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad.flip(ctx.dims), None


def flip(a: Tensor, dims: int | Sequence[int]) -> Tensor:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return Flip.apply(a, tuple(_normalize_dim(d, a.ndim) for d in dims))


def repeat(a: Tensor, *sizes: int | Sequence[int]) -> Tensor:
    """Tiles the tensor ``sizes`` times along each dimension (built from expand and reshape)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < a.ndim:
        raise RuntimeError(f"repeat needs at least {a.ndim} sizes for shape {tuple(a.shape)}, got {sizes}")
    shape = (1,) * (len(sizes) - a.ndim) + a.shape
    b = reshape(a, tuple(x for s in shape for x in (1, s)))
    b = expand(b, tuple(x for r, s in zip(sizes, shape) for x in (r, s)))
    return reshape(b, tuple(r * s for r, s in zip(sizes, shape)))
