"""A 1,000-step tanh RNN (input 32, hidden 64, batch 16), forward and backward, beside
hand-written NumPy backpropagation through time (the floor) and PyTorch's ``nn.RNN``.

All three compute the loss Σ_t Σ h_t and the gradients of W_ih, W_hh, b_ih and b_hh. The
autograd_core contender is the user's code: ``nn.RNN`` called on the sequence, then backward.
PyTorch runs on one thread: its per-step operations are tiny, and threads only add overhead.
"""

from __future__ import annotations

import numpy as np

import autograd_core as ag
import nn
from benchmarks.harness import compare, torch_or_none

STEPS, BATCH, INPUT, HIDDEN = 1000, 16, 32, 64


def _initial_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    bound = 1 / np.sqrt(HIDDEN)
    shapes = {
        "weight_ih_l0": (HIDDEN, INPUT),
        "weight_hh_l0": (HIDDEN, HIDDEN),
        "bias_ih_l0": (HIDDEN,),
        "bias_hh_l0": (HIDDEN,),
    }
    return {name: rng.uniform(-bound, bound, shape).astype(np.float32) for name, shape in shapes.items()}


def numpy_step_factory(weights, x):
    w_ih, w_hh = weights["weight_ih_l0"], weights["weight_hh_l0"]
    bias = weights["bias_ih_l0"] + weights["bias_hh_l0"]
    inputs = x.reshape(STEPS * BATCH, INPUT)

    def step():
        projections = (inputs @ w_ih.T + bias).reshape(STEPS, BATCH, HIDDEN)
        hs = np.empty((STEPS, BATCH, HIDDEN), dtype=np.float32)
        h = np.zeros((BATCH, HIDDEN), dtype=np.float32)
        for t in range(STEPS):
            h = hs[t] = np.tanh(projections[t] + h @ w_hh.T)
        deltas = np.empty_like(hs)
        carried = np.zeros((BATCH, HIDDEN), dtype=np.float32)
        for t in reversed(range(STEPS)):
            deltas[t] = (1 + carried) * (1 - hs[t] * hs[t])  # d(Σ h)/dh_t = 1
            carried = deltas[t] @ w_hh
        previous = np.concatenate([np.zeros((1, BATCH, HIDDEN), dtype=np.float32), hs[:-1]])
        flat = deltas.reshape(-1, HIDDEN)
        grads = (flat.T @ inputs, flat.T @ previous.reshape(-1, HIDDEN), flat.sum(0))
        return hs, grads

    return step


def autograd_core_step_factory(weights, x):
    rnn = nn.RNN(INPUT, HIDDEN)
    with ag.no_grad():
        for name, value in weights.items():
            getattr(rnn, name).copy_(ag.from_numpy(value))
    inputs = ag.from_numpy(x)

    def step():
        output, _ = rnn(inputs)
        output.sum().backward()
        rnn.zero_grad()

    return step


def torch_step_factory(torch, weights, x):
    rnn = torch.nn.RNN(INPUT, HIDDEN)
    with torch.no_grad():
        for name, value in weights.items():
            getattr(rnn, name).copy_(torch.from_numpy(value))
    inputs = torch.from_numpy(x)

    def step():
        output, _ = rnn(inputs)
        output.sum().backward()
        rnn.zero_grad()

    return step


def main() -> dict:
    torch = torch_or_none()
    if torch is not None:
        torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    weights = _initial_weights(rng)
    x = rng.standard_normal((STEPS, BATCH, INPUT)).astype(np.float32)
    contenders = {
        "numpy floor": numpy_step_factory(weights, x),
        "autograd_core": autograd_core_step_factory(weights, x),
    }
    if torch is not None:
        contenders["pytorch"] = torch_step_factory(torch, weights, x)
    return compare(
        "tanh RNN, 1,000 steps (input 32, hidden 64, batch 16): forward + backward",
        contenders,
        target_seconds=0.2,
    )


if __name__ == "__main__":
    main()
