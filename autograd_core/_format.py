"""``repr`` of tensors in PyTorch's style: ``tensor([1., 2.], requires_grad=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import dtypes

if TYPE_CHECKING:
    from ._tensor import Tensor

# As PyTorch: the dtype is shown unless it is the default float dtype, int64 or bool.
_UNSHOWN_DTYPES = (dtypes.int64, dtypes.bool_)


def _format_values(array: np.ndarray) -> str:
    if array.dtype.kind == "f" and array.size:
        finite = array[np.isfinite(array)]
        integral = finite.size == 0 or np.all(finite == np.round(finite))
        large = finite.size and (
            np.abs(finite).max() >= 1e8 or 0 < np.abs(finite[finite != 0]).min(initial=1) < 1e-4
        )
        if large:
            formatter = {"float_kind": lambda v: f"{v:.4e}"}
        elif integral:
            formatter = {"float_kind": lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)}
        else:
            formatter = {"float_kind": lambda v: f"{v:.4f}"}
        return np.array2string(
            array, separator=", ", formatter=formatter, prefix="tensor(", threshold=1000, edgeitems=3
        )
    return np.array2string(array, separator=", ", prefix="tensor(", threshold=1000, edgeitems=3)


def format_tensor(tensor: Tensor) -> str:
    array = tensor._data
    extras = []
    if array.dtype not in _UNSHOWN_DTYPES and array.dtype != dtypes.get_default_dtype():
        extras.append(f"dtype={array.dtype}")
    if array.size == 0 and array.ndim != 1:
        extras.insert(0, f"size={tuple(array.shape)}")
    if tensor.grad_fn is not None:
        extras.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor._requires_grad:
        extras.append("requires_grad=True")
    body = _format_values(array)
    return "tensor(" + ", ".join([body] + extras) + ")"
