"""draw_graph's DOT text: records with values and gradients, operations with attributes,
edges, colours, highlight, names, views and errors (no Graphviz needed for any of these)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.viz import draw_graph, make_dot, palette
from autograd_core.viz.view import GraphView

from .dot_text import attribute, edges, node_named, nodes
from .expressions import neuron


def _op_nodes(source: str, label: str) -> list[str]:
    return [node for node, text in nodes(source).items() if f"label=<{label}>" in text]


# ----------------------------------------------------------------------------- records
def test_neuron_records_show_values_and_gradients():
    o, leaves = neuron()
    source = draw_graph(o).source
    x1 = nodes(source)[node_named(source, "x1")]
    assert ">2</FONT>" not in x1 and ">2</TD>" in x1  # data 2
    assert ">-1.5</FONT>" in x1  # grad: dL/dx1 = w1 · (1 - o²) = -3 · 0.5
    w2 = nodes(source)[node_named(source, "w2")]
    assert ">0</FONT>" in w2 and "dead: zero grad" in w2  # x2 = 0, so w2 gets no gradient
    output = nodes(source)[node_named(source, "o")]
    assert "0.7071" in output and ">1</FONT>" in output  # tanh(0.8814) and the seed gradient
    assert "loss" in output  # the root is marked as the loss
    n = nodes(source)[node_named(source, "n")]
    assert "0.8814" in n and ">0.5</FONT>" in n  # the name given to an intermediate tensor


def test_records_show_shape_dtype_and_statistics_for_larger_tensors():
    x = ag.Tensor(np.arange(12, dtype=np.float64).reshape(3, 4), requires_grad=True, name="x")
    y = (x * x).sum()
    y.backward()
    record = nodes(draw_graph(y).source)[node_named(draw_graph(y).source, "x")]
    assert "(3, 4) float64" in record
    norm = float(np.linalg.norm(np.arange(12)))
    assert f"norm {norm:.4g}" in record and "mean 5.5" in record and "min 0" in record and "max 11" in record
    assert f"norm {2 * norm:.4g}" in record and "max 22" in record  # the gradient 2x


def test_before_backward_a_caption_says_gradients_are_not_computed():
    o, _ = neuron(backward=False)
    source = draw_graph(o).source
    assert "Gradients are not computed yet" in source
    assert ">grad</FONT>" not in source


def test_tensor_used_twice_is_drawn_once_with_two_edges_and_the_summed_gradient():
    x = ag.Tensor(3.0, requires_grad=True, name="x")
    y = x * x
    y.backward()
    source = draw_graph(y).source
    x_id = node_named(source, "x")
    (mul,) = _op_nodes(source, "mul")
    assert [e[:2] for e in edges(source)].count((x_id, mul)) == 2
    assert ">6</FONT>" in nodes(source)[x_id]  # d(x²)/dx = 2·3, both uses summed


def test_automatic_names_are_stable_and_params_override_names():
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    w = ag.Tensor([3.0, 4.0], requires_grad=True, name="w")
    y = (x * w).sum()
    source = draw_graph(y, params={"weights": w}).source
    assert "<B>weights</B>" in source and "<B>w</B>" not in source
    assert 'COLOR="#666666">t0</FONT>' in source  # x: first tensor, automatic name t0
    assert '<B>weights</B> <FONT POINT-SIZE="9" COLOR="#666666">parameter</FONT>' in source
    pairs = draw_graph(y, params=[("pair_name", x)]).source
    assert "<B>pair_name</B>" in pairs


def test_the_same_expression_gives_the_same_dot_text():
    first = draw_graph(neuron()[0]).source
    second = draw_graph(neuron()[0]).source
    assert first == second
    assert "0x" not in first  # no memory addresses


def test_constants_are_drawn_with_their_value_and_no_gradient():
    x = ag.Tensor([0.5], requires_grad=True, name="x")
    y = (1 - x * 1.0001).sum()
    y.backward()
    source = draw_graph(y).source
    constants = [text for text in nodes(source).values() if 'style="rounded,dashed"' in text]
    assert sorted(attribute(text, "label") for text in constants) == ["1", "1.0001"]
    (sub,) = _op_nodes(source, "sub")
    labels = sorted(attribute(attrs, "headlabel") for _, target, attrs in edges(source) if target == sub)
    assert labels == ["a", "b"]  # 1 - x·1.0001: the order matters, so the edges say which is which


def test_a_no_grad_input_tensor_is_drawn_as_a_constant_record():
    data = ag.Tensor(np.ones((5, 3)), name="batch")
    w = ag.Tensor(np.ones((3, 2)), requires_grad=True, name="w")
    loss = (data @ w).sum()
    source = draw_graph(loss).source
    record = nodes(source)[node_named(source, "batch")]
    assert "no grad" in record and "(5, 3) float64" in record and ">grad<" not in record


# -------------------------------------------------------------------------- operations
@pytest.mark.parametrize(
    ("build", "label"),
    [
        (lambda x: x.sum(dim=1), "sum(dim=1)"),
        (lambda x: x.sum(), "sum"),
        (lambda x: x.sum(dim=0, keepdim=True), "sum(dim=0, keepdim=True)"),
        (lambda x: x**2, "pow(2)"),
        (lambda x: x**0.5, "pow(0.5)"),
        (lambda x: x.reshape(3, 2), "reshape(3, 2)"),
        (lambda x: x.permute(1, 0), "permute(1, 0)"),
        (lambda x: x[0, 1:3], "[0, 1:3]"),
        (lambda x: x.softmax(dim=1), "softmax(dim=1)"),
        (lambda x: x.clamp(min=0), "clamp(min=0)"),
        (lambda x: x.tanh(), "tanh"),
        (lambda x: x @ x.T, "matmul"),
    ],
)
def test_operation_nodes_carry_their_attributes(build, label):
    x = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    source = draw_graph(build(x)).source
    assert _op_nodes(source, label), f"no operation labelled {label!r}"


def test_tooltips_give_the_line_of_code_and_full_statistics():
    o, _ = neuron()
    source = draw_graph(o).source
    (tanh,) = _op_nodes(source, "tanh")
    assert "(TanhBackward0) at expressions.py:" in attribute(nodes(source)[tanh], "tooltip")
    tooltip = attribute(nodes(source)[node_named(source, "x1")], "tooltip")
    assert "grad: -1.5" in tooltip and "value: 2" in tooltip


# ---------------------------------------------------------------------------- colours
def _grad_fill(source: str, name: str) -> str:
    """The background of a record's gradient rows."""
    record = nodes(source)[node_named(source, name)]
    grad_cell = record.split(">grad</FONT>")[0].rsplit("<TD", 1)[1]
    return attribute(grad_cell.replace("BGCOLOR", " BGCOLOR"), "BGCOLOR")


@pytest.mark.parametrize(
    ("scale", "bucket"),
    [(1e-12, 0), (1e-7, 1), (1e-5, 2), (1.0, 3), (100.0, 4), (1e4, 5), (1e7, 6)],
)
def test_planted_gradients_land_in_their_colour_bucket(scale, bucket):
    x = ag.Tensor(np.ones(4), requires_grad=True, name="x")
    (x * scale).sum().backward()
    source = draw_graph((x * scale).sum()).source  # drawn before its own backward: x.grad is set
    assert _grad_fill(source, "x") == palette.FILL[bucket]


def test_vanishing_and_exploding_paths_colour_their_edges_and_operations():
    small = ag.Tensor(np.ones(3), requires_grad=True, name="small")
    large = ag.Tensor(np.ones(3), requires_grad=True, name="large")
    loss = (small * 1e-10).sum() + (large * 1e8).sum()
    loss.backward()
    source = draw_graph(loss).source
    small_id, large_id = node_named(source, "small"), node_named(source, "large")
    edge_colors = {s: attribute(a, "color") for s, _, a in edges(source)}
    assert edge_colors[small_id] == palette.EDGE[0] and edge_colors[large_id] == palette.EDGE[6]
    widths = {s: float(attribute(a, "penwidth")) for s, _, a in edges(source) if s in (small_id, large_id)}
    assert widths[large_id] > widths[small_id]
    assert "Vanishing" not in source and "blue: vanishing" in source  # the legend


def test_nan_gradients_get_the_separate_mark_and_a_badge():
    x = ag.Tensor([np.nan, 4.0], requires_grad=True, name="x")
    y = (x * x).sum()
    y.backward()
    source = draw_graph(y).source
    assert _grad_fill(source, "x") == palette.NONFINITE_FILL
    assert "⚠ NaN" in nodes(source)[node_named(source, "x")]


def test_saturated_tanh_outputs_get_a_badge_even_after_backward_freed_them():
    x = ag.Tensor(np.linspace(-10, 10, 100), requires_grad=True, name="x")
    y = (x * 1.0).tanh()
    y.name = "y"
    y.sum().backward()
    source = draw_graph(y).source
    expected = np.mean(np.abs(np.tanh(np.linspace(-10, 10, 100))) > 0.97)
    assert f"saturated {expected:.0%}" in nodes(source)[node_named(source, "y")]
    assert "freed the values" in source


def test_dead_relu_gets_the_zero_gradient_badge():
    x = ag.Tensor([-1.0, -2.0], requires_grad=True, name="x")
    y = x.relu().sum()
    y.backward()
    source = draw_graph(y).source
    assert "dead: zero grad" in nodes(source)[node_named(source, "x")]


def test_color_by_ratio_op_and_none():
    w = ag.Tensor(np.full(4, 2.0), requires_grad=True, name="w")
    loss = (w * 1e-3).sum()  # any leaf that requires grad counts as a parameter here
    loss.backward()
    ratio = draw_graph(loss, color_by="ratio").source
    # ‖grad‖ / ‖data‖ = (1e-3 · 2) / (2 · 2) = 5e-4, in the healthy bucket
    assert _grad_fill(ratio, "w") == palette.FILL[palette.RATIO_SCALE.bucket(5e-4)] == palette.FILL[3]
    assert "grad : data" in ratio
    by_op = draw_graph(loss, color_by="op").source
    (mul,) = _op_nodes(by_op, "mul")
    assert attribute(nodes(by_op)[mul], "fillcolor") == palette.FAMILY_FILL["arithmetic"]
    assert "operation:" in by_op
    plain = draw_graph(loss, color_by=None).source
    assert all(attribute(text, "fillcolor") in (None, "white") for text in nodes(plain).values())
    assert 'BGCOLOR="#' not in plain.replace('BGCOLOR="white"', "")


# ---------------------------------------------------------------------------- highlight
def test_highlight_bolds_exactly_the_paths_from_the_parameter_to_the_loss():
    x = ag.Tensor(np.ones(3), name="x")
    w1 = ag.Tensor(np.ones(3), requires_grad=True, name="w1")
    w2 = ag.Tensor(np.ones(3), requires_grad=True, name="w2")
    a = x * w1
    b = (x * w2).tanh()
    loss = (a + b).sum()
    loss.backward()
    source = draw_graph(loss, highlight=w1).source
    bold = {(s, t) for s, t, attrs in edges(source) if attribute(attrs, "style") == "bold"}
    # follow the edges forward from w1: every edge out of a reached node is on a path to the loss
    reached, expected = {node_named(source, "w1")}, set()
    changed = True
    while changed:
        changed = False
        for s, t, _ in edges(source):
            if s in reached and (s, t) not in expected:
                expected.add((s, t))
                reached.add(t)
                changed = True
    assert bold == expected
    assert len(bold) == 6  # w1 -> mul -> a -> add -> sum's input -> sum -> loss
    assert draw_graph(loss, highlight="w1").source == source


def test_highlight_of_a_tensor_outside_the_graph_is_an_error():
    loss = (ag.Tensor([1.0], requires_grad=True) * 2).sum()
    with pytest.raises(ValueError, match="not in this graph"):
        draw_graph(loss, highlight=ag.Tensor([1.0], requires_grad=True))
    with pytest.raises(ValueError, match="'nope' is not in this graph"):
        draw_graph(loss, highlight="nope")


# ------------------------------------------------------------------------ views, aliases
def test_backward_view_names_backward_nodes_and_reverses_arrows():
    o, _ = neuron()
    source = draw_graph(o, view="backward", rankdir="TB").source
    assert _op_nodes(source, "TanhBackward0") and _op_nodes(source, "MulBackward0")
    assert all(attribute(attrs, "dir") == "back" for _, _, attrs in edges(source))
    assert "rankdir=TB" in source


def test_make_dot_takes_torchviz_arguments():
    x = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    y = x.sum(dim=1).sum()
    view = make_dot(y, params={"x": x}, show_attrs=True, show_saved=True, max_attr_chars=12)
    assert isinstance(view, GraphView)
    assert "<B>x</B>" in view.source and "SumBackward0" in view.source
    assert "keepdim=Fal…" in view.source  # attributes cut to max_attr_chars (12)
    assert "saved: nothing" in view.source


def test_tensor_draw_is_a_shortcut():
    o, _ = neuron()
    assert o.draw(color_by=None).source == draw_graph(o, color_by=None).source


def test_show_flags_remove_rows():
    o, _ = neuron()
    source = draw_graph(o, show_values=False, show_grads=False, show_shapes=False).source
    labels = "".join(text.split(" tooltip=")[0] for text in nodes(source).values())
    assert "<B>x1</B>" in labels
    assert ">data</FONT>" not in labels and ">grad</FONT>" not in labels and "scalar float32" not in labels


def test_several_roots_are_drawn_together():
    x = ag.Tensor(2.0, requires_grad=True, name="x")
    a, b = x * 3, x.exp()
    source = draw_graph([a, b]).source
    assert [e[0] for e in edges(source)].count(node_named(source, "x")) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"color_by": "gradient"}, ValueError, "color_by must be one of 'grad', 'ratio', 'op', None"),
        ({"view": "side"}, ValueError, "view must be one of"),
        ({"rankdir": "XY"}, ValueError, "rankdir must be one of"),
        ({"depth": -1}, ValueError, "depth must be None or an integer >= 0"),
        ({"max_nodes": 3}, ValueError, "max_nodes must be None or an integer >= 10"),
        ({"params": 5}, TypeError, "params must be a dict"),
    ],
)
def test_bad_arguments_say_what_to_pass(kwargs, error, message):
    o, _ = neuron()
    with pytest.raises(error, match=message):
        draw_graph(o, **kwargs)


def test_drawing_something_that_is_not_a_tensor_is_an_error():
    with pytest.raises(TypeError, match="draw_graph needs the Tensor to draw"):
        draw_graph(np.ones(3))
