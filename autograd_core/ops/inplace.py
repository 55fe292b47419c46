"""In-place operations: ``add_``, ``mul_``, ``x[mask] = 0``, ``copy_``...

Each one has two paths:

- nothing to record (grad mode off, or no tensor involved requires grad): NumPy writes into the
  tensor's own array, as fast as hand-written NumPy. Optimizers take this path under
  ``no_grad``.
- recording (a non-leaf, or a tensor that becomes part of the graph): the new value is computed
  out of place from a snapshot of the old one, written into the storage, and the tensor takes
  the new ``grad_fn``. Earlier nodes that saved this tensor see its version move on and refuse
  to backward (instead of silently using the changed values).

Either way the version counter goes up. A leaf that requires grad may only be changed under
``no_grad`` (it would lose its place as the graph's input), as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import grad_mode
from .._tensor import Tensor, _as_array, _tensor_from_array
from ..autograd.function import current_grad_fn

if TYPE_CHECKING:
    from .indexing import Index


def _must_record(target: Tensor, *others) -> bool:
    if not grad_mode._grad_enabled.get():
        return False
    if target._requires_grad:
        if current_grad_fn(target) is None:
            raise RuntimeError(
                f"a leaf tensor that requires grad (shape {tuple(target.shape)}) is being used "
                "in an in-place operation. Update parameters inside `with no_grad():`, or use "
                "an out-of-place operation (w = w - lr * g)."
            )
        return True
    return any(isinstance(o, Tensor) and o._requires_grad for o in others)


def _snapshot(target: Tensor) -> Tensor:
    """The old value as a tensor of its own (copied storage, same place in the graph)."""
    old = _tensor_from_array(target._data.copy(), target._requires_grad, target.grad_fn, target._output_nr)
    return old


def _rebind(target: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into ``target``'s storage and make ``target`` stand for it; when
    ``target`` is a view, its base takes the change into its history too."""
    _check_not_view_of_leaf(target)
    if result._data.dtype != target._data.dtype:
        result = result.to(target._data.dtype)
    try:
        np.copyto(target._data, np.broadcast_to(result._data, target._data.shape))
    except ValueError as error:
        raise RuntimeError(
            f"cannot change a tensor of shape {tuple(target.shape)} in place: {error}. An "
            "expanded tensor has several elements in one memory location; clone() it first."
        ) from None
    target.grad_fn = result.grad_fn
    target._output_nr = result._output_nr
    target._requires_grad = result._requires_grad
    target._version_counter[0] += 1
    _record_on_bases(target)
    return target


def _check_not_view_of_leaf(target: Tensor) -> None:
    """A view of a leaf that requires grad cannot be changed in place (the leaf would stop
    being a leaf), as in PyTorch."""
    base, link = target, target._view_of
    while link is not None:
        base = link[0]
        link = base._view_of
    if base is not target and base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            f"a view of a leaf tensor that requires grad (the leaf has shape {tuple(base.shape)}) "
            "is being used in an in-place operation. Change the leaf inside `with no_grad():`, "
            "or clone() the view before changing it."
        )


def _record_on_bases(view: Tensor) -> None:
    """After an in-place change of ``view``, its base becomes, in the graph, "the old base with
    the view's part replaced by the view's new value" (PyTorch's CopySlices); and so on up a
    chain of views. The values are already right: a view shares its base's memory."""
    from .indexing import IndexPut

    counter = view._version_counter
    link = view._view_of
    while link is not None:
        base, _, view_class, view_args, rebuild = link
        view._view_of = (base, counter[0], view_class, view_args, rebuild)  # its grad_fn is current
        kind, info = rebuild
        if kind == "index":
            old = _tensor_from_array(base._data, base._requires_grad, base.grad_fn, base._output_nr)
            rebuilt = IndexPut.apply(old, view, info)
        elif kind == "reshape":
            rebuilt = view.reshape(info)
        else:
            rebuilt = view.permute(np.argsort(info).tolist())
        base.grad_fn = rebuilt.grad_fn
        base._output_nr = rebuilt._output_nr
        base._requires_grad = rebuilt._requires_grad
        view, link = base, base._view_of


def _operand(value):
    """The array behind ``value``; a Python number stays a number, so NumPy applies it at the
    tensor's dtype without first rounding it to the default dtype (0.9 stays exact in float64)."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (bool, int, float)):
        return value
    return _as_array(value)


def _write(target: Tensor, ufunc, *arrays) -> Tensor:
    """``target = ufunc(target, *arrays)`` in the tensor's own storage."""
    try:
        ufunc(target._data, *arrays, out=target._data)
    except TypeError as error:
        raise RuntimeError(
            f"in-place {ufunc.__name__} would change the dtype of a {target.dtype} tensor: "
            f"{error}. Use an out-of-place operation or convert the tensor first."
        ) from None
    except ValueError as error:
        raise RuntimeError(
            f"in-place {ufunc.__name__}: the result must keep the tensor's shape "
            f"{tuple(target.shape)}: {error}"
        ) from None
    target._version_counter[0] += 1
    return target


def add_(target: Tensor, other: Tensor | float, alpha: float = 1) -> Tensor:
    if _must_record(target, other):
        return _rebind(target, _snapshot(target).add(other, alpha=alpha))
    array = _operand(other)
    return _write(target, np.add, array if alpha == 1 else array * alpha)


def sub_(target: Tensor, other: Tensor | float, alpha: float = 1) -> Tensor:
    if _must_record(target, other):
        return _rebind(target, _snapshot(target).sub(other, alpha=alpha))
    array = _operand(other)
    return _write(target, np.subtract, array if alpha == 1 else array * alpha)


def mul_(target: Tensor, other: Tensor | float) -> Tensor:
    if _must_record(target, other):
        return _rebind(target, _snapshot(target) * other)
    return _write(target, np.multiply, _operand(other))


def div_(target: Tensor, other: Tensor | float) -> Tensor:
    if _must_record(target, other):
        return _rebind(target, _snapshot(target) / other)
    return _write(target, np.divide, _operand(other))


def pow_(target: Tensor, exponent: Tensor | float) -> Tensor:
    if _must_record(target, exponent):
        return _rebind(target, _snapshot(target) ** exponent)
    return _write(target, np.power, _operand(exponent))


def addcmul_(target: Tensor, tensor1: Tensor, tensor2: Tensor, value: float = 1) -> Tensor:
    """target += value · tensor1 · tensor2."""
    if _must_record(target, tensor1, tensor2):
        return _rebind(target, _snapshot(target) + value * tensor1 * tensor2)
    product = _operand(tensor1) * _operand(tensor2)
    return _write(target, np.add, product if value == 1 else product * value)


def addcdiv_(target: Tensor, tensor1: Tensor, tensor2: Tensor, value: float = 1) -> Tensor:
    """target += value · tensor1 / tensor2."""
    if _must_record(target, tensor1, tensor2):
        return _rebind(target, _snapshot(target) + value * tensor1 / tensor2)
    quotient = _operand(tensor1) / _operand(tensor2)
    return _write(target, np.add, quotient if value == 1 else quotient * value)


def lerp_(target: Tensor, end: Tensor, weight: Tensor | float) -> Tensor:
    """target += weight · (end - target)."""
    if _must_record(target, end, weight):
        old = _snapshot(target)
        return _rebind(target, old + weight * (end - old))
    step = (_operand(end) - target._data) * _operand(weight)
    return _write(target, np.add, step)


def clamp_(target: Tensor, min: Tensor | float | None = None, max: Tensor | float | None = None) -> Tensor:
    if _must_record(target, min, max):
        return _rebind(target, _snapshot(target).clamp(min, max))
    np.clip(target._data, min, max, out=target._data)
    target._version_counter[0] += 1
    return target


def unary_(target: Tensor, name: str) -> Tensor:
    """``sqrt_``, ``exp_``, ``neg_``... : ``target = target.name()`` in place."""
    if _must_record(target):
        return _rebind(target, getattr(_snapshot(target), name)())
    np.copyto(target._data, getattr(target.detach(), name)()._data)
    target._version_counter[0] += 1
    return target


def _replacement(target: Tensor, value) -> Tensor:
    """``value`` broadcast to ``target``'s shape, as ``where(False, old target, value)``: the old
    target stays linked with a zero gradient, as after PyTorch's ``fill_``/``copy_``/``zero_``."""
    from .elementwise import where

    old = _tensor_from_array(target._data, target._requires_grad, target.grad_fn, target._output_nr)
    return where(_tensor_from_array(np.zeros((), dtype=bool)), old, value)


def zero_(target: Tensor) -> Tensor:
    return fill_(target, 0)


def fill_(target: Tensor, value: Tensor | float) -> Tensor:
    if _must_record(target, value):
        return _rebind(target, _replacement(target, value))
    target._data[...] = _operand(value)
    target._version_counter[0] += 1
    return target


def copy_(target: Tensor, source: Tensor) -> Tensor:
    """Write ``source`` (broadcast) into ``target``; the gradient flows to ``source``."""
    if _must_record(target, source):
        return _rebind(target, _replacement(target, source))
    np.copyto(target._data, np.broadcast_to(_operand(source), target._data.shape), casting="unsafe")
    target._version_counter[0] += 1
    return target


def setitem(target: Tensor, index: Index, value: Tensor | float | np.ndarray) -> None:
    """``target[index] = value``: recorded as ``IndexPut`` when a gradient must flow."""
    from .indexing import index_put, to_numpy_index

    if _must_record(target, value):
        if not isinstance(value, Tensor):
            value = _tensor_from_array(np.asarray(value, dtype=target.dtype))
        _rebind(target, index_put(_snapshot(target), index, value.to(target.dtype)))
        return
    target._data[to_numpy_index(index)] = _operand(value)
    target._version_counter[0] += 1


def random_fill_(target: Tensor, values: np.ndarray) -> Tensor:
    """Write freshly drawn random values (used by ``uniform_``, ``normal_``...)."""
    if _must_record(target):
        return _rebind(target, _replacement(target, _tensor_from_array(values.astype(target.dtype))))
    target._data[...] = values
    target._version_counter[0] += 1
    return target
