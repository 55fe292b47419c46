"""``autograd_core.linalg``: PyTorch's ``torch.linalg`` for square systems: ``solve``,
``cholesky``, ``cholesky_ex``, each differentiable (``ops/solve.py``)."""

from .ops.solve import cholesky, cholesky_ex, solve

__all__ = ["cholesky", "cholesky_ex", "solve"]
