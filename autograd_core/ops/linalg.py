"""Matrix products."""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import Function
from .elementwise import promote


class MatMul(Function):
    """a @ b for operands with at least 2 dimensions (leading dimensions broadcast).

    d/da = g @ bᵀ, d/db = aᵀ @ g; the engine sums broadcast batch dimensions back.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a.numpy() @ b.numpy()

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad @ b.mT if ctx.needs_input_grad[0] else None
        grad_b = a.mT @ grad if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def matmul(a, b) -> Tensor:
    """PyTorch's matmul: 1-D operands are promoted to a row (left) or a column (right) and
    the added dimension is removed from the result."""
    a, b = promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"matmul needs operands with at least 1 dimension, got shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}; use * to multiply by a scalar"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied: "
            f"the last dimension of the first ({inner_a}) must equal the "
            f"{'second-to-last' if b.ndim > 1 else 'only'} dimension of the second ({inner_b}). "
            "Transpose one operand (.T) or check the layer sizes."
        )
    if a.ndim >= 2 and b.ndim >= 2:
        try:
            return MatMul.apply(a, b)
        except ValueError:
            raise RuntimeError(
                f"matmul: the batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} "
                "cannot be broadcast together"
            ) from None
    left = a.unsqueeze(0) if a.ndim == 1 else a
    right = b.unsqueeze(-1) if b.ndim == 1 else b
    out = MatMul.apply(left, right)
    if a.ndim == 1:
        out = out.squeeze(-2)
    if b.ndim == 1:
        out = out.squeeze(-1)
    return out


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot needs two 1-D tensors, got {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    return a.unsqueeze(-1) * b
