"""How an operation node reads in a picture: ``sum(dim=1)``, ``pow(2)``, ``reshape(2, 3)``.

The name is PyTorch's function name for the operation (``MatMul`` draws as ``matmul``); the
attributes come from what the operation kept on its node for backward (``ctx.dim``,
``ctx.exponent``...). Edges into operations whose argument order matters (``a - b``,
``a @ b``) are labelled with the names of ``forward``'s parameters.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..autograd.function import Function

_NAMES = {
    "PowScalar": "pow",
    "MatMul": "matmul",
    "GetItem": "index",
    "LogSumExp": "logsumexp",
    "CumSum": "cumsum",
    "SumTo": "sum_to",
    "Cast": "to",
}

# Operations whose result does not depend on the order of their two inputs.
COMMUTATIVE = frozenset({"Add", "Mul", "Maximum", "Minimum"})
# Binary operations whose single tracked input still needs its position named (1 - x, 2 / x).
ORDERED = frozenset({"Sub", "Div", "Pow", "MatMul", "Linear", "Where", "IndexPut"})

_REDUCTIONS = frozenset({"Sum", "Prod", "Amax", "LogSumExp"})
_ALONG_DIM = frozenset({"Softmax", "LogSoftmax", "CumSum", "Cat", "Stack", "Gather", "ScatterAdd"})
_SHAPED = {"Reshape": "shape", "Expand": "shape", "SumTo": "shape", "Permute": "dims", "Flip": "dims"}


def op_name(node: Function) -> str:
    """PyTorch's function name for the node's operation; user Functions in snake_case."""
    class_name = type(node).__name__
    if class_name == "Amax":
        return "amax" if getattr(node, "largest", True) else "amin"
    if class_name in _NAMES:
        return _NAMES[class_name]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", class_name).lower()


def op_label(node: Function) -> str:
    """The name with the attributes that define the operation: ``sum(dim=1)``, ``pow(2)``."""
    class_name = type(node).__name__
    attributes = vars(node)
    name = op_name(node)
    if class_name == "PowScalar" and "exponent" in attributes:
        return f"pow({_short(attributes['exponent'])})"
    if class_name in _REDUCTIONS and "dim" in attributes:
        return name + _call(_reduction_arguments(node, attributes))
    if class_name in _ALONG_DIM and "dim" in attributes:
        return f"{name}(dim={attributes['dim']})"
    if class_name in _SHAPED and _SHAPED[class_name] in attributes:
        return name + _call([", ".join(str(size) for size in attributes[_SHAPED[class_name]])])
    if class_name == "Clamp":
        bounds = [
            f"{key}={_short(attributes[attr])}"
            for key, attr in (("min", "low"), ("max", "high"))
            if attributes.get(attr) is not None
        ]
        return name + _call(bounds)
    if class_name == "GetItem" and "index" in attributes:
        return f"[{format_index(attributes['index'])}]"
    if class_name == "Cast":
        value = node._value
        return f"to({value.dtype})" if isinstance(value, np.ndarray) else name
    if class_name == "CrossEntropy" and attributes.get("reduction", "mean") != "mean":
        return f"{name}(reduction={attributes['reduction']})"
    return name + _call(_simple_attributes(attributes))


def all_attributes(node: Function, max_chars: int) -> list[str]:
    """Every ctx attribute as ``name=value`` (arrays by shape), each cut to ``max_chars``."""
    lines = []
    for key, value in sorted(vars(node).items()):
        if key.startswith("_"):
            continue
        if isinstance(value, np.ndarray):
            text = f"{key}=array{tuple(value.shape)} {value.dtype}"
        else:
            text = f"{key}={value!r}"
        lines.append(text if len(text) <= max_chars else text[: max(max_chars - 1, 1)] + "…")
    return lines


def argument_names(node: Function) -> tuple[str, ...]:
    """The names of ``forward``'s parameters after ``ctx``; ``*tensors`` becomes ``0``, ``1``..."""
    forward = type(node).forward
    names = _SIGNATURES.get(forward)
    if names is None:
        names = []
        for parameter in list(inspect.signature(forward).parameters.values())[1:]:
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                names.append("*")
                break
            names.append(parameter.name)
        names = _SIGNATURES[forward] = tuple(names)
    count = len(node._next)
    if names and names[-1] == "*":
        fixed = len(names) - 1
        return names[:fixed] + tuple(str(i) for i in range(count - fixed))
    return names + tuple(str(i) for i in range(len(names), count))


_SIGNATURES: dict = {}


def edge_labels(node: Function) -> list[str | None]:
    """A label per input position where the order of the inputs matters, else None (inputs
    that need no grad count too: they are drawn as constants)."""
    tracked = sum(edge is not None for edge in node._next) + len(node._constants or ())
    class_name = type(node).__name__
    if class_name in COMMUTATIVE or (tracked < 2 and class_name not in ORDERED):
        return [None] * len(node._next)
    return list(argument_names(node))


def format_index(index: object) -> str:
    """An index as written in Python: ``0, 1:3``, ``..., None``, arrays by shape."""
    items = index if isinstance(index, tuple) else (index,)
    parts = []
    for item in items:
        if isinstance(item, slice):
            parts.append(_slice_text(item))
        elif item is Ellipsis:
            parts.append("...")
        elif isinstance(item, np.ndarray):
            kind = "mask" if item.dtype == bool else "indices"
            parts.append(f"{kind}{tuple(item.shape)}")
        else:
            parts.append(str(item))
    return ", ".join(parts)


def _slice_text(item: slice) -> str:
    start = "" if item.start is None else str(item.start)
    stop = "" if item.stop is None else str(item.stop)
    return f"{start}:{stop}" + ("" if item.step is None else f":{item.step}")


def _reduction_arguments(node, attributes) -> list[str]:
    dims = attributes["dim"]
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    edge = node._next[0] if node._next else None
    ndim = len(edge[2]) if edge is not None else len(attributes.get("shape", ()))
    arguments = []
    if sorted(dims) != list(range(ndim)):
        arguments.append(f"dim={dims[0]}" if len(dims) == 1 else f"dim={dims}")
    if attributes.get("keepdim"):
        arguments.append("keepdim=True")
    return arguments


def _simple_attributes(attributes: dict) -> list[str]:
    """Attributes of a user Function that read well in a label: numbers, strings, short tuples."""
    shown = []
    for key, value in sorted(attributes.items()):
        if key.startswith("_"):
            continue
        if isinstance(value, (bool, int, float, str)) and len(str(value)) <= 12:
            shown.append(f"{key}={_short(value)}")
        elif isinstance(value, tuple) and len(value) <= 4 and all(isinstance(v, int) for v in value):
            shown.append(f"{key}={value}")
    return shown


def _call(arguments: list[str]) -> str:
    return f"({', '.join(arguments)})" if arguments else ""


def _short(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
