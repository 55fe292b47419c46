"""A training step with Python's cyclic garbage collector off must free its whole graph:
nodes never refer back to the tensors they produced, so reference counting alone suffices.
Prints how many graph tensors survive (must be 0) and the step time with gc on and off."""

from __future__ import annotations

import gc
import weakref

import numpy as np

import autograd_core as ag
from benchmarks.harness import compare


def make_step():
    rng = np.random.default_rng(0)
    w1 = ag.tensor(rng.standard_normal((64, 32)) * 0.1, dtype=ag.float32, requires_grad=True)
    w2 = ag.tensor(rng.standard_normal((32, 10)) * 0.1, dtype=ag.float32, requires_grad=True)
    x = ag.tensor(rng.standard_normal((16, 64)), dtype=ag.float32)
    y = ag.tensor(rng.integers(0, 10, 16))
    survivors = []

    def step():
        hidden = (x @ w1).tanh()
        logits = hidden @ w2
        loss = -logits.log_softmax(1).gather(1, y.unsqueeze(1)).mean()
        survivors[:] = [weakref.ref(t) for t in (hidden, logits, loss)]
        loss.backward()
        with ag.no_grad():
            for w in (w1, w2):
                w.sub_(w.grad, alpha=0.1)
                w.grad = None

    return step, survivors


def count_survivors() -> int:
    step, survivors = make_step()
    gc.collect()
    gc.disable()
    try:
        step()
        return sum(ref() is not None for ref in survivors)
    finally:
        gc.enable()


def main() -> int:
    alive = count_survivors()
    print(f"\ngraph tensors alive after a step with gc disabled: {alive} (must be 0)")
    step, _ = make_step()

    def without_gc():
        gc.disable()
        step()

    compare(
        "training step, gc enabled vs disabled",
        {"gc enabled": step, "gc disabled": without_gc},
        floor="gc enabled",
    )
    return alive


if __name__ == "__main__":
    main()
