"""Reductions over dimensions (``dim`` an int, a tuple, or None for all; ``keepdim``), and the
softmax family. A reduction's backward reshapes the gradient to the kept-dimension shape and
expands it back over the reduced dimensions."""

from __future__ import annotations

import math
from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes
from .._tensor import Tensor, _normalize_dim, _tensor_from_array
from ..autograd.function import Function
from .elementwise import _float

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import DTypeLike

values_indices = namedtuple("values_indices", ["values", "indices"])


def normalize_dims(dim: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """``dim`` (None, int or sequence) as a sorted tuple of non-negative dimensions."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (_normalize_dim(int(dim), ndim),)
    dims = tuple(sorted(_normalize_dim(int(d), ndim) for d in dim))
    if len(set(dims)) != len(dims):
        raise ValueError(f"dim {tuple(dim)} names a dimension twice; list each dimension once")
    return dims


def kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced ``dims`` set to 1 (the keepdim=True shape)."""
    return tuple(1 if i in dims else size for i, size in enumerate(shape))


def expand_reduced(grad: Tensor, shape: tuple[int, ...], dims: tuple[int, ...]) -> Tensor:
    """The gradient of a reduction, broadcast back to the input's shape."""
    if grad._data.ndim != len(shape) and grad._data.ndim != 0:
        grad = grad.reshape(kept_shape(shape, dims))
    return grad.expand(shape)


class Sum(Function):
    """Σ over dims; every input element gets the gradient of its sum."""

    @staticmethod
    def forward(ctx, a: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        ctx.dim, ctx.keepdim, ctx.shape = dims, keepdim, a.shape
        return a.numpy().sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return expand_reduced(grad, ctx.shape, ctx.dim), None, None


class Prod(Function):
    """Π over dims; d/da_i = Π_{j≠i} a_j, computed without dividing by zero."""

    @staticmethod
    def forward(ctx, a: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        ctx.dim, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(a)
        return a.numpy().prod(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        (a,) = ctx.saved_tensors
        return expand_reduced(grad, a.shape, ctx.dim) * _prod_of_others(a, ctx.dim), None, None


def _prod_of_others(a: Tensor, dims: tuple) -> Tensor:
    """For each element, the product of the other elements over ``dims``.

    Where no element is zero this is prod / a (differentiable again). Where zeros occur it is
    computed directly from exclusive cumulative products (first order only).
    """
    x = a.numpy()
    if np.all(x != 0):
        return prod(a, dim=dims, keepdim=True) / a
    moved = np.moveaxis(x, dims, range(x.ndim - len(dims), x.ndim))
    flat = moved.reshape(moved.shape[: x.ndim - len(dims)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
    others = (before * after).reshape(moved.shape)
    return _tensor_from_array(np.moveaxis(others, range(x.ndim - len(dims), x.ndim), dims))


class Amax(Function):
    """max over dims; the gradient is split evenly among elements equal to the maximum."""

    @staticmethod
    def forward(ctx, a: Tensor, dims: tuple[int, ...], keepdim: bool, largest: bool) -> np.ndarray:
        x = a.numpy()
        out = np.max(x, axis=dims, keepdims=True) if largest else np.min(x, axis=dims, keepdims=True)
        winners = ((x == out) | (np.isnan(x) & np.isnan(out))).astype(x.dtype)  # NaN wins, as in PyTorch
        ctx.share = winners / winners.sum(axis=dims, keepdims=True)
        ctx.dim, ctx.keepdim, ctx.shape, ctx.largest = dims, keepdim, x.shape, largest
        return out if keepdim else np.squeeze(out, axis=dims)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return expand_reduced(grad, ctx.shape, ctx.dim) * _tensor_from_array(ctx.share), None, None, None


class LogSumExp(Function):
    """log Σ exp(a), computed as m + log Σ exp(a - m) with m = max(a): stable for |a| ≫ 1.

    d/da = exp(a - logsumexp(a)) = softmax(a).
    """

    @staticmethod
    def forward(ctx, a: Tensor, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        x = a.numpy()
        m = np.max(x, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = m + np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True))
        if not keepdim:
            out = np.squeeze(out, axis=dims)
        ctx.dim = dims
        ctx.save_for_backward(a, out)  # the output itself, so second derivatives see it depend on a
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, out = ctx.saved_tensors
        out = out.reshape(kept_shape(a.shape, ctx.dim))
        return expand_reduced(grad, a.shape, ctx.dim) * (a - out).exp(), None, None


class Softmax(Function):
    """softmax(a)_i = exp(a_i - max a) / Σ_j exp(a_j - max a).

    Backward: y ⊙ (g - Σ g ⊙ y). Fused for speed and stability.
    """

    @staticmethod
    def forward(ctx, a: Tensor, dim: int) -> np.ndarray:
        x = a.numpy()
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        (y,) = ctx.saved_tensors
        gy = grad * y
        return gy - y * gy.sum(ctx.dim, keepdim=True), None


class LogSoftmax(Function):
    """log_softmax(a) = a - logsumexp(a). Backward: g - softmax(a) ⊙ Σ g. Fused and stable."""

    @staticmethod
    def forward(ctx, a: Tensor, dim: int) -> np.ndarray:
        x = a.numpy()
        shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


# ------------------------------------------------------------------- public functions
def sum(
    a: Tensor,
    dim: int | tuple[int, ...] | None = None,
    keepdim: bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    if dtype is not None:
        a = a.to(dtype)
    if a._data.dtype.kind == "b":
        a = a.long()
    return Sum.apply(a, normalize_dims(dim, a._data.ndim), keepdim)


def mean(
    a: Tensor,
    dim: int | tuple[int, ...] | None = None,
    keepdim: bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """Σ a / n over dims."""
    if dtype is not None:
        a = a.to(dtype)
    if a._data.dtype.kind != "f":
        raise RuntimeError(f"mean() needs a floating tensor, this one is {a.dtype}; call .float() first")
    dims = normalize_dims(dim, a._data.ndim)
    count = math.prod(a._data.shape[d] for d in dims)
    return Sum.apply(a, dims, keepdim) * (1.0 / count if count else np.nan)


def prod(a: Tensor, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
    return Prod.apply(a, normalize_dims(dim, a._data.ndim), keepdim)


def amax(a: Tensor, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
    _check_not_empty(a, "amax")
    return Amax.apply(a, normalize_dims(dim, a._data.ndim), keepdim, True)


def amin(a: Tensor, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
    _check_not_empty(a, "amin")
    return Amax.apply(a, normalize_dims(dim, a._data.ndim), keepdim, False)


def max(a: Tensor, dim: int | Tensor | None = None, keepdim: bool = False) -> Tensor | values_indices:
    """Without ``dim``: the largest element (gradient split among ties). With ``dim``:
    ``(values, indices)``; the gradient goes to the element at the returned index."""
    if isinstance(dim, Tensor):
        from .elementwise import maximum

        return maximum(a, dim)
    if dim is None:
        return amax(a)
    return _extreme_along(a, dim, keepdim, np.argmax)


def min(a: Tensor, dim: int | Tensor | None = None, keepdim: bool = False) -> Tensor | values_indices:
    """As ``max``, for the smallest element."""
    if isinstance(dim, Tensor):
        from .elementwise import minimum

        return minimum(a, dim)
    if dim is None:
        return amin(a)
    return _extreme_along(a, dim, keepdim, np.argmin)


def _extreme_along(a: Tensor, dim: int, keepdim: bool, arg_function) -> values_indices:
    from .indexing import gather

    _check_not_empty(a, "max/min")
    dim = _normalize_dim(dim, a._data.ndim)
    indices = np.expand_dims(arg_function(a._data, axis=dim), dim)
    values = gather(a, dim, _tensor_from_array(indices))
    if not keepdim:
        values = values.squeeze(dim)
        indices = np.squeeze(indices, axis=dim)
    return values_indices(values, _tensor_from_array(indices))


def argmax(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme(a, dim, keepdim, np.argmax)


def argmin(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme(a, dim, keepdim, np.argmin)


def _arg_extreme(a: Tensor, dim, keepdim: bool, arg_function) -> Tensor:
    _check_not_empty(a, "argmax/argmin")
    if dim is None:
        result = np.asarray(arg_function(a._data))
        return _tensor_from_array(result.reshape((1,) * a.ndim) if keepdim else result)
    dim = _normalize_dim(dim, a._data.ndim)
    result = arg_function(a._data, axis=dim)
    return _tensor_from_array(np.expand_dims(result, dim) if keepdim else result)


def logsumexp(a: Tensor, dim: int | tuple[int, ...], keepdim: bool = False) -> Tensor:
    return LogSumExp.apply(_float(a), normalize_dims(dim, a._data.ndim), keepdim)


def var(
    a: Tensor,
    dim: int | tuple[int, ...] | None = None,
    *,
    correction: int = 1,
    keepdim: bool = False,
    unbiased: bool | None = None,
) -> Tensor:
    """Σ (a - mean)² / (n - correction); ``correction=1`` (Bessel's) by default, as in PyTorch."""
    if unbiased is not None:
        correction = int(bool(unbiased))
    dims = normalize_dims(dim, a._data.ndim)
    count = math.prod(a._data.shape[d] for d in dims)
    centered = a - mean(a, dims, keepdim=True)
    return (centered * centered).sum(dims, keepdim=keepdim) / np.maximum(count - correction, 0)


def std(
    a: Tensor,
    dim: int | tuple[int, ...] | None = None,
    *,
    correction: int = 1,
    keepdim: bool = False,
    unbiased: bool | None = None,
) -> Tensor:
    """√var."""
    return var(a, dim, correction=correction, keepdim=keepdim, unbiased=unbiased).sqrt()


def softmax(a: Tensor, dim: int, dtype: DTypeLike | None = None) -> Tensor:
    a = _float(a) if dtype is None else a.to(dtype)
    return Softmax.apply(a, _normalize_dim(dim, a._data.ndim))


def log_softmax(a: Tensor, dim: int, dtype: DTypeLike | None = None) -> Tensor:
    a = _float(a) if dtype is None else a.to(dtype)
    return LogSoftmax.apply(a, _normalize_dim(dim, a._data.ndim))


def all(a: Tensor, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
    return _tensor_from_array(
        np.all(a._data, axis=None if dim is None else normalize_dims(dim, a.ndim), keepdims=keepdim)
    )


def any(a: Tensor, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
    return _tensor_from_array(
        np.any(a._data, axis=None if dim is None else normalize_dims(dim, a.ndim), keepdims=keepdim)
    )


def count_nonzero(a: Tensor, dim: int | tuple[int, ...] | None = None) -> Tensor:
    return _tensor_from_array(np.asarray(np.count_nonzero(a._data, axis=dim), dtype=dtypes.int64))


def cumsum(a: Tensor, dim: int) -> Tensor:
    return CumSum.apply(a, _normalize_dim(dim, a._data.ndim))


class CumSum(Function):
    """Running sum along dim; backward is the reversed running sum of the gradient."""

    @staticmethod
    def forward(ctx, a: Tensor, dim: int) -> np.ndarray:
        ctx.dim = dim
        return np.cumsum(a.numpy(), axis=dim)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), None


def _check_not_empty(a: Tensor, name: str) -> None:
    if a._data.size == 0:
        raise RuntimeError(
            f"{name}() of an empty tensor (shape {tuple(a.shape)}) has no value; check that the "
            "tensor has elements before reducing it"
        )
