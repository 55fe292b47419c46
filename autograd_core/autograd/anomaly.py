"""Anomaly detection: find the line of forward code behind a nan or inf in backward.

Inside ``detect_anomaly()`` every operation remembers the traceback of the forward call that
created it, and the engine checks each gradient a backward function returns. The first one that
holds a nan or an inf stops the backward pass with an error that names the operation
(``SqrtBackward0``), the gradient (for which input, its shape, how many bad values), the line of
your code that created the operation, and the whole forward traceback::

    x = ag.tensor([0.0, 4.0], requires_grad=True)
    with autograd.detect_anomaly():
        y = ag.sqrt(x).sum()
        y.backward()     # RuntimeError: Function 'SqrtBackward0' returned inf values in ...

As in PyTorch only the backward pass is checked (a nan in forward shows up there too), and the
mode slows every operation down: switch it on to hunt a bug, not for training.
"""

from __future__ import annotations

import functools
import linecache
import traceback
from typing import TYPE_CHECKING

import numpy as np

from . import function

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import ParamSpec, TypeVar

    from .function import Function

    _P = ParamSpec("_P")
    _R = TypeVar("_R")


def _set_mode(enabled: bool, check_nan: bool) -> None:
    function._anomaly_traces[0] = bool(enabled)
    function._anomaly_mode[0] = bool(enabled) and bool(check_nan)
    function._update_debug_mode()


def _current_mode() -> tuple[bool, bool]:
    return function._anomaly_traces[0], function._anomaly_mode[0]


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``)."""
    return function._anomaly_traces[0]


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly mode also checks every backward result for nan and inf."""
    return function._anomaly_mode[0]


class detect_anomaly:
    """Context manager (and decorator) that switches anomaly detection on.

    ``check_nan=False`` records the forward tracebacks without checking gradients for nan/inf.

    Example::

        with detect_anomaly():
            loss = model(x).sum()
            loss.backward()     # a nan gradient raises, naming the op and its forward line
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> detect_anomaly:
        self._previous = _current_mode()
        _set_mode(True, self.check_nan)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _set_mode(*self._previous)

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        check_nan = self.check_nan

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with detect_anomaly(check_nan):
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """``set_detect_anomaly(True)`` switches anomaly detection on now (``False`` off); used as a
    context manager, the previous setting comes back on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._previous = _current_mode()
        _set_mode(mode, check_nan)

    def __enter__(self) -> set_detect_anomaly:
        return self

    def __exit__(self, *exc_info: object) -> None:
        _set_mode(*self._previous)


def nonfinite_gradient_message(node: Function, index: int, grad: np.ndarray) -> str:
    """The error for a backward function that returned nan or inf (raised by the engine)."""
    nans = int(np.isnan(grad).sum())
    infs = int(np.isinf(grad).sum())
    kind = " and ".join(word for word, count in (("nan", nans), ("inf", infs)) if count)
    lines = [
        f"Function '{node.name()}' returned {kind} values in its {index}th output: the gradient "
        f"for input {index} of {type(node).__name__} (shape {tuple(grad.shape)}) holds {nans} nan "
        f"and {infs} inf among {grad.size} values."
    ]
    lines.extend(_creation_lines(node))
    lines.append(
        "A nan or inf gradient usually comes from an input on the edge of the operation's "
        "domain (sqrt or log of 0, 0/0, exp of a large number) or from a nan already in the "
        "forward values; print the operation's inputs at that line."
    )
    return "\n".join(lines)


def _creation_lines(node) -> list[str]:
    """Where ``node`` was created: the user's line, then the forward traceback if recorded."""
    lines = []
    site = function.creation_site(node)
    if site is not None:
        source = linecache.getline(site[0], site[1]).strip()
        lines.append(f"The operation was created at {site[0]}:{site[1]}")
        if source:
            lines.append(f"    {source}")
    trace = node._trace
    if trace is None:
        lines.append(
            "Its forward traceback was not recorded: the operation was created before anomaly "
            "detection was switched on. Run the forward pass inside detect_anomaly() too."
        )
    else:
        lines.append("Traceback of the forward call that created it (most recent call last):")
        lines.append("".join(traceback.format_list(trace)).rstrip("\n"))
    return lines
