"""nn: PyTorch-style neural-network modules, layers, losses and initialisation, built purely
on autograd_core's Tensor operations.

>>> import autograd_core as ag
>>> import nn
>>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
>>> model(ag.ones(4, 2)).shape
(4, 1)
"""

from . import callbacks, functional, init, metrics, modules, utils
from .modules import *  # noqa: F403  (every layer, as torch.nn does)
from .parameter import Parameter
from .training import History, evaluate, fit

__all__ = [
    *modules.__all__,
    "History",
    "Parameter",
    "callbacks",
    "evaluate",
    "fit",
    "functional",
    "init",
    "metrics",
    "utils",
]
