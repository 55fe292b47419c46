"""Shared pieces of the function-transform tests: float64 finite differences."""

from __future__ import annotations

import numpy as np

import autograd_core as ag

STEP = 1e-6


def t64(values, requires_grad: bool = False) -> ag.Tensor:
    """A float64 tensor."""
    return ag.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def numeric_jacobian(function, arrays: list, step: float = STEP) -> list:
    """Central differences of ``function`` (NumPy arrays in, one NumPy array out) with respect to
    each array: a list of blocks of shape out.shape + array.shape."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    out_shape = np.shape(function(*arrays))
    blocks = []
    for index, array in enumerate(arrays):
        block = np.zeros(out_shape + array.shape)
        for position in np.ndindex(array.shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[index][position] += step
            minus[index][position] -= step
            difference = (np.asarray(function(*plus)) - np.asarray(function(*minus))) / (2 * step)
            block[(Ellipsis,) + position] = difference
        blocks.append(block)
    return blocks


def tensor_function_as_numpy(function):
    """A function of float64 tensors, as a function of NumPy arrays (for finite differences)."""

    def numpy_function(*arrays):
        with ag.no_grad():
            return function(*[t64(a) for a in arrays]).numpy()

    return numpy_function


def gradient_of(function):
    """∇function by reverse mode (one backward pass), as a function of NumPy arrays."""

    def numpy_gradient(array):
        x = t64(array, requires_grad=True)
        (gradient,) = ag.autograd.grad(function(x), x)
        return gradient.numpy()

    return numpy_gradient


def hessian_by_differences_of_gradients(function, array, step: float = 1e-5) -> np.ndarray:
    """H[:, j] ≈ (∇f(x + h e_j) - ∇f(x - h e_j)) / 2h: finite differences of the gradient."""
    return numeric_jacobian(gradient_of(function), [array], step)[0]
