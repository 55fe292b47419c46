"""``nn.functional``: the layers, activations and losses of ``nn`` as plain functions.

Every function computes with Tensor operations only, so every one is differentiable (to any
order its operations allow). A module such as ``nn.Linear`` holds the parameters and calls the
function here. Where a composition would be unstable or slow, the engine has a fused primitive
(``linear``, ``softplus``, ``binary_cross_entropy``, the class-index ``cross_entropy``,
``embedding``'s lookup).

>>> import autograd_core as ag
>>> import nn.functional as F
>>> logits = ag.tensor([[2.0, 0.0, -1.0]])
>>> F.cross_entropy(logits, ag.tensor([0]))
tensor(0.1698)
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import autograd_core
from autograd_core import Tensor
from autograd_core.ops import embedding as _embedding_ops
from autograd_core.ops import loss as _loss_ops
from autograd_core.ops import nn_ops as _nn_ops
from autograd_core.ops.nn_ops import linear as linear  # the fused x Wᵀ + b, re-exported

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import DTypeLike

_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- linear
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x₁ᵀ A_k x₂ + b_k for x₁ (..., in1), x₂ (..., in2), A (out, in1, in2), b (out,)."""
    out_features, in1, in2 = weight.shape
    # x₁ A: (..., in1) @ (in1, out·in2) -> (..., out, in2), then contract with x₂.
    flat_weight = weight.permute(1, 0, 2).reshape(in1, out_features * in2)
    projected = (input1 @ flat_weight).unflatten(-1, (out_features, in2))
    out = (projected * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


# ---------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return input.clamp_(min_val, max_val) if inplace else input.clamp(min_val, max_val)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else negative_slope · x."""
    out = autograd_core.where(input > 0, input, input * negative_slope)
    return input.copy_(out) if inplace else out


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, else a · x, with a learned slope per channel (dimension 1) or one shared."""
    if weight.numel() != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if input.ndim < 2 or weight.numel() != channels:
            raise RuntimeError(
                f"prelu: the weight has {weight.numel()} slopes but the input of shape {tuple(input.shape)} "
                f"has {channels} channel(s) (dimension 1); use one slope, or one per channel"
            )
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return autograd_core.where(input > 0, input, input * weight)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else α(eˣ - 1). The exponential sees min(x, 0) only, so it never overflows."""
    negative = (input.clamp(max=0.0).exp() - 1) * alpha
    out = autograd_core.where(input > 0, input, negative)
    return input.copy_(out) if inplace else out


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale · elu(x, α) with Klambauer et al.'s self-normalising constants α ≈ 1.6733, scale ≈ 1.0507."""
    out = elu(input, _SELU_ALPHA) * _SELU_SCALE
    return input.copy_(out) if inplace else out


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x · Φ(x), Φ the standard normal CDF: 0.5 x (1 + erf(x/√2)).

    ``approximate='tanh'``: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
    """
    if approximate == "none":
        return input * 0.5 * (1 + (input * (1 / math.sqrt(2.0))).erf())
    if approximate == "tanh":
        inner = (input + 0.044715 * input * input * input) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (1 + inner.tanh())
    raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x · σ(x) (also called swish)."""
    out = input * input.sigmoid()
    return input.copy_(out) if inplace else out


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x · tanh(softplus(x))."""
    out = input * softplus(input).tanh()
    return input.copy_(out) if inplace else out


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx)) / β, and x where βx > threshold; stable for any x (fused)."""
    return _nn_ops.softplus(input, beta, threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = -log(1 + e⁻ˣ): -softplus(-x) without softplus's linear cut-off, stable for any x."""
    return -softplus(-input, threshold=math.inf)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e⁻ˣ)."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: DTypeLike | None = None) -> Tensor:
    """e^(x_i) / Σ_j e^(x_j) along ``dim`` (stable: the maximum is subtracted first)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return autograd_core.softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, dtype: DTypeLike | None = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return autograd_core.softmax(-input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: DTypeLike | None = None) -> Tensor:
    """x_i - log Σ_j e^(x_j) along ``dim`` (fused and stable)."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return autograd_core.log_softmax(input, dim, dtype=dtype)


# -------------------------------------------------------------------------- dropout
def _check_probability(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropped(input: Tensor, p: float, mask_shape: tuple, inplace: bool) -> Tensor:
    """input ⊙ mask / (1 - p), the mask drawn from the seeded generator with P(keep) = 1 - p."""
    if p == 1.0:
        out = input * 0.0
    else:
        keep = autograd_core.empty(mask_shape, dtype=input.dtype).bernoulli_(1.0 - p)
        out = input * (keep * (1.0 / (1.0 - p)))
    return input.copy_(out) if inplace else out


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: in training each element is zeroed with probability ``p`` and the
    survivors are scaled by 1/(1 - p), so the expectation is unchanged; otherwise the identity.

    >>> import autograd_core as ag
    >>> dropout(ag.ones(3), p=0.5, training=False)
    tensor([1., 1., 1.])
    """
    _check_probability(p)
    if not training or p == 0.0:
        return input
    return _dropped(input, p, tuple(input.shape), inplace)


def _channel_dropout(
    input: Tensor, p: float, training: bool, inplace: bool, spatial: int, name: str
) -> Tensor:
    _check_probability(p)
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(
            f"{name}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input, got shape "
            f"{tuple(input.shape)}"
        )
    if not training or p == 0.0:
        return input
    mask_shape = tuple(input.shape[: input.ndim - spatial]) + (1,) * spatial
    return _dropped(input, p, mask_shape, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) inputs with probability ``p`` (scaled by 1/(1 - p))."""
    return _channel_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) inputs with probability ``p`` (scaled by 1/(1 - p))."""
    return _channel_dropout(input, p, training, inplace, 2, "dropout2d")


# -------------------------------------------------------------------- normalization
def _per_channel(values: Tensor, ndim: int) -> Tensor:
    """A (C,) tensor shaped (1, C, 1, ...) to broadcast against an (N, C, ...) input."""
    return values.reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - μ) / √(σ² + eps) · γ + β per channel (dimension 1) of an (N, C, ...) input.

    Training: μ and σ² (biased) are the batch's, over every dimension but 1, and the running
    statistics (when given) move towards them in place: r ← (1 - momentum) r + momentum · batch,
    with the unbiased variance σ² n/(n - 1), as PyTorch. Evaluation: μ and σ² are the running ones.
    """
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm expects an input of shape (N, C) or (N, C, ...), got {tuple(input.shape)}"
        )
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.numel() // input.shape[1]
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {tuple(input.shape)}: "
                "use a batch of at least 2, or call model.eval()"
            )
        mean = input.mean(dims, keepdim=True)
        centered = input - mean
        var = (centered * centered).mean(dims, keepdim=True)
        if running_mean is not None and running_var is not None:
            with autograd_core.no_grad():
                running_mean.lerp_(mean.reshape(-1), momentum)
                running_var.lerp_(var.reshape(-1) * (count / (count - 1)), momentum)
        out = centered * (var + eps).rsqrt()
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                "batch_norm in evaluation mode (training=False) needs running_mean and running_var"
            )
        scale = (_per_channel(running_var, input.ndim) + eps).rsqrt()
        out = (input - _per_channel(running_mean, input.ndim)) * scale
    if weight is not None:
        out = out * _per_channel(weight, input.ndim)
    if bias is not None:
        out = out + _per_channel(bias, input.ndim)
    return out


def _normalized_dims(input: Tensor, normalized_shape) -> tuple[int, ...]:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape) :]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    return tuple(range(input.ndim - len(shape), input.ndim))


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - μ) / √(σ² + eps) · γ + β, with μ and σ² (biased) over the last
    ``len(normalized_shape)`` dimensions of each sample."""
    dims = _normalized_dims(input, normalized_shape)
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each of ``num_groups`` groups of channels per sample, then scale and shift per channel."""
    batch, channels = input.shape[0], input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"group_norm: {channels} channels cannot be split into {num_groups} groups")
    grouped = input.reshape(batch, num_groups, -1)
    mean = grouped.mean(-1, keepdim=True)
    centered = grouped - mean
    var = (centered * centered).mean(-1, keepdim=True)
    out = (centered * (var + eps).rsqrt()).reshape(input.shape)
    if weight is not None:
        out = out * _per_channel(weight, input.ndim)
    if bias is not None:
        out = out + _per_channel(bias, input.ndim)
    return out


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim``.

    >>> import autograd_core as ag
    >>> normalize(ag.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    if p == 2:
        # max(√s, eps) = √max(s, eps²): the same value, and a finite gradient for a zero vector.
        denominator = (input * input).sum(dim, keepdim=True).clamp(min=eps * eps).sqrt()
    else:
        denominator = input.norm(p, dim, keepdim=True).clamp(min=eps)
    return input / denominator


# ------------------------------------------------------------------ embedding, one-hot
def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer ``input``: output shape ``input.shape + (dim,)``.

    The row at ``padding_idx`` gets no gradient. With ``max_norm``, the rows looked up are first
    rescaled in place to norm at most ``max_norm``, as PyTorch. With ``scale_grad_by_freq``, the
    gradient of each row is divided by how often its index occurs in ``input``. ``sparse=True``
    is not supported (tensors here are dense): use ``sparse=False``, which gives the same values.

    >>> import autograd_core as ag
    >>> weight = ag.tensor([[0.0, 1.0], [2.0, 3.0]], requires_grad=True)
    >>> embedding(ag.tensor([1, 1, 0]), weight, scale_grad_by_freq=True).sum().backward()
    >>> weight.grad
    tensor([[1., 1.],
            [1., 1.]])
    """
    if sparse:
        raise _sparse_gradient_error("embedding")
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding indices must be integers (int64), got {input.dtype}; use .long()")
    num_embeddings = weight.shape[0]
    if input.numel() and (int(input.min()) < 0 or int(input.max()) >= num_embeddings):
        raise IndexError(
            f"embedding index out of range: indices must lie in [0, {num_embeddings - 1}] for "
            f"{num_embeddings} embeddings, got values from {int(input.min())} to {int(input.max())}"
        )
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num_embeddings
    if max_norm is not None:
        _renormalize_rows(weight, input, max_norm, norm_type)
    return _embedding_ops.embedding_lookup(weight, input, padding_idx, scale_grad_by_freq)


def _sparse_gradient_error(name: str) -> ValueError:
    return ValueError(
        f"{name}: sparse=True asks for sparse gradients, which are not supported (autograd_core has "
        "dense tensors only); use sparse=False, which computes the same values with a dense gradient"
    )


def _renormalize_rows(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    with autograd_core.no_grad():
        used = autograd_core.zeros(weight.shape[0], 1, dtype=autograd_core.bool)
        used[input.reshape(-1)] = True
        norms = weight.norm(norm_type, 1, keepdim=True)
        too_long = used & (norms > max_norm)
        weight.mul_(autograd_core.where(too_long, max_norm / (norms + 1e-7), 1.0))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices of any shape to int64 one-hot vectors: shape ``tensor.shape + (C,)``.

    >>> import autograd_core as ag
    >>> one_hot(ag.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    if tensor.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot is only applicable to index tensor (integers), got {tensor.dtype}")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max()) + 1
    if tensor.numel() and int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if tensor.numel() and int(tensor.max()) >= num_classes:
        raise RuntimeError(
            f"Class values must be smaller than num_classes: got {int(tensor.max())} with "
            f"num_classes={num_classes}"
        )
    return (tensor.unsqueeze(-1) == autograd_core.arange(num_classes)).long()


def pad(input: Tensor, pad: tuple[int, ...], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dimensions: ``pad = (left, right)`` for the last one, then ``(top, bottom)``
    for the one before, and so on. Modes: ``constant`` (with ``value``), ``reflect`` (mirror
    without repeating the edge), ``replicate`` (repeat the edge), ``circular`` (wrap around).
    """
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(
            f"Padding length must be divisible by 2 and at most 2*{input.ndim}, got {tuple(pad)}"
        )
    if mode == "constant":
        return autograd_core.pad(input, pad, value=0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad mode {mode!r}: use constant, reflect, replicate or circular")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument')
    out = input
    for i in range(len(pad) // 2):
        dim = input.ndim - 1 - i
        before, after = int(pad[2 * i]), int(pad[2 * i + 1])
        if before or after:
            out = out[(slice(None),) * dim + (_pad_index(out.shape[dim], before, after, mode),)]
    return out


def _pad_index(size: int, before: int, after: int, mode: str) -> Tensor:
    """For each position of the padded dimension, the position of the input it copies."""
    if mode == "reflect" and (before >= size or after >= size):
        raise ValueError(
            f"reflect padding ({before}, {after}) must be smaller than the padded dimension's size {size}"
        )
    positions = autograd_core.arange(-before, size + after)
    if mode == "replicate":
        return positions.clamp(0, size - 1)
    if mode == "circular":
        return positions % size
    mirrored = positions.abs()
    return autograd_core.where(mirrored > size - 1, 2 * (size - 1) - mirrored, mirrored)


# --------------------------------------------------------------------------- losses
def _resolve_reduction(reduction: str, size_average: bool | None = None, reduce: bool | None = None) -> str:
    """The reduction a loss applies: ``reduction``, unless PyTorch's old ``size_average`` /
    ``reduce`` flags are given (then they decide, with PyTorch's deprecation warning)."""
    if size_average is not None or reduce is not None:
        warnings.warn(
            "size_average and reduce args will be deprecated, please use reduction='mean', 'sum' or "
            "'none' instead.",
            UserWarning,
            stacklevel=3,
        )
        if reduce is not None and not reduce:
            reduction = "none"
        elif size_average is not None and not size_average:
            reduction = "sum"
        else:
            reduction = "mean"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction: use 'mean', 'sum' or 'none'")
    return reduction


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    """The per-element losses reduced by a ``reduction`` that ``_resolve_reduction`` returned."""
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _warn_if_broadcast(name: str, input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}) in {name}. This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """(x - y)², reduced: the mean squared error by default."""
    reduction = _resolve_reduction(reduction, size_average, reduce)
    _warn_if_broadcast("mse_loss", input, target)
    difference = input - target
    return _reduce(difference * difference, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """|x - y|, reduced: the mean absolute error by default."""
    reduction = _resolve_reduction(reduction, size_average, reduce)
    _warn_if_broadcast("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """0.5 d²/β where |d| < β, else |d| - 0.5 β (d = x - y): quadratic near 0, linear beyond."""
    reduction = _resolve_reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got {beta}")
    _warn_if_broadcast("smooth_l1_loss", input, target)
    distance = (input - target).abs()
    if beta == 0:
        return _reduce(distance, reduction)
    quadratic = distance * distance * (0.5 / beta)
    return _reduce(autograd_core.where(distance < beta, quadratic, distance - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """0.5 d² where |d| < δ, else δ(|d| - 0.5 δ): δ · smooth_l1 with β = δ."""
    reduction = _resolve_reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, got {delta}")
    _warn_if_broadcast("huber_loss", input, target)
    distance = (input - target).abs()
    quadratic = distance * distance * 0.5
    return _reduce(
        autograd_core.where(distance < delta, quadratic, (distance - 0.5 * delta) * delta), reduction
    )


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """-w (t·log x + (1 - t)·log(1 - x)) for probabilities x in [0, 1], the logs clamped at -100.

    For raw scores (logits) use ``binary_cross_entropy_with_logits``: it is stable.
    """
    reduction = _resolve_reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}) is deprecated. Please ensure they have the same size."
        )
    if bool(((input < 0) | (input > 1)).any()):
        raise RuntimeError(
            "all elements of input should be between 0 and 1: binary_cross_entropy takes probabilities; "
            "pass logits to binary_cross_entropy_with_logits (or BCEWithLogitsLoss) instead"
        )
    losses = _nn_ops.binary_cross_entropy(input, target)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE of σ(x) against t without forming σ(x): stable for logits of any size.

    ℓ = w [(1 - t)·x + (1 + (p - 1)·t)·softplus(-x)], p = ``pos_weight`` (per class, the last
    dimension), which equals -w [p·t·log σ(x) + (1 - t)·log(1 - σ(x))].
    """
    reduction = _resolve_reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({tuple(target.shape)}) must be the same as input size ({tuple(input.shape)})"
        )
    log_one_plus_exp = softplus(-input)
    if pos_weight is not None:
        log_one_plus_exp = log_one_plus_exp * ((pos_weight - 1) * target + 1)
    losses = (1 - target) * input + log_one_plus_exp
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


def _classes_last(input: Tensor) -> Tensor:
    """(N, C, d1, ...) scores as (N·d1·..., C) rows; (N, C) and (C,) stay as they are."""
    if input.ndim <= 2:
        return input
    return input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])


def _check_class_targets(input: Tensor, target: Tensor, ignore_index: int, name: str) -> None:
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: class-index targets must be integers (int64), got {target.dtype}; use target.long(), "
            "or pass class probabilities with the input's shape"
        )
    batch_shape = (input.shape[0],) + tuple(input.shape[2:]) if input.ndim >= 2 else ()
    if tuple(target.shape) != batch_shape:
        raise ValueError(
            f"{name}: expected a target of shape {batch_shape} for an input of shape {tuple(input.shape)} "
            f"(classes in dimension {1 if input.ndim >= 2 else 0}), got {tuple(target.shape)}"
        )
    classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    counted = target != ignore_index
    bad = counted & ((target < 0) | (target >= classes))
    if bool(bad.any()):
        raise IndexError(
            f"{name}: Target {int(target[bad].reshape(-1)[0])} is out of bounds: targets must lie in "
            f"[0, {classes - 1}] for {classes} classes (or equal ignore_index={ignore_index})"
        )


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C, ...) at class indices
    ``target`` (N, ...): ℓ_n = -w[t_n] · x[n, t_n], zero where t_n = ``ignore_index``.

    'mean' is the weighted mean Σ ℓ_n / Σ w[t_n] over the targets not ignored.
    """
    reduction = _resolve_reduction(reduction, size_average, reduce)
    _check_class_targets(input, target, ignore_index, "nll_loss")
    rows = _classes_last(input if input.ndim >= 2 else input.unsqueeze(0))
    flat_target = target.reshape(-1)
    counted = flat_target != ignore_index
    safe_target = autograd_core.where(counted, flat_target, 0)
    picked = rows.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    weights = counted.to(rows.dtype)
    if weight is not None:
        weights = weight[safe_target] * weights
    losses = -picked * weights
    if reduction == "none":
        return losses.reshape(target.shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / weights.sum()


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of scores ``input`` (N, C, ...) (logits, not probabilities).

    - class indices ``target`` (N, ...): nll_loss(log_softmax(x), t) with ``weight`` and
      ``ignore_index``; with label smoothing ε, (1 - ε)·nll + ε/C · Σ_c -w_c log p_c;
    - class probabilities ``target`` (the input's shape): -Σ_c w_c t_c log p_c per sample,
      'mean' over the samples (smoothed targets t(1 - ε) + ε/C).

    Stable for logits of any size (log-sum-exp); the plain case is one fused node.
    """
    reduction = _resolve_reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 1 if input.ndim >= 2 else 0
    classes = input.shape[class_dim]
    if target.dtype.kind == "f":
        return _cross_entropy_with_probabilities(input, target, weight, reduction, label_smoothing, class_dim)
    if input.ndim == 2 and weight is None and label_smoothing == 0.0:
        return _loss_ops.cross_entropy(input, target, ignore_index, reduction)  # it checks the targets
    log_probabilities = log_softmax(input, class_dim)
    nll = nll_loss(log_probabilities, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return nll
    if weight is not None:
        smooth = -(log_probabilities * _along_classes(weight, input.ndim, class_dim)).sum(class_dim)
    else:
        smooth = -log_probabilities.sum(class_dim)
    counted = target != ignore_index
    smooth = autograd_core.where(counted, smooth, 0.0)
    if reduction == "mean":
        if weight is not None:
            safe_target = autograd_core.where(counted, target, 0)
            smooth = smooth.sum() / (weight[safe_target] * counted.to(weight.dtype)).sum()
        else:
            smooth = smooth.sum() / counted.sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _along_classes(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    """Per-class weights (C,) shaped to broadcast along the class dimension of an ndim input."""
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.reshape(shape)


def _cross_entropy_with_probabilities(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    label_smoothing: float,
    class_dim: int,
) -> Tensor:
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"cross_entropy with class probabilities needs a target of the input's shape "
            f"{tuple(input.shape)}, got {tuple(target.shape)} (for class indices, pass an integer target)"
        )
    classes = input.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = log_softmax(input, class_dim) * target
    if weight is not None:
        terms = terms * _along_classes(weight, input.ndim, class_dim)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    return -terms.sum() / (input.numel() // classes)


# ------------------------------------------------------------ convolution and pooling
# The engine's primitives (autograd_core/ops/conv.py, autograd_core/ops/pooling.py) under
# PyTorch's names and signatures.
from autograd_core.ops import conv as _conv_ops  # noqa: E402
from autograd_core.ops import pooling as _pooling_ops  # noqa: E402

conv1d = _conv_ops.conv1d
conv2d = _conv_ops.conv2d
conv3d = _conv_ops.conv3d
conv_transpose1d = _conv_ops.conv_transpose1d
conv_transpose2d = _conv_ops.conv_transpose2d
conv_transpose3d = _conv_ops.conv_transpose3d
unfold = _conv_ops.unfold
fold = _conv_ops.fold
max_pool1d = _pooling_ops.max_pool1d
max_pool2d = _pooling_ops.max_pool2d
max_pool3d = _pooling_ops.max_pool3d
avg_pool1d = _pooling_ops.avg_pool1d
avg_pool2d = _pooling_ops.avg_pool2d
avg_pool3d = _pooling_ops.avg_pool3d
adaptive_avg_pool1d = _pooling_ops.adaptive_avg_pool1d
adaptive_avg_pool2d = _pooling_ops.adaptive_avg_pool2d
adaptive_avg_pool3d = _pooling_ops.adaptive_avg_pool3d
adaptive_max_pool1d = _pooling_ops.adaptive_max_pool1d
adaptive_max_pool2d = _pooling_ops.adaptive_max_pool2d
adaptive_max_pool3d = _pooling_ops.adaptive_max_pool3d
