"""linalg.solve, cholesky, cholesky_ex: values and gradients against NumPy, finite differences
and PyTorch; the errors."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import gradcheck, gradgradcheck

rng = np.random.default_rng(0)


def _well_conditioned(*batch: int, n: int = 3) -> np.ndarray:
    return rng.standard_normal((*batch, n, n)) + 3 * np.eye(n)


def _spd(x: ag.Tensor) -> ag.Tensor:
    """A symmetric positive definite matrix made from any square x (gradcheck moves every
    entry of x, so the input of cholesky stays symmetric)."""
    return x @ x.mT + 3 * ag.eye(x.shape[-1], dtype=x.dtype)


@pytest.mark.parametrize("b_shape", [(3,), (3, 2), (4, 3, 2)])
def test_solve_values_and_gradients(b_shape):
    batch = (4,) if len(b_shape) == 3 else ()
    a = ag.tensor(_well_conditioned(*batch), requires_grad=True)
    b = ag.tensor(rng.standard_normal(b_shape), requires_grad=True)
    x = ag.linalg.solve(a, b)
    np.testing.assert_allclose(
        x.numpy(),
        np.linalg.solve(a.numpy(), b.numpy()[..., None] if b.ndim == 1 else b.numpy()).reshape(x.shape),
    )
    assert gradcheck(ag.linalg.solve, (a, b))
    assert gradgradcheck(ag.linalg.solve, (a, b))


def test_cholesky_values_and_gradients():
    x = ag.tensor(rng.standard_normal((2, 3, 3)), requires_grad=True)
    factor = ag.linalg.cholesky(_spd(x))
    np.testing.assert_allclose(factor.numpy(), np.linalg.cholesky(_spd(x).numpy()))
    np.testing.assert_allclose((factor @ factor.mT).numpy(), _spd(x).numpy())
    assert gradcheck(lambda v: ag.linalg.cholesky(_spd(v)), (x,))
    assert gradgradcheck(lambda v: ag.linalg.cholesky(_spd(v)), (x,))


def test_cholesky_ex_reports_the_first_minor_that_is_not_positive():
    factor, info = ag.linalg.cholesky_ex(ag.tensor([[4.0, 2.0], [2.0, 5.0]]))
    assert info.item() == 0 and factor.tolist() == [[2.0, 0.0], [1.0, 2.0]]
    _, info = ag.linalg.cholesky_ex(ag.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]]))
    assert info.tolist() == [0, 2]
    with pytest.raises(RuntimeError, match=r"not positive definite \(the leading minor of order 1"):
        ag.linalg.cholesky(ag.tensor([[-1.0, 0.0], [0.0, 1.0]]))


def test_solve_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"square matrix .* shape \(2, 3\)"):
        ag.linalg.solve(ag.zeros(2, 3), ag.zeros(2))
    with pytest.raises(RuntimeError, match=r"A of shape \(2, 2\) and B of shape \(3, 1\)"):
        ag.linalg.solve(ag.eye(2), ag.zeros(3, 1))
    with pytest.raises(RuntimeError, match="singular"):
        ag.linalg.solve(ag.zeros(2, 2), ag.zeros(2, 1))


def test_solve_and_cholesky_match_torch():
    torch = pytest.importorskip("torch")
    a_values, b_values = _well_conditioned(), rng.standard_normal((3, 2))
    x_values = rng.standard_normal((3, 3))
    ours = [ag.tensor(v, requires_grad=True) for v in (a_values, b_values, x_values)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a_values, b_values, x_values)]
    upstream = rng.standard_normal((3, 2))
    upstream_l = rng.standard_normal((3, 3))
    for lib, (a, b, x) in ((ag, ours), (torch, theirs)):
        spd = x @ x.mT + 3 * lib.eye(3, dtype=x.dtype)
        total = (lib.linalg.solve(a, b) * lib.tensor(upstream)).sum()
        total = total + (lib.linalg.cholesky(spd) * lib.tensor(upstream_l)).sum()
        total.backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_the_docstring_examples_run():
    import doctest

    from autograd_core.ops import solve

    failures, attempted = doctest.testmod(solve, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted == 4 and failures == 0
