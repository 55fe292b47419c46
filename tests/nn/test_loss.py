"""Losses: each against its formula written in NumPy for every reduction, gradients by finite
differences, stability at logits of ±1e4, errors, and PyTorch with every option."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.autograd import gradcheck
from tests.nn.nn_testing import assert_close, t64

REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))
Y = RNG.normal(size=(4, 3))
PROBABILITIES = RNG.uniform(0.05, 0.95, size=(4, 3))
TARGETS01 = RNG.uniform(size=(4, 3))


def _reduce(values: np.ndarray, reduction: str):
    return {"mean": values.mean(), "sum": values.sum(), "none": values}[reduction]


def _log_softmax(z, axis=1):
    shifted = z - z.max(axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis, keepdims=True))


# -------------------------------------------------------------------- regression losses
REGRESSION = {
    "mse": (lambda r: nn.MSELoss(reduction=r), lambda d: d**2),
    "l1": (lambda r: nn.L1Loss(reduction=r), np.abs),
    "smooth_l1": (
        lambda r: nn.SmoothL1Loss(reduction=r, beta=0.5),
        lambda d: np.where(np.abs(d) < 0.5, 0.5 * d**2 / 0.5, np.abs(d) - 0.25),
    ),
    "huber": (
        lambda r: nn.HuberLoss(reduction=r, delta=0.7),
        lambda d: np.where(np.abs(d) < 0.7, 0.5 * d**2, 0.7 * (np.abs(d) - 0.35)),
    ),
}


@pytest.mark.parametrize(("name", "reduction"), list(itertools.product(REGRESSION, REDUCTIONS)))
def test_regression_losses_against_their_formulas(name, reduction):
    build, formula = REGRESSION[name]
    loss = build(reduction)(t64(X), t64(Y))
    np.testing.assert_allclose(loss.numpy(), _reduce(formula(X - Y), reduction), rtol=1e-12)


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_loss_gradients(name):
    module = REGRESSION[name][0]("mean")
    assert gradcheck(lambda x, y: module(x, y), (t64(X, True), t64(Y, True)))


def test_smooth_l1_with_beta_zero_is_l1():
    np.testing.assert_allclose(F.smooth_l1_loss(t64(X), t64(Y), beta=0.0).item(), np.abs(X - Y).mean())


def test_broadcasting_targets_warn():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(t64(X), t64(Y[:, :1]))


# --------------------------------------------------------------------------- BCE family
@pytest.mark.parametrize(("reduction", "weighted"), list(itertools.product(REDUCTIONS, [False, True])))
def test_bce_against_its_formula(reduction, weighted):
    weight = np.array([0.5, 1.0, 2.0]) if weighted else np.ones(3)
    loss = nn.BCELoss(weight=t64(weight) if weighted else None, reduction=reduction)(
        t64(PROBABILITIES), t64(TARGETS01)
    )
    p, t = PROBABILITIES, TARGETS01
    expected = -weight * (t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(loss.numpy(), _reduce(expected, reduction), rtol=1e-12)


def test_bce_clamps_log_at_minus_100():
    loss = F.binary_cross_entropy(t64([0.0, 1.0]), t64([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0])


def test_bce_gradients():
    assert gradcheck(
        lambda p, t: F.binary_cross_entropy(p, t), (t64(PROBABILITIES, True), t64(TARGETS01, True))
    )


@pytest.mark.parametrize(
    ("reduction", "weighted", "positive"), list(itertools.product(REDUCTIONS, [False, True], [False, True]))
)
def test_bce_with_logits_against_its_formula(reduction, weighted, positive):
    weight = np.array([0.5, 1.0, 2.0]) if weighted else np.ones(3)
    pos_weight = np.array([3.0, 1.0, 0.2]) if positive else np.ones(3)
    module = nn.BCEWithLogitsLoss(
        weight=t64(weight) if weighted else None,
        pos_weight=t64(pos_weight) if positive else None,
        reduction=reduction,
    )
    sigma = 1 / (1 + np.exp(-X))
    expected = -weight * (pos_weight * TARGETS01 * np.log(sigma) + (1 - TARGETS01) * np.log(1 - sigma))
    np.testing.assert_allclose(
        module(t64(X), t64(TARGETS01)).numpy(), _reduce(expected, reduction), rtol=1e-12
    )


def test_bce_with_logits_gradients():
    pos_weight = t64([3.0, 1.0, 0.2])
    assert gradcheck(
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=pos_weight),
        (t64(X, True), t64(TARGETS01, True)),
    )


def test_bce_with_logits_is_stable_at_large_logits():
    x = t64([[1e4, -1e4, 1e4, -1e4]], requires_grad=True)
    t = t64([[1.0, 0.0, 0.0, 1.0]])
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [[0.0, 0.0, 1e4, 1e4]])
    loss.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.0, 1.0, -1.0]])


def test_bce_errors():
    with pytest.raises(RuntimeError, match="between 0 and 1.*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(t64([1.5]), t64([1.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(t64([0.5, 0.5]), t64([[1.0, 0.0]]))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(t64([0.5, 0.5]), t64([1.0]))


# ------------------------------------------------------------------ classification losses
LOGITS = RNG.normal(size=(5, 4)) * 2
CLASSES = np.array([0, 3, 1, 1, 2])
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.0, 1.5])


def _nll_reference(log_probabilities, target, weight, ignore_index, reduction):
    counted = target != ignore_index
    safe = np.where(counted, target, 0)
    w = weight[safe] * counted
    losses = -log_probabilities[np.arange(len(target)), safe] * w
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.sum() / w.sum()


@pytest.mark.parametrize(
    ("reduction", "weighted", "ignore"), list(itertools.product(REDUCTIONS, [False, True], [False, True]))
)
def test_nll_and_cross_entropy_against_their_formulas(reduction, weighted, ignore):
    weight = CLASS_WEIGHTS if weighted else np.ones(4)
    target = np.where(np.arange(5) == 2, 7, CLASSES) if ignore else CLASSES
    ignore_index = 7 if ignore else -100
    options = {
        "weight": t64(weight) if weighted else None,
        "ignore_index": ignore_index,
        "reduction": reduction,
    }
    log_probabilities = _log_softmax(LOGITS)
    expected = _nll_reference(log_probabilities, target, weight, ignore_index, reduction)
    nll = nn.NLLLoss(**options)(t64(log_probabilities), ag.tensor(target))
    ce = nn.CrossEntropyLoss(**options)(t64(LOGITS), ag.tensor(target))
    np.testing.assert_allclose(nll.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(ce.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize(("reduction", "weighted"), list(itertools.product(REDUCTIONS, [False, True])))
def test_cross_entropy_label_smoothing_formula(reduction, weighted):
    epsilon, classes = 0.2, 4
    weight = CLASS_WEIGHTS if weighted else np.ones(4)
    target = np.array([0, 3, -100, 1, 2])
    log_probabilities = _log_softmax(LOGITS)
    nll = _nll_reference(log_probabilities, target, weight, -100, reduction)
    counted = target != -100
    smooth = -(log_probabilities * weight).sum(1) * counted
    if reduction == "mean":
        smooth = smooth.sum() / (weight[np.where(counted, target, 0)] * counted).sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    expected = (1 - epsilon) * nll + epsilon / classes * smooth
    loss = F.cross_entropy(
        t64(LOGITS),
        ag.tensor(target),
        t64(weight) if weighted else None,
        reduction=reduction,
        label_smoothing=epsilon,
    )
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("reduction", "weighted", "smoothing"), list(itertools.product(REDUCTIONS, [False, True], [0.0, 0.1]))
)
def test_cross_entropy_with_class_probabilities(reduction, weighted, smoothing):
    weight = CLASS_WEIGHTS if weighted else np.ones(4)
    probabilities = RNG.dirichlet(np.ones(4), size=5)
    smoothed = probabilities * (1 - smoothing) + smoothing / 4
    losses = -(_log_softmax(LOGITS) * smoothed * weight).sum(1)
    expected = losses if reduction == "none" else (losses.sum() if reduction == "sum" else losses.sum() / 5)
    loss = F.cross_entropy(
        t64(LOGITS),
        t64(probabilities),
        weight=t64(weight) if weighted else None,
        reduction=reduction,
        label_smoothing=smoothing,
    )
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)


def test_cross_entropy_over_extra_dimensions():
    logits = RNG.normal(size=(2, 4, 3, 2))
    target = RNG.integers(0, 4, size=(2, 3, 2))
    rows = np.moveaxis(logits, 1, -1).reshape(-1, 4)
    expected = -_log_softmax(rows)[np.arange(12), target.reshape(-1)]
    loss = F.cross_entropy(t64(logits), ag.tensor(target), reduction="none")
    assert loss.shape == (2, 3, 2)
    np.testing.assert_allclose(loss.numpy().reshape(-1), expected, rtol=1e-12)


def test_cross_entropy_of_a_single_sample():
    loss = F.cross_entropy(t64(LOGITS[0]), ag.tensor(2))
    np.testing.assert_allclose(loss.item(), -_log_softmax(LOGITS[:1])[0, 2], rtol=1e-12)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"weight": t64(CLASS_WEIGHTS)},
        {"ignore_index": 1},
        {"label_smoothing": 0.3},
        {"weight": t64(CLASS_WEIGHTS), "label_smoothing": 0.3, "ignore_index": 3},
    ],
)
def test_cross_entropy_gradients(options):
    target = ag.tensor(CLASSES)
    assert gradcheck(lambda z: F.cross_entropy(z, target, **options), (t64(LOGITS, True),))
    probabilities = t64(RNG.dirichlet(np.ones(4), size=5), True)
    assert gradcheck(lambda z, p: F.cross_entropy(z, p), (t64(LOGITS, True), probabilities))


def test_nll_gradients():
    target = ag.tensor(CLASSES)
    weight = t64(CLASS_WEIGHTS)
    assert gradcheck(lambda z: F.nll_loss(z, target, weight, ignore_index=3), (t64(LOGITS, True),))


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_is_stable_at_huge_logits(smoothing):
    logits = t64([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(logits, ag.tensor([1, 1]), reduction="none", label_smoothing=smoothing)
    expected_nll = [2e4, np.log(2.0)]
    if smoothing == 0.0:
        np.testing.assert_allclose(loss.numpy(), expected_nll, rtol=1e-12)
    loss.sum().backward()
    assert np.all(np.isfinite(loss.numpy())) and np.all(np.isfinite(logits.grad.numpy()))
    np.testing.assert_allclose(logits.grad.numpy().sum(1), 0.0, atol=1e-12)


def test_classification_errors():
    logits = t64(LOGITS)
    with pytest.raises(IndexError, match=r"(?i)target 4 is out of bounds.*targets must lie in \[0, 3\]"):
        F.cross_entropy(logits, ag.tensor([0, 1, 4, 0, 0]))
    with pytest.raises(IndexError, match=r"Target 4 is out of bounds: targets must lie in \[0, 3\]"):
        F.cross_entropy(logits, ag.tensor([0, 1, 4, 0, 0]), label_smoothing=0.1)
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.nll_loss(logits, ag.tensor([0, 1, -1, 0, 0]), weight=t64(CLASS_WEIGHTS))
    with pytest.raises(ValueError, match=r"expected a target of shape \(5,\)"):
        F.cross_entropy(logits, ag.tensor([0, 1]), weight=t64(CLASS_WEIGHTS))
    with pytest.raises(TypeError, match="must be integers"):
        F.nll_loss(logits, t64([0.0, 1, 2, 3, 0]))
    with pytest.raises(ValueError, match="needs a target of the input's shape"):
        F.cross_entropy(logits, t64(np.ones((5, 3))))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(logits, ag.tensor(CLASSES), label_smoothing=1.5)


def test_bad_reduction_is_refused():
    with pytest.raises(
        ValueError, match="'batch' is not a valid value for reduction|batch is not a valid value"
    ):
        nn.MSELoss(reduction="batch")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(t64(LOGITS), ag.tensor(CLASSES), reduction="avg")


def test_legacy_size_average_and_reduce_flags():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        module = nn.MSELoss(size_average=False)
    assert module.reduction == "sum"
    with pytest.warns(UserWarning):
        assert nn.L1Loss(reduce=False).reduction == "none"
    x, y = ag.tensor([1.0, 2.0]), ag.tensor([0.0, 0.0])
    with pytest.warns(UserWarning) as record:
        assert F.mse_loss(x, y, size_average=False).item() == 5.0
        assert F.mse_loss(x, y, reduce=False).tolist() == [1.0, 4.0]
    assert [warning.filename for warning in record] == [__file__, __file__]  # points at the caller


def test_weights_are_buffers_that_move_with_the_module():
    module = nn.CrossEntropyLoss(weight=ag.tensor([1.0, 2.0]))
    assert [name for name, _ in module.named_buffers()] == ["weight"]
    module.double()
    assert module.weight.dtype == ag.float64
    assert repr(module) == "CrossEntropyLoss()"


# ----------------------------------------------------------------------------- PyTorch
def _torch_cases():
    """(name, our function, torch function name, our args, kwargs) with every option."""
    logits_nd = RNG.normal(size=(3, 4, 2))
    target_nd = RNG.integers(0, 4, size=(3, 2))
    target_nd[0, 1] = -100
    cases = []
    for reduction in REDUCTIONS:
        for name in ["mse_loss", "l1_loss"]:
            cases.append((name, (X, Y), {"reduction": reduction}))
        cases.append(("smooth_l1_loss", (X * 2, Y), {"reduction": reduction, "beta": 0.4}))
        cases.append(("huber_loss", (X * 2, Y), {"reduction": reduction, "delta": 0.6}))
        for weighted in (False, True):
            weight = {"weight": np.array([0.5, 1.0, 2.0])} if weighted else {}
            cases.append(
                ("binary_cross_entropy", (PROBABILITIES, TARGETS01), {"reduction": reduction, **weight})
            )
            for pos in (None, np.array([2.0, 0.5, 1.0])):
                extra = {"pos_weight": pos} if pos is not None else {}
                cases.append(
                    (
                        "binary_cross_entropy_with_logits",
                        (X * 1e4, TARGETS01),
                        {"reduction": reduction, **weight, **extra},
                    )
                )
            class_weight = {"weight": CLASS_WEIGHTS} if weighted else {}
            for smoothing in (0.0, 0.25):
                for ignore in (-100, 2):
                    options = {"reduction": reduction, "ignore_index": ignore, "label_smoothing": smoothing}
                    cases.append(("cross_entropy", (LOGITS, CLASSES), {**options, **class_weight}))
                    target_ignored = np.where(target_nd == -100, ignore, target_nd)
                    cases.append(("cross_entropy", (logits_nd, target_ignored), {**options, **class_weight}))
                probabilities = RNG.dirichlet(np.ones(4), size=5)
                cases.append(
                    (
                        "cross_entropy",
                        (LOGITS, probabilities),
                        {"reduction": reduction, "label_smoothing": smoothing, **class_weight},
                    )
                )
            cases.append(("cross_entropy", (LOGITS * 1e4, CLASSES), {"reduction": reduction, **class_weight}))
            for ignore in (-100, 3):
                log_probabilities = _log_softmax(LOGITS)
                cases.append(
                    (
                        "nll_loss",
                        (log_probabilities, CLASSES),
                        {"reduction": reduction, "ignore_index": ignore, **class_weight},
                    )
                )
                cases.append(("nll_loss", (logits_nd, target_nd), {"reduction": reduction, **class_weight}))
    return cases


TORCH_CASES = _torch_cases()


@pytest.mark.parametrize("case", TORCH_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(TORCH_CASES)])
def test_losses_match_torch(case):
    torch = pytest.importorskip("torch")
    name, (input_array, target_array), options = case
    differentiable_target = target_array.dtype.kind == "f" and name != "nll_loss"

    def convert(value, lib):
        if isinstance(value, np.ndarray):
            return ag.tensor(value) if lib == "ours" else torch.tensor(value)
        return value

    ours_input = ag.tensor(input_array, requires_grad=True)
    theirs_input = torch.tensor(input_array, requires_grad=True)
    ours_target = ag.tensor(target_array, requires_grad=differentiable_target)
    theirs_target = torch.tensor(target_array, requires_grad=differentiable_target)
    ours = getattr(F, name)(ours_input, ours_target, **{k: convert(v, "ours") for k, v in options.items()})
    theirs = getattr(torch.nn.functional, name)(
        theirs_input, theirs_target, **{k: convert(v, "torch") for k, v in options.items()}
    )
    assert_close(ours, theirs, rtol=1e-10, atol=1e-10)
    upstream = RNG.normal(size=ours.shape)
    ours.backward(ag.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_close(ours_input.grad, theirs_input.grad, rtol=1e-9, atol=1e-10)
    if differentiable_target:
        assert_close(ours_target.grad, theirs_target.grad, rtol=1e-9, atol=1e-10)
