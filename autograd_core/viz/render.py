"""From a (folded) ``GraphModel`` to a ``graphviz.Digraph``: records, colours, clusters, legend.

Tensors are records (name, shape and dtype, value, gradient, badges), operations small
ellipses, folded parts boxes. Colour follows ``color_by``; edges carry the colour and, by
their width, the gradient norm of the tensor they carry. Everything that varies between runs
(memory addresses, absolute paths) stays out of the DOT text, so one expression always gives
the same text.
"""

from __future__ import annotations

import functools
import html
import os

import graphviz
import numpy as np

from . import markup, palette
from .folding import FoldBox, Folding, operation_counts
from .legend import graph_label
from .model import GraphModel, ModuleCall, TensorItem
from .op_labels import all_attributes, op_label
from .options import RenderOptions
from .summary import (
    TINY_SIZE,
    array_lines,
    array_stats,
    badges,
    format_number,
    format_stats,
    format_values,
    saturated_share,
    saturated_share_from_gradients,
)

FONT = "Helvetica,Arial,sans-serif"
BORDER = "#444444"
MUTED = markup.MUTED
FADED = "#d0d0d0"
BADGE = "#b2182b"
CURRENT = "#e66101"  # the step being shown in draw_backprop_steps
_KIND_TAGS = {
    "param": "parameter",
    "input": "input",
    "constant": "no grad",
    "loss": "loss",
    "output": "output",
}
CONSTANT = "#8c8c8c"
CONSTANT_DIGITS = 6


class _Edge:
    __slots__ = ("source", "target", "label", "carriers", "highlighted")

    def __init__(self, source: str, target: str, label: str | None):
        self.source = source
        self.target = target
        self.label = label
        self.carriers: dict[int, None] = {}  # tensor item indices whose values travel on the edge
        self.highlighted = False


class Renderer:
    """Builds one ``graphviz.Digraph``; a new one per picture."""

    def __init__(self, model: GraphModel, folding: Folding, options: RenderOptions):
        self.model = model
        self.folding = folding
        self.options = options
        self.outputs_of = _outputs_of(model)
        self.reach = _reachable(model, options.highlight) if options.highlight else set()
        self._stats_cache: dict[int, object] = {}
        self.families_used: set[str] = set()

    # ------------------------------------------------------------------ entry point
    def render(self) -> tuple[graphviz.Digraph, int, int]:
        options = self.options
        graph = graphviz.Digraph(
            graph_attr={
                "rankdir": options.rankdir,
                "fontname": FONT,
                "nodesep": "0.25",
                "ranksep": "0.35",
                "bgcolor": "white",
                "labelloc": "b",
                "labeljust": "l",
            },
            node_attr={"fontname": FONT, "fontsize": "11"},
            edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"},
        )
        clusters: dict[int, list[str]] = {}
        top: list[str] = []
        node_count = 0
        for index, item in enumerate(self.model.items):
            if self.folding.rep[index] is not None:
                continue
            line = self._item_line(item)
            call = self.model.item_call.get(index)
            (clusters.setdefault(call.index, []) if call is not None else top).append(line)
            node_count += 1
        for box in self.folding.boxes:
            line = self._box_line(box)
            call = box.parent_call
            (clusters.setdefault(call.index, []) if call is not None else top).append(line)
            node_count += 1
        graph.body.extend(top)
        self._add_clusters(graph, clusters)
        edges = self._edges()
        for edge in edges:
            graph.body.append(self._edge_line(edge))
        label = graph_label(self.options, self.model, self.folding, self.families_used)
        if label:
            graph.attr(label=label)
        return graph, node_count, len(edges)

    # ----------------------------------------------------------------------- tensors
    def _grad(self, item: TensorItem) -> np.ndarray | None:
        grads = self.options.grads
        if grads is not None:
            return grads.get(item.index)
        return item.grad

    def _grad_stats(self, item: TensorItem):
        key = item.index
        if key not in self._stats_cache:
            grad = self._grad(item)
            self._stats_cache[key] = None if grad is None else array_stats(grad)
        return self._stats_cache[key]

    def _bucket(self, item: TensorItem) -> int | None:
        """The colour bucket of a tensor under ``color_by`` (None: drawn plain)."""
        color_by = self.options.color_by
        if color_by == "grad":
            stats = self._grad_stats(item)
            if stats is None:
                return None
            return palette.NONFINITE if not stats.finite else palette.GRAD_SCALE.bucket(stats.rms)
        if color_by == "ratio" and item.kind in ("param", "input"):
            stats = self._grad_stats(item)
            if stats is None:
                return None
            if not stats.finite:
                return palette.NONFINITE
            data_norm = float(np.linalg.norm(np.asarray(item.value, dtype=np.float64)))
            return palette.RATIO_SCALE.bucket(stats.norm / data_norm if data_norm else float("inf"))
        return None

    def _item_line(self, item) -> str:
        if item.is_op:
            return self._op_line(item)
        return self._tensor_line(item)

    def _tensor_line(self, item: TensorItem) -> str:
        options = self.options
        if item.kind == "constant" and item.value.size <= TINY_SIZE:
            return self._small_constant_line(item)
        grad = self._grad(item)
        saturation = self._saturation(item)
        rows = [self._header(item)]
        if options.show_shapes:
            rows.append(
                markup.row(markup.small(html.escape(_shape_text(item.shape, item.dtype)), MUTED), colspan=2)
            )
        if options.show_values and item.value is not None:
            rows.extend(markup.quantity_rows("data", array_lines(item.value)))
        if (
            options.show_grads
            and item.kind != "constant"
            and (self.model.has_grads or options.grads is not None)
        ):
            rows.extend(self._grad_rows(item, grad))
        found = badges(item.value, grad, saturation)
        if found:
            rows.append(markup.row(markup.small(html.escape("⚠ " + " · ".join(found)), BADGE), colspan=2))
        border = {"param": 2, "loss": 3, "output": 2}.get(item.kind, 1)
        style = "" if item.kind in ("input", "constant") else ' STYLE="rounded"'
        color = BORDER if not self.reach or item.index in self.reach else FADED
        if item.kind == "constant":
            color = CONSTANT
        if item.index in options.current:
            border, color = 3, CURRENT
        table = (
            f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"{style} '
            f'COLOR="{color}" BGCOLOR="white">{"".join(rows)}</TABLE>>'
        )
        attributes = {
            "shape": "plain",
            "label": table,
            "tooltip": self._tensor_tooltip(item, grad, saturation),
        }
        return markup.node_statement(f"n{item.index}", attributes)

    def _small_constant_line(self, item: TensorItem) -> str:
        """A number (or a few) that needs no gradient: a small grey box with its value, to six
        digits (a constant such as 1.0001 must not read as 1)."""
        value = format_values(item.value, CONSTANT_DIGITS)
        text = value if item.auto_named else f"{item.name} = {value}"
        attributes = {
            "shape": "box",
            "style": "rounded,dashed",
            "color": CONSTANT,
            "fontcolor": "#555555",
            "fontsize": "10",
            "height": "0.25",
            "margin": "0.05,0.02",
            "label": text,
            "tooltip": f"{item.name}: a constant (needs no grad), "
            f"{_shape_text(item.shape, item.dtype)}, value {value}",
        }
        return markup.node_statement(f"n{item.index}", attributes)

    def _saturation(self, item: TensorItem) -> float | None:
        """The share of saturated tanh/sigmoid outputs, from the values, or from the gradients
        when backward freed the values (only when the input feeds nothing else)."""
        op_class = item.op_class
        if op_class not in ("Tanh", "Sigmoid"):
            return None
        if item.value is not None:
            return saturated_share(op_class, item.value)
        grad_out = self._grad(item)
        inputs = [self.model.items[i] for i in self._producers[self._producers[item.index][0]]]
        if grad_out is None or len(inputs) != 1 or len(self._consumers[inputs[0].index]) != 1:
            return None
        grad_in = self._grad(inputs[0])
        return None if grad_in is None else saturated_share_from_gradients(op_class, grad_in, grad_out)

    @functools.cached_property
    def _producers(self) -> list[list[int]]:
        return self.model.producers()

    @functools.cached_property
    def _consumers(self) -> list[list[int]]:
        return self.model.consumers()

    def _header(self, item: TensorItem) -> str:
        tag = _KIND_TAGS.get(item.kind)
        name = html.escape(item.name)
        text = f'<FONT COLOR="{MUTED}">{name}</FONT>' if item.auto_named else f"<B>{name}</B>"
        if tag and tag != item.name:
            text += " " + markup.small(tag, MUTED)
        return markup.row(text, colspan=2)

    def _grad_rows(self, item: TensorItem, grad) -> list[str]:
        if grad is None:
            return [markup.row(markup.small("grad —", MUTED), colspan=2)]
        bucket = self._bucket(item) if self.options.color_by in ("grad", "ratio") else None
        if bucket is None:
            return markup.quantity_rows("grad", array_lines(grad))
        return markup.quantity_rows(
            "grad", array_lines(grad), palette.fill_color(bucket), palette.text_color(bucket)
        )

    def _tensor_tooltip(self, item: TensorItem, grad, saturation) -> str:
        lines = [f"{item.name} ({_KIND_TAGS.get(item.kind, 'intermediate')})"]
        count = int(np.prod(item.shape, dtype=np.int64))
        lines.append(_shape_text(item.shape, item.dtype) + f", {count:,} element{'' if count == 1 else 's'}")
        if item.value is not None:
            lines.append("value: " + _full_text(item.value))
        else:
            lines.append("value: freed by backward() (backward(retain_graph=True) keeps it)")
        if item.kind == "constant":
            lines.append("needs no grad: a constant or an input that does not require grad")
        elif grad is None:
            lines.append("grad: not computed")
        else:
            stats = self._grad_stats(item)
            lines.append("grad: " + _full_text(grad))
            lines.append(
                f"grad rms {format_number(stats.rms)}; zero in {stats.zero_share:.0%} of the elements"
            )
            if item.kind in ("param", "input") and item.value is not None:
                data_norm = float(np.linalg.norm(np.asarray(item.value, dtype=np.float64)))
                if data_norm:
                    lines.append(f"grad : data (norms) {format_number(stats.norm / data_norm)}")
        if saturation is not None:
            lines.append(f"saturated (|y| > 0.97 on the tanh scale): {saturation:.0%}")
        if item.node is not None:
            lines.append(f"made by {op_label(item.node)}{_site_text(item.node)}")
        call = self.model.item_call.get(item.index)
        if call is not None:
            lines.append("in " + _call_path(call))
        return "\n".join(lines)

    # -------------------------------------------------------------------- operations
    def _op_line(self, item) -> str:
        options = self.options
        node = item.node
        label = node.name() if options.view == "backward" else op_label(node)
        lines = [html.escape(label)]
        if options.show_attrs:
            lines.extend(html.escape(a) for a in all_attributes(node, options.max_attr_chars))
        if options.show_saved:
            lines.append(html.escape(_saved_text(node)))
        attributes = {
            "shape": "ellipse",
            "style": "filled",
            "fillcolor": "white",
            "color": BORDER,
            "margin": "0.04,0.02",
            "height": "0.3",
            "label": "<" + '<BR ALIGN="CENTER"/>'.join(lines) + ">",
            "tooltip": self._op_tooltip(item),
        }
        self._color_op(item, attributes)
        if self.reach and item.index not in self.reach:
            attributes["color"] = FADED
            attributes["fontcolor"] = "#999999"
        if item.index in options.current:
            attributes["penwidth"] = "3"
            attributes["color"] = CURRENT
        return markup.node_statement(f"n{item.index}", attributes)

    def _color_op(self, item, attributes: dict) -> None:
        color_by = self.options.color_by
        if color_by == "op":
            family = palette.op_family(item.class_name)
            self.families_used.add(family)
            attributes["fillcolor"] = palette.FAMILY_FILL[family]
            attributes["fontcolor"] = palette.FAMILY_TEXT.get(family, palette.DARK_TEXT)
        elif color_by == "grad":
            buckets = [self._bucket(self.model.items[i]) for i in self.outputs_of.get(item.index, ())]
            buckets = [b for b in buckets if b is not None]
            if buckets:
                bucket = palette.NONFINITE if palette.NONFINITE in buckets else max(buckets, key=_distance)
                attributes["fillcolor"] = palette.fill_color(bucket)
                attributes["fontcolor"] = palette.text_color(bucket)

    def _op_tooltip(self, item) -> str:
        node = item.node
        lines = [f"{op_label(node)}  ({node.name()}){_site_text(node)}"]
        call = self.model.item_call.get(item.index)
        if call is not None:
            lines.append("in " + _call_path(call))
        attributes = all_attributes(node, 80)
        if attributes:
            lines.append("attributes: " + ", ".join(attributes))
        return "\n".join(lines)

    # ------------------------------------------------------------------------- boxes
    def _box_line(self, box: FoldBox) -> str:
        if box.kind == "module":
            rows, bucket, shape = self._module_box(box)
        else:
            rows, bucket, shape = self._other_box(box), None, "box"
        fill = palette.fill_color(bucket) if bucket is not None else "#f2f2f2"
        text = palette.text_color(bucket) if bucket is not None else palette.DARK_TEXT
        body = "".join(markup.row(markup.colored(row, text)) for row in rows)
        attributes = {
            "shape": shape,
            "style": "filled" if box.kind == "module" else "filled,rounded,dashed",
            "fillcolor": fill,
            "color": BORDER,
            "label": f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{body}</TABLE>>',
            "tooltip": " / ".join(html.unescape(markup.strip_tags(r)) for r in rows),
        }
        if self.reach and not any(i in self.reach for i in box.members):
            attributes["color"] = FADED
        return markup.node_statement(box.id, attributes)

    def _module_box(self, box: FoldBox) -> tuple[list[str], int | None, str]:
        """Title, ``inputs → outputs`` shapes, parameter count and the gradient norm of the
        parameters inside (of the outputs, for a module without parameters of its own)."""
        model = self.model
        calls = box.calls
        rows = [f"<B>{html.escape(_group_title(calls))}</B>"]
        inputs, outputs = self._box_io.get(box.number, ({}, {}))
        shapes = [model.items[i].shape for i in outputs]
        if inputs or shapes:
            rows.append(
                html.escape(f"{_shapes(list(inputs))} → {_shapes(list(dict.fromkeys(shapes)))}".strip())
            )
        params = [
            model.items[i] for i in box.members if not model.items[i].is_op and model.items[i].kind == "param"
        ]
        details = []
        if params:
            count = sum(int(np.prod(p.shape, dtype=np.int64)) for p in params)
            per_call = f"{len(calls)} × {count // len(calls):,}" if len(calls) > 1 else f"{count:,}"
            details.append(f"{per_call} parameters")
        measured = params or [model.items[i] for i in outputs]
        known = [g for g in (self._grad(item) for item in measured) if g is not None]
        bucket = None
        if known:
            norm = float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in known)))
            details.append(f"{'grad' if params else 'output grad'} norm {format_number(norm)}")
            if self.options.color_by == "grad":
                size = sum(g.size for g in known)
                bucket = palette.GRAD_SCALE.bucket(norm / np.sqrt(size)) if size else None
        if details:
            rows.append(html.escape(" · ".join(details)))
        return rows, bucket, "box3d"

    @functools.cached_property
    def _box_io(self) -> dict[int, tuple[dict, dict]]:
        """Per box: the shapes of the tensors flowing in (parameters aside) and the tensor items
        flowing out, found in one pass over the edges."""
        io: dict[int, tuple[dict, dict]] = {}
        items = self.model.items
        rep = self.folding.rep
        for source, target, _ in self.model.edges:
            a, b = rep[source], rep[target]
            if a is b or items[source].is_op:
                continue
            if b is not None and items[source].kind != "param":
                io.setdefault(b.number, ({}, {}))[0][items[source].shape] = None
            if a is not None:
                io.setdefault(a.number, ({}, {}))[1][source] = None
        for root in self.model.roots:
            box = rep[root.index]
            if box is not None:
                io.setdefault(box.number, ({}, {}))[1][root.index] = None
        return io

    def _other_box(self, box: FoldBox) -> list[str]:
        operations = sum(1 for i in box.members if self.model.items[i].is_op)
        counts = html.escape(operation_counts(self.folding, box))
        if box.kind == "chain":
            return [f"<B>⋯ {operations:,} operations ⋯</B>", counts]
        return [f"<B>+ {len(box.members):,} more nodes</B>", counts, "raise max_nodes to show them"]

    # ------------------------------------------------------------------------- edges
    def _edges(self) -> list[_Edge]:
        rep = self.folding.rep
        items = self.model.items
        merged: dict[tuple[str, str], _Edge] = {}
        edges: list[_Edge] = []
        for source, target, label in self.model.edges:
            a, b = rep[source], rep[target]
            if a is not None and a is b:
                continue
            source_id = a.id if a is not None else f"n{source}"
            target_id = b.id if b is not None else f"n{target}"
            carrier = source if not items[source].is_op else target
            if a is None and b is None:
                edge = _Edge(source_id, target_id, label)
                edges.append(edge)
            else:
                key = (source_id, target_id)
                edge = merged.get(key)
                if edge is None:
                    edge = merged[key] = _Edge(source_id, target_id, label)
                    edges.append(edge)
                else:
                    edge.label = None  # several edges folded into one: no single argument name
            edge.carriers[carrier] = None
            if source in self.reach:
                edge.highlighted = True
        return edges

    def _edge_line(self, edge: _Edge) -> str:
        attributes = {}
        options = self.options
        carriers = [self.model.items[i] for i in edge.carriers]
        if all(c.kind == "constant" for c in carriers):
            attributes["color"] = CONSTANT
            attributes["style"] = "dashed"
        elif options.color_by == "grad":
            stats = [self._grad_stats(c) for c in carriers]
            stats = [s for s in stats if s is not None]
            if stats:
                finite = all(s.finite for s in stats)
                bucket = palette.GRAD_SCALE.bucket(max(s.rms for s in stats)) if finite else palette.NONFINITE
                attributes["color"] = palette.edge_color(bucket)
                attributes["penwidth"] = str(
                    palette.edge_width(max(s.norm for s in stats) if finite else None)
                )
                if not finite:
                    attributes["style"] = "dashed"
        if edge.label:
            attributes["headlabel"] = edge.label
            attributes["labeldistance"] = "1.6"
            attributes["labelangle"] = "30"
            attributes["labelfontcolor"] = MUTED
        if self.reach:
            if edge.highlighted:
                width = float(attributes.get("penwidth", "1"))
                attributes["penwidth"] = str(max(width, 3.0))
                attributes["style"] = "bold"
                attributes.setdefault("color", "#222222")
            else:
                attributes["color"] = FADED
                attributes["penwidth"] = "0.8"
        if options.view == "backward":
            attributes["dir"] = "back"
        return markup.edge_statement(edge.source, edge.target, attributes)

    # ----------------------------------------------------------------------- clusters
    def _add_clusters(self, graph: graphviz.Digraph, clusters: dict[int, list[str]]) -> None:
        """Nested subgraphs for the module calls that hold visible nodes (and their ancestors),
        built innermost first, so no recursion is needed."""
        needed: dict[int, ModuleCall] = {}
        for index in clusters:
            for call in self.model.calls[index].ancestors():
                needed[call.index] = call
        subgraphs = {}
        for call in sorted(needed.values(), key=lambda c: -c.level):
            subgraph = subgraphs.get(call.index)
            if subgraph is None:
                subgraph = subgraphs[call.index] = _cluster(call)
            subgraph.body.extend(clusters.get(call.index, ()))
        for call in sorted(needed.values(), key=lambda c: (-c.level, c.index)):
            subgraph = subgraphs[call.index]
            if call.parent is None:
                graph.subgraph(subgraph)
            else:
                parent = subgraphs.get(call.parent.index)
                if parent is None:
                    parent = subgraphs[call.parent.index] = _cluster(call.parent)
                parent.subgraph(subgraph)


# --------------------------------------------------------------------------- helpers
def _distance(bucket: int) -> int:
    """How far a bucket is from healthy: an operation takes the worst colour of its outputs."""
    return abs(bucket - palette.HEALTHY)


def _outputs_of(model: GraphModel) -> dict[int, list[int]]:
    outputs: dict[int, list[int]] = {}
    for source, target, _ in model.edges:
        if model.items[source].is_op:
            outputs.setdefault(source, []).append(target)
    return outputs


def _reachable(model: GraphModel, starts: set[int]) -> set[int]:
    """Items on a path from ``starts`` to the output (everything downstream of them)."""
    consumers = model.consumers()
    seen = set(starts)
    stack = list(starts)
    while stack:
        for target in consumers[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _cluster(call: ModuleCall) -> graphviz.Digraph:
    return graphviz.Digraph(
        name=f"cluster_{call.index}",
        graph_attr={
            "label": call.label,
            "labeljust": "l",
            "labelloc": "t",
            "style": "rounded",
            "color": "#9a9a9a",
            "fontcolor": "#333333",
            "fontsize": "11",
            "margin": "10",
        },
    )


def _shape_text(shape: tuple, dtype) -> str:
    dims = "scalar" if len(shape) == 0 else "(" + ", ".join(str(s) for s in shape) + ")"
    return dims if dtype is None else f"{dims} {dtype}"


def _shapes(shapes: list) -> str:
    return ", ".join(_shape_text(s, None) for s in shapes)


def _full_text(array: np.ndarray) -> str:
    """For a tooltip: the statistics, and every number when there are at most 16."""
    if array.size <= TINY_SIZE:
        return format_values(array)
    text = format_stats(array_stats(array))
    return text + "; values " + format_values(array) if array.size <= 16 else text


def _site_text(node) -> str:
    site = node.metadata.get("site")
    if not site:
        return ""
    return f" at {os.path.basename(site[0])}:{site[1]}"


def _call_path(call: ModuleCall) -> str:
    return " › ".join(c.label for c in reversed(call.ancestors()))


def _saved_text(node) -> str:
    saved = node._saved
    if saved is None:
        return "saved: nothing"
    if not isinstance(saved, tuple):
        return "saved: freed by backward"
    parts = []
    for item, _, _ in saved:
        if isinstance(item, int):
            parts.append("output")
        elif hasattr(item, "shape"):
            parts.append(_shape_text(tuple(item.shape), None))
        else:
            parts.append("None")
    return "saved: " + ", ".join(parts)


def _group_title(calls: list[ModuleCall]) -> str:
    if len(calls) == 1:
        return calls[0].label
    first, last = calls[0], calls[-1]
    if all(call.module is first.module for call in calls):
        name = f"{first.name}: " if first.name else ""
        return f"{name}{first.type_name} × {len(calls)} calls"
    head, _, first_index = first.name.rpartition(".")
    last_head, _, last_index = last.name.rpartition(".")
    if head == last_head and first_index.isdigit() and last_index.isdigit():
        names = f"{head + '.' if head else ''}{first_index}–{last_index}"
    else:
        names = f"{first.name}…{last.name}"
    return f"{names}: {first.type_name} × {len(calls)}"
