"""Reading the recorded graph: which module made a node, and where in the user's code.

``nn.Module.__call__`` runs its ``forward`` inside ``module_scope(self)``; every node created
meanwhile records the chain of running modules (outermost first) as ``node.metadata["module"]``,
so a picture of the graph can group nodes by module.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from .function import _scope_stack

if TYPE_CHECKING:
    from collections.abc import Iterator

    from nn.modules.module import Module


class Scope(tuple):
    """The running modules, outermost first, during one call of the innermost. ``parent`` is
    the scope of the enclosing call (None outside any), so that pictures can tell two calls of
    the same module apart (a layer applied at every step of a recurrent network)."""

    parent: Scope | None


@contextlib.contextmanager
def module_scope(module: Module) -> Iterator[None]:
    """Record ``module`` (inside the modules already running) on the nodes made in this block."""
    parent = _scope_stack[-1] if _scope_stack else None
    scope = Scope((parent or ()) + (module,))
    scope.parent = parent
    _scope_stack.append(scope)
    try:
        yield
    finally:
        _scope_stack.pop()


def current_scope() -> tuple:
    """The modules running now, outermost first (empty outside any module)."""
    return _scope_stack[-1] if _scope_stack else ()
