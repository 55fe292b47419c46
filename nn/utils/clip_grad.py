"""Gradient clipping: rescale (``clip_grad_norm_``) or clamp (``clip_grad_value_``) the
gradients in place before the optimizer step, to tame exploding gradients."""

from __future__ import annotations

from collections.abc import Iterable

import autograd_core
from autograd_core import Tensor


def _with_grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of the vector of all gradient entries (as if
    concatenated); every gradient is multiplied by min(1, max_norm / (total + 1e-6)). Returns the
    total norm before clipping.

    >>> import autograd_core as ag
    >>> w = ag.tensor([1.0, 1.0], requires_grad=True)
    >>> (w * ag.tensor([3.0, 4.0])).sum().backward()
    >>> clip_grad_norm_([w], max_norm=1.0)
    tensor(5.)
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    grads = _with_grads(parameters)
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not grads:
        return autograd_core.tensor(0.0)
    with autograd_core.no_grad():
        norms = [grad.norm(norm_type) for grad in grads]
        total_norm = autograd_core.stack(norms).norm(norm_type)
        if error_if_nonfinite and not bool(total_norm.isfinite()):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is non-finite "
                f"({total_norm.item()}), so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
            )
        coefficient = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
        for grad in grads:
            grad.mul_(coefficient.to(grad.dtype))
    return total_norm


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient entry to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    with autograd_core.no_grad():
        for grad in _with_grads(parameters):
            grad.clamp_(-clip_value, clip_value)
