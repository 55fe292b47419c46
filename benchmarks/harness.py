"""Timing with interleaved contenders, reported as ratios from one run.

The machine is small and noisy, so each round times every contender once, in turn, and a
contender's figure is its best round: noise only ever adds time, so the minimum over many
interleaved rounds is the steadiest estimate of what the work itself costs (as ``timeit``
advises). Ratios are against the ``floor`` contender:
the same arithmetic written by hand in NumPy with no graph.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable


def _time_once(function: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def _calibrate(function: Callable[[], object], target_seconds: float) -> int:
    """How many calls make one timing last about ``target_seconds``."""
    function()
    elapsed = _time_once(function, 1)
    return max(1, int(target_seconds / max(elapsed, 1e-7)))


def compare(
    title: str,
    contenders: dict[str, Callable[[], object]],
    *,
    floor: str = "numpy floor",
    rounds: int = 15,
    target_seconds: float = 0.05,
    unit_count: int = 1,
    unit_name: str = "step",
) -> dict[str, float]:
    """Time each contender (a no-argument callable doing one step) and print a table.

    ``unit_count`` divides each time into per-unit figures (e.g. per operation of a chain).
    Returns seconds per unit for each contender.
    """
    numbers = {name: _calibrate(function, target_seconds) for name, function in contenders.items()}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            gc.collect()  # each round starts without garbage left by the previous contender
            samples[name].append(_time_once(function, numbers[name]) / unit_count)
    best = {name: min(values) for name, values in samples.items()}
    print(f"\n{title}")
    reference = best.get(floor)
    for name, seconds in best.items():
        ratio = f"{seconds / reference:6.2f}x floor" if reference else ""
        print(f"  {name:<28} {seconds * 1e6:12.1f} us/{unit_name}   {ratio}")
    return best


def torch_or_none():
    """PyTorch if installed (an optional peer), else None. It gets as many threads as NumPy's
    BLAS (``OPENBLAS_NUM_THREADS``, 1 unless set before the benchmarks start)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", "1")))
    return torch
