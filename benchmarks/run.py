"""Run every benchmark: ``python -m benchmarks.run`` (or name some: ``... mlp chain``).

Benchmarks are not timed tests: run them on a quiet machine; ratios come from one run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    folder = Path(__file__).parent
    names = sorted(
        info.name[len("bench_") :]
        for info in pkgutil.iter_modules([str(folder)])
        if info.name.startswith("bench_")
    )
    chosen = argv or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {names}")
    for name in chosen:
        importlib.import_module(f"benchmarks.bench_{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
