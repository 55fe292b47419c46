"""Speed benchmarks: ``python -m benchmarks.run`` (see ``run.py``).

Two settings are fixed for every contender, so that the ratios compare the work and the
per-operation overhead of the contenders rather than the machine's defaults:

- One CPU thread for linear algebra by default (NumPy's OpenBLAS, and PyTorch with as many
  threads as ``OPENBLAS_NUM_THREADS`` says; the RNN benchmark keeps PyTorch on one thread, its
  best case). Set ``OPENBLAS_NUM_THREADS`` before starting Python to measure with more.
- Large freed blocks stay in the heap (glibc's ``mallopt``). By default glibc gives blocks of
  a few hundred KB and more back to the system and maps fresh pages for the next request, so a
  NumPy step with large temporaries (the CNN's im2col columns) pays thousands of page faults,
  a varying amount from run to run; PyTorch's allocator does not. Keeping them makes the NumPy
  floor and autograd_core as fast as they can be, and the timings steady.
"""

import ctypes
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def _keep_large_blocks_in_the_heap() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc: nothing to set
        return
    trim_threshold, mmap_threshold = -1, -3  # glibc's M_TRIM_THRESHOLD and M_MMAP_THRESHOLD
    mallopt(mmap_threshold, 64 << 20)
    mallopt(trim_threshold, 128 << 20)


_keep_large_blocks_in_the_heap()
