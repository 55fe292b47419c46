"""Newton's method: a step that uses the curvature (the Hessian) as well as the slope."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import autograd_core
from autograd_core import Tensor
from autograd_core.autograd import grad

from .optimizer import Optimizer

# The Hessian has n² entries and takes n backward passes to build: beyond this, use LBFGS.
MAX_PARAMETERS = 10_000


class Newton(Optimizer):
    r"""Damped Newton's method with a backtracking line search, for up to a few thousand parameters.

    All parameters form one vector θ (n entries). Each ``step(closure)``:

    1. evaluates the loss L(θ) = ``closure()`` and its gradient g = ∇L(θ) with
       ``create_graph=True``, then the Hessian H = ∇²L(θ) row by row (row k is ∇(g_k):
       n more backward passes through the recorded backward pass);
    2. solves (H + λ I) d = -g for the Newton direction d, starting from λ = ``damping``. If
       H + λ I is not positive definite (the loss curves down somewhere, or is flat), the
       direction might climb, so λ grows — to 1e-8·(1 + max|H_ii|) first, then ×10 — until it
       is; a large λ turns d into a short gradient step -g/λ;
    3. picks the step length by backtracking from t = ``lr``: while the loss does not decrease
       enough, L(θ + t d) > L(θ) + c₁ t gᵀd, set t ← ``shrink``·t (at most ``max_ls`` times; if
       no step length is accepted the parameters stay where they were);
    4. moves θ ← θ + t d (in place, under no_grad).

    On a quadratic L = ½ θᵀAθ - bᵀθ with A positive definite, d = -A⁻¹(Aθ - b) lands on the
    minimum in one step. Near a minimum with positive definite Hessian the number of correct
    digits doubles with each step (quadratic convergence), where gradient descent gains a
    constant factor per step that depends on the condition number of H.

    The closure re-evaluates the model and returns the loss. It must **not** call
    ``loss.backward()``: Newton differentiates the loss itself, twice. After the step each
    parameter's ``.grad`` holds its gradient at the start of the step. The linear system is
    solved with ``autograd_core.linalg.cholesky_ex`` / ``solve`` on the small dense matrix.
    ``step`` returns the loss at the start; ``state[first parameter]`` records ``n_iter``,
    ``func_evals``, and the ``damping`` and ``step_size`` of the last step.

    >>> w = autograd_core.tensor([0.0, 0.0], dtype=autograd_core.float64, requires_grad=True)
    >>> optimizer = Newton([w])
    >>> _ = optimizer.step(lambda: ((w - autograd_core.tensor([1.0, 2.0])) ** 2).sum() * 3)
    >>> w
    tensor([1., 2.], dtype=float64, requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1.0,
        damping: float = 0.0,
        c1: float = 1e-4,
        shrink: float = 0.5,
        max_ls: int = 30,
        tolerance_grad: float = 1e-12,
    ) -> None:
        defaults = {
            "lr": lr,
            "damping": damping,
            "c1": c1,
            "shrink": shrink,
            "max_ls": max_ls,
            "tolerance_grad": tolerance_grad,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(
                "Newton doesn't support per-parameter options (parameter groups): pass one list of "
                "parameters, Newton(model.parameters(), ...)"
            )
        self._params = self.param_groups[0]["params"]
        self._numel = sum(p.numel() for p in self._params)
        if self._numel > MAX_PARAMETERS:
            raise ValueError(
                f"Newton builds the full Hessian: {self._numel} parameters give a "
                f"{self._numel}×{self._numel} matrix and {self._numel} backward passes per step. "
                f"It is meant for up to {MAX_PARAMETERS} parameters; use LBFGS for larger models."
            )

    def _check_options(self, options: dict[str, Any]) -> None:
        super()._check_options(options)
        if "shrink" in options and not 0.0 < options["shrink"] < 1.0:
            raise ValueError(f"Invalid shrink: {options['shrink']}. It must be in (0, 1), e.g. 0.5.")
        if "c1" in options and not 0.0 < options["c1"] < 1.0:
            raise ValueError(f"Invalid c1: {options['c1']}. It must be in (0, 1), e.g. 1e-4.")

    # ------------------------------------------------------------------ derivatives
    def _loss_gradient_hessian(self, closure: Callable) -> tuple[Any, Tensor, Tensor]:
        """(loss, g, H) at the current parameters: g of shape (n,), H of shape (n, n)."""
        with autograd_core.enable_grad():
            loss = closure()
            _check_loss(loss)
            if not loss.requires_grad:
                zeros = autograd_core.zeros(self._numel, dtype=self._params[0].dtype)
                return loss, zeros, autograd_core.zeros(self._numel, self._numel, dtype=zeros.dtype)
            try:
                grads = grad(loss, self._params, create_graph=True, allow_unused=True)
            except RuntimeError as error:
                if "second time" in str(error):
                    raise RuntimeError(
                        "Newton differentiates the closure's loss itself (twice), but the closure "
                        "already ran loss.backward(), which freed the graph. Return the loss without "
                        "calling backward: def closure(): optimizer.zero_grad(); return loss_fn(...)"
                    ) from error
                raise
            flat = autograd_core.cat([self._flat(g, p) for g, p in zip(grads, self._params)])
            rows = []
            for k in range(self._numel):
                if flat.requires_grad:
                    row = grad(flat[k], self._params, retain_graph=True, allow_unused=True)
                else:
                    row = (None,) * len(self._params)
                rows.append(autograd_core.cat([self._flat(r, p) for r, p in zip(row, self._params)]))
        return loss, flat.detach(), autograd_core.stack(rows).detach()

    @staticmethod
    def _flat(gradient: Tensor | None, param: Tensor) -> Tensor:
        if gradient is None:
            return autograd_core.zeros(param.numel(), dtype=param.dtype)
        return gradient.reshape(-1)

    # ------------------------------------------------------------------ the step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One damped Newton step; returns the loss at the start of the step."""
        if closure is None:
            raise TypeError(
                "Newton.step needs a closure: Newton builds the Hessian and searches along the "
                "step, so it evaluates the loss several times. Define closure() that returns the "
                "loss (without calling backward) and call optimizer.step(closure)."
            )
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("n_iter", 0)
        state.setdefault("func_evals", 0)
        loss, g, hessian = self._loss_gradient_hessian(closure)
        state["func_evals"] += 1
        state["n_iter"] += 1
        if not (autograd_core.isfinite(g).all() and autograd_core.isfinite(hessian).all()):
            raise RuntimeError(
                "Newton: the loss's gradient or Hessian holds nan or inf at the current parameters. "
                "Check the loss for log(0), division by zero or overflow, or lower lr."
            )
        with autograd_core.no_grad():
            start = 0
            for p in self._params:
                p.grad = g[start : start + p.numel()].reshape(p.shape).clone()
                start += p.numel()
            if float(g.abs().max()) <= group["tolerance_grad"]:
                state["damping"], state["step_size"] = group["damping"], 0.0
                return loss.detach()
            direction, state["damping"] = _damped_newton_direction(hessian, g, group["damping"])
            state["step_size"] = self._line_search(closure, float(loss), g, direction, group, state)
        return loss.detach()

    def _line_search(self, closure, loss: float, g: Tensor, d: Tensor, group: dict, state: dict) -> float:
        """Backtracking: the first t = lr, lr·shrink, lr·shrink², … with sufficient decrease."""
        slope = float(g.dot(d))
        start_values = [p.detach().clone() for p in self._params]
        t = group["lr"]
        for _ in range(group["max_ls"]):
            self._move_to(start_values, t, d)
            trial = float(closure())
            state["func_evals"] += 1
            if trial <= loss + group["c1"] * t * slope:
                return t
            t *= group["shrink"]
        self._move_to(start_values, 0.0, d)
        return 0.0

    def _move_to(self, start_values: list[Tensor], t: float, d: Tensor) -> None:
        """θ ← θ_start + t d, in place."""
        offset = 0
        for p, start in zip(self._params, start_values):
            numel = p.numel()
            p.copy_(start).add_(d[offset : offset + numel].reshape(p.shape), alpha=t)
            offset += numel


def _damped_newton_direction(hessian: Tensor, g: Tensor, damping: float) -> tuple[Tensor, float]:
    """(d, λ) with (H + λI) d = -g and H + λI positive definite (its Cholesky factor exists)."""
    identity = autograd_core.eye(hessian.shape[0], dtype=hessian.dtype)
    largest_diagonal = (hessian * identity).abs().max().item() if hessian.numel() else 0.0
    smallest = 1e-8 * (1.0 + largest_diagonal)
    while autograd_core.linalg.cholesky_ex(hessian + damping * identity)[1].item() != 0:
        damping = max(10.0 * damping, smallest)
    return autograd_core.linalg.solve(hessian + damping * identity, -g), damping


def _check_loss(loss) -> None:
    if not isinstance(loss, Tensor) or loss.numel() != 1:
        shape = tuple(loss.shape) if isinstance(loss, Tensor) else type(loss).__name__
        raise RuntimeError(
            f"Newton's closure must return the loss as a one-element Tensor, got {shape}. "
            "Reduce it to a scalar (loss.mean() or loss.sum())."
        )
