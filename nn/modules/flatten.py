"""``Flatten`` and ``Unflatten``: reshape between a feature map and a feature vector."""

from __future__ import annotations

from autograd_core import Tensor

from .module import Module


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one: ``(N, C, H, W) -> (N, C*H*W)``.

    >>> import autograd_core as ag
    >>> Flatten()(ag.zeros(2, 3, 4, 5)).shape
    (2, 60)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: ``(N, 60) -> (N, 3, 4, 5)``.

    >>> import autograd_core as ag
    >>> Unflatten(1, (3, 4, 5))(ag.zeros(2, 60)).shape
    (2, 3, 4, 5)
    """

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(
            isinstance(s, int) for s in unflattened_size
        ):
            raise TypeError(f"unflattened_size must be a tuple of ints, got {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
