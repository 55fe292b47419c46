"""Sorting and selecting: sort, argsort and topk (values differentiable through gather; indices
as PyTorch's, ties and NaN included), nonzero, argwhere and unique (no gradient)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.ops import elementwise, sorting
from tests.helpers import OpCase, assume_separated, float_arrays, op_tests, shapes


@st.composite
def sort_inputs(draw, with_k=False):
    """A float array with distinct values (so the order, and the gradient, is unique), a ``dim``
    and ``descending`` (or ``k`` and ``largest`` for topk)."""
    shape = draw(shapes(min_dims=1))
    array = draw(float_arrays(shape))
    assume_separated(array)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    if with_k:
        k = draw(st.integers(0, shape[dim]))
        return [array], {"k": k, "dim": dim, "largest": draw(st.booleans())}
    return [array], {"dim": dim, "descending": draw(st.booleans())}


def _numpy_sort(a, dim, descending):
    ascending = np.sort(a, axis=dim)
    return np.flip(ascending, dim) if descending else ascending


def _numpy_topk(a, k, dim, largest):
    return np.take(_numpy_sort(a, dim, descending=largest), range(k), axis=dim)


CASES = [
    OpCase(
        "sort",
        lambda a, dim, descending: a.sort(dim=dim, descending=descending).values,
        _numpy_sort,
        sort_inputs(),
        torch=True,
    ),
    OpCase(
        "sort_function",
        lambda a, dim, descending: ag.sort(a, dim, descending)[0],
        _numpy_sort,
        sort_inputs(),
    ),
    OpCase(
        "topk",
        lambda a, k, dim, largest: a.topk(k, dim=dim, largest=largest).values,
        _numpy_topk,
        sort_inputs(with_k=True),
        torch=True,
    ),
    OpCase(
        "topk_function",
        lambda a, k, dim, largest: ag.topk(a, k, dim, largest)[0],
        _numpy_topk,
        sort_inputs(with_k=True),
    ),
]

test_forward_and_gradient, test_second_order, test_against_torch = op_tests(CASES)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_sort_argsort_topk_indices_match_torch_with_ties_and_nan(data):
    """Small integers make ties likely; PyTorch's stable sort keeps equal elements in order
    (NaN sorts as the largest value), and so does ours."""
    torch = pytest.importorskip("torch")
    shape = data.draw(shapes(min_dims=1, max_side=4))
    array = data.draw(float_arrays(shape, -2, 2)).round()
    if data.draw(st.booleans()):
        array.flat[0] = np.nan
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    descending = data.draw(st.booleans())
    ours, theirs = ag.tensor(array), torch.tensor(array)
    values, indices = ag.sort(ours, dim, descending=descending)
    expected = torch.sort(theirs, dim=dim, descending=descending, stable=True)
    np.testing.assert_array_equal(values.numpy(), expected.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), expected.indices.numpy())
    assert indices.dtype == ag.int64
    np.testing.assert_array_equal(
        ours.argsort(dim, descending).numpy(),
        torch.argsort(theirs, dim=dim, descending=descending, stable=True).numpy(),
    )
    # PyTorch leaves the order of tied elements in topk unspecified: compare the values with
    # PyTorch's, the indices with the start of the stable sort
    k = data.draw(st.integers(0, shape[dim]))
    top = ours.topk(k, dim, largest=descending)
    expected_top = torch.topk(theirs, k, dim, largest=descending)
    np.testing.assert_array_equal(top.values.numpy(), expected_top.values.numpy())
    np.testing.assert_array_equal(top.indices.numpy(), expected.indices.numpy().take(range(k), axis=dim))


def test_sort_gradient_goes_to_the_element_each_value_came_from():
    x = ag.tensor([[3.0, 1.0, 2.0]], requires_grad=True)
    values, indices = x.sort(descending=True)
    (values * ag.tensor([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(values.numpy(), [[3.0, 2.0, 1.0]])
    np.testing.assert_array_equal(indices.numpy(), [[0, 2, 1]])
    np.testing.assert_array_equal(x.grad.numpy(), [[10.0, 30.0, 20.0]])


def test_topk_gradient_reaches_only_the_selected_elements():
    x = ag.tensor([1.0, 5.0, 3.0, 4.0], requires_grad=True)
    result = ag.topk(x, 2)
    result.values.sum().backward()
    np.testing.assert_array_equal(result.values.numpy(), [5.0, 4.0])
    np.testing.assert_array_equal(result.indices.numpy(), [1, 3])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0, 1.0])
    smallest = x.topk(1, largest=False)
    assert smallest.values.item() == 1.0 and smallest.indices.item() == 0


def test_sort_and_topk_of_a_zero_dimensional_tensor():
    values, indices = ag.sort(ag.tensor(2.0))
    assert values.shape == () and values.item() == 2.0 and indices.item() == 0
    values, indices = ag.topk(ag.tensor(2.0), 1)
    assert values.item() == 2.0 and indices.item() == 0


def test_topk_with_k_out_of_range_says_what_to_choose():
    with pytest.raises(
        RuntimeError, match=r"k=4 is out of range for dimension -1 of size 3.*between 0 and 3"
    ):
        ag.topk(ag.tensor([1.0, 3.0, 2.0]), 4)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_nonzero_and_argwhere_match_torch(data):
    torch = pytest.importorskip("torch")
    shape = data.draw(shapes(min_dims=0))
    array = data.draw(float_arrays(shape, -1, 1)).round()
    ours, theirs = ag.tensor(array), torch.tensor(array)
    np.testing.assert_array_equal(ag.nonzero(ours).numpy(), torch.nonzero(theirs).numpy())
    np.testing.assert_array_equal(ours.argwhere().numpy(), torch.argwhere(theirs).numpy())
    assert ours.nonzero().dtype == ag.int64
    as_tuple = ours.nonzero(as_tuple=True)
    expected = torch.nonzero(theirs, as_tuple=True)
    assert len(as_tuple) == len(expected)
    for mine, reference in zip(as_tuple, expected):
        np.testing.assert_array_equal(mine.numpy(), reference.numpy())


def test_nonzero_as_tuple_indexes_the_nonzero_elements():
    x = ag.tensor([[0.0, 2.0], [3.0, 0.0]])
    np.testing.assert_array_equal(ag.nonzero(x).numpy(), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(x[x.nonzero(as_tuple=True)].numpy(), [2.0, 3.0])


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_unique_matches_torch(data):
    torch = pytest.importorskip("torch")
    shape = data.draw(shapes(min_dims=1, max_side=4))
    array = np.asarray(data.draw(float_arrays(shape, -2, 2)).round(), dtype=np.int64)
    dim = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    return_inverse, return_counts = data.draw(st.booleans()), data.draw(st.booleans())
    ours = ag.unique(ag.tensor(array), return_inverse=return_inverse, return_counts=return_counts, dim=dim)
    theirs = torch.unique(
        torch.tensor(array), return_inverse=return_inverse, return_counts=return_counts, dim=dim
    )
    if not (return_inverse or return_counts):
        ours, theirs = (ours,), (theirs,)
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        assert mine.dtype == ag.int64
        np.testing.assert_array_equal(mine.numpy(), reference.numpy())


def test_unique_inverse_rebuilds_the_input():
    x = ag.tensor([[2, 1], [2, 3]])
    output, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(output.numpy(), [1, 2, 3])
    np.testing.assert_array_equal(counts.numpy(), [1, 2, 1])
    np.testing.assert_array_equal(output[inverse].numpy(), x.numpy())
    assert not ag.unique(ag.tensor([1.0, 1.0], requires_grad=True)).requires_grad


@pytest.mark.parametrize("module", [sorting, elementwise], ids=["sorting", "elementwise"])
def test_docstring_examples_run(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0 and attempted > 0
