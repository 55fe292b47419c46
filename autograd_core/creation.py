"""Making tensors: from data (``tensor``, ``from_numpy``), filled (``zeros``, ``full``...),
ranges (``arange``, ``linspace``, ``eye``) and random (``rand``, ``randn``, ``randint``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _random, dtypes
from ._tensor import Tensor, _as_array, _check_can_require_grad, _check_device, _tensor_from_array

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, DTypeLike

    from ._random import Generator
    from ._tensor import device as Device


def _finish(array: np.ndarray, requires_grad: bool, device) -> Tensor:
    _check_device(device)
    if requires_grad:
        _check_can_require_grad(array)
    return _tensor_from_array(array, bool(requires_grad))


def _shape(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise ValueError(f"a shape cannot have negative sizes, got {shape}")
    return shape


def _float_dtype(dtype) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)


def tensor(
    data: Tensor | ArrayLike,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
    *,
    name: str | None = None,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a tensor).

    Python floats become the default dtype (float32), ints int64, bools bool. ``name`` (not in
    PyTorch) labels the tensor in pictures of the graph, as micrograd's ``label``.

    >>> tensor([[1, 2], [3, 4]]).shape
    (2, 2)
    """
    array = _as_array(data, None if dtype is None else dtypes.as_dtype(dtype))
    result = _finish(np.array(array, copy=True), requires_grad, device)
    if name is not None:
        result.name = name
    return result


def as_tensor(
    data: Tensor | ArrayLike, dtype: DTypeLike | None = None, device: str | Device | None = None
) -> Tensor:
    """Like ``tensor`` but shares an ndarray's storage when no conversion is needed."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return _finish(data, False, device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    dtypes.as_dtype(array.dtype)
    return _tensor_from_array(array)


def zeros(
    *size: int | Sequence[int],
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.zeros(_shape(size), _float_dtype(dtype)), requires_grad, device)


def ones(
    *size: int | Sequence[int],
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.ones(_shape(size), _float_dtype(dtype)), requires_grad, device)


def empty(
    *size: int | Sequence[int],
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(
    size: int | Sequence[int],
    fill_value: float,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    if dtype is None:
        dtype = _as_array(fill_value).dtype
    return _finish(np.full(_shape((size,)), fill_value, dtypes.as_dtype(dtype)), requires_grad, device)


def zeros_like(
    other: Tensor,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return zeros(other.shape, dtype=dtype or other.dtype, device=device, requires_grad=requires_grad)


def ones_like(
    other: Tensor,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return ones(other.shape, dtype=dtype or other.dtype, device=device, requires_grad=requires_grad)


def empty_like(
    other: Tensor,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return zeros_like(other, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(
    other: Tensor,
    fill_value: float,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return full(
        other.shape, fill_value, dtype=dtype or other.dtype, device=device, requires_grad=requires_grad
    )


def arange(
    start: float | Tensor,
    end: float | Tensor | None = None,
    step: float | Tensor = 1,
    *,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` (inclusive) to ``end`` (exclusive) in steps of ``step``."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        dtype = (
            dtypes.int64
            if all(isinstance(v, (int, np.integer)) for v in values)
            else dtypes.get_default_dtype()
        )
    return _finish(np.arange(*values, dtype=dtypes.as_dtype(dtype)), requires_grad, device)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad, device)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
) -> Tensor:
    return _finish(np.logspace(start, end, steps, base=base, dtype=_float_dtype(dtype)), False, device)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def rand(
    *size: int | Sequence[int],
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples from [0, 1)."""
    values = _random.draw_uniform(_shape(size), 0.0, 1.0, generator, _float_dtype(dtype))
    return _finish(values, requires_grad, device)


def randn(
    *size: int | Sequence[int],
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples."""
    values = _random.draw_normal(_shape(size), 0.0, 1.0, generator, _float_dtype(dtype))
    return _finish(values, requires_grad, device)


def randint(
    low: int,
    high: int | None = None,
    size: int | Sequence[int] = (),
    *,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
) -> Tensor:
    """Integers from ``low`` (inclusive) to ``high`` (exclusive); ``randint(high, size)`` too."""
    if high is None:
        low, high = 0, low
    values = _random.draw_integers(_shape((size,)), low, high, generator)
    return _finish(values if dtype is None else values.astype(dtypes.as_dtype(dtype)), False, device)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    device: str | Device | None = None,
) -> Tensor:
    values = _random.draw_permutation(n, generator)
    return _finish(values if dtype is None else values.astype(dtypes.as_dtype(dtype)), False, device)


def rand_like(other: Tensor, dtype: DTypeLike | None = None) -> Tensor:
    return rand(other.shape, dtype=dtype or other.dtype)


def randn_like(other: Tensor, dtype: DTypeLike | None = None) -> Tensor:
    return randn(other.shape, dtype=dtype or other.dtype)


def normal(
    mean: float,
    std: float,
    size: int | Sequence[int],
    *,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
) -> Tensor:
    return _finish(
        _random.draw_normal(_shape((size,)), mean, std, generator, _float_dtype(dtype)), False, None
    )


def multinomial(
    probs: Tensor, num_samples: int, replacement: bool = False, *, generator: Generator | None = None
) -> Tensor:
    """Indices drawn with the given (unnormalised) weights, one row per row of ``probs``."""
    weights = np.atleast_2d(probs.numpy()).astype(np.float64)
    rng = (generator or _random.default_generator).numpy_generator
    rows = [rng.choice(len(row), size=num_samples, replace=replacement, p=row / row.sum()) for row in weights]
    out = np.asarray(rows, dtype=np.int64)
    return _tensor_from_array(out if probs.ndim == 2 else out[0])
