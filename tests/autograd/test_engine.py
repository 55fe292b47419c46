"""The backward pass: reused nodes, diamonds, fan-out, retain_graph, unused inputs,
``autograd.grad`` (non-leaf inputs, create_graph), hooks, retain_grad, user Functions and the
graph's introspection (grad_fn.name(), next_functions)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.autograd import Function, backward, grad
from tests.helpers import as_leaf, assert_no_aliasing, check_gradient


def t64(values, requires_grad=True):
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# ------------------------------------------------------------------ graph structure
def test_diamond_of_reused_nodes():
    """b = a + a; c = b + b: each edge carries its gradient, so dc/da = 4."""
    a = t64([1.5, -2.0])
    b = a + a
    c = b + b
    c.backward(t64([1.0, 10.0], requires_grad=False))
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 40.0])


def test_diamond_with_products():
    """b = a·a; c = b·b = a⁴: dc/da = 4a³."""
    a = t64([1.5, -2.0])
    b = a * a
    c = b * b
    c.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 4 * np.array([1.5, -2.0]) ** 3, rtol=1e-14)


def test_fan_out_sums_the_contributions_of_every_consumer():
    x0 = np.array([0.3, -0.7, 1.1])
    x = t64(x0)
    y = x.exp()
    z = (y * 2.0 + y.sin() + y * y).sum()
    z.backward()
    e = np.exp(x0)
    np.testing.assert_allclose(x.grad.numpy(), (2.0 + np.cos(e) + 2 * e) * e, rtol=1e-13)


def test_fan_out_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)

    def network(x, w):
        h = (x @ w).tanh()
        return h * h.sigmoid() + (h @ w.T) @ w - h.sum(-1, keepdim=True)

    check_gradient(network, [rng.normal(size=(4, 3)), rng.normal(size=(3, 3))], rng=rng)


def test_deep_reuse_of_one_intermediate():
    """A node consumed by 50 others: the engine waits for all of them before going on."""
    x = t64([2.0])
    y = x * 3.0
    total = sum((y * float(k) for k in range(50)), t64([0.0], requires_grad=False))
    total.sum().backward()
    assert x.grad.item() == 3.0 * sum(range(50))


def test_backward_twice_with_retain_graph_accumulates_exactly():
    rng = np.random.default_rng(1)
    x = as_leaf(rng.normal(size=(3, 2)))
    w = as_leaf(rng.normal(size=(2, 4)))
    loss = ((x @ w).tanh() ** 2).mean()
    loss.backward(retain_graph=True)
    first_x, first_w = x.grad.numpy().copy(), w.grad.numpy().copy()
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * first_x)
    np.testing.assert_array_equal(w.grad.numpy(), 2 * first_w)


def test_gradients_accumulate_across_separate_backward_calls():
    x = t64([1.0, 2.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0 + 2.0, 3.0 + 4.0])


def test_unused_inputs_get_no_gradient():
    x, unused = t64([1.0, 2.0]), t64([3.0])
    (x * 2).sum().backward()
    assert unused.grad is None
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_grad_of_unused_input_is_none_with_allow_unused():
    x, unused = t64([1.0, 2.0]), t64([3.0])
    y = (x * x).sum()
    gx, gu = grad(y, [x, unused], allow_unused=True, retain_graph=True)
    assert gu is None
    np.testing.assert_array_equal(gx.numpy(), [2.0, 4.0])
    gx, gu = grad(y, [x, unused], materialize_grads=True)
    np.testing.assert_array_equal(gu.numpy(), [0.0])


def test_grad_of_unused_input_without_allow_unused_says_what_to_do():
    x, unused = t64([1.0, 2.0]), t64([3.0])
    with pytest.raises(RuntimeError, match=r"input 1 \(shape \(1,\)\) was not used.*allow_unused=True"):
        grad((x * x).sum(), [x, unused])


def test_gradient_of_a_leaf_itself():
    x = t64([1.0, 2.0])
    seed = t64([5.0, 6.0], requires_grad=False)
    x.backward(seed)
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 6.0])
    assert not np.shares_memory(x.grad.numpy(), seed.numpy())


def test_broadcast_dimensions_are_summed_back():
    a = t64(np.ones((3, 1)))
    b = t64(np.ones(4))
    c = t64(2.0)
    ((a * b + c) * t64(np.arange(12.0).reshape(3, 4), requires_grad=False)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [[6.0], [22.0], [38.0]])
    np.testing.assert_array_equal(b.grad.numpy(), [12.0, 15.0, 18.0, 21.0])
    assert c.grad.shape == () and c.grad.item() == 66.0


def test_float32_gradients_stay_float32():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * ag.tensor([3, 4]) + x.double()).sum().backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 5.0])


def test_backward_with_several_roots():
    x = t64([1.0, 2.0])
    y1, y2 = x * 2, x * x
    backward([y1, y2], [t64([1.0, 1.0], False), t64([3.0, 5.0], False)])
    np.testing.assert_array_equal(x.grad.numpy(), [2 + 6.0, 2 + 20.0])


def test_backward_inputs_accumulates_only_into_the_named_tensors():
    x, w = t64([1.0, 2.0]), t64([3.0, 4.0])
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0])


def test_backward_inputs_gradients_do_not_alias_each_other_or_the_seed():
    a, b = t64([1.0, 2.0]), t64([3.0, 4.0])
    seed = t64([1.0, 1.0], requires_grad=False)
    (a + b).backward(seed, inputs=[a, b])
    (a + b).backward(seed, inputs=[a])
    assert a.grad.tolist() == [2.0, 2.0] and b.grad.tolist() == [1.0, 1.0]
    assert_no_aliasing([a.grad.numpy(), b.grad.numpy()], [seed.numpy(), a.numpy(), b.numpy()])


# ---------------------------------------------------------------------- autograd.grad
def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    x = t64([1.0, 2.0, 3.0])
    (gx,) = grad((x**3).sum(), x)
    np.testing.assert_allclose(gx.numpy(), 3 * np.array([1.0, 4.0, 9.0]))
    assert x.grad is None and not gx.requires_grad


def test_grad_with_respect_to_a_non_leaf():
    x = t64([1.0, 2.0])
    h = x * 3.0
    y = (h.sin() * h).sum()
    gh, gx = grad(y, [h, x])
    h0 = np.array([3.0, 6.0])
    expected_h = np.cos(h0) * h0 + np.sin(h0)
    np.testing.assert_allclose(gh.numpy(), expected_h, rtol=1e-14)
    np.testing.assert_allclose(gx.numpy(), 3.0 * expected_h, rtol=1e-14)


def test_grad_runs_only_the_part_of_the_graph_it_needs():
    """grad(y, h) stops at h: the nodes below h are neither run (no hook call) nor freed."""
    x = t64([1.0, 2.0])
    calls = []
    x.register_hook(lambda g: calls.append(g))
    h = x * x
    (gh,) = grad((h * 3.0).sum(), h)
    assert calls == [] and gh.tolist() == [3.0, 3.0]
    (h * h).sum().backward()
    assert len(calls) == 1
    np.testing.assert_array_equal(x.grad.numpy(), 4 * x.detach().numpy() ** 3)


def test_grad_applies_the_hooks_of_its_inputs():
    x = t64([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    h = x * 3
    h.register_hook(lambda g: g + 1)
    gh, gx = grad((h * 2).sum(), [h, x])
    assert gh.tolist() == [3.0, 3.0] and gx.tolist() == [90.0, 90.0]


def test_grad_with_grad_outputs_for_a_non_scalar_output():
    x = t64([1.0, 2.0])
    (gx,) = grad(x * x, x, grad_outputs=t64([10.0, 100.0], False))
    np.testing.assert_array_equal(gx.numpy(), [20.0, 400.0])


def test_second_derivative_with_create_graph():
    x = t64([0.5, -1.5])
    y = (x**3 + x.sin()).sum()
    (g,) = grad(y, x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), 3 * x.numpy() ** 2 + np.cos(x.numpy()), rtol=1e-14)
    np.testing.assert_allclose(h.numpy(), 6 * x.numpy() - np.sin(x.numpy()), rtol=1e-14)


def test_third_derivative():
    x = t64(0.7)
    (g1,) = grad(x.exp() * x, x, create_graph=True)
    (g2,) = grad(g1, x, create_graph=True)
    (g3,) = grad(g2, x)
    assert g3.item() == pytest.approx(np.exp(0.7) * (0.7 + 3), rel=1e-13)


def test_hessian_vector_product_via_backward_create_graph():
    """x.grad built with create_graph=True is differentiable: a Hessian-vector product."""
    rng = np.random.default_rng(2)
    a_values = rng.normal(size=(3, 3))
    a_values = a_values + a_values.T
    x, v = t64(rng.normal(size=3)), rng.normal(size=3)
    a = t64(a_values, requires_grad=False)
    energy = 0.5 * (x @ (a @ x)) + (x**4).sum()
    energy.backward(create_graph=True)
    (hv,) = grad((x.grad * t64(v, False)).sum(), x)
    hessian = a_values + np.diag(12 * x.detach().numpy() ** 2)
    np.testing.assert_allclose(hv.numpy(), hessian @ v, rtol=1e-12)


def test_double_backward_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    values, weights = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))

    def run(module, x, w):
        loss = (module_softplus(module, x @ w) * (x @ w).tanh()).logsumexp(-1).sum()
        (gx,) = module.autograd.grad(loss, x, create_graph=True)
        (gw,) = module.autograd.grad((gx * gx).sum(), w)
        return gw

    def module_softplus(module, z):
        return (z.exp() + 1).log()

    ours = run(ag, t64(values), t64(weights))
    theirs = run(torch, torch.tensor(values, requires_grad=True), torch.tensor(weights, requires_grad=True))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)


# ---------------------------------------------------------------- hooks and retain_grad
def test_leaf_hook_sees_and_replaces_the_gradient():
    x = t64([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [30.0, 30.0])


def test_leaf_hook_is_called_once_with_the_total_gradient():
    """As in PyTorch: a leaf used twice gets one hook call with the summed gradient."""
    x = t64([1.0, 2.0])
    calls = []
    x.register_hook(lambda g: calls.append(g.tolist()))
    (x * 2 + x * 3).sum().backward()
    assert calls == [[5.0, 5.0]]
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_non_leaf_hook_replaces_the_gradient_flowing_on():
    x = t64([1.0, 2.0])
    h = x * x
    h.register_hook(lambda g: g * 0 + 1.0)
    (h * t64([5.0, 7.0], False)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_hook_removal():
    x = t64([1.0])
    handle = x.register_hook(lambda g: g * 100)
    handle.remove()
    (x * 2).sum().backward()
    assert x.grad.item() == 2.0


def test_hook_returning_a_wrong_shape_is_refused():
    x = t64([1.0, 2.0])
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"hook must return None or a Tensor of shape \(2,\)"):
        (x * 2).sum().backward()


def test_hooks_need_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x = t64([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    other = x * 4
    (h * h + other).sum().backward()
    assert h.retains_grad and not other.retains_grad
    np.testing.assert_array_equal(h.grad.numpy(), [6.0, 12.0])
    assert other.grad is None
    np.testing.assert_array_equal(x.grad.numpy(), [18.0 + 4.0, 36.0 + 4.0])


def test_retained_gradient_is_taken_after_hooks_and_accumulates():
    x = t64([1.0])
    h = x * 3
    h.retain_grad()
    h.register_hook(lambda g: g * 2)
    y = h * 5
    y.backward(retain_graph=True)
    assert h.grad.item() == 10.0
    y.backward()
    assert h.grad.item() == 20.0 and x.grad.item() == 60.0


# --------------------------------------------------------------- detach and requires_grad
def test_detach_cuts_the_graph_and_shares_storage_and_version():
    x = t64([1.0, 2.0])
    h = x * 2
    d = h.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert np.shares_memory(d.numpy(), h.numpy())
    (h * d).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])
    d.add_(1.0)
    assert h._version == d._version == 1
    np.testing.assert_array_equal(h.numpy(), [3.0, 5.0])


def test_detach_in_place():
    x = t64([1.0])
    h = x * 2
    assert h.detach_() is h
    assert h.is_leaf and not h.requires_grad and h.grad_fn is None


def test_requires_grad_():
    x = ag.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    h = t64([1.0]) * 2
    with pytest.raises(RuntimeError, match=r"only change requires_grad of leaf tensors.*detach\(\)"):
        h.requires_grad_(False)


def test_operations_on_tensors_without_grad_record_nothing():
    x = ag.tensor([1.0, 2.0])
    y = (x * 2).exp().sum()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


# --------------------------------------------------------------------- introspection
def test_grad_fn_names_and_next_functions():
    x, y = t64([1.0]), t64([2.0])
    z = t64([3.0], requires_grad=False)
    out = x * y + z
    assert out.grad_fn.name() == "AddBackward0"
    assert repr(out.grad_fn) == "<AddBackward0>"
    (mul, mul_nr), (none, _) = out.grad_fn.next_functions
    assert mul.name() == "MulBackward0" and mul_nr == 0 and none is None
    (acc_x, _), (acc_y, _) = mul.next_functions
    assert acc_x.name() == "AccumulateGrad" and acc_x.variable is x and acc_y.variable is y
    assert acc_x.next_functions == ()


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda x: x - 1, "SubBackward0"),
        (lambda x: x / 2, "DivBackward0"),
        (lambda x: x.exp(), "ExpBackward0"),
        (lambda x: x.sum(), "SumBackward0"),
        (lambda x: x.reshape(1, 2), "ReshapeBackward0"),
        (lambda x: x[0], "GetItemBackward0"),
        (lambda x: x.unsqueeze(0) @ x.unsqueeze(1), "MatMulBackward0"),
        (lambda x: x.relu(), "ReluBackward0"),
    ],
)
def test_node_names(make, name):
    assert make(t64([1.0, 2.0])).grad_fn.name() == name


# ---------------------------------------------------------------- user-defined Function
class ScaledCube(Function):
    """y = scale · x³ (scale a Python number): d/dx = 3 · scale · x²."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return scale * x.numpy() ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * ctx.scale * x * x, None


class SplitSigns(Function):
    """Two outputs: the positive and the negative part of x."""

    @staticmethod
    def forward(ctx, x):
        values = x.numpy()
        ctx.positive = values > 0
        return np.where(ctx.positive, values, 0.0), np.where(ctx.positive, 0.0, values)

    @staticmethod
    def backward(ctx, grad_positive, grad_negative):
        mask = ag.tensor(ctx.positive.astype(np.float64))
        return grad_positive * mask + grad_negative * (1 - mask)


def test_user_function_first_and_second_order():
    x = t64([0.5, -2.0])
    y = ScaledCube.apply(x, 2.0)
    assert y.grad_fn.name() == "ScaledCubeBackward0"
    assert y.grad_fn.needs_input_grad == (True, False)
    (g,) = grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 6 * x.numpy() ** 2)
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 12 * x.numpy())


def test_user_function_with_two_outputs_and_one_unused():
    x = t64([1.5, -2.5, 3.0])
    positive, negative = SplitSigns.apply(x)
    assert positive.grad_fn is negative.grad_fn
    (positive * 10).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 0.0, 10.0])


def test_user_function_without_grad_records_nothing():
    x = t64([1.0], requires_grad=False)
    y = ScaledCube.apply(x, 2.0)
    assert y.grad_fn is None and y.item() == 2.0


def test_user_function_returning_too_few_gradients_is_reported():
    class Forgetful(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a.numpy() * b.numpy()

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(
        RuntimeError, match=r"Forgetful.backward returned 1 gradient\(s\), but forward took 2"
    ):
        Forgetful.apply(t64([1.0]), t64([2.0])).sum().backward()


def test_mark_non_differentiable_output():
    class ValueAndIndex(Function):
        @staticmethod
        def forward(ctx, x):
            values = x.numpy()
            index = np.argmax(values)
            ctx.index, ctx.size = index, values.size
            value = values[index : index + 1].copy()
            ctx.mark_non_differentiable(index_array := np.array([float(index)]))
            return value, index_array

        @staticmethod
        def backward(ctx, grad_value, grad_index):
            out = np.zeros(ctx.size)
            out[ctx.index] = 1.0
            return grad_value * ag.tensor(out)

    x = t64([1.0, 5.0, 2.0])
    value, index = ValueAndIndex.apply(x)
    assert value.requires_grad and not index.requires_grad
    value.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])


# ------------------------------------------------------------- random programs vs PyTorch
def _set_tail(a, b):
    a[..., 1:] = b.sum() * 0.5


UNARY = {
    "tanh": lambda t: t.tanh(),
    "sin": lambda t: t.sin(),
    "sigmoid": lambda t: t.sigmoid(),
    "square": lambda t: t * t,
    "softmax": lambda t: t.softmax(-1),
    "sum0": lambda t: t.sum(0, keepdim=True),
    "mean_last": lambda t: t.mean(-1, keepdim=True),
    "row": lambda t: t[0:1],
    "view_of_view": lambda t: t.unsqueeze(0)[0],
    "flip": lambda t: t.flip(0),
    "exp_tanh": lambda t: t.tanh().exp(),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (1 + b * b),
}
IN_PLACE = {
    "mul_": lambda a, b: a.mul_(b),
    "add_": lambda a, b: a.add_(b.tanh()),
    "view_mul_": lambda a, b: a[..., 0:1].mul_(b.sum().tanh()),
    "set_tail": _set_tail,
}


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_random_programs_match_torch(data):
    """Random DAGs of elementwise, reduction, view and in-place operations (also on views),
    with fan-out and broadcasting: the forward value and every leaf's gradient equal PyTorch's,
    and an in-place change is refused (on a view of a leaf, or of a tensor saved for backward)
    exactly when PyTorch refuses it."""
    torch = pytest.importorskip("torch")
    shapes = [(2, 3), (1, 3), (2, 1), (3,)]
    leaf_shapes = data.draw(st.lists(st.sampled_from(shapes), min_size=1, max_size=3), label="leaves")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    leaf_values = [rng.normal(size=shape) for shape in leaf_shapes]
    steps = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(UNARY) + sorted(BINARY) + sorted(IN_PLACE)),
                st.integers(0, 99),
                st.integers(0, 99),
            ),
            min_size=1,
            max_size=12,
        ),
        label="program",
    )

    def run(module):
        leaves = [module.tensor(v, requires_grad=True) for v in leaf_values]
        pool, events = list(leaves), []
        for name, i, j in steps:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            if name in UNARY:
                pool.append(UNARY[name](a))
            elif name in BINARY:
                pool.append(BINARY[name](a, b))
            elif a.grad_fn is not None and np.broadcast_shapes(tuple(a.shape), tuple(b.shape)) == tuple(
                a.shape
            ):
                try:
                    IN_PLACE[name](a, b)
                    events.append(name)
                except RuntimeError as error:
                    assert re.search("view of a leaf", str(error))
                    events.append(f"{name} refused")
        weights = [
            module.tensor(np.linspace(-1, 1, int(np.prod(t.shape))).reshape(tuple(t.shape))) for t in pool
        ]
        total = sum((t * w).sum() for t, w in zip(pool, weights))
        try:
            total.backward()
        except RuntimeError as error:
            assert re.search("modified by an in-?place operation", str(error))
            return events + ["backward refused"]
        return events, total.item(), [leaf.grad.numpy().copy() for leaf in leaves]

    ours, theirs = run(ag), run(torch)
    if isinstance(ours, list) or isinstance(theirs, list):
        assert ours == theirs
        return
    assert ours[0] == theirs[0]
    assert ours[1] == pytest.approx(theirs[1], rel=1e-10, abs=1e-12)
    for grad_ours, grad_theirs in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(grad_ours, grad_theirs, rtol=1e-9, atol=1e-12)


# ------------------------------------------------- the two ways a backward formula runs
def _matmul_case(rng):
    return (lambda a, b: a @ b), [rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5))]


def _relu_case(rng):
    return (lambda a: a.relu()), [rng.standard_normal((3, 4))]


def _tanh_case(rng):
    return (lambda a: a.tanh()), [rng.standard_normal((3, 4))]


def _sigmoid_case(rng):
    return (lambda a: a.sigmoid()), [rng.standard_normal((3, 4))]


def _cross_entropy_case(rng):
    target = ag.tensor(rng.integers(0, 5, 6))
    return (lambda logits: ag.nn.functional.cross_entropy(logits, target)), [rng.standard_normal((6, 5))]


@pytest.mark.parametrize("case", [_matmul_case, _relu_case, _tanh_case, _sigmoid_case, _cross_entropy_case])
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_backward_on_arrays_matches_the_recorded_backward(case, seed):
    """MatMul, the activations and CrossEntropy compute their gradient on the arrays when no
    graph of it is built, and with Tensor operations under create_graph: both give the same
    numbers."""
    rng = np.random.default_rng(seed)
    function, arrays = case(rng)
    inputs = [t64(array) for array in arrays]
    output = function(*inputs)
    upstream = t64(rng.standard_normal(tuple(output.shape)), requires_grad=False)
    plain = grad(output, inputs, upstream, retain_graph=True)
    recorded = grad(output, inputs, upstream, create_graph=True)
    for plain_grad, recorded_grad in zip(plain, recorded):
        assert plain_grad.grad_fn is None
        assert recorded_grad.grad_fn is not None
        np.testing.assert_allclose(plain_grad.numpy(), recorded_grad.numpy(), rtol=1e-14, atol=1e-15)
