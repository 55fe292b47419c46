"""nn: PyTorch-style neural-network modules, layers, losses and initialisation, built purely
on autograd_core's Tensor operations.

>>> import autograd_core as ag
>>> import nn
>>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
>>> model(ag.ones(4, 2)).shape
(4, 1)
"""

from . import callbacks, functional, init, metrics
from .modules import (
    Bilinear,
    Flatten,
    Identity,
    Linear,
    Module,
    ModuleDict,
    ModuleList,
    Sequential,
    Unflatten,
)
from .parameter import Parameter
from .training import History, evaluate, fit

__all__ = [
    "Bilinear",
    "Flatten",
    "History",
    "Identity",
    "Linear",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Parameter",
    "Sequential",
    "Unflatten",
    "callbacks",
    "evaluate",
    "fit",
    "functional",
    "init",
    "metrics",
]
