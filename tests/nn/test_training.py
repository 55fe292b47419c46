"""fit, History, callbacks and metrics."""

import math
import os

import matplotlib
import numpy as np
import pytest

import autograd_core as ag
import nn
import optim
from autograd_core.data import DataLoader, TensorDataset
from nn import callbacks, metrics

matplotlib.use("Agg")


def mse(output, target):
    return ((output - target) ** 2).mean()


class Scalar(nn.Module):
    """output = w · x: one weight, so the whole run can be followed by hand."""

    def __init__(self, w=0.0):
        super().__init__()
        self.w = nn.Parameter(ag.tensor([w]))
        self.modes = []

    def forward(self, x):
        self.modes.append((self.training, ag.is_grad_enabled()))
        return x * self.w


def constant_loader(target, n=4, batch_size=4):
    return DataLoader(TensorDataset(ag.ones(n, 1), ag.full((n, 1), target)), batch_size=batch_size)


def weights_by_epoch():
    """A callback recording w after every epoch."""

    class Recorder(callbacks.Callback):
        def on_train_begin(self, logs):
            self.values = []

        def on_epoch_end(self, epoch, logs):
            self.values.append(self.model.w.item())

    return Recorder()


# ---------------------------------------------------------------------------- fit
def test_fit_is_the_usual_training_loop():
    """fit gives exactly the parameters of the hand-written loop, and logs the epoch means."""
    ag.manual_seed(0)
    x = ag.randn(40, 3)
    y = x @ ag.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    ag.manual_seed(1)
    model = nn.Linear(3, 1)
    ag.manual_seed(1)
    reference = nn.Linear(3, 1)

    history = nn.fit(
        model,
        mse,
        optim.SGD(model.parameters(), lr=0.1, momentum=0.5),
        DataLoader(TensorDataset(x, y), batch_size=8),
        epochs=3,
        progress=False,
    )

    optimizer = optim.SGD(reference.parameters(), lr=0.1, momentum=0.5)
    losses = []
    for _ in range(3):
        total = 0.0
        for start in range(0, 40, 8):
            optimizer.zero_grad()
            loss = mse(reference(x[start : start + 8]), y[start : start + 8])
            loss.backward()
            optimizer.step()
            total += loss.item() * 8
        losses.append(total / 40)
    np.testing.assert_array_equal(model.weight.numpy(), reference.weight.numpy())
    np.testing.assert_array_equal(model.bias.numpy(), reference.bias.numpy())
    np.testing.assert_allclose(history["loss"], losses, rtol=1e-12)
    assert history["loss"][2] < history["loss"][0] / 2
    assert history["lr"] == [0.1, 0.1, 0.1]
    assert history.epoch == [0, 1, 2]


def test_fit_logs_validation_loss_and_metrics_per_epoch():
    model = Scalar(0.0)
    history = nn.fit(
        model,
        mse,
        optim.SGD(model.parameters(), lr=0.25),
        constant_loader(2.0),
        epochs=2,
        val_loader=constant_loader(1.0),
        metrics=("mae", metrics.mean_absolute_error),
        progress=False,
    )
    # w: 0 -> 1 (grad 2·(0-2) = -4, lr 0.25) -> 1.5; training logs are taken before each step
    assert set(history.keys()) == {"loss", "mae", "mean_absolute_error", "val_loss", "val_mae",
                                   "val_mean_absolute_error", "lr"}  # fmt: skip
    assert history["loss"] == [4.0, 1.0]
    assert history["mae"] == [2.0, 1.0]
    assert history["val_loss"] == [0.0, 0.25]
    assert history["val_mean_absolute_error"] == [0.0, 0.5]


def test_fit_trains_in_train_mode_validates_in_eval_mode_without_grad_and_restores_the_mode():
    model = Scalar(0.0)
    model.eval()
    nn.fit(
        model,
        mse,
        optim.SGD(model.parameters(), lr=0.1),
        constant_loader(1.0, n=4, batch_size=2),
        epochs=2,
        val_loader=constant_loader(1.0, n=2, batch_size=2),
        progress=False,
    )
    train, val = (True, True), (False, False)
    assert model.modes == [train, train, val, train, train, val]
    assert not model.training


def test_fit_steps_a_scheduler_once_per_epoch():
    model = Scalar()
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    history = nn.fit(
        model, mse, optimizer, constant_loader(1.0), epochs=5, scheduler=scheduler, progress=False
    )
    assert history["lr"] == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_fit_gives_reduce_on_plateau_the_validation_loss():
    model = Scalar()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5)
    history = nn.fit(
        model,
        mse,
        optimizer,
        constant_loader(3.0),
        epochs=6,
        val_loader=constant_loader(0.0),
        scheduler=scheduler,
        progress=False,
    )
    val = history["val_loss"]
    assert all(b > a for a, b in zip(val, val[1:]))  # w moves away from the validation target
    assert history["lr"] == [0.1, 0.1, 0.05, 0.025, 0.0125, 0.00625]  # from the 2nd bad epoch on
    assert scheduler.best == val[0]


def test_fit_rejects_batches_that_are_not_pairs():
    model = Scalar()
    loader = DataLoader(TensorDataset(ag.ones(4, 1)), batch_size=2)
    with pytest.raises(TypeError, match=r"\(inputs, targets\) pairs.*with 1 items"):
        nn.fit(model, mse, optim.SGD(model.parameters(), lr=0.1), loader, epochs=1, progress=False)


def test_fit_rejects_an_unknown_metric_and_an_empty_loader():
    model = Scalar()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="unknown metric 'precision'"):
        nn.fit(model, mse, optimizer, constant_loader(1.0), epochs=1, metrics=["precision"], progress=False)
    with pytest.raises(ValueError, match="gave no batches"):
        nn.fit(model, mse, optimizer, [], epochs=1, progress=False)


def test_progress_bar_shows_loss_only_when_someone_watches(capsys, monkeypatch):
    model = Scalar()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    nn.fit(model, mse, optimizer, constant_loader(1.0), epochs=1, metrics=["mae"])
    assert capsys.readouterr().err == ""  # pytest's captured stderr is not a terminal
    monkeypatch.setattr(nn.training, "_can_show_progress", lambda: True)
    nn.fit(
        model,
        mse,
        optimizer,
        constant_loader(1.0),
        epochs=2,
        metrics=["mae"],
        val_loader=constant_loader(0.0),
    )
    err = capsys.readouterr().err
    assert "epoch 1/2" in err and "epoch 2/2" in err
    assert "loss=" in err and "mae=" in err and "val_loss=" in err
    nn.fit(model, mse, optimizer, constant_loader(1.0), epochs=1, progress=False)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------- History
def test_history_records_and_copies():
    history = nn.History()
    history.record(0, {"loss": 1.0, "val_loss": 2.0})
    history.record(1, {"loss": 0.5, "val_loss": 1.5})
    assert history["loss"] == [1.0, 0.5] and len(history) == 2 and "val_loss" in history
    copy = history.to_dict()
    copy["loss"].append(0.0)
    assert history["loss"] == [1.0, 0.5]
    assert repr(history) == "History(epochs=2, keys=['loss', 'val_loss'])"
    with pytest.raises(
        KeyError, match=r"'accuracy' was not recorded; the history has \['loss', 'val_loss'\]"
    ):
        history["accuracy"]


def test_history_plot_returns_a_figure_with_one_panel_per_quantity():
    import matplotlib.pyplot as plt

    history = nn.History()
    for epoch, (loss, acc) in enumerate([(1.0, 0.5), (0.6, 0.7), (0.4, 0.8)]):
        history.record(
            epoch, {"loss": loss, "accuracy": acc, "val_loss": loss + 0.1, "val_accuracy": acc, "lr": 0.1}
        )
    figure = history.plot()
    assert isinstance(figure, matplotlib.figure.Figure)
    axes = figure.get_axes()
    assert [axis.get_ylabel() for axis in axes] == ["loss", "accuracy"]  # lr is constant: no panel
    loss_lines = axes[0].get_lines()
    assert [line.get_label() for line in loss_lines] == ["train loss", "validation loss"]
    np.testing.assert_allclose(loss_lines[1].get_ydata(), [1.1, 0.7, 0.5])
    np.testing.assert_array_equal(loss_lines[0].get_xdata(), [1, 2, 3])
    plt.close(figure)
    with pytest.raises(ValueError, match="the history is empty"):
        nn.History().plot()


# ---------------------------------------------------------------------------- callbacks
def overshooting_run(*extra_callbacks, epochs=12, patience=2, restore=True):
    """w moves from 0 towards the training target 3; the validation target is 1, so the
    validation loss falls until w passes 1 and then rises."""
    model = Scalar(0.0)
    recorder = weights_by_epoch()
    stopper = callbacks.EarlyStopping(patience=patience, restore_best_weights=restore)
    history = nn.fit(
        model,
        mse,
        optim.SGD(model.parameters(), lr=0.05),
        constant_loader(3.0),
        epochs=epochs,
        val_loader=constant_loader(1.0),
        callbacks=[recorder, stopper, *extra_callbacks],
        progress=False,
    )
    return model, history, recorder, stopper


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    model, history, recorder, stopper = overshooting_run()
    val = history["val_loss"]
    best = int(np.argmin(val))
    assert 0 < best < len(val) - 1
    assert stopper.best_epoch == best and stopper.best == val[best]
    assert stopper.stopped_epoch == best + 2 and len(history) == best + 3
    assert model.w.item() == recorder.values[best]
    assert recorder.values[-1] != recorder.values[best]


def test_early_stopping_without_restore_keeps_the_last_weights():
    model, history, recorder, stopper = overshooting_run(restore=False)
    assert stopper.stopped_epoch is not None
    assert model.w.item() == recorder.values[-1]


def test_early_stopping_mode_auto_maximises_accuracies():
    stopper = callbacks.EarlyStopping(monitor="val_accuracy", patience=1, min_delta=0.01)
    stopper.set_context(Scalar(), None)
    stopper.on_train_begin({})
    for epoch, value in enumerate([0.5, 0.6, 0.605]):
        stopper.on_epoch_end(epoch, {"val_accuracy": value})
    assert stopper.best == 0.6 and stopper.stopped_epoch == 2 and stopper.stop_training


def test_a_missing_monitored_quantity_is_named_with_the_logged_ones():
    model = Scalar()
    with pytest.raises(KeyError, match=r"monitors 'val_loss'.*pass val_loader.*\['loss', 'lr'\]"):
        nn.fit(
            model,
            mse,
            optim.SGD(model.parameters(), lr=0.1),
            constant_loader(1.0),
            epochs=2,
            callbacks=[callbacks.EarlyStopping()],
            progress=False,
        )


def test_a_callback_can_stop_training_in_the_middle_of_an_epoch():
    class StopAfter(callbacks.Callback):
        def __init__(self, batches):
            super().__init__()
            self.batches = batches
            self.seen = 0

        def on_batch_end(self, batch, logs):
            self.seen += 1
            self.stop_training = self.seen >= self.batches

    model = Scalar()
    stop = StopAfter(3)
    history = nn.fit(
        model,
        mse,
        optim.SGD(model.parameters(), lr=0.1),
        constant_loader(1.0, n=10, batch_size=2),
        epochs=4,
        callbacks=[stop],
        progress=False,
    )
    assert stop.seen == 3 and len(history) == 1


def test_model_checkpoint_best_only_file_loads_into_an_identical_model(tmp_path):
    path = tmp_path / "best.npz"
    checkpoint = callbacks.ModelCheckpoint(path, save_best_only=True)
    model, history, recorder, stopper = overshooting_run(checkpoint, restore=False)
    best = int(np.argmin(history["val_loss"]))
    assert len(checkpoint.saved) == best + 1 and checkpoint.best == min(history["val_loss"])
    fresh = Scalar(123.0)
    fresh.load_state_dict(ag.load(path))
    assert fresh.w.item() == recorder.values[best]
    assert os.listdir(tmp_path) == ["best.npz"]


def test_model_checkpoint_every_epoch_with_a_formatted_name(tmp_path):
    ag.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    x, y = ag.randn(6, 3), ag.randn(6, 2)
    checkpoint = callbacks.ModelCheckpoint(tmp_path / "model-{epoch:02d}-{loss:.3f}.npz")
    history = nn.fit(
        model,
        mse,
        optim.Adam(model.parameters(), lr=0.01),
        DataLoader(TensorDataset(x, y), batch_size=3),
        epochs=3,
        callbacks=[checkpoint],
        progress=False,
    )
    expected = [f"model-{epoch + 1:02d}-{loss:.3f}.npz" for epoch, loss in enumerate(history["loss"])]
    assert sorted(os.listdir(tmp_path)) == expected
    ag.manual_seed(99)
    twin = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    twin.load_state_dict(ag.load(tmp_path / expected[-1]))
    with ag.no_grad():
        np.testing.assert_array_equal(twin(x).numpy(), model(x).numpy())


def test_learning_rate_scheduler_callback_with_a_function_and_with_a_scheduler():
    model = Scalar()
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    schedule = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (1 + epoch))
    history = nn.fit(
        model, mse, optimizer, constant_loader(1.0), epochs=4, callbacks=[schedule], progress=False
    )
    np.testing.assert_allclose(history["lr"], [0.1, 0.05, 0.1 / 3, 0.025])

    optimizer = optim.SGD(model.parameters(), lr=1.0)
    schedule = callbacks.LearningRateScheduler(optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5))
    history = nn.fit(
        model, mse, optimizer, constant_loader(1.0), epochs=4, callbacks=[schedule], progress=False
    )
    assert history["lr"] == [1.0, 0.5, 0.25, 0.125]


def test_learning_rate_scheduler_callback_refuses_bad_input():
    with pytest.raises(TypeError, match="a function epoch -> lr or a learning-rate scheduler"):
        callbacks.LearningRateScheduler(0.1)
    schedule = callbacks.LearningRateScheduler(lambda epoch: -1.0)
    schedule.set_context(Scalar(), optim.SGD(Scalar().parameters(), lr=0.1))
    with pytest.raises(ValueError, match="learning rate -1.0 for epoch 0"):
        schedule.on_epoch_begin(0, {})


def test_reduce_lr_on_plateau_callback_follows_keras():
    model = Scalar()
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    plateau = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    plateau.set_context(model, optimizer)
    plateau.on_train_begin({})
    lrs = []
    for epoch, value in enumerate([1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]):
        plateau.on_epoch_end(epoch, {"val_loss": value})
        lrs.append(optimizer.param_groups[0]["lr"])
    # 2 epochs without improvement halve the rate; the epoch after is a cooldown (not counted);
    # 0.4 improves (during a cooldown); min_lr stops the last reduction at 0.2
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]
    assert plateau.best == 0.4
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\)"):
        callbacks.ReduceLROnPlateau(factor=2.0)


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    model = Scalar()
    history = nn.fit(
        model,
        mse,
        optim.SGD(model.parameters(), lr=0.25),
        constant_loader(2.0),
        epochs=3,
        val_loader=constant_loader(1.0),
        callbacks=[callbacks.CSVLogger(path)],
        progress=False,
    )
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss,lr,val_loss"
    rows = [[float(value) for value in line.split(",")] for line in lines[1:]]
    assert [row[0] for row in rows] == [0, 1, 2]
    assert [row[1] for row in rows] == history["loss"]
    assert [row[3] for row in rows] == history["val_loss"]
    nn.fit(
        model,
        mse,
        optim.SGD(model.parameters(), lr=0.25),
        constant_loader(2.0),
        epochs=1,
        val_loader=constant_loader(1.0),
        callbacks=[callbacks.CSVLogger(path, append=True)],
        progress=False,
    )
    lines = path.read_text().splitlines()
    assert len(lines) == 5 and lines[0] == "epoch,loss,lr,val_loss" and lines[4].startswith("0,")


# ---------------------------------------------------------------------------- metrics
def test_accuracy_of_logits_probabilities_and_one_hot_targets():
    logits = ag.tensor([[2.0, 0.1, -1.0], [0.3, 1.5, 0.0], [0.0, 0.1, 0.2], [5.0, 0.0, 0.0]])
    target = ag.tensor([0, 1, 0, 2])
    assert metrics.accuracy(logits, target) == 0.5
    assert metrics.accuracy(logits.softmax(dim=1), target) == 0.5
    one_hot = ag.tensor(np.eye(3, dtype=np.float32)[[0, 1, 0, 2]])
    assert metrics.accuracy(logits, one_hot) == 0.5


def test_accuracy_of_a_single_logit_column_is_binary():
    logits = ag.tensor([[0.2], [-1.3], [0.7], [-0.1]])
    assert metrics.accuracy(logits, ag.tensor([[1.0], [0.0], [0.0], [0.0]])) == 0.75
    assert metrics.accuracy(logits.reshape(-1), ag.tensor([1, 0, 1, 1])) == 0.75
    assert metrics.accuracy(logits.sigmoid(), ag.tensor([1, 0, 1, 1]), threshold=0.5) == 0.75


def test_accuracy_refuses_mismatched_targets():
    with pytest.raises(
        ValueError, match=r"output has shape \(4, 3\) \(4 predictions\) but the target gives \(3,\)"
    ):
        metrics.accuracy(ag.zeros(4, 3), ag.tensor([0, 1, 2]))


def test_mean_absolute_error():
    output = ag.tensor([[1.0], [2.0], [4.0]])
    assert metrics.mean_absolute_error(output, ag.tensor([1.5, 2.0, 1.0])) == pytest.approx(3.5 / 3)
    with pytest.raises(ValueError, match=r"output has shape \(3, 1\) but target has shape \(2,\)"):
        metrics.mean_absolute_error(output, ag.tensor([1.0, 2.0]))


def test_metrics_by_name_and_as_functions():
    assert metrics.get("accuracy") == ("accuracy", metrics.accuracy)
    assert metrics.get("mae") == ("mae", metrics.mean_absolute_error)

    def top_error(output, target):
        return 1.0 - metrics.accuracy(output, target)

    assert metrics.get(top_error) == ("top_error", top_error)
    with pytest.raises(TypeError, match="a metric is a name or a function"):
        metrics.get(3)
    assert math.isclose(top_error(ag.tensor([[1.0, 0.0]]), ag.tensor([1])), 1.0)
