"""draw_backprop_steps: one frame per step of the real backward pass, gradients filling in in
reverse topological order, accumulation into a leaf used twice, files and notebook display."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.viz import draw_backprop_steps, draw_graph

from .dot_text import node_named, nodes
from .expressions import neuron


def _grad_text(source: str, name: str) -> str:
    """What a record shows after ``grad``: the number, or ``grad —`` when none is known yet."""
    record = nodes(source)[node_named(source, name)].split(" tooltip=")[0]
    if "grad —" in record:
        return "—"
    return record.split(">grad</FONT>")[1].split("</FONT>")[0].rsplit(">", 1)[1]


def test_one_frame_per_operation_and_the_backward_really_runs():
    o, leaves = neuron(backward=False)
    steps = draw_backprop_steps(o)
    assert len(steps) == 1 + 5  # the forward frame, then mul, mul, add, add, tanh
    assert float(leaves["x1"].grad) == pytest.approx(-1.5, abs=1e-5)
    assert float(leaves["w1"].grad) == pytest.approx(1.0, abs=1e-5)
    first = steps.frames[0].source
    assert all(_grad_text(first, name) == "—" for name in ("x1", "w1", "b", "o"))
    assert "Forward pass done" in steps.captions[0]


def test_gradients_fill_in_from_the_output_back_to_the_leaves():
    o, _ = neuron(backward=False)
    steps = draw_backprop_steps(o)
    known = [{name for name in ("o", "n", "b", "x1") if _grad_text(f.source, name) != "—"} for f in steps]
    assert known[1] == {"o", "n"}  # step 1: the seed at the output; tanh passes it on to n
    assert known[2] == {"o", "n", "b"}  # step 2: the add that made n sends b its gradient
    assert known[-1] == {"o", "n", "b", "x1"}
    first_known = [min(k for k, names in enumerate(known) if name in names) for name in ("o", "n", "x1")]
    assert first_known == sorted(first_known)  # reverse topological order


def test_the_last_frame_matches_the_picture_after_backward():
    o, _ = neuron(backward=False)
    last = draw_backprop_steps(o).frames[-1].source
    o2, _ = neuron(backward=True)
    after = draw_graph(o2).source
    for name in ("x1", "x2", "w1", "w2", "b", "n", "o"):
        assert _grad_text(last, name) == _grad_text(after, name)


def test_a_leaf_used_twice_shows_its_gradient_accumulating():
    x = ag.Tensor(2.0, requires_grad=True, name="x")
    y = (x * 3.0).tanh() * x
    steps = draw_backprop_steps(y)
    shown = [_grad_text(frame.source, "x") for frame in steps]
    partial = float(np.tanh(6.0))  # the first contribution, from the product with tanh(3x)
    total = partial + 2.0 * 3.0 * (1 - np.tanh(6.0) ** 2)
    assert shown[0] == "—"
    assert f"{partial:.4g}" in shown and shown[-1] == f"{total:.4g}"
    assert float(x.grad) == pytest.approx(total, rel=1e-5)
    assert steps.captions[-1].endswith("sends gradients to x (added to what it had).")


def test_the_step_being_shown_is_outlined():
    o, _ = neuron(backward=False)
    steps = draw_backprop_steps(o)
    tanh_frame = steps.frames[1].source
    outlined = {
        name for name in ("o", "n", "b", "x1") if "#e66101" in nodes(tanh_frame)[node_named(tanh_frame, name)]
    }
    assert outlined == {"o", "n"}  # the seed, and the tensor tanh's backward sent a gradient to
    assert "backward starts at o with gradient 1" in steps.captions[1]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_frames_save_to_files_and_show_in_a_notebook_with_a_slider(tmp_path):
    o, _ = neuron(backward=False)
    steps = draw_backprop_steps(o, color_by=None)
    paths = steps.save_frames(tmp_path / "frames")
    assert [p.rsplit("/", 1)[1] for p in paths] == [f"step_{k:03d}.png" for k in range(6)]
    assert all(open(p, "rb").read(4) == b"\x89PNG" for p in paths)
    page = steps._repr_html_()
    assert page.count("<svg") == 6 and 'type="range"' in page and 'max="5"' in page


def test_unknown_options_and_a_tensor_without_grad_are_errors():
    o, _ = neuron(backward=False)
    with pytest.raises(TypeError, match="unexpected options \\['colour'\\]"):
        draw_backprop_steps(o, colour="grad")
    with pytest.raises(RuntimeError, match="needs the result of a computation"):
        draw_backprop_steps(ag.ones(2).sum())
    with pytest.raises(RuntimeError, match="needs the result of a computation"):
        draw_backprop_steps(ag.ones(2, requires_grad=True))
