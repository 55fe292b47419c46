"""autograd_core.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, hvp and
functional_call, on pytrees and argnums tuples, against finite differences and torch.func."""

from __future__ import annotations

import numpy as np
import pytest
from func_testing import numeric_jacobian, t64, tensor_function_as_numpy
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core import func

RNG = np.random.default_rng(1)


def two_in_two_out(x, y):
    """(x ⊙ tanh(y[:3]) * 2 + y[3], sum(x²) * exp(y))  for x of shape (3,), y of shape (4,)."""
    return x * y[:3].tanh() * 2 + y[3], (x * x).sum() * y.exp()


def numeric_blocks(x, y):
    """Finite-difference Jacobian blocks [output][input] of two_in_two_out."""
    blocks = []
    for k in range(2):
        blocks.append(
            numeric_jacobian(tensor_function_as_numpy(lambda a, b, k=k: two_in_two_out(a, b)[k]), [x, y])
        )
    return blocks


# --------------------------------------------------------------------------- grad
def test_grad_of_a_scalar_function():
    x = RNG.normal(size=(2, 3))
    gradient = func.grad(lambda t: (t.sin() * t).sum())(t64(x))
    np.testing.assert_allclose(gradient.numpy(), np.cos(x) * x + np.sin(x), rtol=1e-12)


def test_grad_leaves_the_callers_tensors_alone():
    x = t64([1.0, 2.0])
    before = x.numpy().copy()
    gradient = func.grad(lambda t: (t**2).sum())(x)
    assert not x.requires_grad and x.grad is None and x.grad_fn is None
    np.testing.assert_array_equal(x.numpy(), before)
    assert not gradient.requires_grad and gradient.grad_fn is None


def test_grad_argnums_tuple_and_negative_argnums():
    x, y, z = RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=3)

    def f(a, b, c):
        return (a * b.exp() + c).sum()

    gx, gz = func.grad(f, argnums=(0, 2))(t64(x), t64(y), t64(z))
    np.testing.assert_allclose(gx.numpy(), np.exp(y), rtol=1e-12)
    np.testing.assert_allclose(gz.numpy(), np.ones(3))
    gy = func.grad(f, argnums=-2)(t64(x), t64(y), t64(z))
    np.testing.assert_allclose(gy.numpy(), x * np.exp(y), rtol=1e-12)


def test_grad_with_dict_and_nested_pytree_arguments():
    params = {"w": t64(RNG.normal(size=(3, 2))), "b": (t64(RNG.normal(size=2)), [t64(0.5)])}
    x = t64(RNG.normal(size=(4, 3)))

    def loss(p, inputs):
        scale = p["b"][1][0]
        return ((inputs @ p["w"] + p["b"][0]) ** 2).sum() * scale

    gradient = func.grad(loss)(params, x)
    assert (
        set(gradient) == {"w", "b"}
        and isinstance(gradient["b"], tuple)
        and isinstance(gradient["b"][1], list)
    )
    w, b, s = params["w"].numpy(), params["b"][0].numpy(), 0.5
    residual = x.numpy() @ w + b
    np.testing.assert_allclose(gradient["w"].numpy(), 2 * s * x.numpy().T @ residual, rtol=1e-12)
    np.testing.assert_allclose(gradient["b"][0].numpy(), 2 * s * residual.sum(0), rtol=1e-12)
    np.testing.assert_allclose(gradient["b"][1][0].numpy(), (residual**2).sum(), rtol=1e-12)


def test_grad_has_aux_and_grad_and_value():
    x = t64([1.0, -2.0, 3.0])

    def f(t):
        y = (t**2).sum()
        return y, {"twice": 2 * y, "label": "squares"}

    gradient, aux = func.grad(f, has_aux=True)(x)
    np.testing.assert_allclose(gradient.numpy(), [2.0, -4.0, 6.0])
    assert aux["label"] == "squares" and aux["twice"].item() == 28.0 and not aux["twice"].requires_grad
    gradient, (value, aux) = func.grad_and_value(f, has_aux=True)(x)
    assert value.item() == 14.0 and aux["twice"].item() == 28.0
    gradient, value = func.grad_and_value(lambda t: (t**3).sum())(x)
    np.testing.assert_allclose(gradient.numpy(), 3 * x.numpy() ** 2)
    assert value.item() == pytest.approx(1 - 8 + 27)


def test_grad_passes_keyword_arguments_through():
    gradient = func.grad(lambda t, *, scale: (scale * t**2).sum())(t64([1.0, 2.0]), scale=3.0)
    np.testing.assert_allclose(gradient.numpy(), [6.0, 12.0])


def test_grad_works_under_no_grad_and_returns_no_graph():
    x = t64([0.3, 0.4])
    with ag.no_grad():
        gradient = func.grad(lambda t: t.sin().sum())(x)
        second = func.grad(lambda t: func.grad(lambda u: u.sin().sum())(t).sum())(x)
    np.testing.assert_allclose(gradient.numpy(), np.cos([0.3, 0.4]), rtol=1e-12)
    np.testing.assert_allclose(second.numpy(), -np.sin([0.3, 0.4]), rtol=1e-12)
    assert not gradient.requires_grad and not second.requires_grad


def test_grad_composes_with_ordinary_autograd():
    # A tensor captured by f that requires grad: grad(f) stays differentiable with respect to it.
    w = t64([2.0, -1.0], requires_grad=True)
    x = t64([0.5, 1.5])
    gradient = func.grad(lambda t: (w * t**2).sum())(x)  # 2 w x
    assert gradient.requires_grad
    gradient.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * x.numpy())
    # An argument that requires grad: the result is differentiable with respect to it.
    x = t64([0.5, 1.5], requires_grad=True)
    gradient = func.grad(lambda t: (t**3).sum())(x)  # 3 x²
    (second,) = ag.autograd.grad(gradient.sum(), x)
    np.testing.assert_allclose(second.numpy(), 6 * x.detach().numpy())


def test_grad_of_a_function_that_ignores_its_argument_is_zero():
    x = t64([1.0, 2.0])
    np.testing.assert_array_equal(
        func.grad(lambda t: ag.tensor(3.0, dtype=ag.float64))(x).numpy(), [0.0, 0.0]
    )
    np.testing.assert_array_equal(func.hessian(lambda t: t.sum() * 2)(x).numpy(), np.zeros((2, 2)))


@settings(max_examples=30, deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-2, 2)))
def test_grad_matches_finite_differences(x):
    function = lambda t: ((t * t).sum() + 1).log() * t.tanh().sum()  # noqa: E731
    (expected,) = numeric_jacobian(tensor_function_as_numpy(function), [x])
    np.testing.assert_allclose(func.grad(function)(t64(x)).numpy(), expected, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- vjp / jvp
def test_vjp_with_two_inputs_and_two_outputs():
    x, y = RNG.normal(size=3), RNG.normal(size=4)
    u = (RNG.normal(size=3), RNG.normal(size=4))
    output, vjp_fn = func.vjp(two_in_two_out, t64(x), t64(y))
    np.testing.assert_allclose(output[0].numpy(), x * np.tanh(y[:3]) * 2 + y[3], rtol=1e-12)
    assert not output[0].requires_grad
    gx, gy = vjp_fn((t64(u[0]), t64(u[1])))
    blocks = numeric_blocks(x, y)
    np.testing.assert_allclose(gx.numpy(), u[0] @ blocks[0][0] + u[1] @ blocks[1][0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gy.numpy(), u[0] @ blocks[0][1] + u[1] @ blocks[1][1], rtol=1e-6, atol=1e-8)
    # vjp_fn can be called again, with other cotangents.
    gx2, _ = vjp_fn((t64(2 * u[0]), t64(2 * u[1])))
    np.testing.assert_allclose(gx2.numpy(), 2 * gx.numpy(), rtol=1e-12)


def test_vjp_with_dict_output_and_aux():
    x = t64([1.0, 2.0])
    output, vjp_fn, aux = func.vjp(lambda t: ({"square": t**2, "sum": t.sum()}, "aux"), x, has_aux=True)
    assert aux == "aux" and set(output) == {"square", "sum"}
    (gradient,) = vjp_fn({"square": t64([1.0, 1.0]), "sum": t64(10.0)})
    np.testing.assert_allclose(gradient.numpy(), [2.0 + 10.0, 4.0 + 10.0])


def test_jvp_with_two_inputs_and_two_outputs():
    x, y = RNG.normal(size=3), RNG.normal(size=4)
    v = (RNG.normal(size=3), RNG.normal(size=4))
    output, pushed = func.jvp(two_in_two_out, (t64(x), t64(y)), (t64(v[0]), t64(v[1])))
    blocks = numeric_blocks(x, y)
    for k in range(2):
        expected = blocks[k][0] @ v[0] + blocks[k][1] @ v[1]
        np.testing.assert_allclose(pushed[k].numpy(), expected, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(output[1].numpy(), (x * x).sum() * np.exp(y), rtol=1e-12)


def test_jvp_has_aux():
    output, pushed, aux = func.jvp(
        lambda t: (t.exp(), t.sum()), (t64([0.0, 1.0]),), (t64([1.0, 1.0]),), has_aux=True
    )
    np.testing.assert_allclose(pushed.numpy(), np.exp([0.0, 1.0]), rtol=1e-12)
    assert aux.item() == 1.0


def test_vjp_and_jvp_match_torch_func():
    torch = pytest.importorskip("torch")
    x, y = RNG.normal(size=3), RNG.normal(size=4)
    u = (RNG.normal(size=3), RNG.normal(size=4))
    v = (RNG.normal(size=3), RNG.normal(size=4))

    def torch_f(a, b):
        return a * b[:3].tanh() * 2 + b[3], (a * a).sum() * b.exp()

    tx, ty = torch.tensor(x), torch.tensor(y)
    _, torch_vjp_fn = torch.func.vjp(torch_f, tx, ty)
    theirs = torch_vjp_fn((torch.tensor(u[0]), torch.tensor(u[1])))
    _, ours_fn = func.vjp(two_in_two_out, t64(x), t64(y))
    ours = ours_fn((t64(u[0]), t64(u[1])))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    _, theirs = torch.func.jvp(torch_f, (tx, ty), (torch.tensor(v[0]), torch.tensor(v[1])))
    _, ours = func.jvp(two_in_two_out, (t64(x), t64(y)), (t64(v[0]), t64(v[1])))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- Jacobians
def test_jacrev_and_jacfwd_on_two_inputs_and_two_outputs():
    x, y = RNG.normal(size=3), RNG.normal(size=4)
    blocks = numeric_blocks(x, y)
    for transform in (func.jacrev, func.jacfwd):
        jac = transform(two_in_two_out, argnums=(0, 1))(t64(x), t64(y))
        assert isinstance(jac, tuple) and len(jac) == 2 and all(len(row) == 2 for row in jac)
        for k in range(2):
            for i in range(2):
                assert jac[k][i].shape == blocks[k][i].shape
                np.testing.assert_allclose(jac[k][i].numpy(), blocks[k][i], rtol=1e-6, atol=1e-8)
        only_y = transform(two_in_two_out, argnums=1)(t64(x), t64(y))
        np.testing.assert_allclose(only_y[1].numpy(), blocks[1][1], rtol=1e-6, atol=1e-8)


def test_jacobian_of_matrix_valued_function_of_a_matrix_has_out_shape_plus_in_shape():
    a = RNG.normal(size=(2, 3))
    b = t64(RNG.normal(size=(3, 4)))
    jr = func.jacrev(lambda m: (m @ b).tanh())(t64(a))
    jf = func.jacfwd(lambda m: (m @ b).tanh())(t64(a))
    assert jr.shape == (2, 4, 2, 3)
    np.testing.assert_allclose(jf.numpy(), jr.numpy(), rtol=1e-12, atol=1e-14)
    (expected,) = numeric_jacobian(lambda m: np.tanh(m @ b.numpy()), [a])
    np.testing.assert_allclose(jr.numpy(), expected, rtol=1e-6, atol=1e-8)


def test_jacrev_with_dict_input_and_has_aux():
    params = {"a": t64([1.0, 2.0]), "b": t64(3.0)}
    jac, aux = func.jacrev(lambda p: (p["a"] * p["b"], "ok"), has_aux=True)(params)
    assert aux == "ok"
    np.testing.assert_allclose(jac["a"].numpy(), 3 * np.eye(2))
    np.testing.assert_allclose(jac["b"].numpy(), [1.0, 2.0])


def test_jacobians_and_hessian_match_torch_func():
    torch = pytest.importorskip("torch")
    x, y = RNG.normal(size=3), RNG.normal(size=4)

    def torch_f(a, b):
        return a * b[:3].tanh() * 2 + b[3], (a * a).sum() * b.exp()

    tx, ty = torch.tensor(x), torch.tensor(y)
    for ours_transform, torch_transform in (
        (func.jacrev, torch.func.jacrev),
        (func.jacfwd, torch.func.jacfwd),
    ):
        ours = ours_transform(two_in_two_out, argnums=(0, 1))(t64(x), t64(y))
        theirs = torch_transform(torch_f, argnums=(0, 1))(tx, ty)
        for k in range(2):
            for i in range(2):
                np.testing.assert_allclose(ours[k][i].numpy(), theirs[k][i].numpy(), rtol=1e-12, atol=1e-14)

    def scalar(a, b):
        return (a.sin() * b[:3]).sum() * b[3] ** 2

    ours = func.hessian(scalar, argnums=(0, 1))(t64(x), t64(y))
    theirs = torch.func.hessian(scalar, argnums=(0, 1))(tx, ty)
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(ours[i][j].numpy(), theirs[i][j].numpy(), rtol=1e-12, atol=1e-14)


def test_hvp_with_tuple_primals():
    def f(a, b):
        return (a**2 * b).sum() + (b**3).sum()

    a, b, va, vb = (RNG.normal(size=2) for _ in range(4))
    ha, hb = func.hvp(f, (t64(a), t64(b)), (t64(va), t64(vb)))
    # H = [[2 diag(b), 2 diag(a)], [2 diag(a), 6 diag(b)]]
    np.testing.assert_allclose(ha.numpy(), 2 * b * va + 2 * a * vb, rtol=1e-12)
    np.testing.assert_allclose(hb.numpy(), 2 * a * va + 6 * b * vb, rtol=1e-12)


# --------------------------------------------------------------------------- functional_call
class TinyModule:
    """A duck-typed module: named_parameters, named_buffers, submodule attributes, __call__."""

    class Child:
        def __init__(self):
            self.scale = t64(2.0, requires_grad=True)

    def __init__(self):
        self.weight = t64([1.0, -1.0], requires_grad=True)
        self.child = TinyModule.Child()
        self.offset = t64(0.5)

    def named_parameters(self):
        return [("weight", self.weight), ("child.scale", self.child.scale)]

    def named_buffers(self):
        return [("offset", self.offset)]

    def __call__(self, x, power=1):
        return ((self.weight * x) ** power * self.child.scale + self.offset).sum()


def test_functional_call_replaces_and_restores_parameters_and_buffers():
    module = TinyModule()
    originals = (module.weight, module.child.scale, module.offset)
    x = t64([3.0, 4.0])
    out = func.functional_call(module, {"weight": t64([2.0, 2.0]), "offset": t64(0.0)}, (x,))
    assert out.item() == pytest.approx((6.0 + 8.0) * 2.0)
    out = func.functional_call(
        module, ({"weight": t64([1.0, 1.0])}, {"child.scale": t64(1.0)}), x, {"power": 2}
    )
    assert out.item() == pytest.approx(9.0 + 0.5 + 16.0 + 0.5)
    assert (module.weight, module.child.scale, module.offset) == originals


def test_functional_call_restores_even_when_the_call_raises():
    module = TinyModule()
    original = module.weight
    with pytest.raises(ValueError, match="operands could not be broadcast|cannot be broadcast"):
        func.functional_call(module, {"weight": t64([1.0, 2.0, 3.0])}, (t64([1.0, 2.0]),))
    assert module.weight is original


def test_functional_call_rejects_unknown_names_and_checks_strict():
    module = TinyModule()
    with pytest.raises(ValueError, match=r"\['wieght'\] are not parameters or buffers of TinyModule"):
        func.functional_call(module, {"wieght": t64([1.0, 1.0])}, (t64([1.0, 1.0]),))
    with pytest.raises(ValueError, match=r"strict=True.*\['child.scale', 'offset'\]"):
        func.functional_call(module, {"weight": t64([1.0, 1.0])}, (t64([1.0, 1.0]),), strict=True)


def test_grad_of_a_module_loss_through_functional_call():
    module = TinyModule()
    x = t64([3.0, 4.0])
    params = {name: p.detach() for name, p in module.named_parameters()}
    gradient = func.grad(lambda p: func.functional_call(module, p, (x,)))(params)
    np.testing.assert_allclose(gradient["weight"].numpy(), 2.0 * x.numpy())
    assert gradient["child.scale"].item() == pytest.approx(3.0 - 4.0)
    assert module.weight.grad is None  # the module's own parameters were not touched


def test_functional_call_with_nn_linear_matches_torch():
    nn = pytest.importorskip("nn")
    torch = pytest.importorskip("torch")
    ag.manual_seed(3)
    layer = nn.Linear(3, 2).double()
    x = RNG.normal(size=(4, 3))
    params = {name: p.detach() for name, p in layer.named_parameters()}
    ours = func.grad(lambda p: (func.functional_call(layer, p, (t64(x),)) ** 2).sum())(params)
    torch_layer = torch.nn.Linear(3, 2).double()
    torch_params = {name: torch.tensor(p.numpy()) for name, p in params.items()}
    theirs = torch.func.grad(
        lambda p: (torch.func.functional_call(torch_layer, p, (torch.tensor(x),)) ** 2).sum()
    )(torch_params)
    for name in ("weight", "bias"):
        np.testing.assert_allclose(ours[name].numpy(), theirs[name].numpy(), rtol=1e-12)
    assert isinstance(layer.weight, nn.Parameter)


# --------------------------------------------------------------------------- bad input
def test_grad_of_a_non_scalar_function_says_what_to_do():
    with pytest.raises(RuntimeError, match=r"scalar Tensor, got a tensor of shape \(3,\).*\.sum\(\)"):
        func.grad(lambda t: t * 2)(t64([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match=r"hessian\(f\).*shape \(2,\)"):
        func.hessian(lambda t: t**2)(t64([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="scalar Tensor, got float"):
        func.grad(lambda t: 1.0)(t64([1.0]))


def test_argnums_out_of_range():
    with pytest.raises(RuntimeError, match=r"argnums=2.*only 2 positional argument.*\[-2, 1\]"):
        func.grad(lambda a, b: (a * b).sum(), argnums=2)(t64([1.0]), t64([2.0]))
    with pytest.raises(RuntimeError, match=r"jacrev: got argnums=\(0, 3\)"):
        func.jacrev(lambda a, b: a * b, argnums=(0, 3))(t64([1.0]), t64([2.0]))
    with pytest.raises(RuntimeError, match="same argument twice"):
        func.grad(lambda a, b: (a * b).sum(), argnums=(0, -2))(t64([1.0]), t64([2.0]))
    with pytest.raises(RuntimeError, match="int or a tuple of ints"):
        func.grad(lambda a: a.sum(), argnums=[0])(t64([1.0]))


def test_integer_inputs_are_refused():
    with pytest.raises(TypeError, match=r"dtype int64.*floating-point.*\.double\(\)"):
        func.grad(lambda t: (t * 2.0).sum())(ag.tensor([1, 2]))
    with pytest.raises(TypeError, match=r"hessian: argument 0 holds a tensor of dtype int64"):
        func.hessian(lambda t: (t * 2.0).sum())(ag.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be a Tensor, got float"):
        func.grad(lambda t: t * 2.0)(3.0)


def test_malformed_calls():
    with pytest.raises(RuntimeError, match=r"has_aux=True\): f must return a pair"):
        func.grad(lambda t: t.sum(), has_aux=True)(t64([1.0]))
    with pytest.raises(RuntimeError, match=r"expected primals to be a tuple.*jvp\(f, \(x,\), \(v,\)\)"):
        func.jvp(lambda t: t, t64([1.0]), t64([1.0]))
    with pytest.raises(RuntimeError, match=r"tangent 0 has shape \(2,\).*shape \(1,\)"):
        func.jvp(lambda t: t, (t64([1.0]),), (t64([1.0, 2.0]),))
    _, vjp_fn = func.vjp(lambda t: (t, t * 2), t64([1.0]))
    with pytest.raises(RuntimeError, match=r"structure \(\*,\).*structure \(\*, \*\)"):
        vjp_fn((t64([1.0]),))
    with pytest.raises(RuntimeError, match=r"cotangent 1 has shape \(3,\)"):
        vjp_fn((t64([1.0]), t64([1.0, 2.0, 3.0])))
