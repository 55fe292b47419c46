"""Callbacks for ``fit``: code that runs at fixed points of training (Keras's conveniences).

``fit`` calls, in order: ``on_train_begin``; per epoch ``on_epoch_begin``, ``on_batch_end``
after every optimizer step, ``on_epoch_end`` with the epoch's ``logs`` (``loss``,
``val_loss``, metrics, ``lr``); and ``on_train_end``. Before training it sets ``model`` and
``optimizer`` on each callback. A callback stops training by setting ``stop_training = True``.

>>> history = fit(model, loss_fn, optimizer, train_loader, epochs=100, val_loader=val_loader,
...               callbacks=[EarlyStopping(patience=5, restore_best_weights=True),
...                          ModelCheckpoint("best.npz", save_best_only=True)])   # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import autograd_core

if TYPE_CHECKING:
    from optim.optimizer import Optimizer

    from .modules.module import Module


class Callback:
    """Base class: override the hooks you need; each receives the current ``logs`` dict."""

    def __init__(self) -> None:
        self.model = None
        self.optimizer = None
        self.stop_training = False

    def set_context(self, model: Module, optimizer: Optimizer) -> None:
        """Called by ``fit`` before training: the model being trained and its optimizer."""
        self.model = model
        self.optimizer = optimizer

    def on_train_begin(self, logs: dict[str, float]) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, float]) -> None:
        """At the start of epoch ``epoch`` (counted from 0)."""

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        """After each optimizer step; ``logs`` has the batch's ``loss``."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        """After validation; ``logs`` has the epoch's losses, metrics and ``lr``."""

    def on_train_end(self, logs: dict[str, float]) -> None:
        """After the last epoch (or when a callback stopped training)."""


class _Monitor:
    """Tracks the best value of one logged quantity (``val_loss``, ``val_accuracy``...)."""

    def __init__(self, monitor: str, mode: str, min_delta: float = 0.0) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(min_delta)
        self.reset()

    def reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf

    def value(self, logs: dict[str, float], who: str) -> float:
        if self.monitor not in logs:
            hint = " (pass val_loader to fit for val_ quantities)" if self.monitor.startswith("val_") else ""
            raise KeyError(
                f"{who} monitors {self.monitor!r}, which fit does not log{hint}; the logged "
                f"quantities are {sorted(logs)}"
            )
        return float(logs[self.monitor])

    def improves(self, current: float) -> bool:
        """Better than the best so far by more than ``min_delta``."""
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta


def _copy_state(model) -> dict:
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs.

    An epoch improves when the value beats the best so far by more than ``min_delta``
    (``mode="auto"``: higher is better for accuracies, lower for losses). With
    ``restore_best_weights=True`` the model gets back the weights of its best epoch when
    training ends. ``best``, ``best_epoch`` and ``stopped_epoch`` (None if it never stopped)
    tell what happened.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__()
        self._tracker = _Monitor(monitor, mode, min_delta)
        self.monitor = monitor
        self.patience = patience
        self.restore_best_weights = restore_best_weights

    @property
    def best(self) -> float:
        return self._tracker.best

    def on_train_begin(self, logs: dict[str, float]) -> None:
        self._tracker.reset()
        self.wait = 0
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None
        self.stop_training = False

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        current = self._tracker.value(logs, "EarlyStopping")
        if self._tracker.improves(current):
            self._tracker.best = current
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = _copy_state(self.model)
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.stop_training = True

    def on_train_end(self, logs: dict[str, float]) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model's ``state_dict()`` with ``autograd_core.save`` at the end of epochs.

    ``filepath`` may hold ``{epoch}`` and logged names, formatted Keras-style
    (``"model-{epoch:02d}-{val_loss:.3f}.npz"``, epochs counted from 1). With
    ``save_best_only=True`` it saves only when ``monitor`` improves. Writes are atomic (a
    temporary file renamed into place), so an interrupted run never leaves a broken file.
    Load with ``model.load_state_dict(autograd_core.load(path))``.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self._tracker = _Monitor(monitor, mode)
        self.saved: list[str] = []

    @property
    def best(self) -> float:
        return self._tracker.best

    def on_train_begin(self, logs: dict[str, float]) -> None:
        self._tracker.reset()

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self.save_best_only:
            current = self._tracker.value(logs, "ModelCheckpoint")
            if not self._tracker.improves(current):
                return
            self._tracker.best = current
        path = self.filepath.format(epoch=epoch + 1, **logs)
        autograd_core.save(self.model.state_dict(), path)
        self.saved.append(path)


class LearningRateScheduler(Callback):
    """Set the learning rate every epoch from ``schedule``.

    ``schedule`` is a function ``epoch -> lr`` (epochs counted from 0), applied to every
    parameter group at the start of each epoch, or a scheduler object from
    ``optim.lr_scheduler`` (anything with ``step()``), stepped at the end of each epoch.
    """

    def __init__(self, schedule: Callable[[int], float] | Any) -> None:
        super().__init__()
        if not (callable(schedule) or hasattr(schedule, "step")):
            raise TypeError(
                "schedule must be a function epoch -> lr or a learning-rate scheduler, got "
                f"{type(schedule).__name__}"
            )
        self.schedule = schedule

    def _is_scheduler(self) -> bool:
        return hasattr(self.schedule, "step")

    def on_epoch_begin(self, epoch: int, logs: dict[str, float]) -> None:
        if self._is_scheduler():
            return
        lr = float(self.schedule(epoch))
        if not lr >= 0:
            raise ValueError(f"the schedule gave the learning rate {lr} for epoch {epoch}; it must be >= 0")
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self._is_scheduler():
            self.schedule.step()


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving (Keras's
    callback; ``optim.lr_scheduler.ReduceLROnPlateau`` is PyTorch's scheduler for it).

    After ``patience`` epochs without an improvement larger than ``min_delta``, every group's
    ``lr ← max(lr · factor, min_lr)``; the ``cooldown`` epochs that follow are not counted
    (as in PyTorch; Keras still counts the last of them).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if not 0.0 < factor < 1.0:
            raise ValueError(
                f"factor must be in (0, 1) (the learning rate is multiplied by it), got {factor}"
            )
        self._tracker = _Monitor(monitor, mode, min_delta)
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.cooldown = cooldown
        self.min_lr = min_lr

    @property
    def best(self) -> float:
        return self._tracker.best

    def on_train_begin(self, logs: dict[str, float]) -> None:
        self._tracker.reset()
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        current = self._tracker.value(logs, "ReduceLROnPlateau")
        improved = self._tracker.improves(current)
        if improved:
            self._tracker.best = current
            self.wait = 0
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            return
        if improved:
            return
        self.wait += 1
        if self.wait >= self.patience:
            for group in self.optimizer.param_groups:
                group["lr"] = max(group["lr"] * self.factor, self.min_lr)
            self.cooldown_counter = self.cooldown
            self.wait = 0


class CSVLogger(Callback):
    """Write one row per epoch (``epoch`` and every logged quantity) to a CSV file.

    The header comes from the first epoch's logs; each row is flushed as it is written, so
    the file can be watched during training. ``append=True`` continues an existing file.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self._file = None
        self._keys: list[str] | None = None

    def on_train_begin(self, logs: dict[str, float]) -> None:
        has_rows = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", encoding="utf-8")  # noqa: SIM115
        self._keys = None
        self._write_header = not has_rows

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self._keys is None:
            self._keys = sorted(logs)
            if self._write_header:
                self._file.write(self.separator.join(["epoch", *self._keys]) + "\n")
        values = [str(epoch)] + [repr(float(logs[key])) if key in logs else "" for key in self._keys]
        self._file.write(self.separator.join(values) + "\n")
        self._file.flush()

    def on_train_end(self, logs: dict[str, float]) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
