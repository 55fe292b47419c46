"""Embedding lookup: the rows of a table picked by integer indices, with PyTorch's control over
which rows learn and how fast.

The forward pass is ``weight[indices]``; the backward pass adds each position's gradient into
the row it picked, scaled per position: by 0 where the index is ``padding_idx`` (that row never
learns), and with ``scale_grad_by_freq`` by 1 / (how often the index occurs in the batch), so a
frequent word does not get a larger step than a rare one just for being frequent.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function
from .indexing import IndexAdd


class EmbeddingLookup(Function):
    """out[p] = weight[indices[p]];  d weight[r] = Σ over positions p with indices[p] = r of
    scale[p] · grad[p], where scale[p] is 0 if indices[p] is ``padding_idx``, else 1, or with
    ``scale_grad_by_freq`` 1 / (the number of positions holding indices[p]).

    Linear in ``weight``: backward is a scaled scatter-add (``IndexAdd``), whose own backward
    gathers again, so derivatives of every order are exact. The scale is worked out in backward
    only (a lookup that needs no gradient pays nothing for it).
    """

    @staticmethod
    def forward(
        ctx, weight: Tensor, indices: np.ndarray, padding_idx: int | None, scale_grad_by_freq: bool
    ) -> np.ndarray:
        ctx.indices = indices
        ctx.padding_idx = padding_idx
        ctx.scale_grad_by_freq = scale_grad_by_freq
        ctx.weight_shape = weight.shape
        return weight.numpy()[indices]

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        if ctx.padding_idx is not None or ctx.scale_grad_by_freq:
            scale = _gradient_scale(ctx.indices, ctx.weight_shape[0], ctx.padding_idx, ctx.scale_grad_by_freq)
            grad = grad * _tensor_from_array(scale.astype(grad.dtype, copy=False))
        return IndexAdd.apply(grad, ctx.weight_shape, ctx.indices), None, None, None


def _gradient_scale(
    indices: np.ndarray, num_embeddings: int, padding_idx: int | None, scale_grad_by_freq: bool
) -> np.ndarray:
    """Per position, the factor its gradient is multiplied by before it reaches its row, shaped
    ``indices.shape + (1,)`` so that it broadcasts over the embedding dimension."""
    scale = np.ones(indices.shape + (1,))
    if scale_grad_by_freq:
        counts = np.bincount(indices.ravel(), minlength=num_embeddings)
        scale /= counts[indices][..., None]
    if padding_idx is not None:
        scale[indices == padding_idx] = 0
    return scale


def embedding_lookup(
    weight: Tensor, indices: Tensor, padding_idx: int | None = None, scale_grad_by_freq: bool = False
) -> Tensor:
    """The rows of ``weight`` (num_embeddings, dim) picked by the integer ``indices`` (any
    shape S): a Tensor of shape S + (dim,). The row ``padding_idx`` (non-negative, or None) gets
    no gradient; with ``scale_grad_by_freq`` each row's gradient is divided by how often its
    index occurs in ``indices``. The caller checks that the indices lie in the table.

    >>> import autograd_core as ag
    >>> weight = ag.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]], requires_grad=True)
    >>> embedding_lookup(weight, ag.tensor([2, 0, 2]), scale_grad_by_freq=True).sum().backward()
    >>> weight.grad
    tensor([[1., 1.],
            [0., 0.],
            [1., 1.]])
    """
    return EmbeddingLookup.apply(weight, indices.numpy(), padding_idx, scale_grad_by_freq)
