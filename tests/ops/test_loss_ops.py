import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops.loss import cross_entropy


def _reference(z, t, ignore_index, reduction):
    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    counted = t != ignore_index
    losses = np.where(counted, -log_probs[np.arange(len(t)), np.where(counted, t, 0)], 0.0)
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / counted.sum()


def _numeric_grad(f, z, eps=1e-6):
    grad = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = eps
        grad[index] = (f(z + step) - f(z - step)) / (2 * eps)
    return grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_formula_and_finite_differences(reduction):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((6, 5))
    t = np.array([0, 4, -100, 2, 2, 1])
    upstream = rng.standard_normal(6) if reduction == "none" else np.array(1.7)
    logits = ag.tensor(z, requires_grad=True)
    loss = cross_entropy(logits, ag.tensor(t), reduction=reduction)
    np.testing.assert_allclose(loss.numpy(), _reference(z, t, -100, reduction), rtol=1e-12)
    loss.backward(ag.tensor(upstream))
    expected = _numeric_grad(lambda v: float((_reference(v, t, -100, reduction) * upstream).sum()), z)
    np.testing.assert_allclose(logits.grad.numpy(), expected, atol=1e-8)
    assert np.all(logits.grad.numpy()[2] == 0)


def test_cross_entropy_second_derivative_matches_finite_differences():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((3, 4))
    t = ag.tensor([1, 0, 3])

    def grad_norm(values):
        logits = ag.tensor(values, requires_grad=True)
        (g,) = ag.autograd.grad(cross_entropy(logits, t), logits, create_graph=True)
        return (g * g).sum(), logits

    total, logits = grad_norm(z)
    (hessian_vector,) = ag.autograd.grad(total, logits)
    expected = _numeric_grad(lambda v: grad_norm(v)[0].item(), z)
    np.testing.assert_allclose(hessian_vector.numpy(), expected, atol=1e-7)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = ag.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=ag.float64, requires_grad=True)
    loss = cross_entropy(logits, ag.tensor([0, 2]))
    loss.backward()
    assert np.isfinite(loss.item())
    np.testing.assert_allclose(loss.item(), np.log(2) / 2)
    assert np.isfinite(logits.grad.numpy()).all()


def test_cross_entropy_bad_targets_are_explained():
    logits = ag.zeros(2, 3)
    with pytest.raises(IndexError, match=r"target 3 is out of bounds for 3 classes"):
        cross_entropy(logits, ag.tensor([0, 3]))
    with pytest.raises(ValueError, match=r"\(N, C\).*\(2, 3\) and \(3,\)"):
        cross_entropy(logits, ag.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="integers"):
        cross_entropy(logits, ag.tensor([0.0, 1.0]))
    with pytest.raises(IndexError, match=r"target -1 is out of bounds"):
        cross_entropy(logits, ag.tensor([-1, 0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ignore_index", [-100, 0, 2, 4])
def test_cross_entropy_ignore_index_inside_and_outside_the_classes(reduction, ignore_index):
    """ignore_index may be a real class (0, 2) or lie outside them (-100, 4): rows whose
    target equals it count for nothing, in the loss and in the gradient."""
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 4))
    t = np.array([0, 2, 1, 2, 3])
    upstream = rng.standard_normal(5) if reduction == "none" else np.array(0.6)
    logits = ag.tensor(z, requires_grad=True)
    loss = cross_entropy(logits, ag.tensor(t), ignore_index=ignore_index, reduction=reduction)
    np.testing.assert_allclose(loss.numpy(), _reference(z, t, ignore_index, reduction), rtol=1e-12)
    loss.backward(ag.tensor(upstream))
    expected = _numeric_grad(lambda v: float((_reference(v, t, ignore_index, reduction) * upstream).sum()), z)
    np.testing.assert_allclose(logits.grad.numpy(), expected, atol=1e-8)


def test_cross_entropy_of_no_rows_is_nan_for_the_mean_as_in_pytorch():
    empty_logits, empty_targets = ag.zeros(0, 3, requires_grad=True), ag.tensor([], dtype=ag.int64)
    assert np.isnan(cross_entropy(empty_logits, empty_targets).item())
    assert cross_entropy(empty_logits, empty_targets, reduction="sum").item() == 0.0
    assert cross_entropy(empty_logits, empty_targets, reduction="none").shape == (0,)
    every_row_ignored = ag.tensor([-100, -100])
    assert np.isnan(cross_entropy(ag.zeros(2, 3), every_row_ignored).item())
