"""Fused operations for neural-network layers.

``Linear`` computes ``x @ Wᵀ + b`` as one node instead of three (transpose, matmul, add): the
same arithmetic with a third of the graph bookkeeping, which matters for small batches.
"""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import Function
from .elementwise import promote


class Linear(Function):
    """y = x @ Wᵀ + b for x of shape (..., in), W of shape (out, in), b of shape (out,) or None.

    dL/dx = g @ W,  dL/dW = gᵀ x (summed over all leading dimensions),  dL/db = Σ g.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = x.numpy() @ weight.numpy().T
        if bias is not None:
            out += bias.numpy()
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_x = grad @ weight
        rows = grad.reshape(-1, grad.shape[-1]) if grad.ndim != 2 else grad
        if ctx.needs_input_grad[1]:
            inputs = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
            grad_weight = rows.mT @ inputs
        if ctx.needs_input_grad[2]:
            grad_bias = rows.sum(0)
        return grad_x, grad_weight, grad_bias


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` (PyTorch's ``nn.functional.linear``), fused into one node.

    >>> import autograd_core as ag
    >>> linear(ag.ones(2, 3), ag.ones(4, 3), ag.zeros(4)).shape
    (2, 4)
    """
    if input.ndim == 0 or weight.ndim != 2:
        raise RuntimeError(
            f"linear: expected an input with at least 1 dimension and a 2-D weight (out, in), got "
            f"input {tuple(input.shape)} and weight {tuple(weight.shape)}"
        )
    if input.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"linear: the input's last dimension ({input.shape[-1]}, input shape {tuple(input.shape)}) "
            f"must equal in_features, the weight's second dimension ({weight.shape[1]}, weight shape "
            f"{tuple(weight.shape)}). Check the layer sizes, or flatten the input first."
        )
    if bias is not None and tuple(bias.shape) not in ((weight.shape[0],), ()):
        raise RuntimeError(
            f"linear: bias of shape {tuple(bias.shape)} does not match out_features = {weight.shape[0]}"
        )
    input, weight = promote(input, weight)
    if bias is not None and bias.dtype != weight.dtype:
        bias = bias.to(weight.dtype)
    return Linear.apply(input, weight, bias)
