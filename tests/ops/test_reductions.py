"""Reductions (sum mean prod amax amin max min logsumexp var std, with dim as int, tuple or
None and keepdim), softmax, log_softmax and cumsum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import (
    OpCase,
    assume_separated,
    dims,
    float_arrays,
    numpy_axis,
    op_tests,
    shapes,
)


@st.composite
def reduce_inputs(
    draw,
    allow_none=True,
    allow_tuple=True,
    low=-2.0,
    high=2.0,
    kinks=(),
    margin=0.1,
    min_side=1,
    separated=False,
    keepdim=True,
):
    """An array, a ``dim`` (None, int or tuple) and ``keepdim``."""
    shape = draw(shapes(min_dims=1, min_side=min_side))
    array = draw(float_arrays(shape, low, high, kinks, margin))
    if separated:
        assume_separated(array)
    params = {"dim": draw(dims(len(shape), allow_none, allow_tuple))}
    if keepdim:
        params["keepdim"] = draw(st.booleans())
    return [array], params


@st.composite
def variance_inputs(draw):
    arrays, params = draw(reduce_inputs(min_side=2))
    axis = numpy_axis(params["dim"], arrays[0].ndim)
    assume(np.all(np.var(arrays[0], axis=axis) > 0.05))
    count = arrays[0].size // np.var(arrays[0], axis=axis, keepdims=True).size
    params["correction"] = draw(st.integers(0, min(2, count - 1)))
    return arrays, params


def _numpy_reduction(function):
    def reference(a, dim, keepdim=False, **kwargs):
        return function(a, axis=numpy_axis(dim, a.ndim), keepdims=keepdim, **kwargs)

    return reference


def _logsumexp(a, dim, keepdim):
    axis = numpy_axis(dim, a.ndim)
    return np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdim))


def _softmax(a, dim):
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _torch_dim(dim, ndim):
    """PyTorch's amax/amin/logsumexp take () or a tuple for all dimensions, not None."""
    return tuple(range(ndim)) if dim is None else dim


def _torch_vector_norm(a, dim, keepdim):
    """PyTorch's Tensor.norm treats a 2-tuple dim as a matrix; the vector norm is linalg's."""
    import torch

    return torch.linalg.vector_norm(a, dim=dim, keepdim=keepdim)


def _torch_prod(a, dim, keepdim):
    """PyTorch's prod takes one int dim; over all dimensions it has no keepdim."""
    if dim is None:
        return a.prod().reshape((1,) * a.ndim if keepdim else ())
    return a.prod(dim, keepdim)


def _var_reference(a, dim, keepdim, correction):
    return np.var(a, axis=numpy_axis(dim, a.ndim), ddof=correction, keepdims=keepdim)


CASES = [
    OpCase(
        "sum",
        lambda a, dim, keepdim: a.sum(dim, keepdim),
        _numpy_reduction(np.sum),
        reduce_inputs(),
        torch=True,
    ),
    OpCase("sum_all", lambda a: a.sum(), np.sum, reduce_inputs().map(lambda d: (d[0], {})), torch=True),
    OpCase(
        "mean",
        lambda a, dim, keepdim: a.mean(dim, keepdim),
        _numpy_reduction(np.mean),
        reduce_inputs(),
        torch=True,
    ),
    OpCase(
        "prod",
        lambda a, dim, keepdim: a.prod(dim, keepdim),
        _numpy_reduction(np.prod),
        reduce_inputs(allow_tuple=False, low=-1.5, high=1.5, kinks=(0.0,), margin=0.3),
        torch=lambda a, dim, keepdim: _torch_prod(a, dim, keepdim),
    ),
    OpCase(
        "prod_tuple_dim",
        lambda a, dim, keepdim: ag.prod(a, dim, keepdim),
        _numpy_reduction(np.prod),
        reduce_inputs(low=-1.5, high=1.5, kinks=(0.0,), margin=0.3),
    ),
    OpCase(
        "amax",
        lambda a, dim, keepdim: a.amax(dim, keepdim),
        _numpy_reduction(np.max),
        reduce_inputs(separated=True),
        torch=lambda a, dim, keepdim: a.amax(_torch_dim(dim, a.ndim), keepdim),
    ),
    OpCase(
        "amin",
        lambda a, dim, keepdim: ag.amin(a, dim, keepdim),
        _numpy_reduction(np.min),
        reduce_inputs(separated=True),
        torch=lambda a, dim, keepdim: a.amin(_torch_dim(dim, a.ndim), keepdim),
    ),
    OpCase(
        "max_all",
        lambda a: a.max(),
        np.max,
        reduce_inputs(separated=True).map(lambda d: (d[0], {})),
        torch=True,
    ),
    OpCase(
        "min_all",
        lambda a: ag.min(a),
        np.min,
        reduce_inputs(separated=True).map(lambda d: (d[0], {})),
        torch=lambda a: a.min(),
    ),
    OpCase(
        "max_dim",
        lambda a, dim, keepdim: a.max(dim, keepdim).values,
        _numpy_reduction(np.max),
        reduce_inputs(allow_none=False, allow_tuple=False, separated=True),
        torch=True,
    ),
    OpCase(
        "min_dim",
        lambda a, dim, keepdim: a.min(dim=dim, keepdim=keepdim)[0],
        _numpy_reduction(np.min),
        reduce_inputs(allow_none=False, allow_tuple=False, separated=True),
        torch=True,
    ),
    OpCase(
        "logsumexp",
        lambda a, dim, keepdim: a.logsumexp(dim, keepdim),
        _logsumexp,
        reduce_inputs(allow_none=False, low=-3.0, high=3.0),
        torch=True,
    ),
    OpCase(
        "logsumexp_function",
        lambda a, dim, keepdim: ag.logsumexp(a, dim, keepdim=keepdim),
        _logsumexp,
        reduce_inputs(allow_none=False, low=-3.0, high=3.0),
    ),
    OpCase(
        "var",
        lambda a, dim, keepdim, correction: a.var(dim, keepdim=keepdim, correction=correction),
        _var_reference,
        variance_inputs(),
        torch=True,
    ),
    OpCase(
        "std",
        lambda a, dim, keepdim, correction: ag.std(a, dim, keepdim=keepdim, correction=correction),
        lambda a, dim, keepdim, correction: np.sqrt(_var_reference(a, dim, keepdim, correction)),
        variance_inputs(),
        torch=lambda a, dim, keepdim, correction: a.std(dim, keepdim=keepdim, correction=correction),
    ),
    OpCase(
        "var_unbiased_false",
        lambda a: a.var(unbiased=False),
        np.var,
        variance_inputs().map(lambda d: (d[0], {})),
        torch=True,
    ),
    OpCase(
        "softmax",
        lambda a, dim: a.softmax(dim),
        _softmax,
        reduce_inputs(allow_none=False, allow_tuple=False, keepdim=False, low=-3.0, high=3.0),
        torch=True,
    ),
    OpCase(
        "log_softmax",
        lambda a, dim: ag.log_softmax(a, dim),
        lambda a, dim: np.log(_softmax(a, dim)),
        reduce_inputs(allow_none=False, allow_tuple=False, keepdim=False, low=-3.0, high=3.0),
        torch=lambda a, dim: a.log_softmax(dim),
    ),
    OpCase(
        "cumsum",
        lambda a, dim: a.cumsum(dim),
        lambda a, dim: np.cumsum(a, axis=dim),
        reduce_inputs(allow_none=False, allow_tuple=False, keepdim=False),
        torch=True,
    ),
    OpCase(
        "norm",
        lambda a, dim, keepdim: a.norm(dim=dim, keepdim=keepdim),
        lambda a, dim, keepdim: np.sqrt(np.sum(a * a, axis=numpy_axis(dim, a.ndim), keepdims=keepdim)),
        reduce_inputs(low=0.2, high=2.0),
        torch=lambda a, dim, keepdim: _torch_vector_norm(a, dim, keepdim),
    ),
]

test_forward_and_gradient, test_second_order, test_against_torch = op_tests(CASES)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_max_and_min_with_dim_return_values_and_indices(data):
    shape = data.draw(shapes(min_dims=1))
    array = data.draw(float_arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    x = ag.tensor(array)
    for result, values, indices in (
        (x.max(dim, keepdim), np.max, np.argmax),
        (ag.min(x, dim, keepdim=keepdim), np.min, np.argmin),
    ):
        np.testing.assert_array_equal(result.values.numpy(), values(array, axis=dim, keepdims=keepdim))
        expected_indices = indices(array, axis=dim)
        if keepdim:
            expected_indices = np.expand_dims(expected_indices, dim)
        np.testing.assert_array_equal(result.indices.numpy(), expected_indices)
        assert result.indices.dtype == ag.int64 and not result.indices.requires_grad


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_argmax_argmin(data):
    shape = data.draw(shapes(min_dims=1))
    array = data.draw(float_arrays(shape))
    dim = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    x = ag.tensor(array)
    np.testing.assert_array_equal(x.argmax(dim).numpy(), np.argmax(array, axis=dim))
    np.testing.assert_array_equal(ag.argmin(x, dim).numpy(), np.argmin(array, axis=dim))


TIES = [[3.0, 1.0, 3.0, 2.0], [3.0, 3.0, 3.0, 3.0], [0.0, -1.0, 0.0, -1.0]]


def test_ties_split_the_gradient_of_amax_and_full_max_evenly():
    x = ag.tensor([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    (x.amax(1) * ag.tensor([1.0, 6.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, 0.0, 0.5], [2.0, 2.0, 2.0]])
    y = ag.tensor([1.0, 4.0, 4.0, 4.0], requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.0, 1 / 3, 1 / 3, 1 / 3])


def test_ties_in_max_with_dim_send_the_gradient_to_the_returned_index():
    x = ag.tensor([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [0, 0]
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])


@pytest.mark.parametrize("values", TIES)
@pytest.mark.parametrize("reduce", ["amax", "amin", "max", "min", "max_dim", "min_dim"])
def test_tie_breaking_matches_torch(values, reduce):
    torch = pytest.importorskip("torch")
    operations = {
        "amax": lambda t: t.amax(-1),
        "amin": lambda t: t.amin(-1),
        "max": lambda t: t.max(),
        "min": lambda t: t.min(),
        "max_dim": lambda t: t.max(-1)[0],
        "min_dim": lambda t: t.min(-1)[0],
    }
    rows = [values, values[::-1]]
    x, tx = ag.tensor(rows, requires_grad=True), torch.tensor(rows, requires_grad=True)
    weights = [[1.0], [2.0]] if reduce.endswith("dim") or reduce.startswith("am") else 1.0
    ours = operations[reduce](x)
    theirs = operations[reduce](tx)
    np.testing.assert_array_equal(ours.numpy(), theirs.detach().numpy())
    (ours * ag.tensor(weights).squeeze(-1) if weights != 1.0 else ours).sum().backward()
    (theirs * torch.tensor(weights).squeeze(-1) if weights != 1.0 else theirs).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    if reduce.endswith("dim"):
        ours_indices = getattr(x, reduce[:3])(-1).indices
        np.testing.assert_array_equal(ours_indices.numpy(), getattr(tx, reduce[:3])(-1).indices.numpy())


@pytest.mark.parametrize(
    "values",
    [[2.0, 0.0, 3.0], [0.0, 0.0, 3.0], [[1.5, 0.0], [2.0, -1.0]]],
    ids=["one_zero", "two_zeros", "matrix"],
)
def test_prod_gradient_with_zeros_matches_torch(values):
    torch = pytest.importorskip("torch")
    x, tx = ag.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    x.prod().backward()
    tx.prod().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    x.grad = None
    tx.grad = None
    x.prod(-1).sum().backward()
    tx.prod(-1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_softmax_family_is_stable_for_large_inputs():
    values = [[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]]
    x = ag.tensor(values, dtype=ag.float64, requires_grad=True)
    probabilities = x.softmax(-1)
    log_probabilities = x.log_softmax(-1)
    total = x.logsumexp(-1)
    np.testing.assert_allclose(probabilities.numpy(), [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(log_probabilities.numpy()[0, :2], [0.0, -1e4])
    np.testing.assert_allclose(log_probabilities.numpy()[1], np.log([1 / 3] * 3))
    np.testing.assert_allclose(total.numpy(), [1e4, -1e4 + np.log(3.0)])
    (probabilities.sum() + log_probabilities[:, 0].sum() + total.sum()).backward()
    assert np.all(np.isfinite(x.grad.numpy()))


def test_mean_of_an_integer_tensor_asks_for_a_float():
    with pytest.raises(RuntimeError, match=r"mean\(\) needs a floating tensor.*\.float\(\)"):
        ag.tensor([1, 2, 3]).mean()


def test_sum_of_bool_counts():
    assert ag.tensor([True, False, True]).sum().item() == 2
