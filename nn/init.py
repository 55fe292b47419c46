"""Weight initialisation (PyTorch's ``torch.nn.init``): each function fills a tensor in place,
under ``no_grad``, and returns it.

The scaled schemes keep the variance of activations steady from layer to layer:

- Xavier/Glorot: Var(w) = gain² · 2 / (fan_in + fan_out);
- Kaiming/He: Var(w) = gain² / fan, with fan = fan_in (forward pass) or fan_out (backward).

A uniform U(-b, b) has variance b²/3, so its bound is b = √3 · std.

>>> import autograd_core as ag
>>> w = ag.empty(256, 128)
>>> _ = kaiming_uniform_(w, nonlinearity="relu")
>>> bool(w.abs().max() <= (6 / 128) ** 0.5)
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import autograd_core
from autograd_core import Tensor

if TYPE_CHECKING:
    from autograd_core import Generator

_LINEAR_FAMILY = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: the factor by which it shrinks the standard
    deviation, undone by the initialisation.

    ============================  =========================
    linear, conv*, sigmoid        1
    tanh                          5/3
    relu                          √2
    leaky_relu (slope ``param``)  √(2 / (1 + slope²)), slope 0.01 by default
    selu                          3/4
    ============================  =========================

    >>> round(calculate_gain("relu"), 4)
    1.4142
    """
    if nonlinearity in _LINEAR_FAMILY:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"Unsupported nonlinearity {nonlinearity}: use one of {', '.join(_LINEAR_FAMILY)}, tanh, relu, "
        "leaky_relu or selu"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel): in·k and out·k, k = Π kernel."""
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tuple(tensor.shape)}); use uniform_ or normal_ for biases"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with draws from U(a, b)."""
    with autograd_core.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with draws from N(mean, std²)."""
    with autograd_core.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> Tensor:
    """Fill with draws from N(mean, std²) restricted to [a, b] (redrawing those outside)."""
    if not a < b:
        raise ValueError(f"trunc_normal_ needs a < b, got a={a}, b={b}")
    with autograd_core.no_grad():
        tensor.normal_(mean, std, generator=generator)
        outside = (tensor < a) | (tensor > b)
        while outside.any():
            fresh = autograd_core.empty_like(tensor).normal_(mean, std, generator=generator)
            tensor.copy_(autograd_core.where(outside, fresh, tensor))
            outside = (tensor < a) | (tensor > b)
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    with autograd_core.no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    with autograd_core.no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (ones on the diagonal, as ``eye(n, m)``)."""
    if tensor.dim() != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}")
    with autograd_core.no_grad():
        return tensor.copy_(autograd_core.eye(*tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """U(-b, b) with b = gain · √(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """U(-b, b) with b = gain · √(3 / fan) (He et al., 2015); ``a`` is the leaky-ReLU slope.

    ``Linear`` and ``Conv2d`` use ``a=√5``, which gives b = 1/√fan_in.
    """
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """N(0, std²) with std = gain / √fan (He et al., 2015)."""
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013), shaped as ``tensor``
    viewed as (rows, numel / rows).

    As PyTorch: the Q of the QR decomposition of a standard normal matrix, with the signs that
    make R's diagonal positive, so Q is uniformly (Haar) distributed. Gram–Schmidt gives exactly
    that Q; each column is orthogonalised twice to keep it orthogonal to rounding.
    """
    if tensor.dim() < 2:
        raise ValueError(
            f"Only tensors with 2 or more dimensions are supported, got shape {tuple(tensor.shape)}"
        )
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with autograd_core.no_grad():
        flattened = autograd_core.empty(rows, cols, dtype=autograd_core.float64).normal_(
            0.0, 1.0, generator=generator
        )
        tall = flattened.t() if rows < cols else flattened
        q = _gram_schmidt(tall)
        if rows < cols:
            q = q.t()
        tensor.copy_(q.reshape(tensor.shape) * gain)
    return tensor


def _gram_schmidt(matrix: Tensor) -> Tensor:
    """Orthonormal columns spanning the columns of a tall ``matrix`` (m ≥ n), in order."""
    q = autograd_core.zeros(matrix.shape, dtype=matrix.dtype)
    for j in range(matrix.shape[1]):
        v = matrix[:, j]
        basis = q[:, :j]
        for _ in range(2):
            v = v - basis @ (basis.t() @ v)
        q[:, j] = v / v.norm()
    return q
