"""``Parameter``: a tensor that a ``Module`` owns and trains.

A ``Parameter`` is a ``Tensor`` (a subclass, as in PyTorch) that requires grad by default.
Assigning one to a module attribute registers it, so it shows up in ``parameters()``,
``named_parameters()`` and ``state_dict()``.

>>> import autograd_core as ag
>>> w = Parameter(ag.ones(2))
>>> w
Parameter containing:
tensor([1., 1.], requires_grad=True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import autograd_core
from autograd_core import Tensor

if TYPE_CHECKING:
    import numpy as np


class Parameter(Tensor):
    """A leaf tensor registered by the module it is assigned to.

    It shares the storage of ``data`` (as PyTorch's does): ``Parameter(t)`` does not copy ``t``.
    ``name`` (used by graph pictures) is set to the qualified name, such as ``fc1.weight``,
    when the module tree runs, unless you gave it a name of your own.
    """

    def __init__(self, data: Tensor | np.ndarray | None = None, requires_grad: bool = True) -> None:
        source = autograd_core.empty(0) if data is None else autograd_core.as_tensor(data)
        super().__init__((), name=source.name)
        self.data = source  # the same storage, not a copy
        self.requires_grad = requires_grad
        self._auto_name = None

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
