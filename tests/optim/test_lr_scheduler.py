"""Learning-rate schedules: sequences against their closed forms and against PyTorch."""

import math

import numpy as np
import pytest

import autograd_core as ag
import optim
from optim import lr_scheduler

EPOCHS = 25
BASE_LRS = (0.1, 0.02)


def make_optimizer(lib_optim, lib):
    params = [lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)]
    return lib_optim.SGD(
        [{"params": [params[0]]}, {"params": [params[1]], "lr": BASE_LRS[1]}], lr=BASE_LRS[0]
    )


def sequence(scheduler, epochs=EPOCHS):
    """The learning rates of epochs 0..epochs-1, one list per epoch."""
    lrs = [scheduler.get_last_lr()]
    for _ in range(epochs - 1):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    return np.array(lrs)


def closed_form(factor):
    return np.array([[base * factor(epoch) for base in BASE_LRS] for epoch in range(EPOCHS)])


SCHEDULES = {
    "StepLR": (
        lambda m, o: m.StepLR(o, step_size=4, gamma=0.5),
        lambda epoch: 0.5 ** (epoch // 4),
    ),
    "MultiStepLR": (
        lambda m, o: m.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.1),
        lambda epoch: 0.1 ** sum(epoch >= m for m in [3, 7, 7, 12]),
    ),
    "ExponentialLR": (
        lambda m, o: m.ExponentialLR(o, gamma=0.9),
        lambda epoch: 0.9**epoch,
    ),
    "CosineAnnealingLR": (
        lambda m, o: m.CosineAnnealingLR(o, T_max=EPOCHS - 1),
        lambda epoch: (1 + math.cos(math.pi * epoch / (EPOCHS - 1))) / 2,
    ),
    "LambdaLR": (
        lambda m, o: m.LambdaLR(o, lr_lambda=lambda epoch: 1 / (1 + epoch)),
        lambda epoch: 1 / (1 + epoch),
    ),
    "LinearLR": (
        lambda m, o: m.LinearLR(o),
        lambda epoch: 1 / 3 + (1 - 1 / 3) * min(epoch, 5) / 5,
    ),
    "LinearLR-decay": (
        lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=10),
        lambda epoch: 1.0 + (0.1 - 1.0) * min(epoch, 10) / 10,
    ),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_follows_its_closed_form(name):
    make, factor = SCHEDULES[name]
    scheduler = make(lr_scheduler, make_optimizer(optim, ag))
    lrs = sequence(scheduler)
    np.testing.assert_allclose(lrs, closed_form(factor), rtol=1e-12, atol=1e-15)
    assert [g["lr"] for g in scheduler.optimizer.param_groups] == list(lrs[-1])
    assert scheduler.last_epoch == EPOCHS - 1


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch(name):
    torch = pytest.importorskip("torch")
    make, _ = SCHEDULES[name]
    ours = sequence(make(lr_scheduler, make_optimizer(optim, ag)))
    theirs = sequence(make(torch.optim.lr_scheduler, make_optimizer(torch.optim, torch)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)


def test_cosine_annealing_past_t_max_and_with_eta_min_matches_torch():
    torch = pytest.importorskip("torch")

    def make(module, optimizer):
        return module.CosineAnnealingLR(optimizer, T_max=6, eta_min=0.001)

    ours = sequence(make(lr_scheduler, make_optimizer(optim, ag)), epochs=30)
    theirs = sequence(make(torch.optim.lr_scheduler, make_optimizer(torch.optim, torch)), epochs=30)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    np.testing.assert_allclose(ours[6], [0.001, 0.001], rtol=1e-12)
    np.testing.assert_allclose(ours[12], BASE_LRS, rtol=1e-12)


def test_schedulers_chain_on_one_optimizer_like_torch():
    torch = pytest.importorskip("torch")

    def run(module, lib_optim, lib):
        optimizer = make_optimizer(lib_optim, lib)
        first = module.ExponentialLR(optimizer, gamma=0.9)
        second = module.StepLR(optimizer, step_size=3, gamma=0.5)
        lrs = []
        for _ in range(12):
            optimizer.step()
            first.step()
            second.step()
            lrs.append([g["lr"] for g in optimizer.param_groups])
        return np.array(lrs)

    np.testing.assert_allclose(
        run(lr_scheduler, optim, ag), run(torch.optim.lr_scheduler, torch.optim, torch), rtol=1e-13
    )


def test_the_optimizer_steps_with_the_scheduled_rate():
    w = ag.tensor([0.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    for _ in range(3):
        optimizer.zero_grad()
        (w * -1.0).sum().backward()
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(w.numpy(), [1.0 + 0.5 + 0.25])
    assert scheduler.get_last_lr() == [0.125]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "CosineAnnealingLR", "LinearLR"])
def test_scheduler_state_dict_resume_continues_the_sequence(name):
    make, _ = SCHEDULES[name]
    uninterrupted = sequence(make(lr_scheduler, make_optimizer(optim, ag)))

    optimizer = make_optimizer(optim, ag)
    scheduler = make(lr_scheduler, optimizer)
    first = sequence(scheduler, epochs=10)
    optimizer_state, scheduler_state = optimizer.state_dict(), scheduler.state_dict()
    assert "optimizer" not in scheduler_state and scheduler_state["last_epoch"] == 9

    resumed_optimizer = make_optimizer(optim, ag)
    resumed = make(lr_scheduler, resumed_optimizer)
    resumed_optimizer.load_state_dict(optimizer_state)
    resumed.load_state_dict(scheduler_state)
    rest = []
    for _ in range(EPOCHS - 10):
        resumed.step()
        rest.append(resumed.get_last_lr())
    np.testing.assert_allclose(np.concatenate([first, rest]), uninterrupted, rtol=1e-12)


def test_lambda_lr_per_group_and_state_dict_of_callable_objects():
    class Warmup:
        def __init__(self, epochs):
            self.epochs = epochs

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.epochs)

    optimizer = make_optimizer(optim, ag)
    warmup = Warmup(4)
    scheduler = lr_scheduler.LambdaLR(optimizer, [warmup, lambda epoch: 0.5**epoch])
    lrs = sequence(scheduler, epochs=5)
    np.testing.assert_allclose(lrs[:, 0], [0.1 * min(1, (e + 1) / 4) for e in range(5)])
    np.testing.assert_allclose(lrs[:, 1], [0.02 * 0.5**e for e in range(5)])
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"epochs": 4}, None]
    warmup.epochs = 100
    scheduler.load_state_dict(saved)
    assert warmup.epochs == 4


def test_resuming_with_last_epoch_needs_initial_lr():
    optimizer = optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError, match=r"param_groups\[0\] has no 'initial_lr'"):
        lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=4)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: lr_scheduler.StepLR("sgd", step_size=2), TypeError, "needs an optimizer"),
        (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size must be a positive"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be a positive"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=2), ValueError, "Ending multiplicative factor"),
        (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.5), ValueError, "Factor should be < 1.0"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError, "mode 'up' is unknown"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode 'x'"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
    ],
)
def test_bad_scheduler_arguments_get_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(make_optimizer(optim, ag))


PLATEAU_METRICS = [
    1.0,
    0.9,
    0.9,
    0.91,
    0.95,
    0.8,
    0.8,
    0.8,
    0.8,
    0.7999,
    0.8,
    0.8,
    0.8,
    0.8,
    0.5,
    0.6,
    0.7,
    0.7,
    0.7,
]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 2},
        {"patience": 1, "factor": 0.5, "cooldown": 2},
        {"patience": 0, "factor": 0.5, "min_lr": [0.01, 0.005]},
        {"patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
        {"mode": "max", "patience": 1, "factor": 0.2},
    ],
)
def test_reduce_on_plateau_matches_torch(kwargs):
    torch = pytest.importorskip("torch")

    def run(module, lib_optim, lib):
        optimizer = make_optimizer(lib_optim, lib)
        scheduler = module.ReduceLROnPlateau(optimizer, **kwargs)
        lrs = []
        for metric in PLATEAU_METRICS:
            scheduler.step(metric)
            lrs.append(scheduler.get_last_lr())
        return np.array(lrs)

    ours = run(lr_scheduler, optim, ag)
    np.testing.assert_allclose(ours, run(torch.optim.lr_scheduler, torch.optim, torch), rtol=1e-14)
    assert ours[-1][0] < BASE_LRS[0]


def test_reduce_on_plateau_counts_patience_and_cooldown():
    optimizer = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=2, factor=0.5, cooldown=1, min_lr=0.2)
    lrs = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        scheduler.step(ag.tensor(metric))
        lrs.append(scheduler.get_last_lr()[0])
    # epoch 1 sets the best; 3 bad epochs (> patience 2) reduce; 1 cooldown epoch; then 3 more...
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2]
    assert scheduler.best == 1.0 and scheduler.last_epoch == 12


def test_reduce_on_plateau_state_dict_round_trip():
    optimizer = optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", patience=1)
    for metric in [0.5, 0.4, 0.4]:
        scheduler.step(metric)
    saved = scheduler.state_dict()
    fresh = lr_scheduler.ReduceLROnPlateau(optim.SGD([ag.zeros(1, requires_grad=True)], lr=1.0))
    fresh.load_state_dict(saved)
    assert (fresh.mode, fresh.best, fresh.num_bad_epochs, fresh.last_epoch) == ("max", 0.5, 0, 3)
    assert fresh.mode_worse == -math.inf


@pytest.mark.parametrize("name", ["MultiStepLR", "CosineAnnealingLR", "LambdaLR"])
def test_scheduler_state_survives_a_checkpoint_file(tmp_path, name):
    make, _ = SCHEDULES[name]
    uninterrupted = sequence(make(lr_scheduler, make_optimizer(optim, ag)))
    optimizer = make_optimizer(optim, ag)
    scheduler = make(lr_scheduler, optimizer)
    first = sequence(scheduler, epochs=8)
    ag.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "c.npz")

    checkpoint = ag.load(tmp_path / "c.npz")
    resumed_optimizer = make_optimizer(optim, ag)
    resumed = make(lr_scheduler, resumed_optimizer)
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    rest = []
    for _ in range(EPOCHS - 8):
        resumed.step()
        rest.append(resumed.get_last_lr())
    np.testing.assert_allclose(np.concatenate([first, rest]), uninterrupted, rtol=1e-12)
