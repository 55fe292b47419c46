"""What a picture shows and how: the options every drawing function passes to the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class RenderOptions:
    """``draw_graph``'s options, plus what ``make_dot`` and ``draw_backprop_steps`` add."""

    show_values: bool = True
    show_grads: bool = True
    show_shapes: bool = True
    color_by: str | None = "grad"
    view: str = "forward"
    rankdir: str = "LR"
    highlight: set[int] = field(default_factory=set)  # indices of the items to trace to the output
    show_attrs: bool = False
    show_saved: bool = False
    max_attr_chars: int = 50
    grads: dict[int, np.ndarray | None] | None = None  # per-item gradients that replace the real ones
    current: set[int] = field(default_factory=set)  # items drawn with a thick outline
    title: str | None = None
