"""The recorded graph as a picture sees it: tensors and operations in a stable order.

``build_model(roots, params)`` walks the graph from the root tensors (iteratively: a chain a
million operations deep is fine) and returns a ``GraphModel``:

- one ``TensorItem`` per tensor: each leaf once (however often it is used), each output of an
  operation that something consumes, and the roots;
- one ``OpItem`` per operation node;
- edges tensor -> operation (labelled with the argument's name where the order matters) and
  operation -> tensor;
- one ``ModuleCall`` per call of an ``nn.Module`` that created nodes (from the nodes' metadata),
  nested as the calls were.

Items are numbered in post-order from the root (an operation after all its inputs), which is
the order the expression was written in; the numbering, and so the DOT text, is the same for
the same expression every time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._tensor import Tensor
from .op_labels import edge_labels

if TYPE_CHECKING:
    from collections.abc import Iterable

    import numpy as np

    from nn.modules.module import Module

    from ..autograd.function import Function


class TensorItem:
    """One tensor: a leaf, or output ``nr`` of operation ``node``."""

    __slots__ = (
        "index",
        "kind",
        "name",
        "auto_named",
        "shape",
        "dtype",
        "value",
        "grad",
        "leaf",
        "node",
        "nr",
    )
    is_op = False

    def __init__(
        self,
        index: int,
        kind: str,
        name: str | None,
        shape: tuple[int, ...],
        dtype: np.dtype,
        value: np.ndarray | None,
        grad: np.ndarray | None,
        leaf: Tensor | None = None,
        node: Function | None = None,
        nr: int = 0,
    ):
        self.index = index
        # "param", "input" (a leaf that is not a parameter), "constant" (needs no grad),
        # "intermediate", "loss" or "output" (the roots)
        self.kind = kind
        self.name = name
        self.auto_named = False
        self.shape = shape
        self.dtype = dtype
        self.value = value  # the ndarray, or None when backward freed it
        self.grad = grad  # the ndarray, or None before backward
        self.leaf = leaf
        self.node = node
        self.nr = nr

    @property
    def op_class(self) -> str | None:
        """The class name of the operation that made this tensor (None for a leaf)."""
        return None if self.node is None else type(self.node).__name__


class OpItem:
    """One operation node."""

    __slots__ = ("index", "node", "call")
    is_op = True

    def __init__(self, index: int, node: Function, call: ModuleCall | None):
        self.index = index
        self.node = node
        self.call = call

    @property
    def class_name(self) -> str:
        return type(self.node).__name__


class ModuleCall:
    """One call of an ``nn.Module``: the operations it created sit in its cluster."""

    __slots__ = ("index", "module", "parent", "level", "name", "type_name", "call_number")

    def __init__(self, index: int, module: Module, parent: ModuleCall | None, name: str, call_number: int):
        self.index = index
        self.module = module
        self.parent = parent
        self.level = 0 if parent is None else parent.level + 1
        self.name = name
        self.type_name = type(module).__name__
        self.call_number = call_number  # 1 for the first call of this module in the graph

    @property
    def label(self) -> str:
        text = f"{self.name}: {self.type_name}" if self.name else self.type_name
        return text if self.call_number == 1 else f"{text} (call {self.call_number})"

    def ancestors(self) -> list[ModuleCall]:
        """This call and the calls around it, innermost first."""
        chain = []
        call = self
        while call is not None:
            chain.append(call)
            call = call.parent
        return chain


class GraphModel:
    """Items (tensors and operations) in a stable order, the edges between them, module calls."""

    def __init__(self):
        self.items: list = []
        self.edges: list[tuple[int, int, str | None]] = []  # (source index, target index, label)
        self.roots: list[TensorItem] = []
        self.calls: list[ModuleCall] = []
        self.item_call: dict[int, ModuleCall] = {}  # item index -> the call whose cluster holds it
        self.has_grads = False
        self.values_freed = False

    def consumers(self) -> list[list[int]]:
        """For each item, the indices of the items its edges lead to."""
        result = [[] for _ in self.items]
        for source, target, _ in self.edges:
            result[source].append(target)
        return result

    def producers(self) -> list[list[int]]:
        """For each item, the indices of the items whose edges lead into it."""
        result = [[] for _ in self.items]
        for source, target, _ in self.edges:
            result[target].append(source)
        return result


def build_model(roots: list[Tensor], params: dict[int, str]) -> GraphModel:
    """The ``GraphModel`` of everything ``roots`` were computed from.

    ``params`` maps ``id(tensor)`` to a name that overrides every other name.
    """
    model = GraphModel()
    root_nodes = [root.grad_fn for root in roots if root.grad_fn is not None]
    order, referenced = _post_order(root_nodes)
    for root in roots:
        if root.grad_fn is not None:
            referenced.setdefault(root.grad_fn, {})[root._output_nr] = (root._data.shape, root._data.dtype)
    modules = _ModuleNames(order)
    names = {**modules.parameter_names, **params}
    calls = _CallTable(model, modules)
    leaves: dict[int, TensorItem] = {}
    outputs: dict[tuple, TensorItem] = {}
    for root in roots:
        if root.grad_fn is None:
            model.roots.append(_leaf_item(model, root, leaves, names))
    for node in order:
        call = calls.call_for(getattr(node, "_scope", None))
        sources = _input_items(model, node, leaves, outputs, names)
        op = OpItem(len(model.items), node, call)
        model.items.append(op)
        if call is not None:
            model.item_call[op.index] = call
        for source, label in sources:
            model.edges.append((source.index, op.index, label))
        _add_output_items(model, op, referenced.get(node, {}), outputs)
    for root in roots:
        if root.grad_fn is not None:
            item = outputs[(root.grad_fn, root._output_nr)]
            item.kind = "loss" if root._data.size == 1 else "output"
            item.name = root.name or item.name or item.kind
            model.roots.append(item)
    calls.place_parameters(leaves.values(), modules)
    _number_calls_in_time_order(model)
    _name_automatically(model)
    return model


def _input_items(model: GraphModel, node, leaves: dict, outputs: dict, names: dict) -> list[tuple]:
    """``(item, edge label)`` for each input of ``node`` that the picture shows: the tensors it
    consumed (leaves, constants that need no grad, outputs of earlier nodes), in input order."""
    labels = edge_labels(node)
    constants = node._constants or {}
    sources = []
    for position, edge in enumerate(node._next):
        if edge is None:
            if position in constants:
                sources.append((_leaf_item(model, constants[position], leaves, names), labels[position]))
            continue
        target, nr = edge[0], edge[1]
        if isinstance(target, Tensor):
            source = _leaf_item(model, target, leaves, names)
        else:
            source = outputs[(target, nr)]
        sources.append((source, labels[position]))
    return sources


def _add_output_items(model: GraphModel, op: OpItem, referenced: dict, outputs: dict) -> None:
    """One intermediate ``TensorItem`` per output of ``op``'s node that something consumes
    (``referenced``: ``{output_nr: (shape, dtype)}``), with its value and gradient when kept,
    linked from ``op`` and registered in ``outputs`` under ``(node, output_nr)``."""
    node, call = op.node, op.call
    values = node._value if type(node._value) is tuple else (node._value,)
    grads = node._grad if type(node._grad) is tuple else (node._grad,)
    several = len(values) > 1
    given_names = node._output_names or {}
    for nr, (shape, dtype) in sorted(referenced.items()):
        value = values[nr] if nr < len(values) else None
        grad = grads[nr] if nr < len(grads) else None
        item = TensorItem(len(model.items), "intermediate", given_names.get(nr), shape, dtype, value, grad)
        item.node, item.nr = node, nr
        model.items.append(item)
        outputs[(node, nr)] = item
        model.edges.append((op.index, item.index, f"[{nr}]" if several else None))
        if call is not None:
            model.item_call[item.index] = call
        model.has_grads = model.has_grads or grad is not None
        model.values_freed = model.values_freed or value is None


def _post_order(root_nodes: list) -> tuple[list, dict]:
    """Operation nodes with every node after the nodes it consumes (iterative depth-first), and
    for each node the outputs something consumes: ``{output_nr: (shape, dtype)}``."""
    order = []
    visited = set()
    referenced: dict = {}
    stack = [(node, False) for node in reversed(root_nodes)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for edge in reversed(node._next):
            if edge is None or isinstance(edge[0], Tensor):
                continue
            referenced.setdefault(edge[0], {})[edge[1]] = (edge[2], edge[3])
            if edge[0] not in visited:
                stack.append((edge[0], False))
    return order, referenced


def _leaf_item(model: GraphModel, tensor: Tensor, leaves: dict, names: dict) -> TensorItem:
    item = leaves.get(id(tensor))
    if item is not None:
        return item
    name = names.get(id(tensor)) or tensor.name
    if not tensor.requires_grad:
        kind = "constant"
    elif id(tensor) in names or type(tensor).__name__ == "Parameter":
        kind = "param"
    else:
        kind = "input"
    grad = tensor.grad._data if tensor.grad is not None else None
    item = TensorItem(
        len(model.items),
        kind,
        name,
        tensor._data.shape,
        tensor._data.dtype,
        tensor._data,
        grad,
        leaf=tensor,
    )
    model.items.append(item)
    leaves[id(tensor)] = item
    model.has_grads = model.has_grads or grad is not None
    return item


def _number_calls_in_time_order(model: GraphModel) -> None:
    """Number the calls of a module run more than once (an RNN cell at each step) in the order
    they ran: a call's last item comes after the last item of every call it consumes."""
    last: dict[int, int] = {}
    for index, call in model.item_call.items():
        for enclosing in call.ancestors():
            last[enclosing.index] = max(last.get(enclosing.index, -1), index)
    by_module: dict[int, list[ModuleCall]] = {}
    for call in model.calls:
        by_module.setdefault(id(call.module), []).append(call)
    for calls in by_module.values():
        for number, call in enumerate(sorted(calls, key=lambda c: last.get(c.index, -1)), start=1):
            call.call_number = number


def _name_automatically(model: GraphModel) -> None:
    """Unnamed tensors get ``t0``, ``t1``... in item order: stable for a given expression."""
    counter = 0
    for item in model.items:
        if item.is_op or item.name:
            continue
        item.name = f"t{counter}"
        item.auto_named = True
        counter += 1


class _ModuleNames:
    """Qualified names of the modules and parameters seen in the graph's module scopes."""

    def __init__(self, order: list):
        self.module_names: dict[int, str] = {}
        self.modules_by_name: dict[tuple[int, str], object] = {}  # (id of outermost, name) -> module
        self.parameter_names: dict[int, str] = {}
        self.parameter_owner: dict[int, object] = {}
        seen = set()
        for node in order:
            scope = getattr(node, "_scope", None)
            if not scope or id(scope[0]) in seen:
                continue
            seen.add(id(scope[0]))
            self._add_outermost(scope[0])

    def _add_outermost(self, outermost) -> None:
        named_modules = getattr(outermost, "named_modules", None)
        pairs = list(named_modules()) if callable(named_modules) else [("", outermost)]
        by_name = {}
        for name, module in pairs:
            self.module_names.setdefault(id(module), name)
            by_name[name] = module
        named_parameters = getattr(outermost, "named_parameters", None)
        if not callable(named_parameters):
            return
        for name, parameter in named_parameters():
            self.parameter_names.setdefault(id(parameter), name)
            owner_name = name.rsplit(".", 1)[0] if "." in name else ""
            if owner_name in by_name:
                self.parameter_owner.setdefault(id(parameter), by_name[owner_name])


class _CallTable:
    """Turns a node's module scope into a ``ModuleCall``, one per call of a module.

    A scope is the tuple of running modules, outermost first; when it also has ``parent`` (the
    enclosing call's scope, as ``module_scope`` records it) two calls of one module are told
    apart, else calls are told apart by their chain of modules only.
    """

    def __init__(self, model: GraphModel, modules: _ModuleNames):
        self.model = model
        self.modules = modules
        self.by_key: dict = {}
        self.calls_of_module: dict[int, list[ModuleCall]] = {}

    def call_for(self, scope: tuple[Module, ...]) -> ModuleCall | None:
        if not scope:
            return None
        pending = []
        call = None
        while scope:
            key = _scope_key(scope)
            call = self.by_key.get(key)
            if call is not None:
                break
            pending.append((key, scope))
            scope = _parent_scope(scope)
        for key, scope in reversed(pending):
            module = scope[-1]
            previous = self.calls_of_module.setdefault(id(module), [])
            name = self.modules.module_names.get(id(module), "")
            call = ModuleCall(len(self.model.calls), module, call, name, len(previous) + 1)
            previous.append(call)
            self.model.calls.append(call)
            self.by_key[key] = call
        return call

    def place_parameters(self, leaves: Iterable[TensorItem], modules: _ModuleNames) -> None:
        """A parameter sits in the cluster of its module's call (the innermost call that holds
        every call of its module, when the module ran more than once)."""
        for item in leaves:
            owner = modules.parameter_owner.get(id(item.leaf))
            calls = self.calls_of_module.get(id(owner)) if owner is not None else None
            if not calls:
                continue
            call = calls[0] if len(calls) == 1 else _common_call(calls)
            if call is not None:
                self.model.item_call[item.index] = call


def _scope_key(scope):
    return id(scope) if hasattr(scope, "parent") else tuple(id(module) for module in scope)


def _parent_scope(scope):
    if hasattr(scope, "parent"):
        return scope.parent
    return scope[:-1]


def _common_call(calls: list[ModuleCall]) -> ModuleCall | None:
    """The innermost call that contains all of ``calls`` (None when only the top level does)."""
    common = calls[0].ancestors()[1:]
    for call in calls[1:]:
        around = {id(c) for c in call.ancestors()[1:]}
        common = [c for c in common if id(c) in around]
    return common[0] if common else None
