"""Shared pieces of the optimizer tests: a small problem, and runners that record the
parameter trajectory of our optimizer, of PyTorch's, and of a NumPy reference update."""

from __future__ import annotations

import numpy as np

import autograd_core as ag

SHAPES = [(3, 2), (4,)]


class Quadratic:
    """f(θ) = Σ_i Σ (a_i θ_i² / 2 + b_i θ_i) over parameters θ_i; ∇f = a θ + b (a ∈ [0.5, 2])."""

    def __init__(self, seed: int = 0, shapes=SHAPES, dtype=np.float64) -> None:
        rng = np.random.default_rng(seed)
        self.a = [rng.uniform(0.5, 2.0, shape).astype(dtype) for shape in shapes]
        self.b = [rng.normal(size=shape).astype(dtype) for shape in shapes]
        self.init = [rng.normal(size=shape).astype(dtype) for shape in shapes]

    def loss(self, params, lib=ag):
        total = 0
        for param, a, b in zip(params, self.a, self.b):
            a_t, b_t = lib.tensor(a), lib.tensor(b)
            total = total + (0.5 * a_t * param * param + b_t * param).sum()
        return total

    def grads(self, thetas):
        return [a * theta + b for theta, a, b in zip(thetas, self.a, self.b)]


def make_params(problem: Quadratic):
    return [ag.tensor(value.copy(), requires_grad=True) for value in problem.init]


def run_ours(problem: Quadratic, make_optimizer, steps: int, params=None, optimizer=None):
    """Our optimizer on the problem: the parameter values after each step."""
    params = make_params(problem) if params is None else params
    optimizer = make_optimizer(params) if optimizer is None else optimizer
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        problem.loss(params).backward()
        optimizer.step()
        trajectory.append([p.numpy().copy() for p in params])
    return trajectory


def run_torch(torch, problem: Quadratic, make_optimizer, steps: int):
    """PyTorch's optimizer on the same problem from the same start."""
    params = [torch.tensor(value.copy(), requires_grad=True) for value in problem.init]
    optimizer = make_optimizer(params)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        problem.loss(params, lib=torch).backward()
        optimizer.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


def run_reference(problem: Quadratic, update, steps: int):
    """The update rule written out in NumPy: ``update(thetas, grads, state, t)`` returns new thetas."""
    thetas = [value.copy() for value in problem.init]
    state: dict = {}
    trajectory = []
    for t in range(1, steps + 1):
        thetas = update(thetas, problem.grads(thetas), state, t)
        trajectory.append([theta.copy() for theta in thetas])
    return trajectory


def assert_same_trajectory(actual, expected, rtol=1e-10, atol=1e-12):
    assert len(actual) == len(expected)
    for step, (got, want) in enumerate(zip(actual, expected)):
        for index, (g, w) in enumerate(zip(got, want)):
            np.testing.assert_allclose(
                g, w, rtol=rtol, atol=atol, err_msg=f"step {step + 1}, parameter {index}"
            )


def assert_moves(trajectory, problem: Quadratic):
    """The trajectory must actually change the parameters (a test that cannot fail is a defect)."""
    assert not np.allclose(trajectory[-1][0], problem.init[0])
