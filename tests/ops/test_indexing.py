"""Indexing: ``a[index]`` with ints, slices, None, ``...``, integer arrays (repeated positions
accumulate gradient) and boolean masks; ``gather`` and ``scatter_add``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import OpCase, bool_arrays, float_arrays, op_tests, shapes


@st.composite
def basic_index_inputs(draw):
    """Ints, slices (negative steps too), None and Ellipsis, as NumPy draws them."""
    shape = draw(shapes())
    index = draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    return [draw(float_arrays(shape))], {"index": index}


@st.composite
def integer_array_inputs(draw):
    """A tuple of integer arrays (positions repeat often), possibly negative."""
    shape = draw(shapes(min_dims=1))
    index = draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(min_dims=1, max_side=4)))
    return [draw(float_arrays(shape))], {"index": index}


@st.composite
def mixed_index_inputs(draw):
    """An integer list on one dimension with slices or ints on the others."""
    shape = draw(shapes(min_dims=2))
    positions = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=5))
    rest = draw(st.sampled_from([slice(None), slice(1, None), 0, slice(None, None, 2)]))
    return [draw(float_arrays(shape))], {"index": (np.array(positions), rest)}


@st.composite
def mask_inputs(draw):
    """A boolean mask over all or the leading dimensions."""
    shape = draw(shapes(min_dims=1))
    leading = draw(st.integers(1, len(shape)))
    return [draw(float_arrays(shape))], {"index": draw(bool_arrays(shape[:leading]))}


@st.composite
def gather_inputs(draw):
    """An index no larger than the input along the other dimensions, as PyTorch allows."""
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    index_shape = tuple(
        draw(st.integers(1, 4)) if d == dim % len(shape) else draw(st.integers(1, s))
        for d, s in enumerate(shape)
    )
    index = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, shape[dim] - 1)))
    return [draw(float_arrays(shape))], {"dim": dim, "index": index}


def _numpy_gather(a, dim, index):
    region = tuple(slice(None) if d == dim % a.ndim else slice(0, s) for d, s in enumerate(index.shape))
    return np.take_along_axis(a[region], index, axis=dim)


def _numpy_scatter_add(a, src, dim, index):
    out = a.copy()
    for position in np.ndindex(index.shape):
        target = list(position)
        target[dim % a.ndim] = index[position]
        out[tuple(target)] += src[position]
    return out


@st.composite
def scatter_add_inputs(draw):
    arrays, params = draw(gather_inputs())
    src = draw(float_arrays(params["index"].shape))
    return [arrays[0], src], params


def _getitem(a, index):
    return a[index]


CASES = [
    OpCase("basic_index", _getitem, _getitem, basic_index_inputs()),
    OpCase("integer_arrays", _getitem, _getitem, integer_array_inputs(), torch=True),
    OpCase(
        "integer_tensor",
        lambda a, index: a[ag.tensor(index[0])],
        lambda a, index: a[index[0]],
        integer_array_inputs(),
    ),
    OpCase(
        "integer_list",
        lambda a, index: a[list(index[0])],
        lambda a, index: a[index[0]],
        integer_array_inputs(),
    ),
    OpCase("mixed", _getitem, _getitem, mixed_index_inputs(), torch=True),
    OpCase("mask", _getitem, _getitem, mask_inputs(), torch=True),
    OpCase("mask_tensor", lambda a, index: a[ag.tensor(index)], _getitem, mask_inputs()),
    OpCase(
        "gather",
        lambda a, dim, index: a.gather(dim, ag.tensor(index)),
        _numpy_gather,
        gather_inputs(),
        torch=lambda a, dim, index: a.gather(dim, index),
    ),
    OpCase(
        "scatter_add",
        lambda a, src, dim, index: a.scatter_add(dim, ag.tensor(index), src),
        _numpy_scatter_add,
        scatter_add_inputs(),
        torch=lambda a, src, dim, index: a.scatter_add(dim, index, src),
    ),
]

test_forward_and_gradient, test_second_order, test_against_torch = op_tests(CASES)


@pytest.mark.parametrize(
    "index",
    [0, -1, (1, 2), (slice(None), 0), (Ellipsis, 1), (None, 0), (slice(None, None, 2),), (0, Ellipsis, None)],
)
def test_basic_indexing_matches_torch(index):
    torch = pytest.importorskip("torch")
    values = np.arange(24.0).reshape(2, 3, 4)
    weights = np.random.default_rng(1).normal(size=values[index].shape)
    x, tx = ag.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    (x[index] * ag.tensor(weights)).sum().backward()
    (tx[index] * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x[index].numpy(), tx[index].detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_repeated_indices_accumulate_gradient():
    x = ag.tensor([10.0, 20.0, 30.0], requires_grad=True)
    y = x[[0, 2, 0, 0]]
    np.testing.assert_array_equal(y.numpy(), [10.0, 30.0, 10.0, 10.0])
    (y * ag.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 0.0, 2.0])


def test_boolean_mask_selects_and_routes_the_gradient():
    x = ag.tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
    positive = x[x > 0]
    np.testing.assert_array_equal(positive.numpy(), [1.0, 4.0])
    (positive * ag.tensor([5.0, 7.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[5.0, 0.0], [0.0, 7.0]])


def test_basic_index_is_a_view_and_advanced_index_a_copy():
    x = ag.zeros(3, 4)
    assert np.shares_memory(x[1].numpy(), x.numpy())
    assert np.shares_memory(x[:, ::2].numpy(), x.numpy())
    assert not np.shares_memory(x[[0, 1]].numpy(), x.numpy())
    assert not np.shares_memory(x[x > 0].numpy(), x.numpy())


def test_index_errors_name_the_index_and_shape():
    x = ag.zeros(2, 3)
    with pytest.raises(IndexError, match=r"index .*5.* is out of range for a tensor of shape \(2, 3\)"):
        x[5]
    with pytest.raises(IndexError, match=r"gather: index values must lie in \[0, 3\)"):
        x.gather(1, ag.tensor([[3], [0]]))
    with pytest.raises(RuntimeError, match=r"gather: index has 1 dimensions but the input has 2"):
        x.gather(1, ag.tensor([0, 1]))
    with pytest.raises(TypeError, match=r"gather: index must be an integer tensor"):
        x.gather(1, ag.tensor([[0.0], [1.0]]))
