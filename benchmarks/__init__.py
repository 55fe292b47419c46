"""Speed benchmarks: ``python -m benchmarks.run`` (see ``run.py``).

Every contender runs its linear algebra on one CPU thread (NumPy's OpenBLAS here, and
PyTorch via ``torch.set_num_threads(1)`` in each benchmark): the ratios then compare the work
and the per-operation overhead of the contenders, not how a BLAS spreads small products over
the cores of a small, shared machine (where a second thread often waits for the first).
Set these variables before starting Python to measure something else.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
