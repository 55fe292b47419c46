"""One seeded random generator for the whole library: ``manual_seed(n)`` makes every
initialisation, dropout mask and shuffle reproducible."""

from __future__ import annotations

import numpy as np

from . import dtypes


class Generator:
    """A random-number generator (PyTorch's ``torch.Generator``), backed by NumPy's PCG64."""

    def __init__(self, device: str = "cpu") -> None:
        self._rng = np.random.default_rng()
        self._seed = None

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int | None:
        return self._seed

    def get_state(self) -> dict:
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self._rng.bit_generator.state = state

    @property
    def numpy_generator(self) -> np.random.Generator:
        return self._rng


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator: the same seed gives the same numbers everywhere."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    value = int(np.random.SeedSequence().entropy % (2**63))
    default_generator.manual_seed(value)
    return value


def initial_seed() -> int | None:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng


def draw_uniform(
    shape: tuple[int, ...],
    low: float,
    high: float,
    generator: Generator | None = None,
    dtype: np.dtype | None = None,
) -> np.ndarray:
    dtype = dtypes.get_default_dtype() if dtype is None else dtype
    return _rng(generator).uniform(low, high, size=shape).astype(dtype, copy=False)


def draw_normal(
    shape: tuple[int, ...],
    mean: float,
    std: float,
    generator: Generator | None = None,
    dtype: np.dtype | None = None,
) -> np.ndarray:
    dtype = dtypes.get_default_dtype() if dtype is None else dtype
    return _rng(generator).normal(mean, std, size=shape).astype(dtype, copy=False)


def draw_integers(
    shape: tuple[int, ...], low: int, high: int, generator: Generator | None = None
) -> np.ndarray:
    return _rng(generator).integers(low, high, size=shape, dtype=np.int64)


def draw_permutation(n: int, generator: Generator | None = None) -> np.ndarray:
    return _rng(generator).permutation(n).astype(np.int64)
