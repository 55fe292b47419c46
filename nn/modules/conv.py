"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d`` and ``ConvTranspose1d``/``2d``/``3d``.

A convolution slides a small learned filter over the input; each output channel sums, over a
window of every input channel, the products with its filter:

    out[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x[n, c, i·s + p·d - pad, j·s + q·d - pad]

``weight`` has PyTorch's layout (out_channels, in_channels / groups, *kernel_size) — for the
transposed layers (in_channels, out_channels / groups, *kernel_size) — so state dicts move
between the two. The arithmetic is the engine's (``autograd_core/ops/conv.py``: im2col and one
matrix product).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import autograd_core
from autograd_core import Tensor
from autograd_core.ops.conv import conv_padding, expand_param

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What every convolution layer shares: the arguments, the parameters and their init."""

    _dims = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] = 1,
        padding: int | tuple[int, ...] | str = 0,
        dilation: int | tuple[int, ...] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        output_padding: int | tuple[int, ...] = 0,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        n_dims = self._dims
        if groups <= 0:
            raise ValueError(f"groups must be a positive integer, got {groups}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"in_channels ({in_channels}) and out_channels ({out_channels}) must both be "
                f"divisible by groups ({groups})"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode={padding_mode!r}"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = expand_param(kernel_size, n_dims, "kernel_size")
        self.stride = expand_param(stride, n_dims, "stride")
        self.dilation = expand_param(dilation, n_dims, "dilation")
        if isinstance(padding, str):
            conv_padding(padding, self.kernel_size, self.stride, self.dilation)  # checks the string
            self.padding = padding
        else:
            self.padding = expand_param(padding, n_dims, "padding")
        self.output_padding = expand_param(output_padding, n_dims, "output_padding")
        self.groups = groups
        self.padding_mode = padding_mode
        self.transposed = self._transposed
        if self._transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(autograd_core.empty(*shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(autograd_core.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: W ~ kaiming_uniform_(a=√5), i.e. U(-1/√fan_in, 1/√fan_in), and
        b ~ U(-1/√fan_in, 1/√fan_in), fan_in = weight.shape[1] · kernel elements."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        )
        if self.padding != (0,) * self._dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    """A convolution layer; with a ``padding_mode`` other than 'zeros' the input is padded
    first (``F.pad`` with that mode) and convolved without padding, as PyTorch does."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] = 1,
        padding: int | tuple[int, ...] | str = 0,
        dilation: int | tuple[int, ...] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device=device,
            dtype=dtype,
        )

    def _pad_widths(self) -> list:
        """F.pad's widths (last dimension first) for the padding of a non-'zeros' mode."""
        pairs = conv_padding(self.padding, self.kernel_size, self.stride, self.dilation)
        return [amount for before, after in reversed(pairs) for amount in (before, after)]

    def forward(self, input: Tensor) -> Tensor:
        padding = self.padding
        if self.padding_mode != "zeros":
            input = F.pad(input, self._pad_widths(), mode=self.padding_mode)
            padding = 0
        return self._function(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) inputs; weight (C_out, C_in/groups, k).

    ``padding`` is an int, a tuple, 'valid' (none) or 'same' (output length = input length;
    stride 1 only).

    >>> import autograd_core as ag
    >>> Conv1d(3, 8, kernel_size=5, padding="same")(ag.randn(2, 3, 20)).shape
    (2, 8, 20)
    """

    _dims = 1
    _function = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) inputs; weight (C_out, C_in/groups, kH, kW).

    >>> import autograd_core as ag
    >>> layer = Conv2d(1, 8, kernel_size=3, padding=1)
    >>> layer(ag.randn(32, 1, 28, 28)).shape
    (32, 8, 28, 28)
    """

    _dims = 2
    _function = staticmethod(F.conv2d)


class Conv3d(_Conv):
    """3-D convolution over (N, C_in, D, H, W) inputs; weight (C_out, C_in/groups, kD, kH, kW)."""

    _dims = 3
    _function = staticmethod(F.conv3d)


class _ConvTranspose(_ConvNd):
    """A transposed convolution layer: the gradient of a convolution with respect to its input,
    used to upsample. Output size (in - 1)·stride - 2·padding + dilation·(k - 1) +
    output_padding + 1 per dimension."""

    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] = 1,
        padding: int | tuple[int, ...] = 0,
        output_padding: int | tuple[int, ...] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, ...] = 1,
        padding_mode: str = "zeros",
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__} takes padding as numbers, got {padding!r}")
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            output_padding,
            device=device,
            dtype=dtype,
        )

    def forward(self, input: Tensor) -> Tensor:
        return self._function(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution over (N, C_in, L); weight (C_in, C_out/groups, k)."""

    _dims = 1
    _function = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution over (N, C_in, H, W); weight (C_in, C_out/groups, kH, kW).

    >>> import autograd_core as ag
    >>> up = ConvTranspose2d(16, 8, kernel_size=2, stride=2)
    >>> up(ag.randn(4, 16, 7, 7)).shape
    (4, 8, 14, 14)
    """

    _dims = 2
    _function = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution over (N, C_in, D, H, W); weight (C_in, C_out/groups, kD, kH, kW)."""

    _dims = 3
    _function = staticmethod(F.conv_transpose3d)
