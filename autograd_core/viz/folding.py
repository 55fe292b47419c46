"""Folding a large graph into boxes, so that the picture stays readable and ``dot`` stays fast.

Three kinds of box, tried in this order until the picture has at most ``max_nodes`` nodes:

1. module boxes: each call of a module deeper than ``depth`` becomes one box (its input and
   output shapes, parameter count and gradient norm); consecutive structurally identical
   sibling calls (``Block`` after ``Block``...) become a single "Block × 12" box;
2. chain boxes: the middle of a long chain of operations (each feeding only the next);
3. a "rest" box: whatever is farthest from the output, beyond the budget.

``depth=k`` folds modules at nesting level k (the outermost module is level 0) even when the
graph is small. Every step is a loop over the items: nothing here recurses.
"""

from __future__ import annotations

from collections import Counter, deque

from .model import GraphModel, ModuleCall

CHAIN_MIN_LENGTH = 10  # chains of at least this many operations can fold...
CHAIN_KEEP = 3  # ...keeping this many operations visible at each end


class FoldBox:
    """A box standing for several items: a module call, a run of sibling calls, a chain, or
    the rest of a graph over budget."""

    __slots__ = ("number", "kind", "members", "calls", "parent_call")

    def __init__(
        self,
        number: int,
        kind: str,
        calls: list[ModuleCall] | None = None,
        parent_call: ModuleCall | None = None,
    ):
        self.number = number
        self.kind = kind  # "module", "chain" or "rest"
        self.members: list[int] = []
        self.calls = calls or []
        self.parent_call = parent_call

    @property
    def id(self) -> str:
        return f"fold{self.number}"


class Folding:
    """Which box (if any) hides each item, and what the picture says about it."""

    def __init__(self, model: GraphModel):
        self.model = model
        self.rep: list[FoldBox | None] = [None] * len(model.items)
        self.boxes: list[FoldBox] = []
        self.notes: list[str] = []
        self.depth: int | None = None

    def visible_count(self) -> int:
        hidden = sum(len(box.members) for box in self.boxes)
        return len(self.model.items) - hidden + len(self.boxes)

    def _new_box(self, kind: str, calls=None, parent_call=None) -> FoldBox:
        box = FoldBox(len(self.boxes), kind, calls, parent_call)
        self.boxes.append(box)
        return box

    def _hide(self, index: int, box: FoldBox) -> None:
        self.rep[index] = box
        box.members.append(index)


def fold(model: GraphModel, depth: int | None, max_nodes: int | None) -> Folding:
    """Fold modules deeper than ``depth``, then whatever it takes to fit ``max_nodes``."""
    folding = _fold_modules(model, depth) if depth is not None else Folding(model)
    total = len(model.items)
    if max_nodes is None or folding.visible_count() <= max_nodes:
        return folding
    if depth is None and model.calls:
        for level in range(max(call.level for call in model.calls), -1, -1):
            folding = _fold_modules(model, level)
            if folding.visible_count() <= max_nodes:
                break
    if folding.visible_count() > max_nodes:
        _fold_chains(folding)
    if folding.visible_count() > max_nodes:
        _fold_rest(folding, max_nodes)
    folding.notes.insert(
        0,
        f"This graph has {total:,} nodes, more than max_nodes={max_nodes}: it is shown folded. "
        f"draw_graph(..., max_nodes={total}) draws every node (slow to lay out), or draw a part of "
        "it: draw_graph(some_intermediate_tensor).",
    )
    return folding


# --------------------------------------------------------------------------- modules
def _fold_modules(model: GraphModel, depth: int) -> Folding:
    folding = Folding(model)
    folding.depth = depth
    boxes: dict[int, FoldBox] = {}
    for index in range(len(model.items)):
        call = model.item_call.get(index)
        if call is None or call.level < depth:
            continue
        while call.level > depth:
            call = call.parent
        box = boxes.get(call.index)
        if box is None:
            box = boxes[call.index] = folding._new_box("module", [call], call.parent)
        folding._hide(index, box)
    if not boxes:
        return folding
    calls = len(boxes)
    _group_identical_siblings(folding)
    what = "the whole model is" if depth == 0 else f"modules at depth {depth} are"
    folding.notes.append(
        f"Folded: {what} drawn as boxes ({calls} module calls in {len(folding.boxes)} boxes); "
        f"depth={depth + 1} opens one more level."
    )
    return folding


def _group_identical_siblings(folding: Folding) -> None:
    """Merge runs of sibling module boxes that have the same structure and feed one another."""
    model = folding.model
    feeds: set[tuple[int, int]] = set()
    for source, target, _ in model.edges:
        a, b = folding.rep[source], folding.rep[target]
        if a is not None and b is not None and a is not b:
            feeds.add((a.number, b.number))
    merged: list[FoldBox] = []
    run: list[FoldBox] = []
    for box in sorted(folding.boxes, key=lambda b: max(b.members)):  # in data-flow order
        previous = run[-1] if run else None
        if (
            previous is not None
            and _same_parent(previous, box)
            and _signature(model, previous) == _signature(model, box)
            and (previous.number, box.number) in feeds
        ):
            run.append(box)
            continue
        merged.extend(_merge_run(run))
        run = [box]
    merged.extend(_merge_run(run))
    folding.boxes = []
    for number, box in enumerate(merged):
        box.number = number
        folding.boxes.append(box)
        for index in box.members:
            folding.rep[index] = box


def _merge_run(run: list[FoldBox]) -> list[FoldBox]:
    if len(run) < 2:
        return run
    group = run[0]
    for box in run[1:]:
        group.members.extend(box.members)
        group.calls.extend(box.calls)
    return [group]


def _same_parent(a: FoldBox, b: FoldBox) -> bool:
    return a.parent_call is b.parent_call


def _signature(model: GraphModel, box: FoldBox) -> tuple:
    """What makes two module calls structurally identical: module type, parameter shapes and
    the sequence of operations."""
    parameters = []
    operations = []
    for index in box.members:
        item = model.items[index]
        if item.is_op:
            operations.append(item.class_name)
        elif item.kind == "param":
            parameters.append(item.shape)
    return (box.calls[0].type_name, tuple(parameters), tuple(operations))


# ---------------------------------------------------------------------------- chains
def _fold_chains(folding: Folding) -> None:
    """Hide the middle of every long chain of visible operations, each feeding only the next."""
    model = folding.model
    consumers = model.consumers()
    producers = model.producers()
    follows: dict[int, int] = {}  # op index -> the op whose single output it alone consumes
    for item in model.items:
        if not item.is_op or folding.rep[item.index] is not None:
            continue
        intermediates = [p for p in producers[item.index] if model.items[p].node is not None]
        if len(intermediates) != 1 or len(consumers[intermediates[0]]) != 1:
            continue
        previous = producers[intermediates[0]][0]
        if folding.rep[previous] is None and len(consumers[previous]) == 1:
            follows[item.index] = previous
    followed = {previous: op for op, previous in follows.items()}
    hidden_ops = 0
    chains = 0
    for start in sorted(followed):
        if start in follows:
            continue
        chain = [start]
        while chain[-1] in followed:
            chain.append(followed[chain[-1]])
        if len(chain) < CHAIN_MIN_LENGTH:
            continue
        box = folding._new_box("chain")
        middle = chain[CHAIN_KEEP:-CHAIN_KEEP]
        for op in middle:
            folding._hide(op, box)
            for output in consumers[op]:
                folding._hide(output, box)
        hidden_ops += len(middle)
        chains += 1
        _hide_private_leaves(folding, box, middle, producers, consumers)
    if chains:
        folding.notes.append(f"{chains} long chains are folded: {hidden_ops:,} operations hidden.")


def _hide_private_leaves(folding: Folding, box: FoldBox, ops: list[int], producers, consumers) -> None:
    """Leaves used only inside ``box`` go into it too."""
    model = folding.model
    for op in ops:
        for source in producers[op]:
            item = model.items[source]
            if item.node is None and folding.rep[source] is None:
                if all(folding.rep[c] is box for c in consumers[source]):
                    folding._hide(source, box)


# ------------------------------------------------------------------------------ rest
def _fold_rest(folding: Folding, max_nodes: int) -> None:
    """Keep the ``max_nodes - 1`` visible nodes nearest the output (breadth-first backwards from
    the roots) and fold everything else into one box."""
    model = folding.model
    predecessors: dict = {}
    for source, target, _ in model.edges:
        a = folding.rep[source] or source
        b = folding.rep[target] or target
        if a is not b:
            predecessors.setdefault(b, []).append(a)
    kept = set()
    queue = deque(folding.rep[root.index] or root.index for root in model.roots)
    while queue and len(kept) < max_nodes - 1:
        vertex = queue.popleft()
        if vertex in kept:
            continue
        kept.add(vertex)
        queue.extend(predecessors.get(vertex, ()))
    rest = folding._new_box("rest")
    kept_boxes = []
    for box in folding.boxes[:-1]:
        if box in kept:
            kept_boxes.append(box)
        else:
            for index in box.members:
                folding._hide(index, rest)
    for index in range(len(model.items)):
        if folding.rep[index] is None and index not in kept:
            folding._hide(index, rest)
    folding.boxes = kept_boxes + [rest]
    for number, box in enumerate(folding.boxes):
        box.number = number
    operations = Counter(model.items[i].class_name for i in rest.members if model.items[i].is_op)
    folding.notes.append(
        f"{len(rest.members):,} nodes farthest from the output are folded into one box "
        f"({_top_counts(operations)})."
    )


def _top_counts(counter: Counter, shown: int = 3) -> str:
    parts = [f"{name} × {count:,}" for name, count in counter.most_common(shown)]
    if len(counter) > shown:
        parts.append("…")
    return ", ".join(parts) if parts else "no operations"


def operation_counts(folding: Folding, box: FoldBox, shown: int = 3) -> str:
    """``Tanh × 5,000, Mul × 4,999`` for the operations inside a box."""
    model = folding.model
    return _top_counts(Counter(model.items[i].class_name for i in box.members if model.items[i].is_op), shown)
