"""Colours: gradient size on a colour-blind-safe diverging scale, and operation families.

The scale is ColorBrewer's 7-class RdBu (safe for the common colour-vision deficiencies):
blue for vanishing gradients, near-white for healthy ones, red for exploding ones. NaN or Inf
gets a mark of its own (black with white text), outside the scale. Buckets are decades of the
gradient's root-mean-square size, so a large tensor is not "exploding" only for being large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NONFINITE = -1  # the bucket of a gradient with NaN or Inf in it


@dataclass(frozen=True)
class Scale:
    """Decade thresholds (log10) between 7 buckets, with legend text for each bucket."""

    title: str
    thresholds: tuple[float, ...]
    labels: tuple[str, ...]

    def bucket(self, magnitude: float) -> int:
        """0 (darkest blue) ... 3 (healthy) ... 6 (darkest red); NONFINITE for NaN/Inf."""
        if not math.isfinite(magnitude):
            return NONFINITE
        if magnitude <= 0.0:
            return 0
        level = math.log10(magnitude)
        for index, threshold in enumerate(self.thresholds):
            if level < threshold:
                return index
        return len(self.thresholds)


GRAD_SCALE = Scale(
    title="|grad| (root mean square)",
    thresholds=(-8, -6, -4, 1, 3, 5),
    labels=("< 1e-8", "1e-8 to 1e-6", "1e-6 to 1e-4", "1e-4 to 10", "10 to 1e3", "1e3 to 1e5", "≥ 1e5"),
)

RATIO_SCALE = Scale(
    title="grad : data (leaves, norm of grad / norm of data)",
    thresholds=(-7, -6, -5, -1, 0, 1),
    labels=("< 1e-7", "1e-7 to 1e-6", "1e-6 to 1e-5", "1e-5 to 0.1", "0.1 to 1", "1 to 10", "≥ 10"),
)

HEALTHY = 3
BUCKET_MEANING = ("vanishing", "vanishing", "small", "healthy", "large", "exploding", "exploding")

# Fills for nodes, from vanishing (blue) through healthy (near white) to exploding (red).
FILL = ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b")
# Edges need to stay visible on white, so their neutral is grey and their ends are darker.
EDGE = ("#053061", "#2166ac", "#4393c3", "#8a8a8a", "#d6604d", "#b2182b", "#67001f")
NONFINITE_FILL = "#000000"
NONFINITE_EDGE = "#000000"
DARK_TEXT = "#1a1a1a"
LIGHT_TEXT = "#ffffff"


def fill_color(bucket: int) -> str:
    return NONFINITE_FILL if bucket == NONFINITE else FILL[bucket]


def edge_color(bucket: int) -> str:
    return NONFINITE_EDGE if bucket == NONFINITE else EDGE[bucket]


def text_color(bucket: int) -> str:
    """White text on the dark fills (the scale's ends and the NaN mark), dark text elsewhere."""
    return LIGHT_TEXT if bucket in (NONFINITE, 0, 6) else DARK_TEXT


def edge_width(norm: float | None) -> float:
    """Pen width from a gradient norm: 0.6 at 1e-6 or below, +0.25 per decade, at most 4.5."""
    if norm is None or not math.isfinite(norm) or norm <= 0.0:
        return 0.6
    decades = math.log10(norm) + 6.0
    return round(min(max(0.6 + 0.25 * decades, 0.6), 4.5), 2)


# ---------------------------------------------------------------- colour by operation family
OP_FAMILIES = {
    "arithmetic": ("Add", "Sub", "Mul", "Div", "Neg", "Pow", "PowScalar", "Abs", "Sqrt", "Clone"),
    "nonlinearity": (
        "Tanh",
        "Sigmoid",
        "Relu",
        "Exp",
        "Log",
        "Log1p",
        "Sin",
        "Cos",
        "Clamp",
        "Maximum",
        "Minimum",
        "Where",
    ),
    "linear algebra": ("MatMul", "Linear"),
    "reduction": ("Sum", "Prod", "Amax", "LogSumExp", "CumSum", "Softmax", "LogSoftmax"),
    "shape": ("Reshape", "Permute", "Expand", "SumTo", "Cat", "Stack", "Pad", "Flip", "Cast"),
    "indexing": ("GetItem", "IndexAdd", "IndexPut", "Gather", "ScatterAdd"),
    "loss": ("CrossEntropy",),
}
# Okabe-Ito colours (distinguishable with every common colour-vision deficiency).
FAMILY_FILL = {
    "arithmetic": "#f0e442",
    "nonlinearity": "#e69f00",
    "linear algebra": "#56b4e9",
    "reduction": "#cc79a7",
    "shape": "#dddddd",
    "indexing": "#009e73",
    "loss": "#d55e00",
    "other": "#ffffff",
}
FAMILY_TEXT = {"indexing": LIGHT_TEXT, "loss": LIGHT_TEXT}
_FAMILY_OF = {op: family for family, ops in OP_FAMILIES.items() for op in ops}


def op_family(op_class: str) -> str:
    """The family of an operation class name, ``"other"`` for ones not listed (user Functions)."""
    return _FAMILY_OF.get(op_class, "other")
