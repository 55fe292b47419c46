"""Fused loss primitives: one node where the composition would take many.

``CrossEntropy`` fuses log-softmax, picking each row's target class and the reduction. It is
measurably faster than the composition (one graph node instead of six, and three backward
operations instead of about twelve) and as stable (log-sum-exp). Its backward is written with
Tensor operations, so second derivatives through it are exact.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function


class CrossEntropy(Function):
    """Mean (or sum, or per-row) of -log softmax(logits)[target] over rows not ignored.

    loss_i = logsumexp(z_i) - z_i[t_i];  d loss_i / d z_i = softmax(z_i) - onehot(t_i).
    Rows whose target equals ``ignore_index`` contribute nothing; 'mean' divides by the
    number of rows that count, as PyTorch does.
    """

    @staticmethod
    def forward(ctx, logits, target, ignore_index, reduction):
        z = logits.numpy()
        t = target.numpy()
        rows = np.arange(z.shape[0])
        counted = t != ignore_index
        safe_target = np.where(counted, t, 0)
        shifted = z - z.max(axis=1, keepdims=True)
        log_normalizer = np.log(np.exp(shifted).sum(axis=1))
        losses = (log_normalizer - shifted[rows, safe_target]) * counted
        one_hot = np.zeros_like(z)
        one_hot[rows, safe_target] = counted
        ctx.one_hot, ctx.counted, ctx.reduction = one_hot, counted, reduction
        ctx.save_for_backward(logits)
        if reduction == "none":
            return losses
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype=z.dtype)
        return np.asarray(losses.sum() / counted.sum(), dtype=z.dtype)

    @staticmethod
    def backward(ctx, grad):
        (logits,) = ctx.saved_tensors
        delta = logits.softmax(1) - _tensor_from_array(ctx.one_hot)
        if ctx.reduction == "none":
            return (
                delta * (grad * _tensor_from_array(ctx.counted.astype(grad.dtype))).unsqueeze(1),
                None,
                None,
                None,
            )
        if ctx.reduction == "sum":
            return (
                delta * _tensor_from_array(ctx.counted[:, None].astype(grad.dtype)) * grad,
                None,
                None,
                None,
            )
        scale = ctx.counted[:, None].astype(grad.dtype) / ctx.counted.sum()
        return delta * _tensor_from_array(scale) * grad, None, None, None


def cross_entropy(
    logits: Tensor, target: Tensor, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Softmax cross-entropy of (N, C) logits against (N,) class indices, fused.

    >>> cross_entropy(tensor([[2.0, 0.0]]), tensor([0]))
    tensor(0.1269)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if logits.ndim != 2 or target.ndim != 1 or target.shape[0] != logits.shape[0]:
        raise ValueError(
            f"cross_entropy expects logits of shape (N, C) and targets of shape (N,), got "
            f"{tuple(logits.shape)} and {tuple(target.shape)}"
        )
    if target.dtype.kind not in "iu":
        raise TypeError(f"class-index targets must be integers, got {target.dtype}; use .long()")
    t = target.numpy()
    bad = (t != ignore_index) & ((t < 0) | (t >= logits.shape[1]))
    if bad.any():
        raise IndexError(
            f"target {int(t[bad][0])} is out of bounds for {logits.shape[1]} classes: targets "
            f"must lie in [0, {logits.shape[1] - 1}] (or equal ignore_index={ignore_index})"
        )
    return CrossEntropy.apply(logits, target, ignore_index, reduction)
