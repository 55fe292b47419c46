"""plot_grad_flow: mean and max |grad| and the grad:data ratio per parameter, as numbers and as
the bars of the matplotlib figure."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.viz import plot_grad_flow
from autograd_core.viz.grad_flow import grad_flow_table


def _parameters():
    w = ag.Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True, name="w")
    b = ag.Tensor([0.5, 1.5], requires_grad=True, name="b")
    unused = ag.Tensor([1.0, 2.0], requires_grad=True, name="unused")
    ((w * w).sum() + (b * 3.0).sum()).backward()
    return w, b, unused


def test_the_table_holds_mean_max_and_ratio_per_parameter():
    w, b, unused = _parameters()
    rows = {row["name"]: row for row in grad_flow_table([w, b, unused])}
    grad_w = 2 * np.array([[1.0, -2.0], [3.0, 0.5]])
    assert rows["w"]["mean"] == pytest.approx(np.abs(grad_w).mean())
    assert rows["w"]["max"] == pytest.approx(6.0)
    assert rows["w"]["ratio"] == pytest.approx(np.abs(grad_w).std() / np.array([1.0, -2.0, 3.0, 0.5]).std())
    assert rows["b"]["mean"] == pytest.approx(3.0) and rows["b"]["ratio"] == pytest.approx(0.0)
    assert rows["unused"]["has_grad"] is False


def test_the_figure_draws_those_numbers_on_log_axes():
    w, b, unused = _parameters()
    figure = plot_grad_flow({"w": w, "b": b, "unused": unused})
    top, bottom = figure.axes
    assert top.get_yscale() == "log" and bottom.get_yscale() == "log"
    heights = [patch.get_height() for patch in top.patches]
    assert heights[0] == pytest.approx(6.0) and heights[3] == pytest.approx(np.abs([2, -4, 6, 1]).mean())
    assert [label.get_text() for label in bottom.get_xticklabels()] == ["w", "b", "unused"]
    assert any(line.get_ydata()[0] == pytest.approx(1e-3) for line in bottom.get_lines())
    assert "no grad" in [text.get_text() for text in top.get_legend().get_texts()]


def test_a_module_gives_its_named_parameters():
    nn = pytest.importorskip("nn")
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    model(ag.randn(8, 3)).sum().backward()
    names = [row["name"] for row in grad_flow_table(model)]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    figure = plot_grad_flow(model)
    assert [label.get_text() for label in figure.axes[1].get_xticklabels()] == names


def test_nothing_to_plot_is_an_error():
    with pytest.raises(ValueError, match="no parameters that require grad"):
        plot_grad_flow([ag.ones(2)])
    with pytest.raises(TypeError, match="plot_grad_flow takes a module"):
        plot_grad_flow([3])
