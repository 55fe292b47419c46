"""Pooling layers: ``MaxPool1d``/``2d``/``3d``, ``AvgPool1d``/``2d``/``3d``,
``AdaptiveAvgPool1d``/``2d``/``3d`` and ``AdaptiveMaxPool1d``/``2d``/``3d``.

Pooling summarises each window of a feature map by one number (its maximum, or its mean), which
shrinks the map and makes the features tolerant to small shifts. No parameters. The arithmetic
is the engine's (``autograd_core/ops/pooling.py``).
"""

from __future__ import annotations

from autograd_core import Tensor
from autograd_core.ops.conv import expand_param

from .. import functional as F
from .module import Module


class _MaxPoolNd(Module):
    def __init__(
        self,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] | None = None,
        padding: int | tuple[int, ...] = 0,
        dilation: int | tuple[int, ...] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return self._function(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """The maximum of every window of (N, C, L) inputs; ``stride`` defaults to ``kernel_size``."""

    _function = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """The maximum of every window of (N, C, H, W) inputs; ``stride`` defaults to
    ``kernel_size``. The gradient flows to the first maximum of each window only.

    >>> import autograd_core as ag
    >>> MaxPool2d(2)(ag.randn(32, 8, 28, 28)).shape
    (32, 8, 14, 14)
    """

    _function = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """The maximum of every window of (N, C, D, H, W) inputs."""

    _function = staticmethod(F.max_pool3d)


class AvgPool1d(Module):
    """The mean of every window of (N, C, L) inputs (sizes kept as 1-tuples, as PyTorch)."""

    def __init__(
        self,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] | None = None,
        padding: int | tuple[int, ...] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = expand_param(kernel_size, 1, "kernel_size")
        self.stride = expand_param(stride if stride is not None else kernel_size, 1, "stride")
        self.padding = expand_param(padding, 1, "padding")
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    def __init__(
        self,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] | None = None,
        padding: int | tuple[int, ...] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return self._function(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """The mean of every window of (N, C, H, W) inputs; zero padding counts in the mean unless
    ``count_include_pad=False``.

    >>> import autograd_core as ag
    >>> AvgPool2d(2)(ag.ones(1, 1, 4, 4)).shape
    (1, 1, 2, 2)
    """

    _function = staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPoolNd):
    """The mean of every window of (N, C, D, H, W) inputs."""

    _function = staticmethod(F.avg_pool3d)


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size: int | tuple[int | None, ...] | None) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return self._function(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Averages (N, C, L) inputs into ``output_size`` bins, whatever L is."""

    _function = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Averages (N, C, H, W) inputs into an ``output_size`` grid of bins, whatever H and W are
    (None keeps that size). ``AdaptiveAvgPool2d(1)`` is global average pooling.

    >>> import autograd_core as ag
    >>> AdaptiveAvgPool2d((1, 1))(ag.randn(2, 64, 7, 9)).shape
    (2, 64, 1, 1)
    """

    _function = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Averages (N, C, D, H, W) inputs into an ``output_size`` grid of bins."""

    _function = staticmethod(F.adaptive_avg_pool3d)


class _AdaptiveMaxPoolNd(Module):
    def __init__(
        self, output_size: int | tuple[int | None, ...] | None, return_indices: bool = False
    ) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return self._function(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """The maximum of each of ``output_size`` bins of (N, C, L) inputs, whatever L is."""

    _function = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """The maximum of each bin of an ``output_size`` grid over (N, C, H, W) inputs, whatever H
    and W are (None keeps that size); bin (i, j) covers rows [⌊i·H/h⌋, ⌈(i+1)·H/h⌉), columns
    likewise. The gradient flows to the first maximum of each bin only; ``return_indices`` also
    gives its index within the flattened H·W plane.

    >>> import autograd_core as ag
    >>> AdaptiveMaxPool2d((2, 3))(ag.randn(4, 16, 9, 10)).shape
    (4, 16, 2, 3)
    """

    _function = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """The maximum of each bin of an ``output_size`` grid over (N, C, D, H, W) inputs."""

    _function = staticmethod(F.adaptive_max_pool3d)
