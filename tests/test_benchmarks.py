"""The benchmarks compare like with like: each contender of the MLP benchmark does the same
arithmetic (same losses, same updated weights), so its ratios measure overhead only."""

import numpy as np
import pytest

from benchmarks.bench_mlp import (
    SIZES,
    _initial_weights,
    autograd_core_step_factory,
    numpy_step_factory,
    torch_step_factory,
)


def _problem(batch: int):
    rng = np.random.default_rng(0)
    weights = _initial_weights(rng)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch).astype(np.int64)
    return weights, x, y


def _run(step, steps: int = 3) -> list[float]:
    return [float(step()) for _ in range(steps)]


@pytest.mark.parametrize("batch", [8, 128])
def test_the_mlp_floor_and_autograd_core_compute_the_same_step(batch):
    weights, x, y = _problem(batch)
    floor, ours = numpy_step_factory(weights, x, y), autograd_core_step_factory(weights, x, y)
    np.testing.assert_allclose(_run(ours), _run(floor), rtol=1e-5)
    for ours_param, floor_param in zip(ours.params, floor.params):
        np.testing.assert_allclose(ours_param.numpy(), floor_param, rtol=1e-4, atol=1e-6)


def test_the_mlp_pytorch_contender_computes_the_same_step():
    torch = pytest.importorskip("torch")
    weights, x, y = _problem(8)
    floor, theirs = numpy_step_factory(weights, x, y), torch_step_factory(torch, weights, x, y)
    np.testing.assert_allclose(_run(lambda: theirs().detach()), _run(floor), rtol=1e-5)
    for their_param, floor_param in zip(theirs.params, floor.params):
        np.testing.assert_allclose(their_param.detach().numpy(), floor_param, rtol=1e-4, atol=1e-6)
