"""Grad mode: whether operations record the graph. A context variable, so safe across threads.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and as
decorators, as in PyTorch.
"""

from __future__ import annotations

import contextvars
import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import ParamSpec, TypeVar

    _P = ParamSpec("_P")
    _R = TypeVar("_R")

_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("grad_enabled", default=True)


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _grad_enabled.get()


class _GradMode:
    """Base of the grad-mode switches: enter sets the mode, exit restores the previous one."""

    enabled = True

    def __enter__(self) -> None:
        self._token = _grad_enabled.set(self.enabled)

    def __exit__(self, *exc_info: object) -> None:
        _grad_enabled.reset(self._token)

    def __call__(self, function: Callable[_P, _R]) -> Callable[_P, _R]:
        mode = type(self)

        @functools.wraps(function)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with mode():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Do not record operations: for evaluation and for parameter updates.

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    enabled = False


class enable_grad(_GradMode):
    """Record operations again inside a ``no_grad`` block."""

    enabled = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches recording off now; as a context manager, until exit."""

    def __init__(self, mode: bool) -> None:
        self.enabled = bool(mode)
        self._previous = _grad_enabled.set(self.enabled)

    def __enter__(self) -> None:
        """The mode was already set by the constructor."""

    def __exit__(self, *exc_info: object) -> None:
        _grad_enabled.reset(self._previous)

    def __call__(self, function: Callable[_P, _R]) -> Callable[_P, _R]:
        _grad_enabled.reset(self._previous)
        enabled = self.enabled

        @functools.wraps(function)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            token = _grad_enabled.set(enabled)
            try:
                return function(*args, **kwargs)
            finally:
                _grad_enabled.reset(token)

        return wrapper
