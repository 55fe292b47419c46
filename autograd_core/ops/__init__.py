"""The primitive operations, one small ``Function`` class each, forward beside backward.

- ``elementwise.py``: arithmetic, exp/log/trig, activations, comparisons, ``where``, casts
- ``reductions.py``: sum, prod, max/min, logsumexp, softmax, variance
- ``sorting.py``: sort, argsort, topk (values gathered, so gradients reach the picks), nonzero, unique
- ``shape.py``: reshape, permute, expand, sum_to, cat/stack/split, pad
- ``indexing.py``: ``__getitem__``, ``__setitem__``, gather and scatter
- ``linalg.py``: matmul
- ``inplace.py``: the in-place methods (``add_`` ...) and their version bumps
- ``conv.py``: convolution (im2col + one matrix product), its two adjoints, unfold/fold
- ``pooling.py``: max, average and adaptive average pooling
- ``rnn.py``: the RNN, LSTM and GRU recurrences, one node per sequence
"""
