"""PyTorch's ``torch.utils`` for porting: ``autograd_core.utils.data`` is ``autograd_core.data``."""

from . import data

__all__ = ["data"]
