"""Adagrad: per-parameter step sizes from the sum of all past squared gradients (Duchi et al.)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd_core import Tensor, full_like, tensor

from .optimizer import Optimizer


class Adagrad(Optimizer):
    r"""Adagrad, PyTorch's ``torch.optim.Adagrad``.

    For each parameter θ with gradient g, at step t (λ = weight_decay)::

        g ← g + λ θ                                  (when λ ≠ 0)
        lr_t = lr / (1 + (t - 1) · lr_decay)
        s ← s + g²                                   (starts at initial_accumulator_value)
        θ ← θ - lr_t · g / (√s + eps)

    Parameters whose gradients have been large take smaller and smaller steps.

    >>> w = autograd_core.tensor([1.0, -2.0], requires_grad=True)
    >>> optimizer = Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> optimizer.step()
    >>> w
    tensor([0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """As ``Optimizer.add_param_group``; each new parameter's sum starts at
        ``initial_accumulator_value`` right away (so it shows in ``state_dict()``, as in PyTorch)."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for param in group["params"]:
            self.state[param] = {
                "step": tensor(0.0),
                "sum": full_like(param, group["initial_accumulator_value"]),
            }

    def _update(self, param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        step_count = state["step"]
        step_count += 1
        step = step_count.item()
        if group["maximize"]:
            grad = -grad
        weight_decay = group["weight_decay"]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"]
        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt().add_(group["eps"])
        param.addcdiv_(grad, std, value=-clr)
