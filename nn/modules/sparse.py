"""``Embedding``: a lookup table of learned vectors, one row per index (word, token, id)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import autograd_core
from autograd_core import Tensor

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


class Embedding(Module):
    """``weight`` of shape (num_embeddings, embedding_dim), initialised N(0, 1); the output for
    integer indices of shape S is the rows they pick, of shape S + (embedding_dim,).

    The row at ``padding_idx`` starts at zero and gets no gradient. ``max_norm`` rescales the
    rows looked up (in place) to at most that ``norm_type``-norm. With ``scale_grad_by_freq``
    each row's gradient is divided by how often its index occurs in the mini-batch. Gradients
    are dense: ``sparse=True`` raises (``sparse=False`` gives the same values).

    >>> import autograd_core as ag
    >>> table = Embedding(10, 3)
    >>> table(ag.tensor([[1, 2], [4, 9]])).shape
    (2, 2, 3)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise F._sparse_gradient_error("Embedding")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Padding_idx must be within num_embeddings: got {padding_idx} for "
                    f"{num_embeddings} embeddings"
                )
            if padding_idx < 0:
                padding_idx += num_embeddings
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(
                autograd_core.empty(num_embeddings, embedding_dim, dtype=dtype, device=device),
                requires_grad=not _freeze,
            )
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"Shape of weight {tuple(_weight.shape)} does not match num_embeddings and embedding_dim "
                    f"({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with autograd_core.no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return text

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding ``embeddings`` (rows, dim); frozen (no gradient) by default. The
        other options are the constructor's; the ``padding_idx`` row is kept as given.

        >>> import autograd_core as ag
        >>> table = Embedding.from_pretrained(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), scale_grad_by_freq=True)
        >>> table
        Embedding(2, 2, scale_grad_by_freq=True)
        >>> table(ag.tensor([1]))
        tensor([[3., 4.]])
        """
        if embeddings.ndim != 2:
            raise ValueError(
                f"Embeddings parameter is expected to be 2-dimensional, got shape {tuple(embeddings.shape)}"
            )
        rows, dim = embeddings.shape
        return cls(
            rows,
            dim,
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=embeddings,
            _freeze=freeze,
        )
