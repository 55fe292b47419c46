"""All parameters as one flat vector, and back: handy for line searches, second-order methods
and for looking at a model as a point in weight space."""

from __future__ import annotations

from collections.abc import Iterable

import autograd_core
from autograd_core import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Concatenate the parameters, each flattened, into one vector (differentiable).

    >>> import nn
    >>> parameters_to_vector(nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    return autograd_core.cat([param.reshape(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters (in place, under no_grad)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    parameters = list(parameters)
    needed = sum(param.numel() for param in parameters)
    if vec.ndim != 1 or vec.numel() != needed:
        raise ValueError(
            f"vector_to_parameters: the parameters hold {needed} values, so vec must be a vector of that "
            f"length; got shape {tuple(vec.shape)}"
        )
    position = 0
    with autograd_core.no_grad():
        for param in parameters:
            count = param.numel()
            param.copy_(vec[position : position + count].reshape(param.shape))
            position += count
