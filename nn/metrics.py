"""Metrics for ``fit``: functions ``(output, target) -> float``, also accepted by name.

>>> accuracy(ag.tensor([[2.0, 0.1], [0.3, 1.5]]), ag.tensor([0, 0]))
0.5
>>> fit(model, loss_fn, optimizer, loader, epochs=5, metrics=("accuracy",))   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

from autograd_core import Tensor, no_grad

Metric = Callable[[Tensor, Tensor], float]


def accuracy(output: Tensor, target: Tensor, threshold: float = 0.0) -> float:
    """The fraction of examples whose predicted class is the target class.

    - ``output`` of shape ``(N, C)`` with ``C >= 2`` (logits or probabilities): the prediction
      is ``output.argmax(dim=1)``. ``target`` holds class indices ``(N,)``, or one-hot rows
      ``(N, C)``.
    - ``output`` of shape ``(N,)`` or ``(N, 1)``, one logit per example (binary): the prediction
      is ``output > threshold`` (0 for logits; pass ``threshold=0.5`` for probabilities), and
      ``target`` holds 0/1.

    >>> accuracy(ag.tensor([[0.2], [-1.3], [0.7]]), ag.tensor([[1.0], [0.0], [0.0]]))
    0.6666666666666666
    """
    with no_grad():
        if output.ndim == 2 and output.shape[1] > 1:
            predicted = output.argmax(dim=1)
            if target.ndim == 2:
                target = target.argmax(dim=1)
        else:
            predicted = (output > threshold).reshape(-1)
            target = target.reshape(-1) > 0.5
        _check_lengths("accuracy", predicted, target, output)
        return (predicted == target.to(predicted.dtype)).double().mean().item()


def mean_absolute_error(output: Tensor, target: Tensor) -> float:
    """``mean(|output - target|)`` over all elements (regression). ``target`` must have as many
    elements as ``output``; an ``(N,)`` target is matched to an ``(N, 1)`` output."""
    with no_grad():
        if target.numel() != output.numel():
            raise ValueError(
                f"mean_absolute_error: output has shape {tuple(output.shape)} but target has shape "
                f"{tuple(target.shape)}; they need the same number of elements"
            )
        return (output - target.reshape(output.shape)).abs().mean().item()


_BY_NAME: dict[str, Metric] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error,
}


def get(metric: str | Metric) -> tuple[str, Metric]:
    """``(name, function)`` for a metric given by name (``"accuracy"``, ``"mae"``...) or as a
    function (its ``__name__`` becomes the name in the history)."""
    if isinstance(metric, str):
        if metric not in _BY_NAME:
            raise ValueError(f"unknown metric {metric!r}: use one of {sorted(_BY_NAME)} or pass a function")
        return metric, _BY_NAME[metric]
    if callable(metric):
        return getattr(metric, "__name__", type(metric).__name__), metric
    raise TypeError(
        f"a metric is a name or a function (output, target) -> float, got {type(metric).__name__}"
    )


def _check_lengths(name: str, predicted: Tensor, target: Tensor, output: Tensor) -> None:
    if predicted.shape != target.shape:
        raise ValueError(
            f"{name}: the output has shape {tuple(output.shape)} ({predicted.shape[0]} predictions) "
            f"but the target gives {tuple(target.shape)}; pass one class index (or one 0/1 label) per example"
        )
