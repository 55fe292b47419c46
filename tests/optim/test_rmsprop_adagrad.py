"""RMSprop and Adagrad: trajectories against the update rules in NumPy and against PyTorch."""

import numpy as np
import pytest
from optim_testing import Quadratic, assert_moves, assert_same_trajectory, run_ours, run_reference, run_torch

import autograd_core as ag
import optim

STEPS = 10

RMSPROP_CONFIGS = [
    {"lr": 0.01},
    {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.1},
    {"lr": 0.01, "momentum": 0.9},
    {"lr": 0.01, "centered": True},
    {"lr": 0.01, "centered": True, "momentum": 0.8, "weight_decay": 0.01},
    {"lr": 0.01, "centered": True, "momentum": 0.5, "maximize": True},
]
ADAGRAD_CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.1, "lr_decay": 0.05},
    {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    {"lr": 0.1, "eps": 1e-3, "maximize": True},
]


def rmsprop_reference(
    lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False
):
    def update(thetas, grads, state, t):
        new = []
        for index, (theta, grad) in enumerate(zip(thetas, grads)):
            square_avg, grad_avg, buffer = state.get(index, (0.0, 0.0, 0.0))
            grad = -grad if maximize else grad
            grad = grad + weight_decay * theta
            square_avg = alpha * square_avg + (1 - alpha) * grad * grad
            if centered:
                grad_avg = alpha * grad_avg + (1 - alpha) * grad
                denom = np.sqrt(square_avg - grad_avg * grad_avg) + eps
            else:
                denom = np.sqrt(square_avg) + eps
            if momentum > 0:
                buffer = momentum * buffer + grad / denom
                theta = theta - lr * buffer
            else:
                theta = theta - lr * grad / denom
            state[index] = (square_avg, grad_avg, buffer)
            new.append(theta)
        return new

    return update


def adagrad_reference(
    lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False
):
    def update(thetas, grads, state, t):
        new = []
        for index, (theta, grad) in enumerate(zip(thetas, grads)):
            grad = -grad if maximize else grad
            grad = grad + weight_decay * theta
            total = state.get(index, initial_accumulator_value) + grad * grad
            state[index] = total
            step_lr = lr / (1 + (t - 1) * lr_decay)
            new.append(theta - step_lr * grad / (np.sqrt(total) + eps))
        return new

    return update


@pytest.mark.parametrize("config", RMSPROP_CONFIGS)
def test_rmsprop_follows_its_update_rule(config):
    problem = Quadratic(seed=21)
    ours = run_ours(problem, lambda params: optim.RMSprop(params, **config), STEPS)
    expected = run_reference(problem, rmsprop_reference(**config), STEPS)
    assert_moves(ours, problem)
    assert_same_trajectory(ours, expected)


@pytest.mark.parametrize("config", RMSPROP_CONFIGS)
def test_rmsprop_matches_torch(config):
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=22)
    ours = run_ours(problem, lambda params: optim.RMSprop(params, **config), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.RMSprop(params, **config), STEPS)
    assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("config", ADAGRAD_CONFIGS)
def test_adagrad_follows_its_update_rule(config):
    problem = Quadratic(seed=23)
    ours = run_ours(problem, lambda params: optim.Adagrad(params, **config), STEPS)
    expected = run_reference(problem, adagrad_reference(**config), STEPS)
    assert_moves(ours, problem)
    assert_same_trajectory(ours, expected)


@pytest.mark.parametrize("config", ADAGRAD_CONFIGS)
def test_adagrad_matches_torch(config):
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=24)
    ours = run_ours(problem, lambda params: optim.Adagrad(params, **config), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.Adagrad(params, **config), STEPS)
    assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize(
    ("make", "config"),
    [
        (optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.9}),
        (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.1}),
    ],
)
def test_state_dict_resume_continues_exactly(make, config):
    problem = Quadratic(seed=25)
    uninterrupted = run_ours(problem, lambda params: make(params, **config), 10)
    params = [ag.tensor(value.copy(), requires_grad=True) for value in problem.init]
    optimizer = make(params, **config)
    first = run_ours(problem, None, 5, params=params, optimizer=optimizer)
    saved = optimizer.state_dict()
    resumed_params = [ag.tensor(p.numpy().copy(), requires_grad=True) for p in params]
    resumed = make(resumed_params)
    resumed.load_state_dict(saved)
    second = run_ours(problem, None, 5, params=resumed_params, optimizer=resumed)
    for got, want in zip(first + second, uninterrupted):
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_adagrad_state_exists_before_the_first_step_as_in_torch():
    torch = pytest.importorskip("torch")
    ours = optim.Adagrad([ag.zeros(3, requires_grad=True)], initial_accumulator_value=0.25).state_dict()
    theirs = torch.optim.Adagrad(
        [torch.zeros(3, requires_grad=True)], initial_accumulator_value=0.25
    ).state_dict()
    assert sorted(ours["state"][0]) == sorted(theirs["state"][0]) == ["step", "sum"]
    np.testing.assert_allclose(ours["state"][0]["sum"].numpy(), theirs["state"][0]["sum"].numpy())
    assert ours["state"][0]["step"].item() == theirs["state"][0]["step"].item() == 0.0


def test_adagrad_parameter_added_later_gets_its_accumulator():
    w, v = ag.tensor([1.0], requires_grad=True), ag.tensor([2.0], requires_grad=True)
    optimizer = optim.Adagrad([w], lr=0.5, initial_accumulator_value=3.0)
    optimizer.add_param_group({"params": [v], "initial_accumulator_value": 0.0})
    (w * v).backward()
    optimizer.step()
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.5 * 2.0 / np.sqrt(3.0 + 4.0)])
    np.testing.assert_allclose(v.numpy(), [2.0 - 0.5 * 1.0 / np.sqrt(1.0)])


@pytest.mark.parametrize(
    ("make", "kwargs", "message"),
    [
        (optim.RMSprop, {"lr": -0.01}, "Invalid learning rate: -0.01"),
        (optim.RMSprop, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
        (optim.RMSprop, {"momentum": -0.9}, "Invalid momentum value: -0.9"),
        (optim.RMSprop, {"alpha": -0.5}, "Invalid alpha value: -0.5"),
        (optim.RMSprop, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
        (optim.Adagrad, {"lr": -0.01}, "Invalid learning rate: -0.01"),
        (optim.Adagrad, {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
        (optim.Adagrad, {"initial_accumulator_value": -1}, "Invalid initial_accumulator_value value: -1"),
        (optim.Adagrad, {"eps": -1e-10}, "Invalid epsilon value"),
    ],
)
def test_bad_options_are_refused(make, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make([ag.zeros(2, requires_grad=True)], **kwargs)
