"""``autograd_core.autograd``: PyTorch's ``torch.autograd`` — ``backward``, ``grad``,
``Function``, ``gradcheck``/``gradgradcheck`` and ``detect_anomaly``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from .anomaly import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import AccumulateGrad, Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike


def _seed(output: Tensor, gradient, name: str) -> Tensor:
    """The gradient to start from: 1 for a scalar, else the one the caller gave."""
    if gradient is None:
        if output._data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs: {name} has shape "
                f"{tuple(output.shape)}. Reduce it first (loss = out.sum() or out.mean()) or "
                f"pass gradient=<a tensor of shape {tuple(output.shape)}>."
            )
        return _tensor_from_array(np.array(1, output._data.dtype).reshape(output._data.shape))
    if not isinstance(gradient, Tensor):
        gradient = _tensor_from_array(np.asarray(gradient, dtype=output.dtype))
    if gradient.shape != output.shape:
        raise RuntimeError(
            f"the gradient passed for {name} has shape {tuple(gradient.shape)}, but {name} has "
            f"shape {tuple(output.shape)}: they must match"
        )
    return gradient


def _as_sequence(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _check_differentiable(output: Tensor, name: str) -> None:
    if not output._requires_grad:
        raise RuntimeError(
            f"{name} does not require grad and has no grad_fn: nothing it was computed from "
            "requires grad. Create the inputs with requires_grad=True (or call "
            "x.requires_grad_()), and do not compute it under no_grad()."
        )


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | ArrayLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves."""
    tensors = _as_sequence(tensors)
    grad_tensors = _as_sequence(grad_tensors) or (None,) * len(tensors)
    seeds = []
    for index, (output, gradient) in enumerate(zip(tensors, grad_tensors)):
        name = "the tensor" if len(tensors) == 1 else f"output {index}"
        _check_differentiable(output, name)
        seeds.append(_seed(output, gradient, name))
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_sequence(inputs)
        grads = grad(tensors, inputs, seeds, retain_graph, create_graph, allow_unused=True)
        for tensor, gradient in zip(inputs, grads):
            if gradient is None:
                continue
            if tensor.grad is None:
                # a copy: the gradient may be the caller's seed or shared with another input
                tensor.grad = gradient.clone() if create_graph else _tensor_from_array(gradient._data.copy())
            else:
                tensor.grad = tensor.grad + gradient
        return
    run_backward(tensors, seeds, retain_graph, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | ArrayLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched).

    With ``create_graph=True`` the returned gradients are themselves differentiable:
    ``grad(grad(y, x, create_graph=True)[0], x)`` is the second derivative.
    """
    outputs = _as_sequence(outputs)
    inputs = _as_sequence(inputs)
    grad_outputs = _as_sequence(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_outputs has {len(grad_outputs)} entries for {len(outputs)} outputs")
    for index, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor) or not tensor._requires_grad:
            raise RuntimeError(
                f"input {index} of grad() does not require grad; create it with requires_grad=True"
            )
    seeds = []
    for index, (output, gradient) in enumerate(zip(outputs, grad_outputs)):
        name = "the output" if len(outputs) == 1 else f"output {index}"
        _check_differentiable(output, name)
        seeds.append(_seed(output, gradient, name))
    capture = {}
    for index, tensor in enumerate(inputs):
        place = (tensor, 0) if tensor.grad_fn is None else (tensor.grad_fn, tensor._output_nr)
        capture.setdefault(place, index)
    if retain_graph is None:
        retain_graph = create_graph
    captured = run_backward(outputs, seeds, retain_graph, create_graph, capture=capture)
    results = []
    for index, tensor in enumerate(inputs):
        place = (tensor, 0) if tensor.grad_fn is None else (tensor.grad_fn, tensor._output_nr)
        value = captured.get(capture[place])
        if value is None:
            if materialize_grads:
                value = _tensor_from_array(np.zeros_like(tensor._data))
            elif not allow_unused:
                raise RuntimeError(
                    f"input {index} (shape {tuple(tensor.shape)}) was not used to compute the "
                    "outputs, so it has no gradient. Pass allow_unused=True to get None for it."
                )
        results.append(value)
    return tuple(results)


from . import functional  # noqa: E402  (built on grad, defined above)

__all__ = [
    "AccumulateGrad",
    "Function",
    "GradcheckError",
    "backward",
    "detect_anomaly",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "set_detect_anomaly",
]
