"""The backward pass: reverse-mode differentiation over the recorded graph.

``run_backward`` is the one place where everything common to all operations happens:

1. count, for every node, how many edges lead into it (an iterative walk: no recursion, so a
   graph a million nodes deep works);
2. start from the roots with their seed gradients and process a node once all the nodes that
   consume its output have passed their gradient on (so it runs after all its consumers:
   reverse topological order);
3. for each node: call tensor hooks, call its ``backward``, check every returned gradient,
   sum broadcast dimensions back to the input's shape, and accumulate into the input's node
   or, for a leaf, into that leaf's running sum;
4. free what the node saved unless ``retain_graph``;
5. at the end, each leaf's hooks see its total gradient (once, as in PyTorch), which is then
   added to ``.grad``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import grad_mode
from .._tensor import Tensor, _tensor_from_array
from ..ops.shape import SumTo, _sum_to_axes, sum_array_to
from .anomaly import nonfinite_gradient_message
from .function import _FREED, _anomaly_mode, current_grad_fn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .function import Function


def _count_dependencies(roots) -> dict:
    """For every node reachable from ``roots``, the number of edges pointing into it (0 for a
    root that no other root leads to)."""
    dependencies = dict.fromkeys(roots, 0)
    stack = list(roots)
    while stack:
        for edge in stack.pop()._next:
            if edge is None or isinstance(edge[0], Tensor):
                continue
            target = edge[0]
            if target in dependencies:
                dependencies[target] += 1
            else:
                dependencies[target] = 1
                stack.append(target)
    return dependencies


def _fit_gradient(node, index: int, grad, shape: tuple, dtype) -> Tensor:
    """Sum broadcast dimensions back so ``grad`` has the input's shape and dtype."""
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"{type(node).__name__}.backward returned {type(grad).__name__} for input {index}; "
            "return Tensors (or None)"
        )
    if grad._data.shape != shape:
        axes = _sum_to_axes(grad._data.shape, shape)
        if axes is None:
            raise RuntimeError(
                f"the gradient {type(node).__name__}.backward returned for input {index} has shape "
                f"{grad._data.shape}, which cannot be summed down to the input's shape {shape}: "
                "it is not a broadcast of it"
            )
        if grad_mode._grad_enabled.get():  # create_graph: the sum joins the graph
            grad = SumTo.apply(grad, shape)
        else:  # nothing to record: SumTo's forward, without the node
            grad = _tensor_from_array(sum_array_to(grad._data, shape, axes))
    if grad._data.dtype != dtype:
        grad = grad.to(dtype)
    return grad


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[tuple[Function | Tensor, int], int] | None = None,
) -> dict[int, Tensor] | None:
    """Backpropagate ``seeds`` from the ``roots`` tensors.

    Without ``capture`` gradients accumulate into leaves' ``.grad`` (``Tensor.backward``).
    With ``capture`` (a dict from (node or leaf, output_nr) to a slot index) the gradients
    reaching those places are returned instead and ``.grad`` is left alone (``autograd.grad``).
    """
    buffers: dict = {}  # node -> the gradients reaching its outputs so far, one slot per output
    start_nodes = []
    leaf_grads = {}  # leaf -> the sum of its incoming gradients, stored in .grad at the end
    owned = set()
    for root, seed in zip(roots, seeds):
        owned.add(_storage_key(seed._data))
        node = current_grad_fn(root)
        if node is None:
            if capture is None or (root, 0) in capture:
                _accumulate_captured(leaf_grads, root, seed)
            continue
        slots = buffers.get(node)
        if slots is None:
            slots = buffers[node] = [None] * _output_count(node)
            start_nodes.append(node)
        nr = root._output_nr
        slots[nr] = seed if slots[nr] is None else slots[nr] + seed
    dependencies = _count_dependencies(start_nodes)
    ready = [node for node in start_nodes if dependencies[node] == 0]
    captured = needed = None
    if capture is not None:
        captured = {}
        needed = _nodes_leading_to(start_nodes, capture)
    token = grad_mode._grad_enabled.set(create_graph)
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if node._hooks is not None or node._retained is not None:
                grads = _run_pre_hooks(node, grads)
            if capture is not None:
                _capture_outputs(node, grads, capture, captured)
                if node not in needed:
                    continue
            results = _call_backward(node, grads)
            for index, edge in enumerate(node._next):
                grad = results[index]
                if edge is None or grad is None:
                    continue
                target, nr, shape, dtype = edge
                if type(grad) is not Tensor or grad._data.shape != shape or grad._data.dtype is not dtype:
                    grad = _fit_gradient(node, index, grad, shape, dtype)
                if isinstance(target, Tensor):
                    if capture is None or (target, 0) in capture:
                        previous = leaf_grads.get(target)
                        leaf_grads[target] = grad if previous is None else previous + grad
                    continue
                slots = buffers.get(target)
                if slots is None:  # the first gradient to reach this node
                    if type(target._value) is tuple:
                        slots = buffers[target] = [None] * len(target._value)
                        slots[nr] = grad
                    else:
                        buffers[target] = [grad]
                else:
                    slots[nr] = grad if slots[nr] is None else slots[nr] + grad
                remaining = dependencies[target] - 1
                dependencies[target] = remaining
                if remaining == 0:
                    ready.append(target)
            if not retain_graph:
                _free(node)
        for leaf, grad in leaf_grads.items():
            if leaf._backward_hooks:
                grad = _run_leaf_hooks(leaf, grad)
            if capture is None:
                _accumulate_leaf(leaf, grad, owned, create_graph)
            else:
                _accumulate_captured(captured, capture[(leaf, 0)], grad)
    finally:
        grad_mode._grad_enabled.reset(token)
    return captured


def _nodes_leading_to(start_nodes, capture: dict) -> set:
    """For ``autograd.grad``: the nodes whose backward must run to reach the requested inputs.
    The others are neither run nor freed, as in PyTorch (an iterative post-order walk)."""
    targets = {place for place, _ in capture}
    needed, visited = set(), set()
    stack = [(node, False) for node in start_nodes]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            for edge in node._next:
                if edge is not None and (edge[0] in targets or edge[0] in needed):
                    needed.add(node)
                    break
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for edge in node._next:
            if edge is not None and not isinstance(edge[0], Tensor) and edge[0] not in visited:
                stack.append((edge[0], False))
    return needed


def _capture_outputs(node, grads, capture: dict, captured: dict) -> None:
    """For ``autograd.grad``: keep the gradients reaching the requested non-leaf tensors."""
    for nr, grad in enumerate(grads):
        key = (node, nr)
        if key in capture and grad is not None:
            _accumulate_captured(captured, capture[key], grad)


def _storage_key(array: np.ndarray) -> int:
    base = array.base
    return id(array) if base is None else id(base)


def _output_count(node) -> int:
    value = node._value
    return len(value) if type(value) is tuple else 1


def _call_backward(node, grads) -> tuple:
    """Call the node's backward with a gradient for every output (zeros where none came).

    The gradient reaching the node is kept on it (``node._grad``) for graph pictures.
    """
    if len(grads) == 1:
        grad = grads[0]
        node._grad = grad._data
        results = type(node).backward(node, grad)
    else:
        grads = [_tensor_from_array(np.zeros_like(v)) if g is None else g for g, v in zip(grads, node._value)]
        node._grad = tuple(g._data for g in grads)
        results = type(node).backward(node, *grads)
    if type(results) is not tuple:
        results = (results,)
    if len(results) != len(node._next):
        raise RuntimeError(
            f"{type(node).__name__}.backward returned {len(results)} gradient(s), but forward "
            f"took {len(node._next)} input(s): return one gradient per input, None for inputs "
            "that need none."
        )
    if _anomaly_mode[0]:
        _check_finite(node, results)
    return results


def _check_finite(node, results) -> None:
    for index, grad in enumerate(results):
        if grad is None or grad._data.dtype.kind != "f" or np.isfinite(grad._data).all():
            continue
        raise RuntimeError(nonfinite_gradient_message(node, index, grad._data))


def _run_pre_hooks(node, grads):
    """Tensor hooks and ``retain_grad`` on a non-leaf live on the node that made the tensor."""
    hooks = node._hooks
    retained = node._retained
    grads = list(grads)
    if hooks:
        for nr, hook in hooks:
            if grads[nr] is not None:
                replacement = hook(grads[nr])
                if replacement is not None:
                    grads[nr] = _check_hook_result(replacement, grads[nr])
    if retained:
        for nr, reference in retained.items():
            tensor = reference()
            if tensor is not None and grads[nr] is not None:
                grad = grads[nr] if grad_mode.is_grad_enabled() else grads[nr].detach()
                tensor.grad = grad.clone() if tensor.grad is None else tensor.grad + grad
    return grads


def _check_hook_result(replacement, grad):
    if not isinstance(replacement, Tensor) or replacement.shape != grad.shape:
        raise RuntimeError(
            f"a gradient hook must return None or a Tensor of shape {tuple(grad.shape)}, "
            f"got {replacement!r:.80}"
        )
    return replacement


def _run_leaf_hooks(leaf: Tensor, grad: Tensor) -> Tensor:
    """A leaf's hooks see its total gradient; each may return a replacement."""
    for hook in leaf._backward_hooks:
        replacement = hook(grad)
        if replacement is not None:
            grad = _check_hook_result(replacement, grad)
    return grad


def _accumulate_leaf(leaf: Tensor, grad: Tensor, owned: set, create_graph: bool) -> None:
    """Add ``grad`` into ``leaf.grad``, never letting two ``.grad``s share memory."""
    if not create_graph:
        grad = grad.detach() if grad._requires_grad else grad
    if leaf.grad is None:
        key = _storage_key(grad._data)
        if key in owned:
            grad = grad.clone() if create_graph else _tensor_from_array(grad._data.copy())
        else:
            owned.add(key)
        leaf.grad = grad
    else:
        leaf.grad = leaf.grad + grad


def _accumulate_captured(captured: dict, slot, grad: Tensor) -> None:
    """``captured[slot] += grad`` (a slot of ``autograd.grad``'s results, or a leaf)."""
    previous = captured.get(slot)
    captured[slot] = grad if previous is None else previous + grad


def _free(node) -> None:
    """Drop what backward no longer needs: saved tensors, and large output values."""
    if node._saved is not None:
        node._saved = _FREED
    value = node._value
    if type(value) is np.ndarray and value.size > _KEEP_VALUE_SIZE:
        node._value = None


# Output values up to this size stay on the node after backward, for graph pictures.
_KEEP_VALUE_SIZE = 64
