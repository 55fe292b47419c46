"""Square linear systems: ``solve`` (A x = B) and the Cholesky factor of a symmetric positive
definite matrix. Batched over leading dimensions, as PyTorch's ``torch.linalg``."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function


class Solve(Function):
    """X = A⁻¹ B. With G the gradient of X: d/dB = A⁻ᵀ G, d/dA = -(A⁻ᵀ G) Xᵀ."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        x = np.linalg.solve(a.numpy(), b.numpy())
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, x = ctx.saved_tensors
        grad_b = Solve.apply(a.mT, grad)
        grad_a = -(grad_b @ x.mT) if ctx.needs_input_grad[0] else None
        return grad_a, grad_b


class Cholesky(Function):
    """L lower triangular with L Lᵀ = A. With G the gradient of L and Φ(M) the lower triangle of
    M with its diagonal halved: S = L⁻ᵀ Φ(Lᵀ G) L⁻¹, d/dA = (S + Sᵀ) / 2 (Murray, 2016)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        factor = np.linalg.cholesky(a.numpy())
        ctx.save_for_backward(factor)
        return factor

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (factor,) = ctx.saved_tensors
        n = factor.shape[-1]
        lower_halved = np.tril(np.ones((n, n), dtype=factor.dtype)) - 0.5 * np.eye(n, dtype=factor.dtype)
        phi = (factor.mT @ grad) * _tensor_from_array(lower_halved)
        left = Solve.apply(factor.mT, phi)  # L⁻ᵀ Φ
        s = Solve.apply(factor.mT, left.mT).mT  # (L⁻ᵀ Φ) L⁻¹
        return (s + s.mT) * 0.5


def _check_square(a: Tensor, name: str) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.{name}: A must be a square matrix (or a batch of them), got shape {tuple(a.shape)}"
        )


def solve(A: Tensor, B: Tensor) -> Tensor:
    """The solution X of A X = B for square, invertible A (B a vector or a matrix).

    >>> import autograd_core as ag
    >>> solve(ag.tensor([[2.0, 0.0], [0.0, 4.0]]), ag.tensor([2.0, 2.0]))
    tensor([1.0000, 0.5000])
    """
    _check_square(A, "solve")
    if B.ndim == 1:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    if B.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: A of shape {tuple(A.shape)} and B of shape {tuple(B.shape)} do not "
            f"fit: B needs {A.shape[-1]} rows"
        )
    try:
        return Solve.apply(A, B)
    except np.linalg.LinAlgError:
        raise RuntimeError("linalg.solve: A is singular (not invertible)") from None


def cholesky(A: Tensor) -> Tensor:
    """The lower triangular L with L Lᵀ = A, for a symmetric positive definite A.

    >>> import autograd_core as ag
    >>> cholesky(ag.tensor([[4.0, 2.0], [2.0, 5.0]]))
    tensor([[2., 0.],
            [1., 2.]])
    """
    factor, info = cholesky_ex(A)
    failed = info.numpy()[info.numpy() != 0]
    if failed.size:
        raise RuntimeError(
            f"linalg.cholesky: the input is not positive definite (the leading minor of order "
            f"{failed[0]} is not positive); add a multiple of the identity, or check that A is symmetric"
        )
    return factor


def cholesky_ex(A: Tensor) -> tuple[Tensor, Tensor]:
    """(L, info) as PyTorch's ``cholesky_ex``: info (one per matrix of a batch) is 0 where A is
    positive definite, else the order of its first leading minor that is not; L is meaningful
    only where info is 0."""
    _check_square(A, "cholesky")
    a = A.numpy()
    try:
        return Cholesky.apply(A), _tensor_from_array(np.zeros(a.shape[:-2], dtype=np.int64))
    except np.linalg.LinAlgError:
        n = a.shape[-1]
        info = np.array([_first_bad_minor(m) for m in a.reshape(-1, n, n)], dtype=np.int64)
        return A * 0, _tensor_from_array(info.reshape(a.shape[:-2]))


def _first_bad_minor(a: np.ndarray) -> int:
    """The order of the first leading minor of the matrix ``a`` that is not positive, or 0."""
    for order in range(1, a.shape[-1] + 1):
        try:
            np.linalg.cholesky(a[:order, :order])
        except np.linalg.LinAlgError:
            return order
    return 0
