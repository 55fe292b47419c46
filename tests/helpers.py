"""Shared test utilities: an operation-test factory, float64 finite-difference checks and
hypothesis strategies.

Adding an operation's tests is one declaration::

    OpCase("exp", lambda x: x.exp(), np.exp, unary_inputs(low=-2, high=2))

names the operation, its NumPy reference and its domain. ``op_tests(cases)`` then makes the
tests a file collects: the forward value against the reference, the gradient (output contracted
with a random upstream gradient) against central finite differences, no mutation of the inputs,
no aliasing between the returned gradients and the inputs, a second-order check for smooth
operations, and a comparison with PyTorch where the case names a PyTorch form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.autograd import backward, grad

EPS = 1e-6
LAYOUTS = ("contiguous", "transposed", "strided")


# ------------------------------------------------------------------------------- inputs
def as_leaf(array: np.ndarray, layout: str = "contiguous") -> ag.Tensor:
    """A float64 leaf that requires grad, holding ``array``'s values in the given memory layout.

    ``"transposed"`` stores the values in Fortran order (a transposed view of a contiguous
    buffer) and ``"strided"`` every other element of a larger buffer, so operations meet
    non-contiguous inputs as they do after ``.T`` or slicing with a step.
    """
    array = np.asarray(array, dtype=np.float64)
    if layout == "transposed" and array.ndim >= 2:
        stored = np.asfortranarray(array)
    elif layout in ("transposed", "strided") and array.ndim >= 1:
        buffer = np.full(array.shape[:-1] + (2 * array.shape[-1],), np.nan)
        buffer[..., ::2] = array
        stored = buffer[..., ::2]
    else:
        stored = array.copy()
    return ag.from_numpy(stored).requires_grad_()


def _outputs(result) -> tuple:
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def _contract(result, upstreams) -> float:
    """Σ_k <output_k, upstream_k> as a float: the scalar whose gradient is the VJP."""
    return float(
        sum(np.sum(np.asarray(out.numpy(), dtype=np.float64) * u) for out, u in zip(result, upstreams))
    )


def numerical_vjp(fn: Callable, arrays: list, upstreams: list, eps: float = EPS) -> list:
    """Central differences of Σ_k <fn(x)_k, u_k> with respect to every element of every input."""
    gradients = []
    for index, array in enumerate(arrays):
        gradient = np.zeros_like(array)
        for position in np.ndindex(array.shape):
            values = []
            for step in (eps, -eps):
                shifted = [a.copy() for a in arrays]
                shifted[index][position] += step
                with ag.no_grad():
                    result = _outputs(fn(*(ag.tensor(a) for a in shifted)))
                values.append(_contract(result, upstreams))
            gradient[position] = (values[0] - values[1]) / (2 * eps)
        gradients.append(gradient)
    return gradients


def assert_close(actual, expected, *, rtol: float = 1e-5, atol: float = 1e-6, what: str = "") -> None:
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol, err_msg=what)


def assert_no_aliasing(gradients: list, others: list) -> None:
    """No returned gradient shares memory with another gradient or with any array in ``others``."""
    for i, g in enumerate(gradients):
        for other in others:
            assert not np.shares_memory(g, other), f"gradient {i} shares memory with an input or output"
        for j in range(i):
            assert not np.shares_memory(g, gradients[j]), f"gradients {j} and {i} share memory"


def random_like(rng: np.random.Generator, arrays) -> list:
    return [rng.normal(size=np.shape(a)) for a in arrays]


def check_gradient(fn: Callable, arrays: list, *, rng, layouts=None, rtol=1e-5, atol=1e-6) -> list:
    """Backpropagate a random upstream gradient through ``fn`` and compare every input's
    ``.grad`` with central finite differences. Also checks that the inputs are unchanged and
    that no gradient aliases an input, an output, the upstream gradient or another gradient.
    Returns the gradients."""
    layouts = layouts or ["contiguous"] * len(arrays)
    leaves = [as_leaf(a, layout) for a, layout in zip(arrays, layouts)]
    result = _outputs(fn(*leaves))
    upstreams = random_like(rng, [out.numpy() for out in result])
    seeds = [ag.tensor(u) for u in upstreams]
    backward(result, seeds)
    for leaf, array in zip(leaves, arrays):
        np.testing.assert_array_equal(leaf.numpy(), array, err_msg="the operation changed its input")
    expected = numerical_vjp(fn, arrays, upstreams)
    gradients = []
    for index, (leaf, numeric) in enumerate(zip(leaves, expected)):
        assert leaf.grad is not None, f"input {index} received no gradient"
        assert leaf.grad.shape == leaf.shape and leaf.grad.dtype == np.float64
        assert_close(leaf.grad.numpy(), numeric, rtol=rtol, atol=atol, what=f"gradient of input {index}")
        gradients.append(leaf.grad.numpy())
    others = [leaf.numpy() for leaf in leaves] + [out.numpy() for out in result] + [s.numpy() for s in seeds]
    assert_no_aliasing(gradients, others)
    return gradients


def check_second_order(fn: Callable, arrays: list, *, rng, eps: float = 1e-5, rtol=1e-4, atol=1e-5) -> None:
    """Differentiate the gradient again, as ``create_graph=True`` allows.

    With s = Σ <fn(x), u> and g = ∂s/∂x (computed with ``create_graph=True``), t = <g, v> is a
    function of x and of the upstream u. Its analytic gradient (a second backward pass) must
    match the central difference of t along a random direction (w, z), where t is recomputed
    from first-order gradients at x ± εw, u ± εz.
    """
    directions = random_like(rng, arrays)

    def t_value(xs, us, create_graph):
        result = _outputs(fn(*xs))
        s = sum((out * u).sum() for out, u in zip(result, us))
        gradients = grad(s, xs, create_graph=create_graph, allow_unused=True)
        return sum(((g * ag.tensor(v)).sum() for g, v in zip(gradients, directions) if g is not None), 0.0)

    with ag.no_grad():
        shapes = [out.shape for out in _outputs(fn(*(ag.tensor(a) for a in arrays)))]
    upstreams = [rng.normal(size=shape) for shape in shapes]
    xs = [as_leaf(a) for a in arrays]
    us = [as_leaf(u) for u in upstreams]
    t = t_value(xs, us, create_graph=True)
    if isinstance(t, ag.Tensor) and t.requires_grad:
        analytic = grad(t, xs + us, allow_unused=True)
    else:
        analytic = [None] * (len(xs) + len(us))
    step_x = random_like(rng, arrays)
    step_u = random_like(rng, upstreams)
    along = sum(float(np.sum(a.numpy() * d)) for a, d in zip(analytic, step_x + step_u) if a is not None)
    values = []
    for sign in (1, -1):
        shifted_x = [as_leaf(a + sign * eps * d) for a, d in zip(arrays, step_x)]
        shifted_u = [ag.tensor(u + sign * eps * d) for u, d in zip(upstreams, step_u)]
        values.append(float(t_value(shifted_x, shifted_u, create_graph=False)))
    numeric = (values[0] - values[1]) / (2 * eps)
    assert_close(along, numeric, rtol=rtol, atol=atol, what="second-order directional derivative")


# --------------------------------------------------------------------------- strategies
def finite_floats(low: float, high: float, kinks=(), margin: float = 0.1):
    """Floats in [low, high] at least ``margin`` away from every kink or domain edge in ``kinks``."""
    values = st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    if kinks:
        values = values.filter(lambda v: all(abs(v - k) >= margin for k in kinks))
    return values


def float_arrays(shape, low: float = -2.0, high: float = 2.0, kinks=(), margin: float = 0.1):
    """float64 arrays of ``shape`` with every element drawn on its own (no fill value)."""
    return hnp.arrays(np.float64, shape, elements=finite_floats(low, high, kinks, margin), fill=st.nothing())


def bool_arrays(shape):
    return hnp.arrays(np.bool_, shape, elements=st.booleans(), fill=st.nothing())


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(count: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 3):
    """``count`` shapes that broadcast together (sizes of 1 and missing leading dimensions)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=count, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda drawn: drawn.input_shapes)


def dims(ndim: int, allow_none: bool = True, allow_tuple: bool = True):
    """A ``dim`` argument for a tensor of ``ndim`` dimensions: None, an int (maybe negative) or a tuple."""
    options = [st.integers(-ndim, ndim - 1)] if ndim else []
    if allow_none:
        options.append(st.none())
    if allow_tuple and ndim:
        options.append(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(
                lambda ds: tuple(d - ndim if i % 2 else d for i, d in enumerate(ds))
            )
        )
    return st.one_of(options)


def numpy_axis(dim, ndim: int):
    """A ``dim`` argument as NumPy's ``axis`` (None, int or tuple of non-negative ints)."""
    if dim is None:
        return None
    if isinstance(dim, int):
        return dim % ndim
    return tuple(sorted(d % ndim for d in dim))


def assume_separated(array: np.ndarray, gap: float = 1e-3) -> None:
    """Reject draws whose values come closer than ``gap`` (ties put max/min on a kink)."""
    values = np.sort(np.ravel(array))
    assume(values.size < 2 or np.min(np.diff(values)) > gap)


@st.composite
def unary_inputs(draw, low=-2.0, high=2.0, kinks=(), margin=0.1, min_dims=0, max_dims=3, min_side=1):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side))
    return [draw(float_arrays(shape, low, high, kinks, margin))], {}


@st.composite
def binary_inputs(draw, a=(-2.0, 2.0, ()), b=(-2.0, 2.0, ()), margin=0.1, separated=False):
    """Two arrays of mutually broadcastable shapes; ``a`` and ``b`` are (low, high, kinks)."""
    shape_a, shape_b = draw(broadcastable_shapes(2))
    x = draw(float_arrays(shape_a, *a, margin=margin))
    y = draw(float_arrays(shape_b, *b, margin=margin))
    if separated:
        assume(np.all(np.abs(np.subtract(x, y)) > margin))
    return [x, y], {}


# ------------------------------------------------------------------------------ factory
@dataclass(frozen=True)
class OpCase:
    """One operation under test.

    ``op(*tensors, **params)`` and ``reference(*arrays, **params)`` compute the same thing, with
    the engine and with NumPy; ``inputs`` is a hypothesis strategy giving ``(arrays, params)``
    (the arrays are the differentiable inputs, in the operation's domain, away from kinks).
    ``smooth`` cases also get the second-order check. ``torch`` is ``True`` when ``op`` runs
    unchanged on PyTorch tensors, a callable with the same signature when PyTorch spells it
    differently, or None to skip the PyTorch comparison.
    """

    name: str
    op: Callable
    reference: Callable
    inputs: st.SearchStrategy
    smooth: bool = True
    torch: bool | Callable | None = None
    rtol: float = 1e-5
    atol: float = 1e-6

    def __repr__(self) -> str:
        return self.name


def _bound(function: Callable, params: dict) -> Callable:
    return lambda *tensors: function(*tensors, **params)


def check_case(case: OpCase, data) -> None:
    """Forward against NumPy, then the gradient check (on drawn memory layouts)."""
    arrays, params = data.draw(case.inputs, label="inputs")
    layouts = [data.draw(st.sampled_from(LAYOUTS), label=f"layout {i}") for i in range(len(arrays))]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    op = _bound(case.op, params)
    with ag.no_grad():
        result = _outputs(op(*(as_leaf(a, layout) for a, layout in zip(arrays, layouts))))
    expected = _outputs(case.reference(*arrays, **params))
    assert len(result) == len(expected)
    for out, ref in zip(result, expected):
        assert out.shape == np.shape(ref), f"shape {out.shape}, NumPy gives {np.shape(ref)}"
        assert_close(out.numpy(), ref, rtol=1e-12, atol=1e-12, what="forward value")
    check_views(op, arrays)
    check_gradient(op, arrays, rng=rng, layouts=layouts, rtol=case.rtol, atol=case.atol)


def check_views(fn: Callable, arrays: list) -> None:
    """An output that shares memory with an input must be a view of it (share its version
    counter), so that in-place changes of either are seen by the graph."""
    leaves = [as_leaf(a) for a in arrays]
    for out in _outputs(fn(*leaves)):
        for leaf in leaves:
            if np.shares_memory(out.numpy(), leaf.numpy()):
                assert out._version_counter is leaf._version_counter, "an output aliases an input"


def check_case_second_order(case: OpCase, data) -> None:
    arrays, params = data.draw(case.inputs, label="inputs")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    check_second_order(_bound(case.op, params), arrays, rng=rng)


def check_case_against_torch(case: OpCase, data) -> None:
    """Forward values and gradients (for one random upstream) equal PyTorch's."""
    torch = pytest.importorskip("torch")
    arrays, params = data.draw(case.inputs, label="inputs")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    torch_op = case.op if case.torch is True else case.torch
    ours = [as_leaf(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    result = _outputs(case.op(*ours, **params))
    torch_result = _outputs(torch_op(*theirs, **_torch_params(torch, params)))
    upstreams = random_like(rng, [out.numpy() for out in result])
    for out, torch_out in zip(result, torch_result):
        assert_close(out.numpy(), torch_out.detach().numpy(), rtol=1e-10, atol=1e-12, what="forward")
    backward(result, [ag.tensor(u) for u in upstreams])
    torch.autograd.backward(torch_result, [torch.tensor(u) for u in upstreams])
    for index, (leaf, torch_leaf) in enumerate(zip(ours, theirs)):
        assert_close(leaf.grad.numpy(), torch_leaf.grad.numpy(), rtol=1e-10, atol=1e-12, what=f"grad {index}")


def _torch_params(torch, params: dict) -> dict:
    """NumPy arrays among the parameters (indices, masks) become PyTorch tensors."""
    return {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in params.items()}


def op_tests(cases: list, examples: int = 20, second_order_examples: int = 8, torch_examples: int = 5):
    """The test functions for a list of ``OpCase``: assign them to ``test_*`` names in a test file."""
    ids = [case.name for case in cases]
    smooth = [case for case in cases if case.smooth]
    with_torch = [case for case in cases if case.torch is not None]

    @pytest.mark.parametrize("case", cases, ids=ids)
    @settings(max_examples=examples, deadline=None)
    @given(data=st.data())
    def forward_and_gradient(case, data):
        check_case(case, data)

    @pytest.mark.parametrize("case", smooth, ids=[case.name for case in smooth])
    @settings(max_examples=second_order_examples, deadline=None)
    @given(data=st.data())
    def second_order(case, data):
        check_case_second_order(case, data)

    @pytest.mark.parametrize("case", with_torch, ids=[case.name for case in with_torch])
    @settings(max_examples=torch_examples, deadline=None)
    @given(data=st.data())
    def against_torch(case, data):
        check_case_against_torch(case, data)

    return forward_and_gradient, second_order, against_torch
