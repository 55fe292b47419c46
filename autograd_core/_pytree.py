"""Pytrees: nested tuples, lists and dicts whose leaves are tensors (or anything else).

The function transforms (``autograd_core.func``) take and return pytrees: ``grad`` of a
function of a dict of parameters returns a dict of gradients. ``tree_flatten`` lists the
leaves in a fixed order and returns a ``spec`` that ``tree_unflatten`` uses to rebuild the
same structure around new leaves::

    leaves, spec = tree_flatten({"w": w, "b": (b1, b2)})   # leaves == [w, b1, b2]
    tree_unflatten([gw, gb1, gb2], spec)                   # {"w": gw, "b": (gb1, gb2)}

Dicts keep their insertion order. A tuple subclass (a namedtuple) is rebuilt with its class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

# A spec is None for a leaf, else (container type, dict keys or None, child specs).
TreeSpec = Any


def tree_flatten(tree: Any) -> tuple[list[Any], TreeSpec]:
    """The leaves of ``tree`` in order, and the structure to rebuild it from them."""
    leaves: list = []
    spec = _flatten_into(tree, leaves)
    return leaves, spec


def _flatten_into(tree, leaves: list) -> TreeSpec:
    if isinstance(tree, dict):
        keys = list(tree)
        return (dict, keys, [_flatten_into(tree[key], leaves) for key in keys])
    if isinstance(tree, (tuple, list)):
        return (type(tree), None, [_flatten_into(child, leaves) for child in tree])
    leaves.append(tree)
    return None


def tree_unflatten(leaves: Iterable[Any], spec: TreeSpec) -> Any:
    """The structure described by ``spec`` with ``leaves`` put back in order."""
    leaves = list(leaves)
    position = [0]
    tree = _unflatten_from(leaves, spec, position)
    if position[0] != len(leaves):
        raise ValueError(f"tree_unflatten got {len(leaves)} leaves, the structure holds {position[0]}")
    return tree


def _unflatten_from(leaves: list, spec: TreeSpec, position: list):
    if spec is None:
        leaf = leaves[position[0]]
        position[0] += 1
        return leaf
    kind, keys, children = spec
    values = [_unflatten_from(leaves, child, position) for child in children]
    if kind is dict:
        return dict(zip(keys, values))
    if kind is list:
        return values
    if kind is tuple:
        return tuple(values)
    if hasattr(kind, "_fields"):
        return kind(*values)
    return kind(values)


def tree_map(function: Callable[[Any], Any], tree: Any) -> Any:
    """``tree`` with ``function`` applied to every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([function(leaf) for leaf in leaves], spec)


def tree_structure_str(spec: TreeSpec) -> str:
    """A short description of a structure for error messages: ``(*, {'w': *})``."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    inner = [tree_structure_str(child) for child in children]
    if kind is dict:
        return "{" + ", ".join(f"{key!r}: {text}" for key, text in zip(keys, inner)) + "}"
    if kind is list:
        return "[" + ", ".join(inner) + "]"
    return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
