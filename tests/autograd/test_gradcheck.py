"""gradcheck and gradgradcheck: they pass on correct operations, and a wrong backward is caught
with a report that names the input, the position, both values, the rule and the operation."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from autograd_core.autograd import function as function_module
from autograd_core.autograd.graph import module_scope


def double(*shape, low=-2.0, high=2.0, seed=0):
    values = np.random.default_rng(seed).uniform(low, high, size=shape)
    return ag.tensor(values, dtype=ag.float64, requires_grad=True)


# ---------------------------------------------------------------- user Functions with known bugs
class BadSquare(Function):
    """x**2 with the derivative 3x instead of 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.numpy() ** 2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x


class OneWrongEntry(Function):
    """2x with the derivative at element (1, 2) off by 0.5."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x.numpy()

    @staticmethod
    def backward(ctx, grad):
        slope = np.full(grad.shape, 2.0)
        slope[1, 2] = 2.5
        return grad * ag.tensor(slope)


class ScaleBadSecond(Function):
    """x * y whose gradient for y is wrong (x + 1 instead of x)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x.numpy() * y.numpy()

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * y, grad * (x + 1)


class SinCosBadCos(Function):
    """Two outputs (sin x, cos x); the backward of the second has the wrong sign."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.numpy()), np.cos(x.numpy())

    @staticmethod
    def backward(ctx, grad_sin, grad_cos):
        (x,) = ctx.saved_tensors
        return grad_sin * x.cos() + grad_cos * x.sin()


class CubeNumpySlope(Function):
    """x**3 whose backward builds 3x² from NumPy: right first derivative, no second one."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.numpy() ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ag.tensor(3 * x.numpy() ** 2)


class ReluSaysTwo(Function):
    """relu whose backward returns 2 at 0: outside both one-sided slopes (0 and 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.slope = np.where(x.numpy() > 0, 1.0, np.where(x.numpy() == 0, 2.0, 0.0))
        return np.maximum(x.numpy(), 0)

    @staticmethod
    def backward(ctx, grad):
        return grad * ag.tensor(ctx.slope)


def line_of(text: str) -> int:
    """The line of this file holding ``text`` (where a node under test is created)."""
    with open(__file__) as source:
        return next(number for number, line in enumerate(source, start=1) if text in line)


# ---------------------------------------------------------------- correct operations pass
@pytest.mark.parametrize(
    "func",
    [
        ag.tanh,
        ag.exp,
        ag.sigmoid,
        ag.sin,
        lambda x: x * x + 3 * x,
        lambda x: x / (x * x + 1),
        lambda x: ag.softmax(x, dim=1),
        lambda x: ag.log_softmax(x, dim=0),
        lambda x: ag.logsumexp(x, dim=1),
        lambda x: x.sum(dim=0, keepdim=True) * x,
        lambda x: x.T @ x,
        lambda x: x[1:, ::2].reshape(-1),
        lambda x: ag.cat([x, x * 2], dim=0),
    ],
)
def test_gradcheck_passes_on_correct_operations(func):
    assert gradcheck(func, double(3, 4)) is True


def test_gradcheck_multiple_inputs_and_a_non_tensor_argument():
    def affine(x, w, b, dim):
        return ag.softmax(x @ w + b, dim=dim)

    assert gradcheck(affine, (double(2, 3), double(3, 4, seed=1), double(4, seed=2), 1))


def test_gradcheck_multiple_outputs_including_an_integer_one():
    def stats(x, y):
        values, indices = ag.max(x * y, dim=1)
        return values, indices, (x - y).exp()

    assert gradcheck(stats, (double(3, 4), double(3, 4, seed=1)))


def test_gradcheck_only_checks_inputs_that_require_grad():
    constant = ag.tensor(np.linspace(-1, 1, 4))
    assert gradcheck(lambda x, c: x * c.exp(), (double(4), constant))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.sampled_from([(), (1,), (3,), (2, 3), (2, 1, 3)]),
    other=st.sampled_from([(), (1,), (3,)]),
    seed=st.integers(0, 2**16),
)
def test_gradcheck_passes_with_broadcasting(shape, other, seed):
    x, y = double(*shape, seed=seed), double(*other, seed=seed + 1)
    assert gradcheck(lambda x, y: ag.tanh(x * y) + y.exp() / (1 + x * x), (x, y))


def test_gradcheck_keeps_the_memory_layout_of_transposed_and_strided_inputs():
    buffer = np.random.default_rng(0).uniform(-1, 1, size=(4, 6))
    seen = []

    def func(x):
        seen.append(x.numpy().strides)
        return (x * x.exp()).sum(dim=0)

    for view in (buffer.T, buffer[:, ::2]):
        seen.clear()
        assert gradcheck(func, ag.from_numpy(view).requires_grad_())
        assert set(seen) == {view.strides}


def test_gradcheck_leaves_the_callers_tensors_alone():
    x = double(2, 3)
    before = x.numpy().copy()
    gradcheck(lambda x: (x * x).sum(), x)
    np.testing.assert_array_equal(x.numpy(), before)
    assert x.grad is None
    assert x.dtype == ag.float64


def test_gradcheck_on_float32_warns_and_checks_a_float64_copy():
    x = ag.tensor([0.3, -1.2, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match=r"input 0 requires grad and is float32.*float64 copy"):
        assert gradcheck(ag.tanh, x)
    assert x.dtype == ag.float32


# ---------------------------------------------------------------- a wrong backward is caught
def test_wrong_backward_is_reported_with_input_position_values_rule_and_operation():
    x = ag.tensor([1.0, 2.0, -0.5], dtype=ag.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(BadSquare.apply, x)  # the report points here
    message = str(caught.value)
    assert re.search(
        r"Worst entry: input 0 at position \(1,\), in the derivative of output 0 at position \(1,\)", message
    )
    assert re.search(r"analytic:\s+6\n", message)  # 3 * 2
    assert re.search(r"numerical:\s+4\n", message)  # 2 * 2
    assert (
        "|analytic - numerical| <= atol + rtol * |numerical| fails: 2 > 1e-05 + 0.001 * 4 = 0.00401"
        in message
    )
    assert "3 Jacobian entries fail (output 0 w.r.t. input 0: 3 of 9)" in message
    site = f"{__file__}:{line_of('# the report points here')}"
    assert f"The operation at fault: BadSquareBackward0, created at {site}" in message
    assert isinstance(caught.value, RuntimeError)


def test_the_worst_entry_is_the_one_that_is_wrong():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(OneWrongEntry.apply, double(2, 3))
    message = str(caught.value)
    assert "input 0 at position (1, 2), in the derivative of output 0 at position (1, 2)" in message
    assert re.search(r"analytic:\s+2\.5\n", message)
    assert re.search(r"numerical:\s+2\n", message)
    assert "1 Jacobian entry fail (output 0 w.r.t. input 0: 1 of 36)" in message


def test_the_report_names_the_input_whose_gradient_is_wrong():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = ag.tensor([3.0, -1.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(ScaleBadSecond.apply, (x, y))
    message = str(caught.value)
    assert "Worst entry: input 1 at position" in message
    assert "(output 0 w.r.t. input 1: 2 of 4)" in message
    assert "w.r.t. input 0" not in message


def test_the_report_names_the_output_whose_backward_is_wrong():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(SinCosBadCos.apply, ag.tensor([0.5, 1.0], dtype=ag.float64, requires_grad=True))
    message = str(caught.value)
    assert "in the derivative of output 1 at position" in message
    assert "output 1 w.r.t. input 0: 2 of 4" in message
    assert "output 0 w.r.t." not in message
    worst = re.search(r"analytic:\s+(\S+)\n\s+numerical:\s+(\S+)\n", message)
    assert float(worst.group(1)) == pytest.approx(-float(worst.group(2)), rel=1e-5)  # sign flipped
    assert abs(float(worst.group(1))) == pytest.approx(np.sin(1.0), rel=1e-5)


def test_raise_exception_false_returns_false():
    assert gradcheck(BadSquare.apply, double(3), raise_exception=False) is False
    assert gradgradcheck(CubeNumpySlope.apply, double(3), raise_exception=False) is False


# ---------------------------------------------------------------- finding the operation at fault
def test_a_composite_function_is_localised_to_the_wrong_node():
    def model(x, y):
        hidden = ag.tanh(x @ y)
        squared = BadSquare.apply(hidden.exp())  # the wrong node
        return ag.softmax(squared * 0.1, dim=1).sum(dim=0)

    with pytest.raises(GradcheckError) as caught:
        gradcheck(model, (double(2, 3), double(3, 2, seed=1)))
    message = str(caught.value)
    assert (
        f"The operation at fault: BadSquareBackward0, created at {__file__}:{line_of('# the wrong node')}"
        in message
    )
    assert "squared = BadSquare.apply(hidden.exp())" in message
    assert "Other operations that fail" not in message
    for correct in ("MatMulBackward0", "TanhBackward0", "ExpBackward0", "SoftmaxBackward0"):
        assert correct not in message
    on_its_own = re.search(r"Checked on its own .* analytic (\S+), numerical (\S+)\.", message)
    analytic, numerical = float(on_its_own.group(1)), float(on_its_own.group(2))
    assert analytic == pytest.approx(1.5 * numerical, rel=1e-4)  # 3h instead of 2h


def test_every_wrong_node_is_listed():
    def twice(x):
        first = BadSquare.apply(x)
        return BadSquare.apply(first + 1)  # second use

    with pytest.raises(GradcheckError) as caught:
        gradcheck(twice, double(3))
    message = str(caught.value)
    assert (
        f"fault: BadSquareBackward0, created at {__file__}:{line_of('first = BadSquare.apply(x)')}" in message
    )
    assert (
        f"fail on their own too: BadSquareBackward0, created at {__file__}:{line_of('# second use')}"
        in message
    )


def test_the_module_that_made_the_wrong_node_is_named():
    class Block:
        pass

    def layer(x):
        with module_scope(Block()):
            return BadSquare.apply(x)

    with pytest.raises(GradcheckError, match=r"fault: BadSquareBackward0, created at .* inside Block"):
        gradcheck(layer, double(2))


def test_a_cut_in_the_graph_is_reported_when_every_node_is_right():
    def leaky(x):
        return x * ag.tensor(x.numpy() * 1.0)  # the second factor leaves the graph

    with pytest.raises(GradcheckError) as caught:
        gradcheck(leaky, ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True))
    message = str(caught.value)
    assert re.search(r"analytic:\s+2\n\s+numerical:\s+4\n", message)
    assert "1 operation in func's graph, each checked on its own, pass" in message
    assert ".detach(), .data, a NumPy round trip" in message


def test_localisation_sees_through_in_place_operations():
    def func(x):
        y = x * 2
        y.mul_(3)
        return BadSquare.apply(y)

    with pytest.raises(GradcheckError, match="fault: BadSquareBackward0"):
        gradcheck(func, double(2))


def test_gradcheck_under_no_grad_still_checks_and_localises():
    with ag.no_grad():
        assert gradcheck(ag.tanh, double(3))
        with pytest.raises(GradcheckError, match="fault: BadSquareBackward0"):
            gradcheck(lambda x: BadSquare.apply(x.sin()), double(3))


def test_the_diagnosis_leaves_recording_switched_off():
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: BadSquare.apply(x.exp()), double(2))
    assert function_module._recorded_nodes[0] is None
    assert function_module._debug_mode[0] is False


# ---------------------------------------------------------------- kinks
def test_relu_at_zero_is_a_kink_not_a_failure():
    x = ag.tensor([-1.0, 0.0, 2.0], dtype=ag.float64, requires_grad=True)
    pattern = (
        r"1 Jacobian entry at a kink(.|\n)*input 0 at position \(1,\) is at a kink \(derivative of output 0 "
        r"at position \(1,\)\): left slope 0, right slope 1, analytic 0"
    )
    with pytest.warns(UserWarning, match=pattern):
        assert gradcheck(ag.relu, x) is True


def test_abs_at_zero_passes_silently_since_its_central_difference_is_zero():
    x = ag.tensor([-1.0, 0.0, 2.0], dtype=ag.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(ag.abs, x) is True


def test_max_with_ties_splits_the_gradient_and_passes():
    x = ag.tensor([1.0, 3.0, 3.0], dtype=ag.float64, requires_grad=True)
    assert gradcheck(ag.amax, x) is True


def test_maximum_at_a_tie_splits_the_gradient_and_passes():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = ag.tensor([1.0, 0.0], dtype=ag.float64, requires_grad=True)
    assert gradcheck(ag.maximum, (x, y))


def test_clamp_at_its_bound_is_a_kink_in_a_composite_function():
    x = ag.tensor([[0.5, 1.0], [2.0, -1.0]], dtype=ag.float64, requires_grad=True)
    with pytest.warns(
        UserWarning,
        match=r"input 0 at position \(0, 1\) is at a kink.*left slope 2, right slope 0, analytic 2",
    ):
        assert gradcheck(lambda x: (2 * x).clamp(max=2.0).sum(), x)


def test_a_value_outside_both_one_sided_slopes_still_fails():
    x = ag.tensor([-1.0, 0.0, 2.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(ReluSaysTwo.apply, x)
    message = str(caught.value)
    assert "input 0 at position (1,)" in message
    assert re.search(r"analytic:\s+2\n\s+numerical:\s+0\.5\n", message)
    assert (
        "it sits at a kink (left slope 0, right slope 1), but the analytic value is not between them"
        in message
    )


# ---------------------------------------------------------------- second order
@pytest.mark.parametrize(
    "func, shapes",
    [
        (ag.tanh, [(3, 4)]),
        (ag.exp, [(3, 4)]),
        (ag.sigmoid, [(5,)]),
        (lambda x, y: x * y, [(3, 4), (4,)]),
        (lambda x, w: x @ w, [(2, 3), (3, 4)]),
        (lambda x: ag.softmax(x, dim=1), [(3, 4)]),
        (lambda x: ag.log_softmax(x, dim=0), [(3, 4)]),
        (lambda x: (x * x).sum() * x, [(3,)]),
    ],
)
def test_gradgradcheck_passes_on_smooth_operations(func, shapes):
    inputs = tuple(double(*shape, seed=seed) for seed, shape in enumerate(shapes))
    assert gradgradcheck(func, inputs) is True


def test_gradgradcheck_with_given_grad_outputs():
    x = double(4)
    v = ag.tensor([1.0, -2.0, 0.5, 3.0], dtype=ag.float64, requires_grad=True)
    assert gradgradcheck(lambda x: x.sin() * x, x, grad_outputs=v)
    with pytest.raises(
        ValueError, match=r"grad_outputs\[0\] has shape \(3,\), but the output it goes with has shape \(4,\)"
    ):
        gradgradcheck(lambda x: x.sin(), x, grad_outputs=ag.ones(3, dtype=ag.float64))


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = ag.tensor([1.0, 2.0, -0.5], dtype=ag.float64, requires_grad=True)
    assert gradcheck(CubeNumpySlope.apply, x)  # the first derivative is right
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(lambda x: CubeNumpySlope.apply(x.sin()) * 2, x)  # made here
    message = str(caught.value)
    assert message.startswith("gradgradcheck failed: the second derivative")
    assert "in the derivative of the gradient for input 0" in message
    assert f"fault: CubeNumpySlopeBackward0, created at {__file__}:{line_of('# made here')}" in message
    on_its_own = re.search(r"Checked on its own .*: analytic (\S+), numerical (\S+)\.", message)
    assert float(on_its_own.group(1)) == 0.0  # the NumPy-built 3x² has no derivative in the graph
    assert abs(float(on_its_own.group(2))) > 0.1  # 6x·v for the random v


# ---------------------------------------------------------------- misuse
def test_no_input_requiring_grad_is_refused():
    with pytest.raises(ValueError, match="expects at least one input tensor to require grad"):
        gradcheck(ag.exp, ag.tensor([1.0], dtype=ag.float64))


def test_func_must_return_tensors():
    with pytest.raises(TypeError, match="func must return a Tensor or a tuple of Tensors, got float"):
        gradcheck(lambda x: 1.0, double(2))
