"""Small CNN training step on MNIST-sized input, beside hand-written NumPy (the floor) and PyTorch.

Input 32×1×28×28; conv 3×3 1→8 (padding 1), ReLU, max-pool 2; conv 3×3 8→16 (padding 1), ReLU,
max-pool 2; linear 16·7·7=784→10; softmax cross-entropy; backward; SGD update.

The floor is the same arithmetic written by hand: im2col with a loop over the 9 kernel offsets
and one batched matrix product per convolution, max-pooling from the 4 strided slices of each
2×2 window, col2im for the input gradient, no graph.
"""

from __future__ import annotations

import numpy as np

import autograd_core as ag
import nn.functional as F
from benchmarks.harness import compare, torch_or_none

BATCH = 32
LEARNING_RATE = 0.01
SHAPES = {"w1": (8, 1, 3, 3), "b1": (8,), "w2": (16, 8, 3, 3), "b2": (16,), "w3": (10, 784), "b3": (10,)}


def _initial_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    weights = {}
    for name, shape in SHAPES.items():
        fan_in = int(np.prod(SHAPES["w" + name[1]][1:]))
        bound = 1 / np.sqrt(fan_in)
        weights[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return weights


# ------------------------------------------------------------------------- NumPy floor
def _im2col(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) → (N, C·9, H·W): the 3×3 windows of the zero-padded input, one column each."""
    n, c, h, w = x.shape
    padded = np.zeros((n, c, h + 2, w + 2), dtype=x.dtype)
    padded[:, :, 1:-1, 1:-1] = x
    cols = np.empty((n, c, 3, 3, h, w), dtype=x.dtype)
    for i in range(3):
        for j in range(3):
            cols[:, :, i, j] = padded[:, :, i : i + h, j : j + w]
    return cols.reshape(n, c * 9, h * w)


def _col2im(cols: np.ndarray, shape: tuple) -> np.ndarray:
    """The adjoint of ``_im2col``: add each column back onto its window."""
    n, c, h, w = shape
    blocks = cols.reshape(n, c, 3, 3, h, w)
    padded = np.zeros((n, c, h + 2, w + 2), dtype=cols.dtype)
    for i in range(3):
        for j in range(3):
            padded[:, :, i : i + h, j : j + w] += blocks[:, :, i, j]
    return padded[:, :, 1:-1, 1:-1]


def _pool_slices(x: np.ndarray) -> list:
    return [x[:, :, i::2, j::2] for i in (0, 1) for j in (0, 1)]


def _max_pool(x: np.ndarray) -> np.ndarray:
    a, b, c, d = _pool_slices(x)
    return np.maximum(np.maximum(a, b), np.maximum(c, d))


def _max_pool_backward(x: np.ndarray, pooled: np.ndarray, grad: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    for (i, j), piece in zip(((0, 0), (0, 1), (1, 0), (1, 1)), _pool_slices(x)):
        out[:, :, i::2, j::2] = (piece == pooled) * grad
    return out


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cols = _im2col(x)
    out = w.reshape(w.shape[0], -1) @ cols + b[:, None]
    return out.reshape(x.shape[0], w.shape[0], *x.shape[2:]), cols


def _conv_backward(grad: np.ndarray, w: np.ndarray, cols: np.ndarray, x_shape, need_input: bool):
    g = grad.reshape(grad.shape[0], grad.shape[1], -1)
    grad_w = (g @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    grad_b = g.sum(axis=(0, 2))
    grad_x = _col2im(w.reshape(w.shape[0], -1).T @ g, x_shape) if need_input else None
    return grad_x, grad_w, grad_b


def numpy_step_factory(weights, x, y):
    p = {name: value.copy() for name, value in weights.items()}
    rows = np.arange(len(y))

    def step():
        z1, cols1 = _conv_forward(x, p["w1"], p["b1"])
        a1 = np.maximum(z1, 0)
        p1 = _max_pool(a1)
        z2, cols2 = _conv_forward(p1, p["w2"], p["b2"])
        a2 = np.maximum(z2, 0)
        p2 = _max_pool(a2)
        flat = p2.reshape(len(y), -1)
        logits = flat @ p["w3"].T + p["b3"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        probabilities = np.exp(shifted)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        grad_logits = probabilities
        grad_logits[rows, y] -= 1
        grad_logits /= len(y)
        grads = {"w3": grad_logits.T @ flat, "b3": grad_logits.sum(0)}
        grad_p2 = (grad_logits @ p["w3"]).reshape(p2.shape)
        grad_z2 = _max_pool_backward(a2, p2, grad_p2) * (z2 > 0)
        grad_p1, grads["w2"], grads["b2"] = _conv_backward(grad_z2, p["w2"], cols2, p1.shape, True)
        grad_z1 = _max_pool_backward(a1, p1, grad_p1) * (z1 > 0)
        _, grads["w1"], grads["b1"] = _conv_backward(grad_z1, p["w1"], cols1, x.shape, False)
        for name, grad in grads.items():
            p[name] -= LEARNING_RATE * grad

    return step


# ---------------------------------------------------------------------- autograd_core
def autograd_core_step_factory(weights, x, y):
    params = {name: ag.tensor(value, requires_grad=True) for name, value in weights.items()}
    inputs, targets = ag.from_numpy(x), ag.from_numpy(y)

    def step():
        p = params
        h = F.max_pool2d(F.conv2d(inputs, p["w1"], p["b1"], padding=1).relu(), 2)
        h = F.max_pool2d(F.conv2d(h, p["w2"], p["b2"], padding=1).relu(), 2)
        logits = F.linear(h.reshape(len(y), -1), p["w3"], p["b3"])
        loss = F.cross_entropy(logits, targets)
        loss.backward()
        with ag.no_grad():
            for value in p.values():
                value.sub_(value.grad, alpha=LEARNING_RATE)
                value.grad = None

    return step


def torch_step_factory(torch, weights, x, y):
    params = {name: torch.tensor(value, requires_grad=True) for name, value in weights.items()}
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
    functional = torch.nn.functional

    def step():
        p = params
        h = functional.max_pool2d(functional.conv2d(inputs, p["w1"], p["b1"], padding=1).relu(), 2)
        h = functional.max_pool2d(functional.conv2d(h, p["w2"], p["b2"], padding=1).relu(), 2)
        logits = functional.linear(h.reshape(len(y), -1), p["w3"], p["b3"])
        loss = functional.cross_entropy(logits, targets)
        loss.backward()
        with torch.no_grad():
            for value in p.values():
                value.sub_(value.grad, alpha=LEARNING_RATE)
                value.grad = None

    return step


def main() -> dict:
    torch = torch_or_none()
    rng = np.random.default_rng(0)
    weights = _initial_weights(rng)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int64)
    contenders = {
        "numpy floor": numpy_step_factory(weights, x, y),
        "autograd_core": autograd_core_step_factory(weights, x, y),
    }
    if torch is not None:
        contenders["pytorch"] = torch_step_factory(torch, weights, x, y)
    return compare("CNN training step: 32×1×28×28, conv8-pool-conv16-pool-linear10, SGD", contenders)


if __name__ == "__main__":
    main()
