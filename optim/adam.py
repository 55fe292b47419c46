"""Adam: adaptive moment estimation (Kingma & Ba, 2015), with AMSGrad."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd_core import Tensor, tensor, zeros_like

from .optimizer import Optimizer


class Adam(Optimizer):
    r"""Adam, PyTorch's ``torch.optim.Adam``.

    For each parameter θ with gradient g, at step t (λ = weight_decay)::

        g ← g + λ θ                              (L2 penalty added to the gradient;
                                                  AdamW decays θ ← θ (1 - lr λ) instead)
        m ← β1 m + (1 - β1) g                    (first moment)
        v ← β2 v + (1 - β2) g²                   (second moment)
        v̂ ← max(v̂, v)                            (amsgrad only; then v̂ replaces v below)
        θ ← θ - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps)

    >>> w = autograd_core.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_options(self, options: dict[str, Any]) -> None:
        super()._check_options(options)
        _check_betas(options.get("betas", (0.9, 0.999)))

    def _update(self, param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:
            state["step"] = tensor(0.0)
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(param)
        if group["maximize"]:
            grad = -grad
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        step_count = state["step"]
        step_count += 1
        step = step_count.item()
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        if group["amsgrad"]:
            max_exp_avg_sq = state["max_exp_avg_sq"]
            max_exp_avg_sq.copy_(max_exp_avg_sq.maximum(exp_avg_sq))
            exp_avg_sq = max_exp_avg_sq
        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(group["eps"])
        param.addcdiv_(exp_avg, denom, value=-lr / bias_correction1)


def _check_betas(betas) -> None:
    if len(betas) != 2:
        raise ValueError(
            f"betas must be a pair (beta1, beta2), got {betas!r}. The usual value is (0.9, 0.999)."
        )
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {index}: {beta}. Each beta must be in [0, 1) "
                "(the usual values are betas=(0.9, 0.999))."
            )
