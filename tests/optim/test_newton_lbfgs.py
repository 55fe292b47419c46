"""optim.Newton and optim.LBFGS: Newton on a quadratic (one step) and on logistic regression
(a handful of steps where gradient descent takes hundreds), damping on an indefinite Hessian,
L-BFGS on the Rosenbrock function and against PyTorch's trajectory, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import optim

RNG = np.random.default_rng(5)


def leaf(values) -> ag.Tensor:
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def rosenbrock(p):
    """(1 - x)² + 100 (y - x²)²: a curved valley with its minimum 0 at (1, 1)."""
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


# --------------------------------------------------------------------------- Newton
def test_newton_solves_a_quadratic_in_one_step():
    m = RNG.normal(size=(5, 5))
    a = m @ m.T + 5 * np.eye(5)
    b = RNG.normal(size=5)
    theta = leaf(np.zeros(5))
    a_t, b_t = ag.tensor(a), ag.tensor(b)
    optimizer = optim.Newton([theta])

    def closure():
        return 0.5 * theta @ (a_t @ theta) - b_t @ theta

    loss = optimizer.step(closure)
    assert loss.item() == 0.0 and not loss.requires_grad
    np.testing.assert_allclose(theta.detach().numpy(), np.linalg.solve(a, b), rtol=1e-10, atol=1e-12)
    state = optimizer.state[theta]
    assert state["step_size"] == 1.0 and state["damping"] == 0.0 and state["n_iter"] == 1
    np.testing.assert_allclose(theta.grad.numpy(), -b)  # the gradient at the start of the step


def logistic_problem():
    """200 points with two features on different scales; ±1 labels from a noisy logistic model."""
    x = np.column_stack([RNG.normal(size=200), 4 * RNG.normal(size=200) + 2])
    logits = 1.5 * x[:, 0] - 0.5 * x[:, 1] + 0.5
    y = np.where(RNG.uniform(size=200) < 1 / (1 + np.exp(-logits)), 1.0, -1.0)
    return ag.tensor(x), ag.tensor(y)


def logistic_loss(w, b, x, y, reg=1e-3):
    """mean log(1 + exp(-y (x w + b))) + reg/2 ‖w‖²."""
    return (-(y * (x @ w + b))).exp().log1p().mean() + 0.5 * reg * (w * w).sum()


def steps_to_converge(optimizer, closure, params, tolerance=1e-6, limit=5000, uses_closure=False):
    """Steps until max|∇L| ≤ tolerance."""
    for step in range(limit + 1):
        loss = closure()
        grads = ag.autograd.grad(loss, params)
        if max(float(g.abs().max()) for g in grads) <= tolerance:
            return step
        if uses_closure:
            optimizer.step(closure)
        else:
            optimizer.zero_grad()
            closure().backward()
            optimizer.step()
    return limit + 1


def test_newton_takes_a_handful_of_steps_on_logistic_regression_where_gradient_descent_takes_hundreds():
    x, y = logistic_problem()
    # Gradient descent with the largest safe step, 1/L, L = λ_max(XᵀX)/4n + reg (with the bias column).
    design = np.column_stack([x.numpy(), np.ones(200)])
    lipschitz = np.linalg.eigvalsh(design.T @ design / 200).max() / 4 + 1e-3

    w, b = leaf([0.0, 0.0]), leaf(0.0)
    newton_steps = steps_to_converge(
        optim.Newton([w, b]), lambda: logistic_loss(w, b, x, y), [w, b], uses_closure=True
    )
    newton_solution = np.append(w.detach().numpy(), b.item())

    w, b = leaf([0.0, 0.0]), leaf(0.0)
    gd_steps = steps_to_converge(
        optim.SGD([w, b], lr=1 / lipschitz), lambda: logistic_loss(w, b, x, y), [w, b]
    )
    gd_solution = np.append(w.detach().numpy(), b.item())

    assert newton_steps <= 8, newton_steps
    assert gd_steps >= 200, gd_steps
    np.testing.assert_allclose(newton_solution, gd_solution, atol=1e-4)


def test_newton_with_an_nn_model_and_its_parameters():
    nn = pytest.importorskip("nn")
    x, y = logistic_problem()
    ag.manual_seed(0)
    model = nn.Linear(2, 1).double()
    optimizer = optim.Newton(model.parameters())

    def closure():
        optimizer.zero_grad()
        z = model(x).reshape(-1)
        return (-(y * z)).exp().log1p().mean()

    losses = [optimizer.step(closure).item() for _ in range(8)]
    params = list(model.parameters())
    grads = ag.autograd.grad(closure(), params)
    assert max(float(g.abs().max()) for g in grads) < 1e-8
    assert losses[-1] < losses[0]


def test_newton_damps_an_indefinite_hessian_and_still_descends():
    # At (0, 1) the Rosenbrock Hessian is diag(-398, 200): a pure Newton step would climb.
    p = leaf([0.0, 1.0])
    optimizer = optim.Newton([p])
    before = rosenbrock(p).item()
    optimizer.step(lambda: rosenbrock(p))
    state = optimizer.state[p]
    assert state["damping"] > 398
    assert rosenbrock(p).item() < before


def test_newton_reaches_the_rosenbrock_minimum():
    p = leaf([-1.2, 1.0])
    optimizer = optim.Newton([p])
    steps = 0
    while float(np.abs(p.detach().numpy() - 1).max()) > 1e-8 and steps < 100:
        optimizer.step(lambda: rosenbrock(p))
        steps += 1
    np.testing.assert_allclose(p.detach().numpy(), [1.0, 1.0], atol=1e-8)
    assert steps < 40, steps


def test_newton_errors():
    p = leaf([1.0, 2.0])
    optimizer = optim.Newton([p])
    with pytest.raises(TypeError, match=r"Newton.step needs a closure.*without calling backward"):
        optimizer.step()

    def closure_with_backward():
        loss = (p**4).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="closure already ran loss.backward"):
        optimizer.step(closure_with_backward)
    with pytest.raises(RuntimeError, match=r"one-element Tensor, got \(2,\)"):
        optimizer.step(lambda: p**2)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Newton([{"params": [p]}, {"params": [leaf([1.0])]}])
    with pytest.raises(ValueError, match="Invalid shrink"):
        optim.Newton([p], shrink=1.5)
    with pytest.raises(ValueError, match=r"Invalid damping: -1.0\. damping must be >= 0"):
        optim.Newton([p], damping=-1.0)
    with pytest.raises(ValueError, match="40000 parameters.*use LBFGS"):
        optim.Newton([leaf(np.zeros((200, 200)))])
    with pytest.raises(RuntimeError, match="nan or inf"):
        optim.Newton([p]).step(lambda: (p**2 * ag.tensor([np.nan, 1.0])).sum())


# --------------------------------------------------------------------------- L-BFGS
def lbfgs_closure(optimizer, loss_fn):
    def closure():
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    return closure


def test_lbfgs_finds_the_rosenbrock_minimum():
    p = leaf([-1.5, 2.0])
    optimizer = optim.LBFGS([p], max_iter=200, line_search_fn="strong_wolfe", tolerance_change=1e-14)
    optimizer.step(lbfgs_closure(optimizer, lambda: rosenbrock(p)))
    np.testing.assert_allclose(p.detach().numpy(), [1.0, 1.0], atol=1e-7)
    state = optimizer.state[p]
    assert 10 < state["n_iter"] < 200 and state["func_evals"] <= 250


def test_lbfgs_without_line_search_converges_on_a_quadratic():
    m = RNG.normal(size=(4, 4))
    a = ag.tensor(m @ m.T / 4 + np.eye(4))
    p = leaf(RNG.normal(size=4))
    optimizer = optim.LBFGS([p], lr=0.5, max_iter=100, tolerance_change=1e-14)
    optimizer.step(lbfgs_closure(optimizer, lambda: 0.5 * p @ (a @ p)))
    np.testing.assert_allclose(p.detach().numpy(), 0.0, atol=1e-6)


def multi_parameter_problem(lib):
    """A non-quadratic loss over two parameter tensors, in ag or torch."""
    a = lib.tensor(np.array([-1.0, 0.5, 1.5]), requires_grad=True)
    m = lib.tensor(np.array([[0.3, -0.2], [0.8, 1.1]]), requires_grad=True)

    def loss():
        return (
            ((1 - a) ** 2).sum()
            + 10 * ((m.reshape(-1)[:3] - a * a) ** 2).sum()
            + 0.1 * (m**4).sum()
            + (m[1, 1] * a[0]).sin()
        )

    return [a, m], loss


@pytest.mark.parametrize(
    "options",
    [
        {"line_search_fn": "strong_wolfe", "max_iter": 4, "history_size": 3},
        {"line_search_fn": None, "lr": 0.05, "max_iter": 5, "history_size": 2},
        {"line_search_fn": "strong_wolfe", "max_iter": 20, "max_eval": 12},
    ],
    ids=["strong_wolfe", "fixed_step", "max_eval"],
)
def test_lbfgs_matches_torch_trajectory(options):
    torch = pytest.importorskip("torch")
    ours_params, ours_loss = multi_parameter_problem(ag)
    theirs_params, theirs_loss = multi_parameter_problem(torch)
    ours = optim.LBFGS(ours_params, **options)
    theirs = torch.optim.LBFGS(theirs_params, **options)
    ours_closure = lbfgs_closure(ours, ours_loss)
    theirs_closure = lbfgs_closure(theirs, theirs_loss)
    initial = ours_loss().item()
    for _ in range(6):
        ours_value = ours.step(ours_closure)
        theirs_value = theirs.step(theirs_closure)
        assert ours_value.item() == pytest.approx(theirs_value.item(), rel=1e-9, abs=1e-12)
        for p_ours, p_theirs in zip(ours_params, theirs_params):
            np.testing.assert_allclose(
                p_ours.detach().numpy(), p_theirs.detach().numpy(), rtol=1e-9, atol=1e-11
            )
    ours_state, theirs_state = ours.state[ours_params[0]], theirs.state[theirs_params[0]]
    assert ours_state["func_evals"] == theirs_state["func_evals"]
    assert ours_state["n_iter"] == theirs_state["n_iter"]
    assert ours_loss().item() < initial


def test_lbfgs_errors():
    p = leaf([1.0, 2.0])
    optimizer = optim.LBFGS([p])
    with pytest.raises(TypeError, match=r"LBFGS.step needs a closure.*loss.backward\(\)"):
        optimizer.step()
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [p]}, {"params": [leaf([1.0])]}])
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe'.*'armijo'"):
        optim.LBFGS([p], line_search_fn="armijo")
    assert optim.LBFGS([p], max_iter=8).param_groups[0]["max_eval"] == 10
