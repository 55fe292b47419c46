"""Fused operations for neural-network layers, each one node where a composition would take
several or would be unstable:

- ``Linear``: ``x @ Wᵀ + b`` as one node instead of three (transpose, matmul, add): the same
  arithmetic with a third of the graph bookkeeping, which matters for small batches;
- ``Softplus``: log(1 + e^x) without overflow for large x, and a gradient that stays finite;
- ``BinaryCrossEntropy``: PyTorch's clamped logs and its finite gradient at x = 0 and x = 1.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function
from .elementwise import _float, promote, where


class Linear(Function):
    """y = x @ Wᵀ + b for x of shape (..., in), W of shape (out, in), b of shape (out,) or None.

    dL/dx = g @ W,  dL/dW = gᵀ x (summed over all leading dimensions),  dL/db = Σ g.
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None) -> np.ndarray:
        ctx.save_for_backward(x, weight)
        out = x.numpy() @ weight.numpy().T
        if bias is not None:
            out += bias.numpy()
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
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


class Softplus(Function):
    """softplus(x) = log(1 + e^(βx)) / β, and x itself where βx > threshold (as PyTorch).

    Fused for stability: computed as (max(βx, 0) + log1p(e^(-|βx|))) / β, which never
    overflows. d/dx = σ(βx) (1 above the threshold).
    """

    @staticmethod
    def forward(ctx, x: Tensor, beta: float, threshold: float) -> np.ndarray:
        z = x.numpy() * beta
        ctx.beta, ctx.linear = beta, z > threshold
        ctx.save_for_backward(x)
        smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
        return np.where(ctx.linear, x.numpy(), smooth).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        (x,) = ctx.saved_tensors
        slope = (x * ctx.beta).sigmoid()
        if ctx.linear.any():
            slope = where(_tensor_from_array(ctx.linear), 1.0, slope)
        return grad * slope, None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx)) / β, stable for any x; linear above ``threshold`` (in βx).

    >>> import autograd_core as ag
    >>> softplus(ag.tensor([0.0, 1e4]))
    tensor([0.6931, 10000.0000])
    """
    return Softplus.apply(_float(input), beta, threshold)


class BinaryCrossEntropy(Function):
    """ℓ = -w (t·log x + (1 - t)·log(1 - x)), each log clamped at -100, as PyTorch.

    dℓ/dx = w (x - t) / max(x(1 - x), 1e-12)  (PyTorch's formula: finite at x = 0 and 1);
    dℓ/dt = w (log(1 - x) - log x), with the same clamps.
    """

    @staticmethod
    def forward(ctx, x: Tensor, t: Tensor) -> np.ndarray:
        ctx.save_for_backward(x, t)
        probability, target = x.numpy(), t.numpy()
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(probability), -100)
            log_not_x = np.maximum(np.log1p(-probability), -100)
        return -(target * log_x + (1 - target) * log_not_x)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, t = ctx.saved_tensors
        grad_x = grad_t = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * (x - t) / (x * (1 - x)).clamp(min=_BCE_EPSILON)
        if ctx.needs_input_grad[1]:
            grad_t = grad * (_clamped_log(1 - x) - _clamped_log(x))
        return grad_x, grad_t


_BCE_EPSILON = 1e-12


def _clamped_log(values: Tensor) -> Tensor:
    """max(log v, -100), with log(0) = -100 and no log of 0 evaluated (so no warning, no nan)."""
    positive = values > 0
    safe = where(positive, values, 1.0)
    return where(positive, safe.log(), -100.0).clamp(min=-100.0)


def binary_cross_entropy(input: Tensor, target: Tensor) -> Tensor:
    """Elementwise -(t·log x + (1 - t)·log(1 - x)) with the logs clamped at -100 (no reduction)."""
    input, target = promote(input, target)
    return BinaryCrossEntropy.apply(input, target)
