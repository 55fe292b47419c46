"""Sorting and selecting: ``sort``, ``argsort``, ``topk``, ``nonzero``, ``argwhere``, ``unique``.

``sort`` and ``topk`` return ``(values, indices)``; the values are ``gather(input, dim,
indices)``, so the gradient flows to the elements that were picked (as for ``max(dim)``) and
no new primitive is needed. The indices, ``nonzero``, ``argwhere`` and ``unique`` carry no
gradient, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from .._tensor import Tensor, _normalize_dim, _tensor_from_array
from .indexing import gather
from .reductions import values_indices


def _sort_indices(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """The stable sorting permutation of ``x`` along ``dim``; NaN counts as the largest value.

    Descending order sorts the reversed array ascending and reads the result backwards, so that
    equal elements keep their original order (as ``stable=True`` in PyTorch) and NaN comes first.
    """
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    reversed_order = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
    return x.shape[dim] - 1 - np.flip(reversed_order, dim)


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> values_indices:
    """``(values, indices)``: ``input`` sorted along ``dim`` and where each value came from.

    values = gather(input, dim, indices); the gradient of a value goes to the element it came
    from. Equal elements keep their order (the sort is always stable, so ``stable`` changes
    nothing); NaN sorts as the largest value, as in PyTorch.

    >>> import autograd_core as ag
    >>> ag.sort(ag.tensor([3.0, 1.0, 2.0]), descending=True)
    values_indices(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
    """
    if input.ndim == 0:
        _normalize_dim(dim, 0)
        return values_indices(input.clone(), _tensor_from_array(np.zeros((), dtype=dtypes.int64)))
    dim = _normalize_dim(dim, input.ndim)
    indices = _sort_indices(input.numpy(), dim, descending)
    return values_indices(gather(input, dim, _tensor_from_array(indices)), _tensor_from_array(indices))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim``: ``sort(input, dim, descending).indices``.

    >>> import autograd_core as ag
    >>> ag.argsort(ag.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    return sort(input, dim, descending, stable=stable).indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> values_indices:
    """``(values, indices)`` of the ``k`` largest (or, with ``largest=False``, smallest)
    elements along ``dim``, largest first (smallest first for ``largest=False``).

    values = gather(input, dim, indices), so the gradient goes to the selected elements only.
    The result is always sorted; ``sorted=False`` allows any order in PyTorch, and sorted is one.

    >>> import autograd_core as ag
    >>> ag.topk(ag.tensor([1.0, 5.0, 3.0, 4.0]), 2)
    values_indices(values=tensor([5., 4.]), indices=tensor([1, 3]))
    """
    size = input.shape[_normalize_dim(dim, input.ndim)] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(
            f"topk: k={k} is out of range for dimension {dim} of size {size} (shape "
            f"{tuple(input.shape)}); choose k between 0 and {size}"
        )
    values, indices = sort(input, dim, descending=largest)
    if input.ndim == 0:
        return values_indices(values, indices)
    dim = _normalize_dim(dim, input.ndim)
    return values_indices(
        values.narrow(dim, 0, k), _tensor_from_array(np.take(indices.numpy(), range(k), dim))
    )


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The indices of the non-zero elements: an int64 tensor of shape (count, ndim), one row per
    element in row-major order; with ``as_tuple=True`` one 1-D tensor per dimension instead
    (what ``input[...]`` accepts as an index).

    >>> import autograd_core as ag
    >>> ag.nonzero(ag.tensor([[0.0, 2.0], [3.0, 0.0]]))
    tensor([[0, 1],
            [1, 0]])
    """
    x = input.numpy()
    if as_tuple:
        return tuple(_tensor_from_array(i.astype(dtypes.int64)) for i in np.nonzero(np.atleast_1d(x)))
    return _tensor_from_array(np.argwhere(x).astype(dtypes.int64))


def argwhere(input: Tensor) -> Tensor:
    """The indices of the non-zero elements, shape (count, ndim): ``nonzero(input)``.

    >>> import autograd_core as ag
    >>> ag.argwhere(ag.tensor([0.0, 1.0, 1.0]))
    tensor([[1],
            [2]])
    """
    return nonzero(input)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Tensor | tuple[Tensor, ...]:
    """The distinct elements of ``input`` (flattened), or its distinct slices along ``dim``,
    in ascending order. No gradient, as in PyTorch.

    With ``return_inverse`` also the index of each input element (each slice along ``dim``) in
    the result, so that ``output[inverse]`` rebuilds the input (``index_select`` along ``dim``);
    with ``return_counts`` also how often each distinct element occurs. The result is always
    sorted (``sorted=False`` allows any order in PyTorch, and sorted is one).

    >>> import autograd_core as ag
    >>> ag.unique(ag.tensor([2, 1, 2, 3]), return_counts=True)
    (tensor([1, 2, 3]), tensor([1, 2, 1]))
    """
    x = input.numpy()
    if dim is None:
        output, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        dim = _normalize_dim(dim, x.ndim)
        output, inverse, counts = np.unique(x, return_inverse=True, return_counts=True, axis=dim)
        inverse = inverse.reshape(-1)
    results = [_tensor_from_array(output)]
    if return_inverse:
        results.append(_tensor_from_array(inverse.astype(dtypes.int64)))
    if return_counts:
        results.append(_tensor_from_array(counts.astype(dtypes.int64)))
    return results[0] if len(results) == 1 else tuple(results)
