"""The primitive operations, one small ``Function`` class each, forward beside backward.

- ``elementwise.py``: arithmetic, exp/log/trig, activations, comparisons, ``where``, casts
- ``reductions.py``: sum, prod, max/min, logsumexp, softmax, variance
- ``shape.py``: reshape, permute, expand, sum_to, cat/stack/split, pad
- ``indexing.py``: ``__getitem__``, ``__setitem__``, gather and scatter
- ``linalg.py``: matmul
- ``inplace.py``: the in-place methods (``add_`` ...) and their version bumps
"""
