"""Speed benchmarks: ``python -m benchmarks.run`` (see ``run.py``).

Every contender runs its linear algebra on one CPU thread by default (NumPy's OpenBLAS, and
PyTorch with as many threads as ``OPENBLAS_NUM_THREADS`` says; the RNN benchmark keeps PyTorch
on one thread, its best case): the ratios then compare the work and the per-operation
overhead of the contenders, not how a BLAS spreads small products over the cores of a small,
shared machine. Set ``OPENBLAS_NUM_THREADS`` before starting Python to measure with more.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
