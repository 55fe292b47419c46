"""The layers of ``nn``, one file per family (as PyTorch's ``torch/nn/modules``)."""

from .container import ModuleDict, ModuleList, Sequential
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .module import Module

__all__ = [
    "Bilinear",
    "Flatten",
    "Identity",
    "Linear",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Sequential",
    "Unflatten",
]
