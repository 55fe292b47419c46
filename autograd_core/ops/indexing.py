"""Indexing: ``a[index]``, ``a[index] = value``, gather and scatter-add.

An index may hold ints, slices, ``None``, ``...``, integer arrays or tensors (advanced
indexing: repeated positions accumulate gradient) and boolean masks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._tensor import Tensor, _normalize_dim, _tensor_from_array
from ..autograd.function import Function

if TYPE_CHECKING:
    from types import EllipsisType

    # One item of a NumPy index, and a whole one (what ``to_numpy_index`` returns).
    NumpyIndexItem = int | slice | EllipsisType | None | np.ndarray
    NumpyIndex = NumpyIndexItem | tuple[NumpyIndexItem, ...]
    # What ``a[index]`` accepts: NumPy index items, tensors and (nested) lists, or a tuple of them.
    Index = NumpyIndexItem | Tensor | list | tuple[NumpyIndexItem | Tensor | list, ...]


def to_numpy_index(index: Index) -> NumpyIndex:
    """Tensors inside an index become arrays; lists become integer or boolean arrays."""
    if isinstance(index, tuple):
        return tuple(to_numpy_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.numpy()
    if isinstance(index, list):
        return np.asarray([i.item() if isinstance(i, Tensor) else i for i in index])
    return index


def is_basic(index: NumpyIndex) -> bool:
    """True for ints, slices, None and Ellipsis only: the result is a view, no repeats."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


class GetItem(Function):
    """``a[index]``; the gradient is scattered back to the indexed positions (added where
    an integer array repeats a position)."""

    @staticmethod
    def forward(ctx, a: Tensor, index: NumpyIndex) -> np.ndarray:
        ctx.index = index
        ctx.input_shape = a.shape
        return a.numpy()[index]

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return IndexAdd.apply(grad, ctx.input_shape, ctx.index), None


class IndexAdd(Function):
    """zeros(shape) with ``values`` added at ``index``: the adjoint of ``GetItem``."""

    @staticmethod
    def forward(ctx, values: Tensor, shape: tuple[int, ...], index: NumpyIndex) -> np.ndarray:
        ctx.index = index
        out = np.zeros(shape, dtype=values.dtype)
        if is_basic(index):
            out[index] = values.numpy()
        else:
            np.add.at(out, index, values.numpy())
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad[ctx.index], None, None


def getitem(a: Tensor, index: Index) -> Tensor:
    index = to_numpy_index(index)
    try:
        result = GetItem.apply(a, index)
    except IndexError as error:
        raise IndexError(
            f"index {_describe(index)} is out of range for a tensor of shape {tuple(a.shape)}: {error}"
        ) from None
    if is_basic(index):
        result._version_counter = a._version_counter
        result._view_of = (a, a._version_counter[0], GetItem, (index,), ("index", index))
    else:
        result._view_of = None
    return result


class IndexPut(Function):
    """A copy of ``a`` with ``value`` written at ``index``: the recorded form of
    ``a[index] = value``. d/da is the gradient with the written positions zeroed; d/dvalue
    is the gradient at those positions."""

    @staticmethod
    def forward(ctx, a: Tensor, value: Tensor, index: NumpyIndex) -> np.ndarray:
        ctx.index = index
        out = a.numpy().copy()
        out[index] = value.numpy()
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        grad_a = None
        if ctx.needs_input_grad[0]:
            keep = np.ones(grad.shape, dtype=grad.dtype)
            keep[ctx.index] = 0
            grad_a = grad * _tensor_from_array(keep)
        grad_value = grad[ctx.index] if ctx.needs_input_grad[1] else None
        return grad_a, grad_value, None


def index_put(a: Tensor, index: Index, value: Tensor) -> Tensor:
    return IndexPut.apply(a, value, to_numpy_index(index))


def _index_region(index: np.ndarray, dim: int) -> tuple:
    """The part of the input a gather index reaches: PyTorch lets the index be smaller than the
    input along the dimensions other than ``dim``."""
    return tuple(slice(None) if d == dim else slice(0, size) for d, size in enumerate(index.shape))


class Gather(Function):
    """out[i][j] = a[i][index[i][j]] along ``dim`` (PyTorch's gather); backward scatters."""

    @staticmethod
    def forward(ctx, a: Tensor, dim: int, index: np.ndarray) -> np.ndarray:
        ctx.dim, ctx.index, ctx.input_shape = dim, index, a.shape
        return np.take_along_axis(a.numpy()[_index_region(index, dim)], index, axis=dim)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return ScatterAdd.apply(grad, ctx.input_shape, ctx.dim, ctx.index), None, None


class ScatterAdd(Function):
    """zeros(shape) with ``src`` added at ``index`` along ``dim``: the adjoint of Gather."""

    @staticmethod
    def forward(ctx, src: Tensor, shape: tuple[int, ...], dim: int, index: np.ndarray) -> np.ndarray:
        ctx.dim, ctx.index = dim, index
        out = np.zeros(shape, dtype=src.dtype)
        grid = list(np.indices(index.shape, sparse=True))
        grid[dim] = index
        np.add.at(out, tuple(grid), src.numpy())
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return gather(grad, ctx.dim, _tensor_from_array(ctx.index)), None, None, None


def gather(a: Tensor, dim: int, index: Tensor) -> Tensor:
    dim = _normalize_dim(dim, a.ndim)
    index_array = index.numpy() if isinstance(index, Tensor) else np.asarray(index)
    if index_array.dtype.kind not in "iu":
        raise TypeError(
            f"gather: index must be an integer tensor, got {index_array.dtype}; convert it with .long()"
        )
    if index_array.ndim != a.ndim:
        raise RuntimeError(
            f"gather: index has {index_array.ndim} dimensions but the input has {a.ndim} "
            f"(input {tuple(a.shape)}, index {index_array.shape})"
        )
    if any(i != dim and size > a.shape[i] for i, size in enumerate(index_array.shape)):
        raise RuntimeError(
            f"gather: index of shape {index_array.shape} must be no larger than the input "
            f"{tuple(a.shape)} in every dimension except dimension {dim}"
        )
    if index_array.size and (index_array.min() < -a.shape[dim] or index_array.max() >= a.shape[dim]):
        raise IndexError(
            f"gather: index values must lie in [0, {a.shape[dim]}) for dimension {dim} of "
            f"shape {tuple(a.shape)}; got values from {index_array.min()} to {index_array.max()}"
        )
    return Gather.apply(a, dim, index_array)


def scatter_add(a: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """a + (src added at index along dim)."""
    dim = _normalize_dim(dim, a.ndim)
    index = np.asarray(index.numpy() if isinstance(index, Tensor) else index)
    if src.shape != index.shape:
        src = src[tuple(slice(0, size) for size in index.shape)]
    return a + ScatterAdd.apply(src, a.shape, dim, index)


def _describe(index) -> str:
    text = repr(index)
    return text if len(text) < 80 else text[:77] + "..."
