"""Numbers for a picture: a tensor's value or gradient as text, its statistics, and its badges.

Scalars and tiny tensors show every number (``%.4g``); larger ones show min / mean / max and
the norm. Badges flag what a learner should look at: NaN or Inf, a gradient that is exactly
zero everywhere (a dead path), and saturated tanh/sigmoid outputs (where the gradient vanishes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Tensors with at most this many elements show every number.
TINY_SIZE = 4

# |tanh(x)| above this counts as saturated (the gradient 1 - tanh² is below 0.06).
SATURATION_LEVEL = 0.97

# A "saturated" badge appears when at least this share of the outputs is saturated.
SATURATION_BADGE_SHARE = 0.1


@dataclass(frozen=True)
class ArrayStats:
    """Statistics of one array, over its finite elements (NaN and Inf are counted apart)."""

    size: int
    minimum: float
    mean: float
    maximum: float
    norm: float
    rms: float
    nan_count: int
    inf_count: int
    zero_share: float

    @property
    def finite(self) -> bool:
        return self.nan_count == 0 and self.inf_count == 0


def array_stats(array: np.ndarray) -> ArrayStats:
    """min, mean, max, L2 norm and root-mean-square of the finite elements, NaN/Inf counts and the
    share of exact zeros.

    >>> array_stats(np.array([3.0, -4.0])).norm
    5.0
    """
    values = np.asarray(array, dtype=np.float64).ravel()
    finite_mask = np.isfinite(values)
    finite = values if finite_mask.all() else values[finite_mask]
    nan_count = int(np.isnan(values).sum())
    inf_count = int(values.size - finite.size - nan_count)
    if finite.size == 0:
        nothing = float("nan")
        return ArrayStats(values.size, nothing, nothing, nothing, nothing, nothing, nan_count, inf_count, 0.0)
    norm = float(np.sqrt(np.dot(finite, finite)))
    return ArrayStats(
        size=int(values.size),
        minimum=float(finite.min()),
        mean=float(finite.mean()),
        maximum=float(finite.max()),
        norm=norm,
        rms=norm / np.sqrt(finite.size),
        nan_count=nan_count,
        inf_count=inf_count,
        zero_share=float(np.count_nonzero(values == 0) / values.size) if values.size else 0.0,
    )


def format_number(value: float, digits: int = 4) -> str:
    """``%.4g``: four significant digits, exponent notation when very large or small."""
    return f"{value:.{digits}g}"


def format_array(array: np.ndarray) -> str:
    """Every number for a tiny array (``[0.5, -1.2]``), else ``norm … mean … min … max …``."""
    if array.size <= TINY_SIZE:
        return format_values(array)
    return format_stats(array_stats(array))


def format_values(array: np.ndarray, digits: int = 4) -> str:
    """Every number, nested as the array is: ``[[1, 2], [3, 4]]``."""
    if array.ndim == 0:
        return format_number(float(array), digits)
    return np.array2string(
        np.asarray(array, dtype=np.float64),
        separator=", ",
        formatter={"float_kind": lambda value: format_number(value, digits)},
        max_line_width=10_000,
        threshold=10_000,
    )


def format_stats(stats: ArrayStats) -> str:
    return "  ".join(stats_lines(stats))


def stats_lines(stats: ArrayStats) -> list[str]:
    """Two short lines: ``norm … mean …`` and ``min … max …`` (and NaN/Inf counts if any)."""
    lines = [
        f"norm {format_number(stats.norm)}  mean {format_number(stats.mean)}",
        f"min {format_number(stats.minimum)}  max {format_number(stats.maximum)}",
    ]
    if not stats.finite:
        lines.append(f"{stats.nan_count} NaN, {stats.inf_count} Inf")
    return lines


def array_lines(array: np.ndarray) -> list[str]:
    """Every number of a tiny array on one line, else the two lines of ``stats_lines``."""
    if array.size <= TINY_SIZE:
        return [format_array(array)]
    return stats_lines(array_stats(array))


def saturated_share(op_class: str, value: np.ndarray | None) -> float | None:
    """The share of tanh outputs with |y| > 0.97, or of sigmoid outputs within 0.015 of 0 or 1
    (the same thing: sigmoid(x) = (1 + tanh(x/2)) / 2). None for other operations."""
    if value is None or value.size == 0:
        return None
    if op_class == "Tanh":
        centred = np.abs(value)
    elif op_class == "Sigmoid":
        centred = np.abs(2.0 * value - 1.0)
    else:
        return None
    return float(np.count_nonzero(centred > SATURATION_LEVEL) / value.size)


def saturated_share_from_gradients(op_class: str, grad_in: np.ndarray, grad_out: np.ndarray) -> float | None:
    """The same share, for when backward has freed the outputs: the local derivative
    dy/dx = grad_in / grad_out (1 - y² for tanh, y(1 - y) for sigmoid) below its value at the
    saturation level, over the elements where grad_out is not zero."""
    if op_class == "Tanh":
        limit = 1.0 - SATURATION_LEVEL**2
    elif op_class == "Sigmoid":
        limit = (1.0 - SATURATION_LEVEL**2) / 4.0
    else:
        return None
    if grad_in.shape != grad_out.shape:
        return None
    known = grad_out != 0
    count = int(np.count_nonzero(known))
    if count == 0:
        return None
    derivative = np.abs(grad_in[known] / grad_out[known])
    return float(np.count_nonzero(derivative < limit) / count)


def badges(value: np.ndarray | None, grad: np.ndarray | None, saturation: float | None) -> list[str]:
    """Short warnings for a tensor: ``NaN``, ``Inf``, ``dead`` (zero gradient), ``saturated 40%``."""
    found = []
    arrays = [a for a in (value, grad) if a is not None and a.dtype.kind == "f"]
    if any(np.isnan(a).any() for a in arrays):
        found.append("NaN")
    if any(np.isinf(a).any() for a in arrays):
        found.append("Inf")
    if grad is not None and grad.size and not np.any(grad):
        found.append("dead: zero grad")
    if saturation is not None and saturation >= SATURATION_BADGE_SHARE:
        found.append(f"saturated {saturation:.0%}")
    return found
