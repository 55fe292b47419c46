"""MLP 784-256-128-10 training step (ReLU, softmax cross-entropy, SGD) from raw Tensors,
at batch 128 and batch 8, beside the same arithmetic in NumPy (the floor) and PyTorch."""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core.ops.loss import cross_entropy
from benchmarks.harness import compare, torch_or_none

SIZES = (784, 256, 128, 10)
LEARNING_RATE = 0.01


def _initial_weights(rng: np.random.Generator) -> list[np.ndarray]:
    arrays = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        arrays.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        arrays.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return arrays


def numpy_step_factory(weights, x, y):
    params = [w.copy() for w in weights]
    rows = np.arange(len(y))

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h1 = np.maximum(x @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        logits = h2 @ w3 + b3
        shifted = logits - logits.max(axis=1, keepdims=True)
        exponentials = np.exp(shifted)
        sums = exponentials.sum(axis=1)
        loss = (np.log(sums) - shifted[rows, y]).mean()  # every contender computes the loss value
        grad_logits = exponentials / sums[:, None]
        grad_logits[rows, y] -= 1
        grad_logits /= len(y)
        grad_w3, grad_b3 = h2.T @ grad_logits, grad_logits.sum(0)
        grad_h2 = (grad_logits @ w3.T) * (h2 > 0)
        grad_w2, grad_b2 = h1.T @ grad_h2, grad_h2.sum(0)
        grad_h1 = (grad_h2 @ w2.T) * (h1 > 0)
        grad_w1, grad_b1 = x.T @ grad_h1, grad_h1.sum(0)
        for p, g in zip(params, (grad_w1, grad_b1, grad_w2, grad_b2, grad_w3, grad_b3)):
            p -= LEARNING_RATE * g
        return loss

    step.params = params
    return step


def autograd_core_step_factory(weights, x, y):
    params = [ag.tensor(w, requires_grad=True) for w in weights]
    inputs, targets = ag.from_numpy(x), ag.from_numpy(y)

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h1 = (inputs @ w1 + b1).relu()
        h2 = (h1 @ w2 + b2).relu()
        logits = h2 @ w3 + b3
        loss = cross_entropy(logits, targets)
        loss.backward()
        with ag.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=LEARNING_RATE)
                p.grad = None
        return loss

    step.params = params
    return step


def torch_step_factory(torch, weights, x, y):
    params = [torch.tensor(w, requires_grad=True) for w in weights]
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h1 = (inputs @ w1 + b1).relu()
        h2 = (h1 @ w2 + b2).relu()
        logits = h2 @ w3 + b3
        loss = torch.nn.functional.cross_entropy(logits, targets)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=LEARNING_RATE)
                p.grad = None
        return loss

    step.params = params
    return step


def main() -> dict:
    results = {}
    torch = torch_or_none()
    for batch in (128, 8):
        rng = np.random.default_rng(0)
        weights = _initial_weights(rng)
        x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
        y = rng.integers(0, SIZES[-1], batch).astype(np.int64)
        contenders = {
            "numpy floor": numpy_step_factory(weights, x, y),
            "autograd_core": autograd_core_step_factory(weights, x, y),
        }
        if torch is not None:
            contenders["pytorch"] = torch_step_factory(torch, weights, x, y)
        results[batch] = compare(f"MLP 784-256-128-10 training step, batch {batch}", contenders)
    return results


if __name__ == "__main__":
    main()
