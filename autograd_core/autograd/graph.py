"""Reading the recorded graph: which module made a node, and where in the user's code.

``nn.Module.__call__`` runs its ``forward`` inside ``module_scope(self)``; every node created
meanwhile records the chain of running modules (outermost first) as ``node.metadata["module"]``,
so a picture of the graph can group nodes by module.
"""

from __future__ import annotations

import contextlib

from .function import _scope_stack


@contextlib.contextmanager
def module_scope(module):
    """Record ``module`` (inside the modules already running) on the nodes made in this block."""
    parent = _scope_stack[-1] if _scope_stack else ()
    _scope_stack.append(parent + (module,))
    try:
        yield
    finally:
        _scope_stack.pop()


def current_scope() -> tuple:
    """The modules running now, outermost first (empty outside any module)."""
    return _scope_stack[-1] if _scope_stack else ()
