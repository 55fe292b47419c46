"""Loss functions as modules. Each takes ``reduction='mean' | 'sum' | 'none'`` and calls the
function of the same name in ``nn.functional``; class weights are buffers (they move with
``to()``)."""

from __future__ import annotations

from autograd_core import Tensor

from .. import functional as F
from .module import Module


class _Loss(Module):
    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        self.reduction = F._resolve_reduction(reduction, size_average, reduce)


class _WeightedLoss(_Loss):
    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: mean of (x - y)².

    >>> import autograd_core as ag
    >>> MSELoss()(ag.tensor([1.0, 2.0]), ag.tensor([0.0, 0.0]))
    tensor(2.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: mean of |x - y|."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """0.5 d²/β where |d| < β, else |d| - 0.5 β: quadratic near the target, linear far away."""

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """0.5 d² where |d| < δ, else δ(|d| - 0.5 δ)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities x in [0, 1]: -w (t log x + (1 - t) log(1 - x)),
    each log clamped at -100. Prefer ``BCEWithLogitsLoss`` on raw scores: it is stable."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy of σ(x), computed from the logits x without forming σ(x):
    ℓ = -w [p·t·log σ(x) + (1 - t)·log(1 - σ(x))] = w [(1 - t)·x + (1 + (p - 1)·t)·softplus(-x)],
    stable for any x. ``pos_weight`` p (per class, the last dimension) weighs the positive term."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities x (N, C, ...) at class indices t (N, ...):
    ℓ_n = -w[t_n] · x[n, t_n] (0 where t_n = ``ignore_index``); 'mean' divides Σ ℓ_n by Σ w[t_n]."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits x (N, C, ...) against class indices t (N, ...) or class
    probabilities (N, C, ...), with ``weight``, ``ignore_index`` and ``label_smoothing``:
    ℓ_n = -w[t_n] · log softmax(x_n)[t_n] = w[t_n] · (logsumexp(x_n) - x[n, t_n]), reduced as
    ``NLLLoss`` (see ``nn.functional.cross_entropy`` for probabilities and smoothing).

    >>> import autograd_core as ag
    >>> CrossEntropyLoss()(ag.tensor([[2.0, 0.0, -1.0]]), ag.tensor([0]))
    tensor(0.1698)
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )
