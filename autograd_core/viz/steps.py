"""``draw_backprop_steps``: the backward pass as a flip-book, one picture per step.

It runs ``loss.backward()`` itself, with a hook on every operation's outputs that records, in
the order the engine really works, the gradient each operation receives (complete, once all
its consumers have passed theirs on); what each step sends to its inputs comes from the
operation's own backward on that gradient. Frame 0 is the forward pass (values, no
gradients); frame k shows the gradients after step k, the operation of that step and the
tensors it sent gradients to outlined in orange. A tensor used twice shows the sum so far.
"""

from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd import engine
from ..grad_mode import no_grad
from .draw import as_roots, gc_paused, parameter_names, render_model
from .model import GraphModel, build_model
from .op_labels import op_label
from .options import RenderOptions
from .view import GraphView, check_dot_installed

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .draw import Params


class BackpropSteps:
    """The frames of a backward pass: ``.frames`` (``GraphView`` each), ``.captions``,
    ``.save_frames(directory)``; in a notebook it shows with a slider."""

    def __init__(self, frames: list[GraphView], captions: list[str]):
        self.frames = frames
        self.captions = captions

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, index: int) -> GraphView:
        return self.frames[index]

    def __iter__(self) -> Iterator[GraphView]:
        return iter(self.frames)

    def save_frames(self, directory: str | os.PathLike, format: str = "png") -> list[str]:
        """Write ``step_000.png``, ``step_001.png``... (or svg, pdf, dot) into ``directory``."""
        directory = os.fspath(directory)
        os.makedirs(directory, exist_ok=True)
        width = max(3, len(str(len(self.frames) - 1)))
        return [
            frame.save(os.path.join(directory, f"step_{number:0{width}d}.{format}"))
            for number, frame in enumerate(self.frames)
        ]

    def _repr_html_(self) -> str:
        """All frames as SVG with a slider that shows one at a time (plain HTML and a line of
        JavaScript: no widget library)."""
        check_dot_installed()
        key = f"backprop{id(self)}"
        parts = [f'<div id="{key}">']
        parts.append(
            f'<input type="range" min="0" max="{len(self.frames) - 1}" value="0" style="width: 100%" '
            f"oninput=\"for (const f of document.querySelectorAll('#{key} .frame')) "
            f"f.style.display = (f.dataset.step === this.value) ? 'block' : 'none';\">"
        )
        for number, (frame, caption) in enumerate(zip(self.frames, self.captions)):
            display = "block" if number == 0 else "none"
            parts.append(
                f'<div class="frame" data-step="{number}" style="display: {display}">'
                f"<p>{html.escape(caption)}</p>{frame._repr_html_()}</div>"
            )
        parts.append("</div>")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"<BackpropSteps: {len(self.frames)} frames; .frames[k], .save_frames(directory)>"


def draw_backprop_steps(
    loss: Tensor, *, params: Params | None = None, retain_graph: bool = False, **options: object
) -> BackpropSteps:
    """Run ``loss.backward()`` and draw one picture per step of it.

    Gradients fill in in reverse topological order, exactly as the engine computes them; a
    tensor used twice shows its gradient growing as the second contribution is added. ``options`` are
    ``draw_graph``'s (``show_values``, ``color_by``, ``rankdir``...).

    >>> import autograd_core as ag
    >>> a = ag.Tensor(2.0, requires_grad=True, name="a")
    >>> steps = draw_backprop_steps((a * a).tanh())
    >>> len(steps)  # the forward pass, then tanh's step and mul's step
    3
    >>> a.grad is not None  # the backward pass has run
    True
    """
    (root,) = as_roots(loss)
    if root.grad_fn is None:
        raise RuntimeError(
            "draw_backprop_steps needs the result of a computation (the loss) from tensors with "
            "requires_grad=True; this tensor was not computed from any"
        )
    depth = options.pop("depth", None)
    max_nodes = options.pop("max_nodes", 300)
    highlight = options.pop("highlight", None)
    render_options = _render_options(options)
    with gc_paused():
        model = build_model([root], parameter_names(params))
        events = _record_backward(model, root, retain_graph)
    frames, captions = [], []
    grads: dict[int, np.ndarray | None] = dict(events.leaf_start)
    steps = events.steps()
    for number, (op_index, received, contributions) in enumerate([(None, [], [])] + steps):
        current, added_to = set(), set()
        if op_index is not None:
            current, added_to = _apply_step(grads, op_index, received, contributions)
        caption = _caption(model, number, len(steps), op_index, received, contributions, added_to)
        frame_options = RenderOptions(**vars(render_options))
        frame_options.grads = dict(grads)
        frame_options.current = current
        frame_options.title = caption
        frames.append(
            render_model(model, frame_options, highlight=highlight, depth=depth, max_nodes=max_nodes)
        )
        captions.append(caption)
    return BackpropSteps(frames, captions)


def _apply_step(grads: dict, op_index: int, received: list, contributions: list) -> tuple[set, set]:
    """Update ``grads`` (item index -> gradient so far) with one backward step of the operation
    ``op_index``: the gradients it ``received`` at its outputs, then the ``contributions`` it
    passed to its inputs, added to what an input already had.

    Returns the items the step touched (drawn as current) and the inputs whose gradient grew by
    a second contribution.
    """
    current, added_to = {op_index}, set()
    for index, grad in received:
        if grads.get(index) is None:
            current.add(index)  # the seed at the output: nothing passed it here
        grads[index] = grad
    for index, grad in contributions:
        previous = grads.get(index)
        if previous is not None:
            added_to.add(index)
        grads[index] = grad if previous is None else previous + grad
        current.add(index)
    return current, added_to


def _render_options(options: dict) -> RenderOptions:
    allowed = {"show_values", "show_grads", "show_shapes", "color_by", "view", "rankdir"}
    unknown = set(options) - allowed - {"depth", "max_nodes", "highlight"}
    if unknown:
        raise TypeError(
            f"draw_backprop_steps got unexpected options {sorted(unknown)}; it takes draw_graph's: "
            f"{', '.join(sorted(allowed | {'params', 'depth', 'max_nodes', 'highlight'}))}"
        )
    return RenderOptions(**options)


class _Events:
    """What the backward pass did, in order: per step, the operation that ran, the complete
    gradient of each of its outputs, and the gradient it sent to each of its inputs."""

    def __init__(self):
        self.log: list[tuple[int, int, np.ndarray]] = []  # (op item, output item, grad) from hooks
        self.leaf_start: dict[int, np.ndarray] = {}  # leaf item -> its .grad before the backward
        self.contributions: dict[int, list[tuple[int, np.ndarray]]] = {}  # op item -> [(input, grad)]

    def steps(self) -> list[tuple[int, list, list]]:
        """(operation item, [(output item, grad)], [(input item, gradient sent)]) per step."""
        steps = []
        for op_index, index, grad in self.log:
            if not steps or steps[-1][0] != op_index:
                steps.append((op_index, [], self.contributions.get(op_index, [])))
            steps[-1][1].append((index, grad))
        return steps


def _record_backward(model: GraphModel, root: Tensor, retain_graph: bool) -> _Events:
    """Run the backward pass with a hook on every operation's outputs (the engine calls them as
    it reaches each operation, with the complete gradient), then work out what each operation
    sent to its inputs by calling its backward again on the same gradient, as the engine did;
    the graph is kept for that and freed afterwards unless ``retain_graph``."""
    events = _Events()
    handles = []
    producer = {}
    for source, target, _ in model.edges:
        if model.items[source].is_op:
            producer[target] = source
    for item in model.items:
        if (
            not item.is_op
            and item.leaf is not None
            and item.kind != "constant"
            and item.leaf.grad is not None
        ):
            events.leaf_start[item.index] = item.leaf.grad._data.copy()
    try:
        for item in model.items:
            if not item.is_op and item.node is not None:
                proxy = _tensor_from_array(np.empty(0), True, item.node, item.nr)
                handles.append(proxy.register_hook(_hook(events, producer[item.index], item.index)))
        root.backward(retain_graph=True)
    finally:
        for handle in handles:
            handle.remove()
    _replay_contributions(model, events)
    if not retain_graph:
        for item in model.items:
            if item.is_op:
                engine._free(item.node)
    return events


def _hook(events: _Events, op_index: int, index: int):
    def record(grad: Tensor) -> None:
        events.log.append((op_index, index, np.array(grad._data, copy=True)))

    return record


def _replay_contributions(model: GraphModel, events: _Events) -> None:
    """For each operation that ran, the gradient its backward sent to each input, fitted to the
    input's shape as the engine fits it."""
    item_of = {}
    for item in model.items:
        if not item.is_op:
            item_of[id(item.leaf) if item.leaf is not None else (id(item.node), item.nr)] = item.index
    received: dict[int, dict[int, np.ndarray]] = {}
    for op_index, index, grad in events.log:
        received.setdefault(op_index, {})[model.items[index].nr] = grad
    with no_grad():
        for op_index, grads in received.items():
            node = model.items[op_index].node
            count = len(node._value) if type(node._value) is tuple else 1
            inputs = [_tensor_from_array(grads[nr]) if nr in grads else None for nr in range(count)]
            results = engine._call_backward(node, inputs)
            sent = []
            for position, edge in enumerate(node._next):
                if edge is None or results[position] is None:
                    continue
                target, nr, shape, dtype = edge
                grad = engine._fit_gradient(node, position, results[position], shape, dtype)
                key = id(target) if isinstance(target, Tensor) else (id(target), nr)
                sent.append((item_of[key], grad._data))
            events.contributions[op_index] = sent


def _caption(model: GraphModel, number: int, total: int, op_index, received, sent, added_to: set) -> str:
    if op_index is None:
        return "Forward pass done: every value is known, no gradient yet. Backward starts at the output."
    items = model.items
    label = op_label(items[op_index].node)
    outputs = ", ".join(items[i].name for i, _ in received)
    if number == 1:
        start = f"backward starts at {outputs} with gradient 1 (∂{outputs}/∂{outputs})"
        text = f"Step 1/{total}: {start}; {label}'s backward"
    else:
        text = f"Step {number}/{total}: {outputs} has its full gradient; {label}'s backward"
    names = []
    for index, _ in sent:
        name = items[index].name
        if index in added_to:
            name += " (added to what it had)"
        if name not in names:
            names.append(name)
    if not names:
        return text + " sends nothing on (no input needs a gradient)."
    return text + " sends gradients to " + ", ".join(names) + "."
