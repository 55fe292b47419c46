"""Matrix products."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import grad_mode
from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function
from .elementwise import promote

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike


class MatMul(Function):
    """a @ b for operands with at least 2 dimensions (leading dimensions broadcast).

    d/da = g @ bᵀ, d/db = aᵀ @ g; the engine sums broadcast batch dimensions back. Each
    operand is saved only when the other one needs its gradient, as in PyTorch.

    The products in backward are MatMul operations, so the gradient is differentiable again
    (``create_graph=True``). When no graph of the gradient is being built, the same two
    products run on the arrays: a node for each product (and for each transpose) would cost
    more than the product itself at small sizes, and every training step takes this path.
    """

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a if b._requires_grad else None, b if a._requires_grad else None)
        return a.numpy() @ b.numpy()

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        if grad_mode._grad_enabled.get():  # create_graph: the products join the graph
            grad_a = MatMul.apply(grad, b.mT) if needs_a else None  # grad @ bᵀ
            grad_b = MatMul.apply(a.mT, grad) if needs_b else None  # aᵀ @ grad
            return grad_a, grad_b
        g = grad.numpy()
        grad_a = _tensor_from_array(g @ b.numpy().swapaxes(-1, -2)) if needs_a else None
        grad_b = _tensor_from_array(a.numpy().swapaxes(-1, -2) @ g) if needs_b else None
        return grad_a, grad_b


def matmul(a: Tensor | ArrayLike, b: Tensor | ArrayLike) -> Tensor:
    """PyTorch's matmul: 1-D operands are promoted to a row (left) or a column (right) and
    the added dimension is removed from the result."""
    if not (isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype is b._data.dtype):
        a, b = promote(a, b)
    shape_a, shape_b = a._data.shape, b._data.shape
    if not shape_a or not shape_b:
        raise RuntimeError(
            f"matmul needs operands with at least 1 dimension, got shapes {shape_a} and "
            f"{shape_b}; use * to multiply by a scalar"
        )
    inner_b = shape_b[-2] if len(shape_b) > 1 else shape_b[0]
    if shape_a[-1] != inner_b:
        raise RuntimeError(
            f"matmul: shapes {shape_a} and {shape_b} cannot be multiplied: the last dimension "
            f"of the first ({shape_a[-1]}) must equal the "
            f"{'second-to-last' if len(shape_b) > 1 else 'only'} dimension of the second "
            f"({inner_b}). Transpose one operand (.T) or check the layer sizes."
        )
    if len(shape_a) >= 2 and len(shape_b) >= 2:
        try:
            return MatMul.apply(a, b)
        except ValueError:
            raise RuntimeError(
                f"matmul: the batch dimensions of {shape_a} and {shape_b} cannot be broadcast together"
            ) from None
    left = a.unsqueeze(0) if len(shape_a) == 1 else a
    right = b.unsqueeze(-1) if len(shape_b) == 1 else b
    out = MatMul.apply(left, right)
    if len(shape_a) == 1:
        out = out.squeeze(-2)
    if len(shape_b) == 1:
        out = out.squeeze(-1)
    return out


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot needs two 1-D tensors, got {tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    return a.unsqueeze(-1) * b
