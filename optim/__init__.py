"""optim: PyTorch-style optimizers and learning-rate schedules, updating parameters with
in-place Tensor operations under no_grad.

>>> import optim
>>> optimizer = optim.Adam(model.parameters(), lr=1e-3)
>>> scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .lbfgs import LBFGS
from .newton import Newton
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "LBFGS", "Newton", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
