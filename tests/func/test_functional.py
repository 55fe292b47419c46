"""autograd_core.autograd.functional: torch.autograd.functional's signatures and return
conventions (tuples where the inputs or outputs were tuples), against finite differences and
against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from func_testing import numeric_jacobian, t64, tensor_function_as_numpy

import autograd_core as ag
from autograd_core.autograd import functional as F

RNG = np.random.default_rng(2)


def one_in_one_out(x):
    return x.exp() * x.sum()


def two_in_one_out(x, y):
    return (x.unsqueeze(-1) * y).tanh()


def one_in_two_out(x):
    return x**2, x.sin().sum()


def two_in_two_out(x, y):
    return x * y.sum(), (x.sum() * y).exp()


# --------------------------------------------------------------------------- return conventions
def test_jacobian_return_structure_follows_the_tuples():
    x, y = t64(RNG.normal(size=3)), t64(RNG.normal(size=2))
    assert isinstance(F.jacobian(one_in_one_out, x), ag.Tensor)
    assert F.jacobian(one_in_one_out, x).shape == (3, 3)
    jac = F.jacobian(two_in_one_out, (x, y))
    assert isinstance(jac, tuple) and [j.shape for j in jac] == [(3, 2, 3), (3, 2, 2)]
    jac = F.jacobian(one_in_two_out, x)
    assert isinstance(jac, tuple) and [j.shape for j in jac] == [(3, 3), (3,)]
    jac = F.jacobian(two_in_two_out, (x, y))
    assert [[j.shape for j in row] for row in jac] == [[(3, 3), (3, 2)], [(2, 3), (2, 2)]]
    # A one-element tuple is still a tuple.
    jac = F.jacobian(one_in_one_out, (x,))
    assert isinstance(jac, tuple) and len(jac) == 1 and jac[0].shape == (3, 3)


def test_jacobian_matches_finite_differences():
    x, y = RNG.normal(size=3), RNG.normal(size=2)
    jac = F.jacobian(two_in_two_out, (t64(x), t64(y)))
    for k in range(2):
        expected = numeric_jacobian(
            tensor_function_as_numpy(lambda a, b, k=k: two_in_two_out(a, b)[k]), [x, y]
        )
        for i in range(2):
            np.testing.assert_allclose(jac[k][i].numpy(), expected[i], rtol=1e-6, atol=1e-8)


def test_hessian_return_structure():
    x, y = t64(RNG.normal(size=3)), t64(RNG.normal(size=2))
    h = F.hessian(lambda a: (a**3).sum(), x)
    assert isinstance(h, ag.Tensor) and h.shape == (3, 3)
    np.testing.assert_allclose(h.numpy(), np.diag(6 * x.numpy()), atol=1e-12)
    h = F.hessian(lambda a, b: (a.sum() * b**2).sum(), (x, y))
    assert [[block.shape for block in row] for row in h] == [[(3, 3), (3, 2)], [(2, 3), (2, 2)]]
    np.testing.assert_allclose(h[0][1].numpy(), np.tile(2 * y.numpy(), (3, 1)), atol=1e-12)
    np.testing.assert_allclose(h[1][1].numpy(), 2 * x.numpy().sum() * np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(h[0][0].numpy(), np.zeros((3, 3)))


def test_vjp_jvp_vhp_hvp_return_structure_and_values():
    x, y = RNG.normal(size=3), RNG.normal(size=2)
    u = (t64(RNG.normal(size=3)), t64(RNG.normal(size=2)))
    v = (t64(RNG.normal(size=3)), t64(RNG.normal(size=2)))
    jac = F.jacobian(two_in_two_out, (t64(x), t64(y)))

    outputs, vjps = F.vjp(two_in_two_out, (t64(x), t64(y)), u)
    assert isinstance(outputs, tuple) and isinstance(vjps, tuple)
    for i in range(2):
        expected = sum(np.tensordot(u[k].numpy(), jac[k][i].numpy(), axes=1) for k in range(2))
        np.testing.assert_allclose(vjps[i].numpy(), expected, rtol=1e-12)

    outputs, jvps = F.jvp(two_in_two_out, (t64(x), t64(y)), v)
    for k in range(2):
        expected = sum(jac[k][i].numpy() @ v[i].numpy() for i in range(2))
        np.testing.assert_allclose(jvps[k].numpy(), expected, rtol=1e-12)

    output, single = F.vjp(one_in_one_out, t64(x), u[0])
    assert isinstance(output, ag.Tensor) and isinstance(single, ag.Tensor) and single.shape == (3,)

    def scalar(a, b):
        return (a.sin().sum() * b**2).sum()

    h = F.hessian(scalar, (t64(x), t64(y)))
    full = np.block([[h[0][0].numpy(), h[0][1].numpy()], [h[1][0].numpy(), h[1][1].numpy()]])
    flat_v = np.concatenate([v[0].numpy(), v[1].numpy()])
    for function in (F.hvp, F.vhp):
        value, product = function(scalar, (t64(x), t64(y)), v)
        assert isinstance(product, tuple) and value.shape == ()
        np.testing.assert_allclose(np.concatenate([p.numpy() for p in product]), full @ flat_v, rtol=1e-12)


def test_v_may_be_left_out_for_one_element_outputs_and_inputs():
    _, gradient = F.vjp(lambda a: (a**2).sum(), t64([1.0, 2.0]))
    np.testing.assert_allclose(gradient.numpy(), [2.0, 4.0])
    _, derivative = F.jvp(lambda a: a**3, t64(2.0))
    assert derivative.item() == pytest.approx(12.0)
    _, second = F.hvp(lambda a: a**3, t64(2.0))
    assert second.item() == pytest.approx(12.0)


def test_results_are_detached_unless_create_graph():
    x = t64([0.5, 1.5], requires_grad=True)
    jac = F.jacobian(lambda a: a**3, x)
    assert not jac.requires_grad
    assert x.grad is None and x.grad_fn is None
    jac = F.jacobian(lambda a: a**3, x, create_graph=True)
    assert jac.requires_grad
    (gradient,) = ag.autograd.grad(jac.sum(), x)  # d/dx Σ diag(3x²) = 6x
    np.testing.assert_allclose(gradient.numpy(), 6 * x.detach().numpy())
    output, product = F.vjp(lambda a: a**2, x, t64([1.0, 1.0]), create_graph=True)
    assert output.requires_grad and product.requires_grad


def test_independent_inputs_give_zeros_and_strict_mode_refuses_them():
    x, y = t64([1.0, 2.0]), t64([3.0])
    jac = F.jacobian(lambda a, b: a * 2, (x, y))
    np.testing.assert_array_equal(jac[1].numpy(), np.zeros((2, 1)))
    with pytest.raises(
        RuntimeError, match="Output 0 of the user-provided function is independent of input 1"
    ):
        F.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        F.vjp(lambda a: ag.ones(2, dtype=ag.float64), x, t64([1.0, 1.0]), strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect to input 0"):
        F.hessian(lambda a: a.sum() * 3, x, strict=True)
    np.testing.assert_array_equal(F.hessian(lambda a: a.sum() * 3, x).numpy(), np.zeros((2, 2)))


# --------------------------------------------------------------------------- bad input
def test_bad_input_errors():
    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"hessian should contain a single element, it has shape \(2,\)"):
        F.hessian(lambda a: a**2, x)
    with pytest.raises(RuntimeError, match="hessian should return a single Tensor"):
        F.hessian(lambda a: (a.sum(), a.sum()), x)
    with pytest.raises(RuntimeError, match=r"v can only be None.*shape\(s\) \[\(2,\)\]"):
        F.vjp(lambda a: a**2, x)
    with pytest.raises(
        RuntimeError, match=r"v has shape \(3,\), but the output it pairs with has shape \(2,\)"
    ):
        F.vjp(lambda a: a**2, x, t64([1.0, 1.0, 1.0]))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        F.jvp(lambda a, b: a * b, (x, x), (x,))
    with pytest.raises(TypeError, match=r"input 0 \(shape \(2,\)\) has dtype int64.*\.double\(\)"):
        F.jacobian(lambda a: a * 2.0, ag.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors.*list"):
        F.jacobian(lambda a: a, [x])
    with pytest.raises(TypeError, match="outputs of the user-provided function.*float"):
        F.jacobian(lambda a: 1.0, x)


# --------------------------------------------------------------------------- PyTorch
def test_matches_torch_autograd_functional():
    torch = pytest.importorskip("torch")
    x, y = RNG.normal(size=3), RNG.normal(size=2)
    u = (RNG.normal(size=3), RNG.normal(size=2))
    tx, ty = torch.tensor(x), torch.tensor(y)
    ours_in, theirs_in = (t64(x), t64(y)), (tx, ty)
    ours_u, theirs_u = tuple(t64(a) for a in u), tuple(torch.tensor(a) for a in u)

    def check(ours, theirs):
        if isinstance(theirs, tuple):
            assert isinstance(ours, tuple) and len(ours) == len(theirs)
            for a, b in zip(ours, theirs):
                check(a, b)
        else:
            np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)

    check(F.jacobian(two_in_two_out, ours_in), torch.autograd.functional.jacobian(two_in_two_out, theirs_in))
    check(F.jacobian(one_in_one_out, t64(x)), torch.autograd.functional.jacobian(one_in_one_out, tx))
    check(
        F.vjp(two_in_two_out, ours_in, ours_u),
        torch.autograd.functional.vjp(two_in_two_out, theirs_in, theirs_u),
    )
    check(
        F.jvp(two_in_two_out, ours_in, ours_u),
        torch.autograd.functional.jvp(two_in_two_out, theirs_in, theirs_u),
    )

    def scalar(a, b):
        return (a.sin().sum() * b**2).sum()

    check(F.hessian(scalar, ours_in), torch.autograd.functional.hessian(scalar, theirs_in))
    check(
        F.hessian(lambda a: (a**4).sum(), t64(x)),
        torch.autograd.functional.hessian(lambda a: (a**4).sum(), tx),
    )
    check(F.hvp(scalar, ours_in, ours_u), torch.autograd.functional.hvp(scalar, theirs_in, theirs_u))
    check(F.vhp(scalar, ours_in, ours_u), torch.autograd.functional.vhp(scalar, theirs_in, theirs_u))
