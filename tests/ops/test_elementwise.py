"""Elementwise operations: arithmetic (with reflected forms and pow variants), unary functions,
activations, clamp, maximum/minimum and where. One ``OpCase`` per operation; ``op_tests`` makes
the forward, gradient, second-order and PyTorch checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import (
    OpCase,
    binary_inputs,
    bool_arrays,
    broadcastable_shapes,
    float_arrays,
    op_tests,
    unary_inputs,
)

NONZERO = (-2.0, 2.0, (0.0,))
POSITIVE = (0.2, 3.0, ())


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@st.composite
def with_array_operand(draw):
    """A tensor input and a NumPy array (float64 or int64) of a broadcastable shape."""
    shape_a, shape_b = draw(broadcastable_shapes(2))
    other = draw(float_arrays(shape_b))
    if draw(st.booleans()):
        other = np.round(other * 3).astype(np.int64)
    return [draw(float_arrays(shape_a))], {"other": other}


@st.composite
def where_inputs(draw):
    shape_c, shape_a, shape_b = draw(broadcastable_shapes(3))
    condition = draw(bool_arrays(shape_c))
    return [draw(float_arrays(shape_a)), draw(float_arrays(shape_b))], {"condition": condition}


@st.composite
def remainder_inputs(draw):
    """a % b is discontinuous where a/b is a whole number: keep the quotient off them."""
    arrays, params = draw(binary_inputs(b=NONZERO, margin=0.3))
    fraction = np.mod(np.divide(*arrays), 1.0)
    assume(np.all((fraction > 0.05) & (fraction < 0.95)))
    return arrays, params


CASES = [
    # arithmetic, tensor with tensor (broadcasting)
    OpCase("add", lambda a, b: a + b, np.add, binary_inputs(), torch=True),
    OpCase("sub", lambda a, b: a - b, np.subtract, binary_inputs(), torch=True),
    OpCase("mul", lambda a, b: a * b, np.multiply, binary_inputs(), torch=True),
    OpCase("div", lambda a, b: a / b, np.divide, binary_inputs(b=NONZERO, margin=0.3), torch=True),
    OpCase(
        "add_alpha", lambda a, b: a.add(b, alpha=2.5), lambda a, b: a + 2.5 * b, binary_inputs(), torch=True
    ),
    OpCase("sub_alpha", lambda a, b: ag.sub(a, b, alpha=-3), lambda a, b: a + 3 * b, binary_inputs()),
    OpCase("pow_tensor", lambda a, b: a**b, np.power, binary_inputs(a=POSITIVE), torch=True),
    OpCase("pow_function", lambda a, b: ag.pow(a, b), np.power, binary_inputs(a=POSITIVE)),
    # with Python numbers and NumPy arrays, both sides
    OpCase("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, unary_inputs(), torch=True),
    OpCase("rsub", lambda a: 1.5 - a, lambda a: 1.5 - a, unary_inputs(), torch=True),
    OpCase("rmul", lambda a: 3 * a, lambda a: 3 * a, unary_inputs(), torch=True),
    OpCase("rdiv", lambda a: 2 / a, lambda a: 2 / a, unary_inputs(kinks=(0.0,), margin=0.3), torch=True),
    OpCase("div_number", lambda a: a / 4, lambda a: a / 4, unary_inputs()),
    OpCase("add_array", lambda a, other: a + other, lambda a, other: a + other, with_array_operand()),
    OpCase("radd_array", lambda a, other: other + a, lambda a, other: other + a, with_array_operand()),
    OpCase("rmul_array", lambda a, other: other * a, lambda a, other: other * a, with_array_operand()),
    OpCase("rsub_array", lambda a, other: other - a, lambda a, other: other - a, with_array_operand()),
    OpCase("remainder", lambda a, b: a % b, np.remainder, remainder_inputs(), torch=True),
    OpCase("remainder_function", lambda a, b: ag.remainder(a, b), np.remainder, remainder_inputs()),
    OpCase(
        "remainder_number",
        lambda a: a % 0.7,
        lambda a: np.remainder(a, 0.7),
        unary_inputs(kinks=(-1.4, -0.7, 0.0, 0.7, 1.4), margin=0.05),
        torch=True,
    ),
    OpCase("neg", lambda a: -a, np.negative, unary_inputs(), torch=True),
    # pow variants
    OpCase("square", lambda a: a**2, np.square, unary_inputs(), torch=True),
    OpCase("cube", lambda a: a**3, lambda a: a**3, unary_inputs(), torch=True),
    OpCase("pow_half", lambda a: a**0.5, np.sqrt, unary_inputs(*POSITIVE), torch=True),
    OpCase("pow_negative", lambda a: a**-1.5, lambda a: a**-1.5, unary_inputs(*POSITIVE), torch=True),
    OpCase("pow_numpy_scalar", lambda a: a ** np.float64(2.5), lambda a: a**2.5, unary_inputs(*POSITIVE)),
    OpCase("rpow", lambda a: 2.0**a, lambda a: 2.0**a, unary_inputs(), torch=True),
    # unary functions
    OpCase("exp", lambda a: a.exp(), np.exp, unary_inputs(), torch=True),
    OpCase("log", lambda a: a.log(), np.log, unary_inputs(0.1, 3.0), torch=True),
    OpCase("log1p", lambda a: ag.log1p(a), np.log1p, unary_inputs(-0.8, 3.0), torch=lambda a: a.log1p()),
    OpCase("log2", lambda a: a.log2(), np.log2, unary_inputs(0.1, 3.0), torch=True),
    OpCase("log10", lambda a: ag.log10(a), np.log10, unary_inputs(0.1, 3.0), torch=lambda a: a.log10()),
    OpCase("exp2", lambda a: a.exp2(), np.exp2, unary_inputs(), torch=True),
    OpCase("sqrt", lambda a: a.sqrt(), np.sqrt, unary_inputs(0.1, 3.0), torch=True),
    OpCase("rsqrt", lambda a: a.rsqrt(), lambda a: 1 / np.sqrt(a), unary_inputs(0.1, 3.0), torch=True),
    OpCase("abs", lambda a: a.abs(), np.abs, unary_inputs(kinks=(0.0,)), torch=True),
    OpCase("abs_builtin", lambda a: abs(a), np.abs, unary_inputs(kinks=(0.0,))),
    OpCase("sin", lambda a: ag.sin(a), np.sin, unary_inputs(-4.0, 4.0), torch=lambda a: a.sin()),
    OpCase("cos", lambda a: a.cos(), np.cos, unary_inputs(-4.0, 4.0), torch=True),
    OpCase("sinh", lambda a: a.sinh(), np.sinh, unary_inputs(-3.0, 3.0), torch=True),
    OpCase("cosh", lambda a: ag.cosh(a), np.cosh, unary_inputs(-3.0, 3.0), torch=lambda a: a.cosh()),
    OpCase("tanh", lambda a: a.tanh(), np.tanh, unary_inputs(-3.0, 3.0), torch=True),
    OpCase("sigmoid", lambda a: a.sigmoid(), _sigmoid, unary_inputs(-6.0, 6.0), torch=True),
    OpCase("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), unary_inputs(kinks=(0.0,)), torch=True),
    OpCase(
        "clamp",
        lambda a: a.clamp(-0.5, 0.7),
        lambda a: np.clip(a, -0.5, 0.7),
        unary_inputs(kinks=(-0.5, 0.7)),
        torch=True,
    ),
    OpCase(
        "clamp_min", lambda a: ag.clamp(a, min=0.3), lambda a: np.maximum(a, 0.3), unary_inputs(kinks=(0.3,))
    ),
    OpCase(
        "clamp_max", lambda a: a.clamp(max=-0.2), lambda a: np.minimum(a, -0.2), unary_inputs(kinks=(-0.2,))
    ),
    OpCase(
        "clamp_tensor_bounds",
        lambda a, low: a.clamp(min=low, max=low + 1),
        lambda a, low: np.clip(a, low, low + 1),
        binary_inputs(margin=0.1, separated=True).filter(
            lambda drawn: bool(np.all(np.abs(np.subtract(drawn[0][0], drawn[0][1] + 1)) > 0.1))
        ),
        torch=True,
    ),
    OpCase("maximum", lambda a, b: a.maximum(b), np.maximum, binary_inputs(separated=True), torch=True),
    OpCase(
        "minimum",
        lambda a, b: ag.minimum(a, b),
        np.minimum,
        binary_inputs(separated=True),
        torch=lambda a, b: a.minimum(b),
    ),
    OpCase(
        "where",
        lambda a, b, condition: ag.where(ag.tensor(condition), a, b),
        lambda a, b, condition: np.where(condition, a, b),
        where_inputs(),
        torch=lambda a, b, condition: a.where(condition, b),
    ),
    OpCase(
        "where_method",
        lambda a, b, condition: a.where(ag.tensor(condition), b),
        lambda a, b, condition: np.where(condition, a, b),
        where_inputs(),
    ),
    OpCase("clone", lambda a: a.clone(), np.copy, unary_inputs(), torch=True),
]

test_forward_and_gradient, test_second_order, test_against_torch = op_tests(CASES)


def test_reflected_operators_with_arrays_return_tensors():
    """An array on the left hands over to the tensor; integer arrays keep float32 and float64
    arrays promote to float64, as PyTorch does with ``numpy_array + tensor``."""
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for result, dtype in ((np.array([3, 4]) * x, ag.float32), (np.array([1.0, 1.0]) - x, ag.float64)):
        assert isinstance(result, ag.Tensor)
        assert result.requires_grad and result.dtype == dtype


def test_sigmoid_is_stable_at_large_inputs():
    x = ag.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=ag.float64, requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    np.testing.assert_allclose(y.numpy(), [0.0, np.exp(-50.0), 0.5, 1.0, 1.0], rtol=1e-12, atol=0)
    assert np.all(np.isfinite(x.grad.numpy()))
    # σ(50) rounds to 1, so σ'(50) = σ(1 - σ) is 0 in float64, as in PyTorch
    np.testing.assert_allclose(x.grad.numpy(), [0.0, np.exp(-50.0), 0.25, 0.0, 0.0], rtol=1e-9, atol=0)


def test_ties_split_the_gradient_of_maximum_and_minimum_as_pytorch():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([1.0, 5.0, 3.0], requires_grad=True)
    (ag.maximum(a, b) * ag.tensor([1.0, 2.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 2.0, 2.0])


def test_ties_of_maximum_match_torch():
    torch = pytest.importorskip("torch")
    values_a, values_b = [1.0, 2.0, 3.0, -1.0], [1.0, 5.0, 3.0, -1.0]
    for ours_fn, torch_fn in ((ag.maximum, torch.maximum), (ag.minimum, torch.minimum)):
        a, b = ag.tensor(values_a, requires_grad=True), ag.tensor(values_b, requires_grad=True)
        ta, tb = torch.tensor(values_a, requires_grad=True), torch.tensor(values_b, requires_grad=True)
        ours_fn(a, b).sum().backward()
        torch_fn(ta, tb).sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
        np.testing.assert_array_equal(b.grad.numpy(), tb.grad.numpy())


def test_kink_conventions_match_torch():
    """At the kink itself: relu'(0) = 0, |x|'(0) = 0, clamp passes the gradient at its bounds."""
    torch = pytest.importorskip("torch")
    values = [-1.0, 0.0, 0.5, 1.0]
    operations = {"relu": lambda t: t.relu(), "abs": lambda t: t.abs(), "clamp": lambda t: t.clamp(0.0, 0.5)}
    for name, apply in operations.items():
        x, tx = ag.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        apply(x).sum().backward()
        apply(tx).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy(), err_msg=name)


@settings(max_examples=20, deadline=None)
@given(st.floats(-1e4, 1e4, allow_nan=False))
def test_comparisons_give_bool_tensors_without_gradient(value):
    x = ag.tensor([value, 0.0, -1.0], dtype=ag.float64, requires_grad=True)
    for result, expected in (
        (x > 0, [value > 0, False, False]),
        (x <= 0, [value <= 0, True, True]),
        (x == value, [True, value == 0.0, value == -1.0]),
    ):
        assert result.dtype == ag.bool and not result.requires_grad and result.grad_fn is None
        assert result.tolist() == expected


def test_power_zero_has_zero_gradient_everywhere():
    z = ag.tensor([0.0, 2.0, -3.0], requires_grad=True)
    (z**0).sum().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
