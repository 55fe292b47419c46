"""A chain of 1,000 elementwise operations on a 1-element tensor, forward plus backward:
the per-operation overhead of the graph, beside NumPy (the same arithmetic and its
derivatives by hand) and PyTorch."""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from benchmarks.harness import compare, torch_or_none

OPERATIONS = 1000


def autograd_core_chain():
    x = ag.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(OPERATIONS // 4):
        y = (y * 1.0001).tanh()
        y = (y + 0.1).sin()
    y.backward(ag.ones(1))
    return x.grad


def torch_chain_factory(torch):
    def chain():
        x = torch.tensor([0.5], requires_grad=True)
        y = x
        for _ in range(OPERATIONS // 4):
            y = (y * 1.0001).tanh()
            y = (y + 0.1).sin()
        y.backward(torch.ones(1))
        return x.grad

    return chain


def numpy_chain():
    y = np.array([0.5], dtype=np.float32)
    saved = []
    for _ in range(OPERATIONS // 4):
        y = np.tanh(y * np.float32(1.0001))
        saved.append(y)
        z = y + np.float32(0.1)
        saved.append(z)
        y = np.sin(z)
    grad = np.ones(1, dtype=np.float32)
    for i in range(len(saved) - 1, 0, -2):
        grad = grad * np.cos(saved[i])
        grad = grad * (1 - saved[i - 1] * saved[i - 1]) * np.float32(1.0001)
    return grad


def main() -> dict:
    contenders = {"numpy floor": numpy_chain, "autograd_core": autograd_core_chain}
    torch = torch_or_none()
    if torch is not None:
        contenders["pytorch"] = torch_chain_factory(torch)
    return compare(
        "chain of 1,000 elementwise ops on a 1-element tensor, forward + backward",
        contenders,
        unit_count=OPERATIONS,
        unit_name="op",
    )


if __name__ == "__main__":
    main()
