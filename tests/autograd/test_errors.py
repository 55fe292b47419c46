"""Bad input gets an error that says what was wrong, with the shapes or values, and what to do.
Each test checks the message."""

from __future__ import annotations

import pytest

import autograd_core as ag
from autograd_core.autograd import Function, grad


@pytest.mark.parametrize(
    "operation, name",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "sub"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / b, "div"),
        (lambda a, b: a**b, "pow"),
        (lambda a, b: ag.maximum(a, b), "maximum"),
    ],
)
def test_broadcasting_mismatch_names_both_shapes(operation, name):
    a, b = ag.ones(2, 3, requires_grad=True), ag.ones(4, 1, 2)
    with pytest.raises(
        ValueError, match=rf"{name}: shapes \(2, 3\) and \(4, 1, 2\) cannot be broadcast together"
    ):
        operation(a, b)


def test_where_mismatch_names_the_three_shapes():
    with pytest.raises(
        ValueError, match=r"where: condition \(2,\), x \(3,\) and y \(1,\) cannot be broadcast"
    ):
        ag.where(ag.tensor([True, False]), ag.ones(3), ag.ones(1))


def test_matmul_mismatch_names_both_shapes_and_the_remedy():
    with pytest.raises(
        RuntimeError, match=r"matmul: shapes \(5, 3\) and \(4, 2\) cannot be multiplied.*\(3\).*\(4\)"
    ):
        ag.ones(5, 3) @ ag.ones(4, 2)
    with pytest.raises(
        RuntimeError, match=r"shapes \(2, 3\) and \(2,\) cannot be multiplied.*only dimension"
    ):
        ag.ones(2, 3).matmul(ag.ones(2))


def test_backward_on_a_non_scalar_without_gradient():
    y = ag.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError,
        match=r"only for scalar outputs: the tensor has shape \(2, 3\).*\.sum\(\).*gradient=",
    ):
        y.backward()
    with pytest.raises(RuntimeError, match=r"the output has shape \(2, 3\)"):
        grad(y, y)


def test_second_backward_through_a_freed_graph_says_retain_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"backward through the graph a second time.*retain_graph=True"):
        loss.backward()


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match=r"does not require grad and has no grad_fn.*requires_grad=True"):
        (ag.ones(2) * 3).sum().backward()
    x = ag.ones(2, requires_grad=True)
    with ag.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"no_grad"):
        y.backward()


@pytest.mark.parametrize(
    "make",
    [
        lambda: ag.tensor([1, 2], requires_grad=True),
        lambda: ag.tensor([True], requires_grad=True),
        lambda: ag.zeros(2, dtype=ag.int64, requires_grad=True),
        lambda: ag.arange(3, requires_grad=True),
        lambda: ag.tensor([1, 2]).requires_grad_(),
        lambda: setattr(ag.tensor([True, False]), "requires_grad", True),
    ],
)
def test_requires_grad_on_integer_or_bool_tensors_is_refused(make):
    with pytest.raises(
        RuntimeError, match=r"only floating-point tensors can require gradients, this one is (int64|bool)"
    ):
        make()


def test_grad_with_respect_to_an_integer_input_is_refused():
    with pytest.raises(RuntimeError, match=r"input 0 of grad\(\) does not require grad"):
        grad(ag.ones(1, requires_grad=True).sum(), ag.tensor([1]))


def test_gradient_of_the_wrong_shape():
    y = ag.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError,
        match=r"gradient passed for the tensor has shape \(3, 2\), but the tensor has shape \(2, 3\)",
    ):
        y.backward(ag.ones(3, 2))
    with pytest.raises(RuntimeError, match=r"has shape \(6,\), but the output has shape \(2, 3\)"):
        grad(y, y, grad_outputs=ag.ones(6))


def test_a_function_returning_a_gradient_of_the_wrong_shape_is_named():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x.numpy() * 2

        @staticmethod
        def backward(ctx, g):
            return ag.ones(5)

    with pytest.raises(
        RuntimeError, match=r"Broken.backward returned for input 0 has shape \(5,\).*shape \(2,\)"
    ):
        Broken.apply(ag.ones(2, requires_grad=True)).sum().backward()


def test_a_function_returning_an_array_instead_of_a_tensor_is_named():
    class ReturnsArray(Function):
        @staticmethod
        def forward(ctx, x):
            return x.numpy() * 2

        @staticmethod
        def backward(ctx, g):
            return g.numpy() * 2

    with pytest.raises(
        TypeError, match=r"ReturnsArray.backward returned ndarray for input 0; return Tensors"
    ):
        ReturnsArray.apply(ag.ones(2, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("data", [[[1.0, 2.0], [3.0]], [1, [2, 3]], [[1], [2, 3], [4]]])
def test_tensor_from_ragged_data(data):
    with pytest.raises(ValueError, match=r"could not make a tensor from .*rectangular"):
        ag.tensor(data)


@pytest.mark.parametrize(
    "data, what",
    [
        (["a", "b"], "<U1"),
        ("text", "<U4"),
        ([1.0, None], "object"),
        ({"x": 1}, "object"),
        ([object()], "object"),
    ],
)
def test_tensor_from_non_numeric_data(data, what):
    with pytest.raises(
        TypeError, match=rf"could not make a tensor from .*{what} values; a tensor holds numbers"
    ):
        ag.tensor(data)


def test_unknown_dtype():
    with pytest.raises(TypeError, match=r"unknown dtype 'floaty'; use float32, float64, int64 or bool"):
        ag.tensor([1.0], dtype="floaty")


def test_item_and_truth_value_of_several_elements():
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with exactly one element.*shape \(2,\)"):
        ag.ones(2).item()
    with pytest.raises(RuntimeError, match=r"truth value of a tensor with 3 elements is ambiguous.*any\(\)"):
        bool(ag.ones(3))


def test_in_place_shape_mismatch():
    with pytest.raises(RuntimeError, match=r"in-place add: the result must keep the tensor's shape \(3,\)"):
        ag.zeros(3).add_(ag.ones(2))


def test_dimension_out_of_range():
    with pytest.raises(IndexError, match=r"dimension 3 is out of range for a tensor with 2 dimension\(s\)"):
        ag.ones(2, 3).softmax(3)


def test_gather_index_larger_than_the_input():
    with pytest.raises(
        RuntimeError, match=r"gather: index of shape \(3, 1\) must be no larger than the input \(2, 3\)"
    ):
        ag.ones(2, 3).gather(1, ag.tensor([[0], [1], [0]]))
