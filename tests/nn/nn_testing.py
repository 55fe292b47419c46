"""Shared pieces of the nn tests: float64 gradient checks of a module's output with respect to
its inputs and every parameter, and copying a PyTorch module's weights in."""

from __future__ import annotations

import numpy as np

import autograd_core as ag
from autograd_core.autograd import gradcheck
from autograd_core.func import functional_call


def t64(values, requires_grad: bool = False) -> ag.Tensor:
    """A float64 tensor."""
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def randn64(*shape, seed: int = 0, scale: float = 1.0, requires_grad: bool = True) -> ag.Tensor:
    values = np.random.default_rng(seed).normal(size=shape) * scale
    return t64(values, requires_grad=requires_grad)


def gradcheck_module(
    module, *inputs, seed: int | None = None, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """Check the module's output gradients against finite differences (float64), with respect
    to the inputs that require grad and to every parameter. With ``seed`` the generator is
    reseeded before each call (so a dropout mask is the same for every evaluation)."""
    names = [name for name, _ in module.named_parameters()]
    params = [param for _, param in module.named_parameters()]

    def function(*args):
        if seed is not None:
            ag.manual_seed(seed)
        values = dict(zip(names, args[len(inputs) :]))
        return functional_call(module, values, tuple(args[: len(inputs)]))

    return gradcheck(function, (*inputs, *params), atol=atol, rtol=rtol)


def load_from_torch(module, torch_module) -> None:
    """Copy a PyTorch module's state dict (as NumPy arrays) into ``module``."""
    module.load_state_dict({key: value.detach().numpy() for key, value in torch_module.state_dict().items()})


def assert_close(actual, expected, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Compare a Tensor (or array) with a PyTorch tensor or an array."""
    actual = actual.numpy() if isinstance(actual, ag.Tensor) else np.asarray(actual)
    if hasattr(expected, "detach"):
        expected = expected.detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)
