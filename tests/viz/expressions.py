"""Expressions the viz tests draw, in a module of their own: the tooltips name the line that
created each node, so the golden DOT stays the same as long as this file does."""

from __future__ import annotations

import autograd_core as ag


def neuron(backward: bool = True):
    """micrograd's neuron: o = tanh(x1·w1 + x2·w2 + b), with its named leaves."""
    x1 = ag.Tensor(2.0, requires_grad=True, name="x1")
    x2 = ag.Tensor(0.0, requires_grad=True, name="x2")
    w1 = ag.Tensor(-3.0, requires_grad=True, name="w1")
    w2 = ag.Tensor(1.0, requires_grad=True, name="w2")
    b = ag.Tensor(6.8813735870195432, requires_grad=True, name="b")
    n = x1 * w1 + x2 * w2 + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    if backward:
        o.backward()
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n}
