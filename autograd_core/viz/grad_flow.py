"""``plot_grad_flow``: how big the gradients are, layer by layer (matplotlib).

Two panels, one bar group per parameter tensor, first layer on the left:

- mean |grad| and max |grad| on a log scale: bars that shrink towards the input show
  vanishing gradients, a bar at zero a parameter that gets no gradient at all;
- the grad:data ratio, std(grad) / std(data), also on a log scale: the size of an SGD step
  (before the learning rate) relative to the weights. A reference line marks 1e-3, where
  Karpathy's lectures suggest the *update* (lr × grad) to data ratio should sit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .._tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TypeAlias

    from matplotlib.figure import Figure

    from nn.modules.module import Module

    # a module, a dict {name: tensor}, (name, tensor) pairs or plain tensors
    ParameterSource: TypeAlias = "Module | Mapping[str, Tensor] | Iterable[Tensor | tuple[str, Tensor]]"

REFERENCE_RATIO = 1e-3


def named_parameters_of(source: ParameterSource) -> list[tuple[str, Tensor]]:
    """``(name, tensor)`` pairs from a module, a dict, pairs, or plain tensors (named p0, p1...)."""
    if callable(getattr(source, "named_parameters", None)):
        return list(source.named_parameters())
    if isinstance(source, Mapping):
        return list(source.items())
    pairs = []
    for number, entry in enumerate(source):
        if isinstance(entry, Tensor):
            pairs.append((entry.name or f"p{number}", entry))
        elif isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Tensor):
            pairs.append((str(entry[0]), entry[1]))
        else:
            raise TypeError(
                "plot_grad_flow takes a module, a dict {name: tensor}, (name, tensor) pairs or tensors; "
                f"got an entry of type {type(entry).__name__}"
            )
    return pairs


def grad_flow_table(source: ParameterSource) -> list[dict]:
    """Per parameter: name, mean and max |grad|, the grad:data ratio, and whether it has a grad."""
    rows = []
    for name, tensor in named_parameters_of(source):
        if not tensor.requires_grad:
            continue
        data = np.asarray(tensor.numpy(), dtype=np.float64)
        row = {"name": name, "has_grad": tensor.grad is not None, "mean": 0.0, "max": 0.0, "ratio": 0.0}
        if tensor.grad is not None:
            grad = np.abs(np.asarray(tensor.grad.numpy(), dtype=np.float64))
            row["mean"] = float(grad.mean()) if grad.size else 0.0
            row["max"] = float(grad.max()) if grad.size else 0.0
            data_std = float(data.std()) if data.size > 1 else float(np.abs(data).mean())
            grad_std = float(grad.std()) if grad.size > 1 else float(grad.mean())
            row["ratio"] = grad_std / data_std if data_std > 0 else float("inf")
        rows.append(row)
    return rows


def plot_grad_flow(model_or_named_parameters: ParameterSource, *, title: str = "Gradient flow") -> Figure:
    """Plot mean and max |grad| and the grad:data ratio per parameter; returns the matplotlib
    ``Figure`` (shown inline in a notebook; ``fig.savefig("flow.png")`` saves it).

    >>> import autograd_core as ag
    >>> w = ag.Tensor([[1.0, 2.0]], requires_grad=True, name="w")
    >>> (w * w).sum().backward()
    >>> figure = plot_grad_flow([w])
    >>> [axis.get_title() for axis in figure.axes]
    ['mean and max |grad|', 'grad : data ratio (std)']
    """
    from matplotlib.figure import Figure

    rows = grad_flow_table(model_or_named_parameters)
    if not rows:
        raise ValueError("plot_grad_flow: no parameters that require grad were given")
    names = [row["name"] for row in rows]
    positions = np.arange(len(rows))
    figure = Figure(figsize=(max(6.0, 0.45 * len(rows) + 2.5), 6.0), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    floor = _floor([row["mean"] for row in rows] + [row["max"] for row in rows])
    maxima = [max(row["max"], floor) for row in rows]
    means = [max(row["mean"], floor) for row in rows]
    top.bar(positions, maxima, width=0.8, color="#92c5de", label="max |grad|")
    top.bar(positions, means, width=0.5, color="#2166ac", label="mean |grad|")
    top.set_yscale("log")
    top.set_title("mean and max |grad|")
    top.set_ylabel("|grad|")
    missing = [p for p, row in zip(positions, rows) if not row["has_grad"]]
    if missing:
        top.scatter(missing, [floor] * len(missing), marker="x", color="#b2182b", zorder=3, label="no grad")
    top.legend(loc="best", fontsize=8)
    ratios = [row["ratio"] for row in rows]
    ratio_floor = _floor(ratios)
    bottom.bar(
        positions, [max(r, ratio_floor) if np.isfinite(r) else ratio_floor for r in ratios], color="#ef8a62"
    )
    bottom.axhline(REFERENCE_RATIO, color="#444444", linestyle="--", linewidth=1, label="1e-3")
    bottom.set_yscale("log")
    bottom.set_title("grad : data ratio (std)")
    bottom.set_ylabel("std(grad) / std(data)")
    bottom.legend(loc="best", fontsize=8)
    bottom.set_xticks(positions, names, rotation=60, ha="right", fontsize=8)
    figure.suptitle(title)
    return figure


def _floor(values: list[float]) -> float:
    """A small positive value to draw zeros at on a log axis: a decade under the smallest."""
    positive = [v for v in values if v > 0 and np.isfinite(v)]
    return min(positive) / 10 if positive else 1e-12
