"""RMSprop: divide the gradient by a running root mean square of recent gradients (Hinton)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd_core import Tensor, tensor, zeros_like

from .optimizer import Optimizer


class RMSprop(Optimizer):
    r"""RMSprop, PyTorch's ``torch.optim.RMSprop``.

    For each parameter θ with gradient g (λ = weight_decay, μ = momentum)::

        g ← g + λ θ                          (when λ ≠ 0)
        v ← α v + (1 - α) g²                 (running mean of squares)
        ḡ ← α ḡ + (1 - α) g                  (centered only: running mean)
        d ← √(v - ḡ²) + eps  if centered else √v + eps
        b ← μ b + g / d;  θ ← θ - lr b       (when μ > 0)
        θ ← θ - lr g / d                     (when μ = 0)

    Each parameter gets its own step size: large recent gradients mean smaller steps.

    >>> w = autograd_core.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:
            state["step"] = tensor(0.0)
            state["square_avg"] = zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = zeros_like(param)
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        alpha = group["alpha"]
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = (square_avg - grad_avg * grad_avg).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg.add_(group["eps"])
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer.mul_(group["momentum"]).addcdiv_(grad, avg)
            param.add_(buffer, alpha=-group["lr"])
        else:
            param.addcdiv_(grad, avg, value=-group["lr"])
