"""Second and third derivatives: Hessians against finite differences of gradients, Hessian
symmetry, grad(grad(grad f)) against closed forms, and Hessian-vector products."""

from __future__ import annotations

import numpy as np
import pytest
from func_testing import hessian_by_differences_of_gradients, numeric_jacobian, t64
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import func
from autograd_core.autograd import functional

RNG = np.random.default_rng(0)


# ------------------------------------------------------------------ scalar test functions
def polynomial(x):
    """f = Σ x_i³ - 2 x_0 x_1 + x_1² x_2 + 4 (closed-form Hessian below)."""
    return (x**3).sum() - 2 * x[0] * x[1] + x[1] ** 2 * x[2] + 4


def polynomial_hessian(x):
    h = np.diag(6 * x)
    h[0, 1] = h[1, 0] = -2
    h[1, 1] += 2 * x[2]
    h[1, 2] = h[2, 1] = 2 * x[1]
    return h


def tanh_function(x):
    return (x.tanh() * ag.tensor([1.0, -2.0, 0.5, 3.0], dtype=ag.float64)).sum() + x.tanh().prod()


ONEHOT = t64(np.eye(4)[[0, 3, 1]])


def cross_entropy(z):
    """Softmax cross-entropy of logits z (3 samples × 4 classes, flattened to 12)."""
    return -(z.reshape(3, 4).log_softmax(-1) * ONEHOT).sum()


def cross_entropy_hessian(z):
    """Σ_n (diag p_n - p_n p_nᵀ), block diagonal over the samples."""
    logits = z.reshape(3, 4)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    blocks = [np.diag(row) - np.outer(row, row) for row in p]
    h = np.zeros((12, 12))
    for n, block in enumerate(blocks):
        h[4 * n : 4 * n + 4, 4 * n : 4 * n + 4] = block
    return h


X_MLP = t64(RNG.normal(size=(5, 3)))
Y_MLP = t64(np.eye(2)[[0, 1, 1, 0, 1]])
MLP_SIZES = [(3, 4), (4,), (4, 2), (2,)]
MLP_COUNT = sum(int(np.prod(shape)) for shape in MLP_SIZES)


def mlp_loss(theta):
    """Cross-entropy of a 3-4-2 tanh MLP whose 26 parameters are the flat vector theta."""
    params, start = [], 0
    for shape in MLP_SIZES:
        count = int(np.prod(shape))
        params.append(theta[start : start + count].reshape(shape))
        start += count
    w1, b1, w2, b2 = params
    hidden = (X_MLP @ w1 + b1).tanh()
    logits = hidden @ w2 + b2
    return -(logits.log_softmax(-1) * Y_MLP).sum() / 5


SCALAR_CASES = [
    ("polynomial", polynomial, lambda: RNG.normal(size=3)),
    ("tanh", tanh_function, lambda: RNG.normal(size=4)),
    ("cross_entropy", cross_entropy, lambda: RNG.normal(size=12)),
    ("mlp", mlp_loss, lambda: RNG.normal(scale=0.7, size=MLP_COUNT)),
]


@pytest.mark.parametrize("name, function, draw", SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES])
def test_hessian_matches_finite_differences_of_gradients_and_is_symmetric(name, function, draw):
    x = draw()
    expected = hessian_by_differences_of_gradients(function, x)
    by_func = func.hessian(function)(t64(x)).numpy()
    by_functional = functional.hessian(function, t64(x)).numpy()
    np.testing.assert_allclose(by_func, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(by_functional, by_func, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(by_func, by_func.T, rtol=1e-12, atol=1e-14)
    assert np.abs(by_func).max() > 1e-3  # not trivially zero
    # torch.func's own recipe, forward-over-reverse, gives the same matrix.
    forward_over_reverse = func.jacfwd(func.jacrev(function))(t64(x)).numpy()
    np.testing.assert_allclose(forward_over_reverse, by_func, rtol=1e-10, atol=1e-12)


def test_hessians_against_closed_forms():
    x = RNG.normal(size=3)
    np.testing.assert_allclose(func.hessian(polynomial)(t64(x)).numpy(), polynomial_hessian(x), atol=1e-12)
    z = RNG.normal(size=12)
    np.testing.assert_allclose(
        func.hessian(cross_entropy)(t64(z)).numpy(), cross_entropy_hessian(z), atol=1e-12
    )


def test_cross_entropy_hessian_is_positive_semidefinite_with_the_constant_direction_in_its_kernel():
    z = RNG.normal(size=12)
    h = func.hessian(cross_entropy)(t64(z)).numpy()
    eigenvalues = np.linalg.eigvalsh(h)
    assert eigenvalues.min() > -1e-12
    ones_per_sample = np.kron(np.eye(3), np.ones(4)).T  # adding a constant to a row of logits
    np.testing.assert_allclose(h @ ones_per_sample, 0, atol=1e-12)


def test_mlp_hessian_through_nn_modules_and_functional_call():
    nn = pytest.importorskip("nn")

    class TanhLayer(nn.Module):
        def forward(self, x):
            return x.tanh()

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), TanhLayer(), nn.Linear(4, 2)).double()
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    flat0 = np.concatenate([p.detach().numpy().ravel() for _, p in model.named_parameters()])

    def loss_of_flat(theta):
        params, start = {}, 0
        for name, shape in zip(names, shapes):
            count = int(np.prod(shape))
            params[name] = theta[start : start + count].reshape(shape)
            start += count
        logits = func.functional_call(model, params, (X_MLP,))
        return -(logits.log_softmax(-1) * Y_MLP).sum() / 5

    h = func.hessian(loss_of_flat)(t64(flat0)).numpy()
    np.testing.assert_allclose(
        h, hessian_by_differences_of_gradients(loss_of_flat, flat0), rtol=1e-6, atol=1e-7
    )
    # The module's own parameters are back, untouched.
    np.testing.assert_array_equal(
        np.concatenate([p.detach().numpy().ravel() for _, p in model.named_parameters()]), flat0
    )
    # The Hessian over the dict of parameters has one block per pair of names.
    params = {name: p.detach() for name, p in model.named_parameters()}
    blocks = func.hessian(
        lambda p: -(func.functional_call(model, p, X_MLP).log_softmax(-1) * Y_MLP).sum() / 5
    )(params)
    assert blocks["0.weight"]["2.bias"].shape == (4, 3, 2)
    np.testing.assert_allclose(blocks["2.bias"]["2.bias"].numpy(), h[-2:, -2:], atol=1e-12)
    np.testing.assert_allclose(blocks["0.weight"]["2.bias"].numpy().reshape(12, 2), h[:12, -2:], atol=1e-12)


# ------------------------------------------------------------------ third derivatives
def tanh_derivatives(x):
    t = np.tanh(x)
    s = 1 - t * t
    return s, -2 * t * s, -2 * s * s + 4 * t * t * s


def sigmoid_derivatives(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s * s)


@settings(max_examples=30, deadline=None)
@given(x=st.floats(-4, 4))
def test_third_derivatives_of_tanh_and_sigmoid_of_a_scalar(x):
    point = t64(x)
    for function, closed_form in ((ag.tanh, tanh_derivatives), (ag.sigmoid, sigmoid_derivatives)):
        first, second, third = closed_form(x)
        assert func.grad(function)(point).item() == pytest.approx(first, rel=1e-12, abs=1e-14)
        assert func.grad(func.grad(function))(point).item() == pytest.approx(second, rel=1e-10, abs=1e-14)
        assert func.grad(func.grad(func.grad(function)))(point).item() == pytest.approx(
            third, rel=1e-10, abs=1e-14
        )


def test_third_derivatives_elementwise_with_autograd_grad():
    x = RNG.uniform(-3, 3, size=7)
    for function, closed_form in ((ag.tanh, tanh_derivatives), (ag.sigmoid, sigmoid_derivatives)):
        leaf = t64(x, requires_grad=True)
        (first,) = ag.autograd.grad(function(leaf).sum(), leaf, create_graph=True)
        (second,) = ag.autograd.grad(first.sum(), leaf, create_graph=True)
        (third,) = ag.autograd.grad(second.sum(), leaf)
        for got, expected in zip((first, second, third), closed_form(x)):
            np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    "function, second",
    [
        (ag.exp, np.exp),
        (ag.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
        (ag.sqrt, lambda x: -0.25 * x**-1.5),
        (ag.sigmoid, lambda x: sigmoid_derivatives(x)[1]),
    ],
    ids=["exp", "tanh", "sqrt", "sigmoid"],
)
def test_second_derivative_of_ops_that_save_their_output_on_a_zero_dim_tensor(function, second):
    # NumPy returns a scalar (not an array) for a 0-d result; the op saves that scalar, and the
    # engine must still recognise it as the output so that the second derivative flows.
    x = 0.7
    assert func.grad(func.grad(function))(t64(x)).item() == pytest.approx(second(x), rel=1e-10)


def test_third_derivative_of_a_two_variable_function_by_nested_jacobians():
    """jacrev(jacrev(jacrev f)) is the tensor of third derivatives; f = x0² x1 + sin(x0) x1³."""
    x = np.array([0.4, -1.3])
    third = func.jacrev(func.jacrev(func.jacrev(lambda v: v[0] ** 2 * v[1] + v[0].sin() * v[1] ** 3)))(t64(x))
    x0, x1 = x
    expected = np.zeros((2, 2, 2))
    expected[0, 0, 0] = -np.cos(x0) * x1**3
    expected[0, 0, 1] = expected[0, 1, 0] = expected[1, 0, 0] = 2 - 3 * np.sin(x0) * x1**2
    expected[0, 1, 1] = expected[1, 0, 1] = expected[1, 1, 0] = 6 * np.cos(x0) * x1
    expected[1, 1, 1] = 6 * np.sin(x0)
    np.testing.assert_allclose(third.numpy(), expected, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------ Hessian-vector products
@pytest.mark.parametrize("name, function, draw", SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES])
def test_hessian_vector_products_agree_with_the_hessian(name, function, draw):
    x = draw()
    v = RNG.normal(size=x.shape)
    h = func.hessian(function)(t64(x)).numpy()
    np.testing.assert_allclose(func.hvp(function, t64(x), t64(v)).numpy(), h @ v, rtol=1e-10, atol=1e-12)
    value, by_hvp = functional.hvp(function, t64(x), t64(v))
    _, by_vhp = functional.vhp(function, t64(x), t64(v))
    np.testing.assert_allclose(by_hvp.numpy(), h @ v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(by_vhp.numpy(), v @ h, rtol=1e-10, atol=1e-12)
    assert value.item() == pytest.approx(function(t64(x)).item(), rel=1e-14)
    # Forward-over-reverse by the double-vjp trick gives the same product.
    np.testing.assert_allclose(
        func.jvp(func.grad(function), (t64(x),), (t64(v),))[1].numpy(), h @ v, rtol=1e-10, atol=1e-12
    )


def test_hessian_of_a_function_of_two_arguments_by_argnums_tuple():
    def f(x, y):
        return (x**2 * y.sum()).sum() + (y.sin() * x[0]).sum()

    x, y = RNG.normal(size=2), RNG.normal(size=3)
    (hxx, hxy), (hyx, hyy) = func.hessian(f, argnums=(0, 1))(t64(x), t64(y))
    assert (hxx.shape, hxy.shape, hyx.shape, hyy.shape) == ((2, 2), (2, 3), (3, 2), (3, 3))
    joint = hessian_by_differences_of_gradients(lambda v: f(v[:2], v[2:]), np.concatenate([x, y]))
    np.testing.assert_allclose(
        np.block([[hxx.numpy(), hxy.numpy()], [hyx.numpy(), hyy.numpy()]]), joint, rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(hxy.numpy(), hyx.numpy().T, atol=1e-14)


def test_hessian_matches_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=MLP_COUNT) * 0.7
    ours = func.hessian(mlp_loss)(t64(x)).numpy()

    xt, yt = torch.tensor(X_MLP.numpy()), torch.tensor(Y_MLP.numpy())

    def torch_loss(theta):
        params, start = [], 0
        for shape in MLP_SIZES:
            count = int(np.prod(shape))
            params.append(theta[start : start + count].reshape(shape))
            start += count
        w1, b1, w2, b2 = params
        logits = torch.tanh(xt @ w1 + b1) @ w2 + b2
        return -(logits.log_softmax(-1) * yt).sum() / 5

    theirs = torch.func.hessian(torch_loss)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_numeric_jacobian_helper_is_accurate():
    # The finite-difference reference itself, on a function with a known Jacobian.
    (block,) = numeric_jacobian(lambda a: np.array([a[0] * a[1], a[1] ** 2]), [np.array([2.0, 3.0])])
    np.testing.assert_allclose(block, [[3.0, 2.0], [0.0, 6.0]], atol=1e-8)
