"""detect_anomaly: a nan or inf from a backward function stops backward with an error that names
the operation and shows the line of forward code that created it."""

import gc
import re
import weakref

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import (
    Function,
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from autograd_core.autograd import function as function_module


def line_of(text: str) -> int:
    """The line of this file holding ``text``."""
    with open(__file__) as source:
        return next(number for number, line in enumerate(source, start=1) if text in line)


class NanBackward(Function):
    """Identity whose backward puts nan at positions 0 and 2."""

    @staticmethod
    def forward(ctx, x):
        return x.numpy().copy()

    @staticmethod
    def backward(ctx, grad):
        poison = np.ones(grad.shape)
        poison[[0, 2]] = np.nan
        return grad * ag.tensor(poison)


@pytest.fixture(autouse=True)
def anomaly_mode_is_off_around_each_test():
    assert not is_anomaly_enabled()
    yield
    assert not is_anomaly_enabled()
    assert not function_module._debug_mode[0]


def test_sqrt_of_zero_names_the_operation_and_the_forward_line():
    x = ag.tensor([0.0, 4.0], dtype=ag.float64, requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore"):
        y = ag.sqrt(x)  # the culprit
        loss = (y * 3).sum()
        with pytest.raises(RuntimeError) as caught:
            loss.backward()
    message = str(caught.value)
    assert message.startswith("Function 'SqrtBackward0' returned inf values in its 0th output")
    assert "the gradient for input 0 of Sqrt (shape (2,)) holds 0 nan and 1 inf among 2 values" in message
    assert (
        f"The operation was created at {__file__}:{line_of('# the culprit')}\n    y = ag.sqrt(x)" in message
    )
    assert "Traceback of the forward call that created it (most recent call last):" in message
    trace = message.split("(most recent call last):\n")[1]
    assert f'File "{__file__}", line {line_of("# the culprit")}, in test_sqrt_of_zero' in trace
    assert "MulBackward0" not in message  # the backward stopped at the first bad gradient


def test_zero_over_zero_is_caught_in_div():
    x = ag.tensor([0.0, 1.0], dtype=ag.float64, requires_grad=True)
    z = ag.tensor([0.0, 2.0], dtype=ag.float64, requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        ratio = x / z  # zero over zero
        with pytest.raises(RuntimeError) as caught:
            ratio.sum().backward()
    message = str(caught.value)
    assert re.match(
        r"Function 'DivBackward0' returned (nan|inf|nan and inf) values in its 0th output", message
    )
    assert f"{__file__}:{line_of('# zero over zero')}\n    ratio = x / z" in message


def test_a_user_function_returning_nan_is_named_with_its_count():
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    with detect_anomaly():
        y = NanBackward.apply(x * 2)
        with pytest.raises(RuntimeError) as caught:
            y.sum().backward()
    message = str(caught.value)
    assert message.startswith("Function 'NanBackwardBackward0' returned nan values in its 0th output")
    assert "holds 2 nan and 0 inf among 3 values" in message
    assert "y = NanBackward.apply(x * 2)" in message


def test_without_anomaly_mode_the_inf_reaches_the_gradient_silently():
    x = ag.tensor([0.0, 4.0], dtype=ag.float64, requires_grad=True)
    with np.errstate(divide="ignore"):
        ag.sqrt(x).sum().backward()
    assert np.isinf(x.grad.numpy()[0])
    assert x.grad.numpy()[1] == pytest.approx(0.25)


def test_a_node_made_before_anomaly_mode_says_its_trace_was_not_recorded():
    x = ag.tensor([0.0], dtype=ag.float64, requires_grad=True)
    y = ag.sqrt(x)
    with detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(RuntimeError) as caught:
        y.sum().backward()
    assert "Its forward traceback was not recorded" in str(caught.value)
    assert "Run the forward pass inside detect_anomaly() too" in str(caught.value)


def test_check_nan_false_records_traces_without_checking():
    x = ag.tensor([0.0, 1.0], dtype=ag.float64, requires_grad=True)
    with detect_anomaly(check_nan=False), np.errstate(divide="ignore"):
        assert is_anomaly_enabled() and not is_anomaly_check_nan_enabled()
        y = ag.sqrt(x)  # traced
        y.sum().backward()
    assert np.isinf(x.grad.numpy()[0])
    last = y.grad_fn._trace[-1]
    assert last.name == "sqrt"  # the library function that applied Sqrt; apply itself is cut
    assert any(
        frame.filename == __file__ and frame.lineno == line_of("# traced") for frame in y.grad_fn._trace
    )


def test_traces_are_recorded_only_in_anomaly_mode():
    x = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    assert (x * 2).grad_fn._trace is None
    with detect_anomaly():
        assert (x * 2).grad_fn._trace is not None


def test_finite_gradients_pass_and_match_normal_mode():
    x = ag.tensor([0.5, 1.5], dtype=ag.float64, requires_grad=True)
    with detect_anomaly():
        (ag.sqrt(x) * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * np.sqrt([0.5, 1.5]))


def test_detect_anomaly_as_a_decorator_and_nested_restores():
    @detect_anomaly(check_nan=False)
    def inside():
        return is_anomaly_enabled(), is_anomaly_check_nan_enabled()

    assert inside() == (True, False)
    with detect_anomaly():
        assert inside() == (True, False)
        assert is_anomaly_check_nan_enabled()
    assert not is_anomaly_enabled()


def test_set_detect_anomaly_as_a_call_and_as_a_context_manager():
    set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled() and is_anomaly_check_nan_enabled()
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled()
        assert is_anomaly_enabled()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_check_nan_enabled()


def test_the_mode_is_switched_off_after_an_error_in_the_block():
    with pytest.raises(ValueError), detect_anomaly():
        raise ValueError("boom")


def test_anomaly_mode_adds_no_reference_cycle():
    x = ag.tensor(np.ones(3), dtype=ag.float64, requires_grad=True)
    gc.disable()
    try:
        with detect_anomaly():
            hidden = ag.tanh(x * 2)
            probe = weakref.ref(hidden)
            loss = hidden.sum()
        loss.backward()
        del hidden, loss
        assert probe() is None
    finally:
        gc.enable()
