"""Data types and PyTorch's type-promotion rules.

The dtypes are NumPy's own dtype objects, so ``t.dtype == autograd_core.float32`` and
``t.dtype == numpy.float32`` both hold. Promotion follows PyTorch, not NumPy: a float32 tensor
combined with an integer tensor, an integer array or a Python number stays float32.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool_ = np.dtype(np.bool_)

_ALIASES = {
    "float": float32,
    "float32": float32,
    "double": float64,
    "float64": float64,
    "long": int64,
    "int64": int64,
    "int": int32,
    "int32": int32,
    "bool": bool_,
}

_default_dtype = float32


def get_default_dtype() -> np.dtype:
    """The floating dtype new tensors get from Python floats (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the floating dtype of new tensors: ``float32`` (the default) or ``float64``."""
    global _default_dtype
    dtype = as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype needs a floating dtype (float32 or float64), got {dtype}")
    _default_dtype = dtype


def as_dtype(dtype: DTypeLike) -> np.dtype:
    """Turn a dtype, a NumPy type or a name such as ``"float"`` or ``"long"`` into a dtype."""
    if isinstance(dtype, str) and dtype in _ALIASES:
        return _ALIASES[dtype]
    try:
        result = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"unknown dtype {dtype!r}; use float32, float64, int64 or bool") from error
    if result == np.float16 or result.kind == "c":
        raise TypeError(f"dtype {result} is not supported; use float32, float64, int64 or bool")
    return result


def _category(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floats: a higher category wins promotion."""
    return 2 if dtype.kind == "f" else (0 if dtype.kind == "b" else 1)


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's rule for two tensors: the higher category wins; within one, the wider type."""
    if a == b:
        return a
    category_a, category_b = _category(a), _category(b)
    if category_a != category_b:
        return a if category_a > category_b else b
    return np.promote_types(a, b)


def tensors_result_type(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """The dtype of ``a op b`` for two tensors' arrays. As in PyTorch, a 0-d tensor acts like a
    number: it does not widen a tensor with dimensions of its own category (float32 [n] with
    float64 0-d stays float32), but it does lift a lower category (int64 [n] with float64 0-d
    gives float64)."""
    if (a.ndim == 0) != (b.ndim == 0) and _category(a.dtype) == _category(b.dtype):
        return b.dtype if a.ndim == 0 else a.dtype
    return promote_types(a.dtype, b.dtype)


def scalar_result_type(tensor_dtype: np.dtype, value: float) -> np.dtype:
    """The dtype of ``tensor op python_number``: the tensor's, unless the number's category is higher."""
    if isinstance(value, bool):
        return tensor_dtype
    if isinstance(value, int):
        return int64 if tensor_dtype.kind == "b" else tensor_dtype
    if tensor_dtype.kind == "f":
        return tensor_dtype
    return _default_dtype
