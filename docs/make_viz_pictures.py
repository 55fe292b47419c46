"""Render the example pictures of ``autograd_core.viz`` kept in docs/ (needs Graphviz's dot).

    .venv/bin/python docs/make_viz_pictures.py

- neuron.svg / .png: micrograd's neuron after backward; neuron_before_backward.png before it
- mlp.svg / .png: a small MLP on a regression batch, one cluster per layer
- mlp_depth1.png: the same with each layer folded into a box; mlp_highlight.png: the paths
  from fc1.weight to the loss
- vanishing.png: a deep sigmoid network, its gradients fading to blue towards the input
- exploding.png: a deep ReLU network with weights 8 times too large, its gradients turning red
- ops.png: colour by operation family
- deep_chain.png: a 100,000-operation chain, folded
- backprop_steps/step_*.png: the neuron's backward pass, one picture per step
- grad_flow.png: plot_grad_flow of the deep sigmoid network
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
from autograd_core.viz import draw_backprop_steps, draw_graph, plot_grad_flow  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def neuron():
    x1 = ag.Tensor(2.0, requires_grad=True, name="x1")
    x2 = ag.Tensor(0.0, requires_grad=True, name="x2")
    w1 = ag.Tensor(-3.0, requires_grad=True, name="w1")
    w2 = ag.Tensor(1.0, requires_grad=True, name="w2")
    b = ag.Tensor(6.8813735870195432, requires_grad=True, name="b")
    n = x1 * w1 + x2 * w2 + b
    n.name = "n"
    o = n.tanh()
    o.name = "o"
    return o


class MLP(nn.Module):
    def __init__(self, sizes, activation="tanh"):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.activation = activation

    def forward(self, x):
        for number, layer in enumerate(self.layers):
            x = layer(x)
            if number < len(self.layers) - 1:
                x = getattr(x, self.activation)()
        return x


class SmallMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 8)
        self.fc2 = nn.Linear(8, 8)
        self.fc3 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc3(self.fc2(self.fc1(x).tanh()).tanh())


def save(view, name: str) -> None:
    path = view.save(os.path.join(HERE, name))
    print("wrote", os.path.relpath(path, ROOT))


def main() -> None:
    o = neuron()
    save(draw_graph(o), "neuron_before_backward.png")
    o.backward()
    save(draw_graph(o), "neuron.svg")
    save(draw_graph(o), "neuron.png")

    ag.manual_seed(0)
    model = SmallMLP()
    x, y = ag.randn(16, 2), ag.randn(16, 1)
    x.name, y.name = "x", "y"
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward(retain_graph=True)
    save(draw_graph(loss, params=model), "mlp.svg")
    save(draw_graph(loss), "mlp.png")
    save(draw_graph(loss, depth=1), "mlp_depth1.png")
    save(draw_graph(loss, highlight=model.fc1.weight), "mlp_highlight.png")
    save(draw_graph(loss, color_by="op"), "ops.png")

    ag.manual_seed(0)
    deep = MLP([4] + [16] * 8 + [1], activation="sigmoid")
    loss = deep(ag.randn(32, 4)).pow(2).mean()
    loss.backward()
    save(draw_graph(loss, depth=1, rankdir="TB"), "vanishing.png")
    figure = plot_grad_flow(deep, title="Gradient flow: 8 sigmoid layers")
    figure.savefig(os.path.join(HERE, "grad_flow.png"), dpi=90)
    print("wrote docs/grad_flow.png")

    ag.manual_seed(0)
    big = MLP([4] + [16] * 6 + [1], activation="relu")
    with ag.no_grad():
        for layer in big.layers:
            layer.weight.mul_(8.0)
    loss = big(ag.randn(32, 4)).pow(2).mean()
    loss.backward()
    save(draw_graph(loss, depth=1, rankdir="TB"), "exploding.png")

    chain = ag.Tensor([0.5], requires_grad=True, name="x")
    out = chain
    for _ in range(50_000):
        out = (out * 1.0001).tanh()
    out.backward(ag.ones(1))
    save(draw_graph(out), "deep_chain.png")

    steps = draw_backprop_steps(neuron())
    for path in steps.save_frames(os.path.join(HERE, "backprop_steps")):
        print("wrote", os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
