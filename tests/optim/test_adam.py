"""Adam and AdamW: trajectories against the update rule in NumPy and against PyTorch."""

import numpy as np
import pytest
from optim_testing import Quadratic, assert_moves, assert_same_trajectory, run_ours, run_reference, run_torch

import autograd_core as ag
import optim

STEPS = 10

ADAM_CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "amsgrad": True},
    {"lr": 0.05, "amsgrad": True, "weight_decay": 0.05, "maximize": True},
]
ADAMW_CONFIGS = [{"lr": 0.05}, {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}]


def adam_reference(
    lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False, decoupled=False
):
    """Adam as in PyTorch, written out (AdamW when ``decoupled``)."""
    beta1, beta2 = betas

    def update(thetas, grads, state, t):
        new = []
        for index, (theta, grad) in enumerate(zip(thetas, grads)):
            m, v, v_max = state.get(index, (0.0, 0.0, 0.0))
            grad = -grad if maximize else grad
            if decoupled:
                theta = theta * (1 - lr * weight_decay)
            else:
                grad = grad + weight_decay * theta
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad * grad
            v_max = np.maximum(v_max, v)
            state[index] = (m, v, v_max)
            second = v_max if amsgrad else v
            denom = np.sqrt(second) / np.sqrt(1 - beta2**t) + eps
            new.append(theta - lr / (1 - beta1**t) * m / denom)
        return new

    return update


@pytest.mark.parametrize("config", ADAM_CONFIGS)
def test_adam_follows_its_update_rule(config):
    problem = Quadratic(seed=11)
    ours = run_ours(problem, lambda params: optim.Adam(params, **config), STEPS)
    expected = run_reference(problem, adam_reference(**config), STEPS)
    assert_moves(ours, problem)
    assert_same_trajectory(ours, expected)


@pytest.mark.parametrize("config", ADAMW_CONFIGS)
def test_adamw_follows_its_update_rule(config):
    problem = Quadratic(seed=12)
    ours = run_ours(problem, lambda params: optim.AdamW(params, **config), STEPS)
    expected = run_reference(
        problem, adam_reference(**{"weight_decay": 1e-2, **config}, decoupled=True), STEPS
    )
    assert_same_trajectory(ours, expected)


@pytest.mark.parametrize("config", ADAM_CONFIGS)
def test_adam_matches_torch(config):
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=13)
    ours = run_ours(problem, lambda params: optim.Adam(params, **config), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.Adam(params, **config), STEPS)
    assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("config", ADAMW_CONFIGS)
def test_adamw_matches_torch(config):
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=14)
    ours = run_ours(problem, lambda params: optim.AdamW(params, **config), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.AdamW(params, **config), STEPS)
    assert_same_trajectory(ours, theirs)


def test_adam_float32_matches_torch():
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=15, dtype=np.float32)
    config = {"lr": 0.05, "amsgrad": True, "weight_decay": 1e-3}
    ours = run_ours(problem, lambda params: optim.Adam(params, **config), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.Adam(params, **config), STEPS)
    assert ours[-1][1].dtype == np.float32
    assert_same_trajectory(ours, theirs, rtol=1e-5, atol=1e-6)


def test_adam_parameter_groups_with_different_learning_rates_match_torch():
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=16)

    def groups(params):
        return [{"params": [params[0]], "lr": 0.2}, {"params": [params[1]], "betas": (0.5, 0.9)}]

    ours = run_ours(problem, lambda params: optim.Adam(groups(params), lr=0.01), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.Adam(groups(params), lr=0.01), STEPS)
    assert_same_trajectory(ours, theirs)


def test_adam_state_dict_layout_matches_torch():
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=17)
    params = [ag.tensor(value.copy(), requires_grad=True) for value in problem.init]
    optimizer = optim.Adam(params, lr=0.1, amsgrad=True)
    run_ours(problem, None, 3, params=params, optimizer=optimizer)
    torch_params = [torch.tensor(value.copy(), requires_grad=True) for value in problem.init]
    torch_optimizer = torch.optim.Adam(torch_params, lr=0.1, amsgrad=True)
    for _ in range(3):
        torch_optimizer.zero_grad()
        problem.loss(torch_params, lib=torch).backward()
        torch_optimizer.step()
    ours, theirs = optimizer.state_dict(), torch_optimizer.state_dict()
    assert sorted(ours["state"]) == sorted(theirs["state"]) == [0, 1]
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"] == [0, 1]
    for index in (0, 1):
        assert sorted(ours["state"][index]) == sorted(theirs["state"][index])
        for key, value in theirs["state"][index].items():
            np.testing.assert_allclose(ours["state"][index][key].numpy(), value.numpy(), rtol=1e-10)
    for key in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"):
        assert ours["param_groups"][0][key] == theirs["param_groups"][0][key]


@pytest.mark.parametrize("make", [optim.Adam, optim.AdamW])
def test_adam_state_dict_resume_continues_exactly(make):
    problem = Quadratic(seed=18)
    config = {"lr": 0.05, "amsgrad": True, "weight_decay": 0.01}
    uninterrupted = run_ours(problem, lambda params: make(params, **config), 10)

    params = [ag.tensor(value.copy(), requires_grad=True) for value in problem.init]
    optimizer = make(params, **config)
    first = run_ours(problem, None, 5, params=params, optimizer=optimizer)
    saved = optimizer.state_dict()
    resumed_params = [ag.tensor(p.numpy().copy(), requires_grad=True) for p in params]
    resumed = make(resumed_params)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["amsgrad"] is True
    second = run_ours(problem, None, 5, params=resumed_params, optimizer=resumed)
    for got, want in zip(first + second, uninterrupted):
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -1e-3}, "Invalid learning rate: -0.001"),
        ({"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
        ({"betas": (1.0, 0.999)}, r"Invalid beta parameter at index 0: 1.0\. Each beta must be in \[0, 1\)"),
        ({"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
        ({"betas": (0.9,)}, "betas must be a pair"),
        ({"weight_decay": -0.1}, "Invalid weight_decay value: -0.1"),
    ],
)
@pytest.mark.parametrize("make", [optim.Adam, optim.AdamW])
def test_adam_bad_options_are_refused(make, kwargs, message):
    w = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=message):
        make([w], **kwargs)


def test_adamw_keeps_decoupled_weight_decay_after_loading_an_adam_state():
    w = ag.zeros(2, requires_grad=True)
    adam_state = optim.Adam([w], weight_decay=0.1).state_dict()
    adamw = optim.AdamW([ag.zeros(2, requires_grad=True)])
    adamw.load_state_dict(adam_state)
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True
    assert adamw.param_groups[0]["weight_decay"] == 0.1


def test_adamw_defaults_match_torch():
    torch = pytest.importorskip("torch")
    ours = optim.AdamW([ag.zeros(2, requires_grad=True)]).defaults
    theirs = torch.optim.AdamW([torch.zeros(2, requires_grad=True)]).defaults
    for key in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"):
        assert ours[key] == theirs[key], key
