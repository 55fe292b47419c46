"""SGD: trajectories against the update rule in NumPy and against PyTorch."""

import numpy as np
import pytest
from optim_testing import Quadratic, assert_moves, assert_same_trajectory, run_ours, run_reference, run_torch

import autograd_core as ag
import optim

STEPS = 8

CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.9, "maximize": True},
]


def sgd_reference(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    """PyTorch's SGD, written out: the first momentum buffer is the gradient itself."""

    def update(thetas, grads, state, t):
        new = []
        for index, (theta, grad) in enumerate(zip(thetas, grads)):
            grad = -grad if maximize else grad
            grad = grad + weight_decay * theta
            if momentum != 0:
                if t == 1:
                    buffer = grad.copy()
                else:
                    buffer = momentum * state[index] + (1 - dampening) * grad
                state[index] = buffer
                grad = grad + momentum * buffer if nesterov else buffer
            new.append(theta - lr * grad)
        return new

    return update


@pytest.mark.parametrize("config", CONFIGS)
def test_sgd_follows_its_update_rule(config):
    problem = Quadratic(seed=1)
    ours = run_ours(problem, lambda params: optim.SGD(params, **config), STEPS)
    expected = run_reference(problem, sgd_reference(**config), STEPS)
    assert_moves(ours, problem)
    assert_same_trajectory(ours, expected)


@pytest.mark.parametrize("config", CONFIGS)
def test_sgd_matches_torch(config):
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=2)
    ours = run_ours(problem, lambda params: optim.SGD(params, **config), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.SGD(params, **config), STEPS)
    assert_same_trajectory(ours, theirs)


def test_sgd_float32_matches_torch():
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=3, dtype=np.float32)
    config = {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}
    ours = run_ours(problem, lambda params: optim.SGD(params, **config), STEPS)
    theirs = run_torch(torch, problem, lambda params: torch.optim.SGD(params, **config), STEPS)
    assert ours[-1][0].dtype == np.float32
    assert_same_trajectory(ours, theirs, rtol=1e-5, atol=1e-6)


def test_sgd_parameter_groups_use_their_own_options():
    torch = pytest.importorskip("torch")
    problem = Quadratic(seed=4)

    def groups(params):
        return [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.01, "momentum": 0.5}]

    ours = run_ours(problem, lambda params: optim.SGD(groups(params), lr=0.1, momentum=0.9), STEPS)
    theirs = run_torch(
        torch, problem, lambda params: torch.optim.SGD(groups(params), lr=0.1, momentum=0.9), STEPS
    )
    assert_same_trajectory(ours, theirs)
    first = run_reference(problem, sgd_reference(lr=0.1, momentum=0.9), STEPS)
    second = run_reference(problem, sgd_reference(lr=0.01, momentum=0.5), STEPS)
    assert_same_trajectory([[step[0]] for step in ours], [[step[0]] for step in first])
    assert_same_trajectory([[step[1]] for step in ours], [[step[1]] for step in second])


def test_sgd_state_dict_resume_continues_exactly():
    problem = Quadratic(seed=5)
    config = {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}
    uninterrupted = run_ours(problem, lambda params: optim.SGD(params, **config), 10)

    params = [ag.tensor(value.copy(), requires_grad=True) for value in problem.init]
    optimizer = optim.SGD(params, **config)
    first = run_ours(problem, None, 5, params=params, optimizer=optimizer)
    saved = optimizer.state_dict()
    resumed_params = [ag.tensor(p.numpy().copy(), requires_grad=True) for p in params]
    resumed = optim.SGD(resumed_params, lr=1.0)
    resumed.load_state_dict(saved)
    second = run_ours(problem, None, 5, params=resumed_params, optimizer=resumed)
    for got, want in zip(first + second, uninterrupted):
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -0.1}, "Invalid learning rate: -0.1"),
        ({"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
        ({"lr": 0.1, "weight_decay": -1e-4}, "Invalid weight_decay value: -0.0001"),
        ({"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
        ({"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening=0.1"),
    ],
)
def test_sgd_bad_options_are_refused(kwargs, message):
    w = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=message):
        optim.SGD([w], **kwargs)


def test_sgd_bad_option_in_a_parameter_group_is_refused():
    w, v = ag.zeros(2, requires_grad=True), ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD([{"params": [w]}, {"params": [v], "lr": -1}], lr=0.1)


def test_sgd_update_leaves_parameters_as_leaves_and_bumps_their_version():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.5)
    (w * w).sum().backward()
    version = w._version
    optimizer.step()
    assert w.is_leaf and w.requires_grad
    assert w._version > version
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])
