"""Large graphs fold themselves: a 100,000-operation chain, a wide sum, and the notes that say
what was hidden and how to see it."""

from __future__ import annotations

import time

import numpy as np

import autograd_core as ag
from autograd_core.viz import draw_graph

from .dot_text import edges, node_named, nodes


def test_a_100000_deep_chain_renders_folded_in_seconds():
    x = ag.Tensor([0.5], requires_grad=True, name="x")
    y = x
    for _ in range(50_000):
        y = (y * 1.0001).tanh()
    start = time.perf_counter()
    view = draw_graph(y)
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"drawing took {elapsed:.1f} s"
    assert view.node_count <= 300
    (box,) = [text for node, text in nodes(view.source).items() if node.startswith("fold")]
    hidden = 100_000 - 2 * 3  # three operations stay visible at each end of the chain
    assert f"⋯ {hidden:,} operations ⋯" in box
    assert "Tanh × 49,997" in box and "Mul × 49,997" in box
    assert f"{hidden:,} operations hidden" in view.notes[1]
    assert "max_nodes=" in view.notes[0] and "draw_graph(some_intermediate_tensor)" in view.notes[0]
    assert node_named(view.source, "x")  # the input stays in the picture


def test_a_wide_graph_keeps_the_part_nearest_the_output_within_max_nodes():
    xs = [ag.Tensor(float(i), requires_grad=True) for i in range(200)]
    total = xs[0] * xs[0]
    for x in xs[1:]:
        total = total + x * x
    view = draw_graph(total, max_nodes=50)
    assert view.node_count <= 50
    (rest,) = [text for node, text in nodes(view.source).items() if node.startswith("fold")]
    items = 200 + 2 * 200 + 2 * 199  # leaves; products and their outputs; sums and their outputs
    hidden = items - (view.node_count - 1)  # all but the visible nodes (the box is one of them)
    assert f"+ {hidden:,} more nodes" in rest
    assert "farthest from the output" in view.notes[-1]
    root = node_named(view.source, "loss")
    assert any(target == root for _, target, _ in edges(view.source))


def test_folded_edges_are_merged_and_keep_their_gradient_colour():
    w = ag.Tensor(np.ones(2), requires_grad=True, name="w")
    y = ag.Tensor(np.ones(2), requires_grad=True, name="y0")
    for _ in range(40):
        y = y * w  # w feeds every operation of the chain
    y = y.sum()
    y.backward()
    view = draw_graph(y, max_nodes=20)
    box = [node for node in nodes(view.source) if node.startswith("fold")]
    w_id = node_named(view.source, "w")
    into_box = [e for e in edges(view.source) if e[0] == w_id and e[1] in box]
    assert len(into_box) == 1  # 34 uses of w inside the box: one edge
