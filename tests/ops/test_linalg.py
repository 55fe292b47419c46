"""Matrix products: matmul for 1-D, 2-D and batched operands (batch dimensions broadcast),
``@``, ``mm``, ``bmm``, ``dot``, ``outer``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import OpCase, broadcastable_shapes, float_arrays, op_tests


@st.composite
def matmul_inputs(draw, left_dims=(1, 2, 3, 4), right_dims=(1, 2, 3, 4)):
    """Operands of matmul: the inner sizes agree and the batch dimensions broadcast."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    rank_a, rank_b = draw(st.sampled_from(left_dims)), draw(st.sampled_from(right_dims))
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=2))
    shape_a = (k,) if rank_a == 1 else _batch(batch_a, rank_a) + (n, k)
    shape_b = (k,) if rank_b == 1 else _batch(batch_b, rank_b) + (k, m)
    return [draw(float_arrays(shape_a)), draw(float_arrays(shape_b))], {}


def _batch(shape, rank):
    """The last ``rank - 2`` sizes of a batch shape (suffixes of broadcastable shapes broadcast)."""
    return tuple(shape)[len(shape) - min(rank - 2, len(shape)) :]


@st.composite
def bmm_inputs(draw):
    batch, n, k, m = (draw(st.integers(1, 3)) for _ in range(4))
    return [draw(float_arrays((batch, n, k))), draw(float_arrays((batch, k, m)))], {}


CASES = [
    OpCase("matmul", lambda a, b: a @ b, np.matmul, matmul_inputs(), torch=True),
    OpCase("matmul_vector_vector", lambda a, b: ag.matmul(a, b), np.matmul, matmul_inputs((1,), (1,))),
    OpCase(
        "matmul_vector_matrix", lambda a, b: a.matmul(b), np.matmul, matmul_inputs((1,), (2,)), torch=True
    ),
    OpCase("matmul_matrix_vector", lambda a, b: a @ b, np.matmul, matmul_inputs((2,), (1,)), torch=True),
    OpCase(
        "matmul_batched_vector",
        lambda a, b: a @ b,
        np.matmul,
        matmul_inputs((1, 3, 4), (1, 3, 4)),
        torch=True,
    ),
    OpCase("mm", lambda a, b: a.mm(b), np.matmul, matmul_inputs((2,), (2,)), torch=True),
    OpCase(
        "bmm",
        lambda a, b: a.bmm(b),
        np.matmul,
        bmm_inputs(),
        torch=True,
    ),
    OpCase("dot", lambda a, b: a.dot(b), np.dot, matmul_inputs((1,), (1,)), torch=True),
    OpCase(
        "outer",
        lambda a, b: ag.outer(a, b),
        np.outer,
        matmul_inputs((1,), (1,)),
        torch=lambda a, b: a.outer(b),
    ),
    OpCase(
        "rmatmul_array",
        lambda b, a: a @ b,
        lambda b, a: a @ b,
        matmul_inputs((2,), (2,)).map(lambda d: ([d[0][1]], {"a": d[0][0]})),
    ),
]

test_forward_and_gradient, test_second_order, test_against_torch = op_tests(CASES)


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied"):
        ag.zeros(2, 3) @ ag.zeros(4, 5)
    with pytest.raises(RuntimeError, match=r"shapes \(3,\) and \(2,\) cannot be multiplied"):
        ag.zeros(3) @ ag.zeros(2)
    with pytest.raises(
        RuntimeError, match=r"batch dimensions of \(2, 2, 3\) and \(3, 3, 1\) cannot be broadcast"
    ):
        ag.zeros(2, 2, 3) @ ag.zeros(3, 3, 1)
    with pytest.raises(RuntimeError, match=r"mm needs two 2-D tensors, got \(3,\) and \(3, 2\)"):
        ag.zeros(3).mm(ag.zeros(3, 2))
    with pytest.raises(RuntimeError, match=r"at least 1 dimension, got shapes \(\) and \(2,\)"):
        ag.tensor(2.0) @ ag.zeros(2)


def test_broadcast_batch_gradient_is_summed_over_the_broadcast_dimension():
    """(4, 2, 3) @ (3, 5): the right operand's gradient sums the four batch products."""
    rng = np.random.default_rng(0)
    a_values, b_values = rng.normal(size=(4, 2, 3)), rng.normal(size=(3, 5))
    a, b = ag.tensor(a_values, requires_grad=True), ag.tensor(b_values, requires_grad=True)
    upstream = rng.normal(size=(4, 2, 5))
    (a @ b).backward(ag.tensor(upstream))
    np.testing.assert_allclose(b.grad.numpy(), sum(a_values[i].T @ upstream[i] for i in range(4)), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), upstream @ b_values.T, rtol=1e-12)
