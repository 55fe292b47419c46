"""Normalisation layers: ``BatchNorm1d``/``BatchNorm2d`` (statistics over the batch, per
channel, with running averages for evaluation), ``LayerNorm`` (over each sample's last
dimensions) and ``GroupNorm`` (over groups of channels per sample)."""

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


def _affine_parameters(module: Module, affine: bool, bias: bool, size: int, dtype, device) -> None:
    """γ (``weight``) and, unless ``bias=False``, β (``bias``) per channel; None when not affine."""
    if affine:
        module.weight = Parameter(autograd_core.empty(size, dtype=dtype, device=device))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(autograd_core.empty(size, dtype=dtype, device=device))
    else:
        module.register_parameter("bias", None)


class _BatchNorm(Module):
    """y = (x - μ) / √(σ² + eps) · γ + β per channel.

    Training: μ, σ² are the batch's and the buffers ``running_mean``/``running_var`` follow
    them: r ← (1 - momentum)·r + momentum·batch (the unbiased variance, as PyTorch). With
    ``momentum=None`` they are the cumulative average over the ``num_batches_tracked`` batches.
    Evaluation (``eval()``): μ, σ² are the running ones, unless ``track_running_stats=False``.
    """

    _expected_dims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, bias, num_features, dtype, device)
        if track_running_stats:
            self.register_buffer(
                "running_mean", autograd_core.zeros(num_features, dtype=dtype, device=device)
            )
            self.register_buffer("running_var", autograd_core.ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", autograd_core.tensor(0, dtype=autograd_core.long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with autograd_core.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in self._expected_dims:
            wanted = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(
                f"{type(self).__name__}: expected {wanted} input (got {input.ndim}D input of shape "
                f"{tuple(input.shape)})"
            )
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}) got an input with {input.shape[1]} channels "
                f"(dimension 1 of shape {tuple(input.shape)})"
            )

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with autograd_core.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if keep_running else None,
            self.running_var if keep_running else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per channel C.

    >>> import autograd_core as ag
    >>> bn = BatchNorm1d(2)
    >>> y = bn(ag.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> bn.running_mean
    tensor([0.2000, 2.0000])
    """

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C (over N, H and W)."""

    _expected_dims = (4,)


class LayerNorm(Module):
    """y = (x - μ) / √(σ² + eps) · γ + β, μ and σ² over the last dimensions
    (``normalized_shape``) of each sample; γ and β have that shape (ones and zeros at first)."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(autograd_core.empty(self.normalized_shape, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(autograd_core.empty(self.normalized_shape, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Normalise each of ``num_groups`` groups of channels of each sample; γ, β per channel."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, num_channels, dtype, device)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )
