"""``fit``: a small training loop for people who do not want to write their own, and ``History``.

It is the loop every PyTorch tutorial writes, with the Keras conveniences around it::

    for epoch in range(epochs):
        model.train()
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
        model.eval()
        with no_grad():
            ...validation loss and metrics...

``optimizer`` is any object with ``zero_grad()``, ``step()`` and ``param_groups`` (the
``optim`` optimizers): ``nn`` does not import ``optim``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from autograd_core import no_grad

from . import metrics as _metrics
from .callbacks import Callback

if TYPE_CHECKING:  # matplotlib is imported only when a history is plotted
    from collections.abc import Callable

    import matplotlib.figure

    from autograd_core import Tensor
    from optim.lr_scheduler import LRScheduler
    from optim.optimizer import Optimizer

    from .metrics import Metric
    from .modules.module import Module


class History:
    """Per-epoch values recorded by ``fit``: ``history["loss"]``, ``history["val_loss"]``,
    ``history["accuracy"]``, ``history["lr"]``... each a list with one float per epoch.

    >>> history = fit(model, loss_fn, optimizer, loader, epochs=3)   # doctest: +SKIP
    >>> history["loss"]                                              # doctest: +SKIP
    [0.91, 0.42, 0.31]
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def record(self, epoch: int, logs: dict[str, float]) -> None:
        """Append one epoch's logged values."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.history:
            raise KeyError(f"{key!r} was not recorded; the history has {sorted(self.history)}")
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def keys(self) -> list[str]:
        return list(self.history)

    def to_dict(self) -> dict[str, list[float]]:
        """A plain dict of lists (a copy), ready for JSON or ``autograd_core.save``."""
        return {key: list(values) for key, values in self.history.items()}

    def plot(self, keys: Sequence[str] | None = None) -> matplotlib.figure.Figure:
        """One panel per quantity (``loss``, ``accuracy``...) with training and validation
        curves against the epoch number; ``lr`` gets a panel when it changed. Returns the
        matplotlib ``Figure`` (save it with ``figure.savefig("curves.png")``)."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if not self.epoch:
            raise ValueError("the history is empty: nothing to plot before an epoch has been recorded")
        if keys is None:
            keys = [key for key in self.history if not key.startswith("val_") and self._varies(key)]
        figure, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.5), squeeze=False)
        epochs = [epoch + 1 for epoch in self.epoch]
        for axis, key in zip(axes[0], keys):
            axis.plot(epochs, self[key], marker=".", label=f"train {key}" if key != "lr" else "lr")
            if f"val_{key}" in self.history:
                axis.plot(epochs, self[f"val_{key}"], marker=".", label=f"validation {key}")
            axis.set_xlabel("epoch")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.set_ylabel(key)
            axis.grid(alpha=0.3)
            axis.legend()
        figure.tight_layout()
        return figure

    def _varies(self, key: str) -> bool:
        return key != "lr" or len(set(self.history[key])) > 1

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={self.keys()})"


def fit(
    model: Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: Optimizer,
    train_loader: Iterable,
    epochs: int,
    val_loader: Iterable | None = None,
    metrics: Sequence[str | Metric] = (),
    callbacks: Sequence[Callback] = (),
    scheduler: LRScheduler | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return the ``History``.

    - ``train_loader`` / ``val_loader`` yield ``(inputs, targets)`` batches (a ``DataLoader``).
    - ``loss_fn(model(inputs), targets)`` is the loss (``nn.CrossEntropyLoss()``...).
    - ``metrics``: names (``"accuracy"``, ``"mean_absolute_error"``) or functions
      ``(output, target) -> float``; logged per epoch as ``accuracy`` and ``val_accuracy``.
    - ``callbacks``: ``EarlyStopping``, ``ModelCheckpoint``, ``CSVLogger``... (``nn.callbacks``).
    - ``scheduler``: stepped once per epoch; a ``ReduceLROnPlateau`` is given ``val_loss``
      (``loss`` without a validation set).
    - ``progress``: a tqdm bar per epoch with the running loss and metrics, shown only on a
      terminal or in a notebook.

    The model is in training mode while it learns and in evaluation mode (under ``no_grad``)
    while it is validated; it is returned to the mode it had before.

    >>> history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
    ...               train_loader, epochs=10, val_loader=val_loader, metrics=["accuracy"])  # doctest: +SKIP
    """
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    named_metrics = [_metrics.get(metric) for metric in metrics]
    callbacks = list(callbacks)
    history = History()
    show = progress and _can_show_progress()
    was_training = model.training
    for callback in callbacks:
        callback.set_context(model, optimizer)
    _call(callbacks, "on_train_begin", {})
    logs: dict[str, float] = {}
    for epoch in range(epochs):
        _call(callbacks, "on_epoch_begin", epoch, {})
        lr = optimizer.param_groups[0]["lr"]
        bar = _progress_bar(train_loader, epoch, epochs) if show else None
        logs = _train_one_epoch(model, loss_fn, optimizer, train_loader, named_metrics, callbacks, bar)
        if val_loader is not None:
            validation = _evaluate(model, loss_fn, val_loader, named_metrics)
            logs.update({f"val_{key}": value for key, value in validation.items()})
        logs["lr"] = lr
        if bar is not None:
            bar.set_postfix(_short(logs), refresh=False)
            bar.close()
        if scheduler is not None:
            _step_scheduler(scheduler, logs)
        history.record(epoch, logs)
        _call(callbacks, "on_epoch_end", epoch, logs)
        if any(callback.stop_training for callback in callbacks):
            break
    _call(callbacks, "on_train_end", logs)
    model.train(was_training)
    return history


def evaluate(
    model: Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    loader: Iterable,
    metrics: Sequence[str | Metric] = (),
) -> dict[str, float]:
    """The mean loss and metrics over ``loader``, with the model in eval mode under ``no_grad``.

    Means are weighted by batch size, so they are exact over the whole data set.
    """
    return _evaluate(model, loss_fn, loader, [_metrics.get(metric) for metric in metrics])


def _evaluate(model, loss_fn, loader, named_metrics) -> dict[str, float]:
    model.eval()
    totals = _Totals()
    with no_grad():
        for inputs, targets in _batches(loader):
            output = model(inputs)
            totals.add(loss_fn(output, targets).item(), output, targets, named_metrics)
    return totals.means()


def _train_one_epoch(model, loss_fn, optimizer, loader, named_metrics, callbacks, bar) -> dict[str, float]:
    model.train()
    totals = _Totals()
    for batch, (inputs, targets) in enumerate(_batches(loader)):
        optimizer.zero_grad()
        output = model(inputs)
        loss = loss_fn(output, targets)
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
        totals.add(loss_value, output.detach(), targets, named_metrics)
        if bar is not None:
            bar.set_postfix(_short(totals.means()), refresh=False)
            bar.update(1)
        _call(callbacks, "on_batch_end", batch, {"loss": loss_value})
        if any(callback.stop_training for callback in callbacks):
            break
    if totals.count == 0:
        raise ValueError("the training loader gave no batches; check the dataset and batch_size")
    return totals.means()


class _Totals:
    """Running sums of the loss and metrics, weighted by the number of examples per batch."""

    def __init__(self) -> None:
        self.count = 0
        self.sums: dict[str, float] = {}

    def add(
        self, loss: float, output: Tensor, targets: Tensor, named_metrics: Sequence[tuple[str, Metric]]
    ) -> None:
        size = len(targets)
        self.count += size
        self.sums["loss"] = self.sums.get("loss", 0.0) + loss * size
        for name, metric in named_metrics:
            self.sums[name] = self.sums.get(name, 0.0) + metric(output, targets) * size

    def means(self) -> dict[str, float]:
        return {key: total / self.count for key, total in self.sums.items()}


def _batches(loader):
    for batch in loader:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise TypeError(
                "fit expects the loader to give (inputs, targets) pairs, such as "
                f"DataLoader(TensorDataset(x, y)); got a batch of type {type(batch).__name__}"
                + (f" with {len(batch)} items" if isinstance(batch, (tuple, list)) else "")
            )
        yield batch


def _step_scheduler(scheduler, logs: dict[str, float]) -> None:
    """``ReduceLROnPlateau.step(metric)`` gets the validation loss; the others ``step()``."""
    if "metrics" in inspect.signature(scheduler.step).parameters:
        scheduler.step(logs.get("val_loss", logs["loss"]))
    else:
        scheduler.step()


def _call(callbacks, hook: str, *args) -> None:
    for callback in callbacks:
        getattr(callback, hook)(*args)


def _can_show_progress() -> bool:
    """A progress bar only where someone watches: a terminal, or a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        shell = ipython.get_ipython()
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            return True
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


def _progress_bar(loader, epoch: int, epochs: int):
    from tqdm import tqdm

    total = len(loader) if hasattr(loader, "__len__") else None
    return tqdm(total=total, desc=f"epoch {epoch + 1}/{epochs}", unit="batch", dynamic_ncols=True)


def _short(logs: dict[str, float]) -> dict[str, str]:
    """The bar's postfix: each quantity to 4 significant digits (the learning rate left out)."""
    return {key: f"{value:.4g}" for key, value in logs.items() if key != "lr"}
