"""``autograd_core.autograd.functional``: PyTorch's ``torch.autograd.functional``.

Derivatives of a whole function at a point, each built from ``autograd.grad``:

- ``vjp(func, inputs, v)``      vᵀ J       one backward pass
- ``jvp(func, inputs, v)``      J v        two backward passes (the double-backward trick)
- ``jacobian(func, inputs)``    J          one backward pass per output element
- ``hessian(func, inputs)``     H = ∇²f    the Jacobian of the gradient
- ``vhp(func, inputs, v)``      vᵀ H       gradient of (∇f · v): two backward passes
- ``hvp(func, inputs, v)``      H v        the double-backward trick on the gradient

``inputs`` is a Tensor or a tuple of Tensors and ``func(*inputs)`` returns a Tensor or a tuple
of Tensors. The results follow the same shape: a tuple where the inputs (or outputs) were a
tuple, a plain Tensor where they were a Tensor. The inputs are never changed: the function is
called on detached copies that require grad. Results are detached unless ``create_graph=True``,
which records the derivative computation itself so it can be differentiated again.

>>> import autograd_core as ag
>>> from autograd_core.autograd.functional import jacobian
>>> jacobian(lambda x: x**2, ag.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 4.]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .. import grad_mode
from .._tensor import Tensor, _tensor_from_array
from ..ops.shape import stack
from . import grad as _grad

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TypeAlias

    TensorOrTensors: TypeAlias = Tensor | tuple[Tensor, ...]
    # a Jacobian or Hessian: one block, a tuple of blocks, or a tuple of tuples of blocks
    Blocks: TypeAlias = Tensor | tuple[Tensor, ...] | tuple[tuple[Tensor, ...], ...]


# --------------------------------------------------------------------------- helpers
def _as_tuple(value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """(was it a tuple, the value as a tuple of Tensors)."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for index, item in enumerate(values):
        if not isinstance(item, Tensor):
            where = f"the value at index {index}" if is_tuple else "the value"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors, "
                f"but {where} has type {type(item).__name__}."
            )
    return is_tuple, values


def _tuple_postprocess(result, to_unpack):
    """Undo ``_as_tuple``: unwrap one level (or two, for a pair of flags) where there was no tuple."""
    if isinstance(to_unpack, tuple):
        outputs_tuple, inputs_tuple = to_unpack
        if not inputs_tuple:
            result = tuple(row[0] for row in result)
        return result if outputs_tuple else result[0]
    return result if to_unpack else result[0]


def check_float_inputs(inputs: Sequence[Tensor], fn_name: str) -> None:
    """Differentiation needs floating-point tensors: say which input is not one."""
    for index, tensor in enumerate(inputs):
        if tensor._data.dtype.kind != "f":
            raise TypeError(
                f"{fn_name}: input {index} (shape {tuple(tensor.shape)}) has dtype {tensor.dtype}; "
                "derivatives need floating-point tensors. Convert it with .double() (or .float()), "
                "e.g. tensor([1, 2]).double()."
            )


def differentiable_copy(tensor: Tensor, keep_graph: bool) -> Tensor:
    """A tensor to differentiate the function at, without touching the caller's tensor.

    If the caller's tensor requires grad and its graph must be kept (``create_graph``, or an
    outer transform is differentiating through this one), it is a ``clone``: a new graph node,
    so gradients are captured there and still flow on to the caller's tensor. Otherwise it is
    a detached leaf that requires grad.
    """
    if keep_graph and tensor._requires_grad:
        return tensor.clone()
    return tensor.detach().requires_grad_(True)


def _grad_preprocess(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    if need_graph:
        return tuple(differentiable_copy(tensor, create_graph) for tensor in inputs)
    return tuple(tensor if create_graph and tensor._requires_grad else tensor.detach() for tensor in inputs)


def _grad_postprocess(values, create_graph: bool):
    """Detach results unless the caller asked for a graph through them."""
    if create_graph:
        return values
    if isinstance(values, tuple):
        return tuple(_grad_postprocess(value, create_graph) for value in values)
    return values.detach()


def _validate_v(v: tuple, others: tuple, is_tuple: bool, what: str) -> None:
    if len(v) != len(others):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(others)} but got {len(v)}.")
    for index, (vector, other) in enumerate(zip(v, others)):
        if vector.shape != other.shape:
            where = f"Entry {index} in " if is_tuple else ""
            raise RuntimeError(
                f"Mismatch in shape: {where}v has shape {tuple(vector.shape)}, but the {what} it "
                f"pairs with has shape {tuple(other.shape)}: v must have the {what}'s shape."
            )


_REQUIRES_GRAD_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs "
    "must be computed in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
    "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not allowed in "
    "strict mode. You should ensure that your function is twice differentiable and that the "
    "jacobian depends on the inputs (this would be violated by a linear function for example).",
}


def _check_requires_grad(values: tuple, kind: str, strict: bool) -> None:
    if not strict:
        return
    for index, value in enumerate(values):
        if value is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {index}. "
                "This is not allowed in strict mode."
            )
        if not value._requires_grad:
            raise RuntimeError(_REQUIRES_GRAD_MESSAGES[kind].format(i=index))


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None) -> tuple:
    """``autograd.grad`` that skips outputs that do not require grad and returns None for
    inputs the outputs do not depend on (instead of raising)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept_outputs, kept_grads = [], []
    for output, grad_output in zip(outputs, grad_outputs):
        if output is not None and output._requires_grad:
            kept_outputs.append(output)
            kept_grads.append(grad_output)
    if not kept_outputs:
        return (None,) * len(inputs)
    return _grad(
        kept_outputs,
        inputs,
        kept_grads,
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


_INDEPENDENT_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
    "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. This is "
    "not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in "
    "the grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
    "backward trick to replace forward mode AD.",
}


def fill_in_zeros(
    grads: Sequence[Tensor | None], references: Sequence[Tensor], strict: bool = False, stage: str = "back"
) -> tuple[Tensor, ...]:
    """Zeros (shaped like the reference) where a gradient is None: the function did not use it."""
    result = []
    for index, (gradient, reference) in enumerate(zip(grads, references)):
        if gradient is None:
            if strict:
                raise RuntimeError(_INDEPENDENT_MESSAGES[stage].format(i=index))
            gradient = _tensor_from_array(np.zeros_like(reference._data))
        result.append(gradient)
    return tuple(result)


def _single_element_v(values: tuple, what: str) -> None:
    if len(values) != 1 or values[0].numel() != 1:
        raise RuntimeError(
            f"The vector v can only be None if the {what} is a single Tensor with a single element; "
            f"here it has shape(s) {[tuple(value.shape) for value in values]}. Pass v explicitly."
        )


def _prepare(inputs, v, create_graph: bool, fn_name: str, v_pairs_with_inputs: bool):
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    check_float_inputs(inputs, fn_name)
    inputs = _grad_preprocess(inputs, create_graph, need_graph=True)
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _grad_preprocess(v, create_graph, need_graph=False)
        if v_pairs_with_inputs:
            _validate_v(v, inputs, is_inputs_tuple, "input")
    return is_inputs_tuple, inputs, v


def _call(func: Callable, inputs: tuple, fn_name: str, strict: bool) -> tuple[bool, tuple]:
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return is_outputs_tuple, outputs


def _single_scalar_output(is_outputs_tuple: bool, outputs: tuple, fn_name: str) -> None:
    if is_outputs_tuple:
        raise RuntimeError(
            f"The function given to {fn_name} should return a single Tensor, it returned a tuple of "
            f"{len(outputs)}."
        )
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a single "
            f"element, it has shape {tuple(outputs[0].shape)}. Reduce it (.sum() or .mean()) first."
        )


# --------------------------------------------------------------------------- public functions
def vjp(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[TensorOrTensors, TensorOrTensors]:
    """``(func(*inputs), vᵀ J)``: the vector-Jacobian product at ``inputs``, one backward pass.

    ``v`` has the shape of the outputs (None allowed for a one-element output).

    >>> import autograd_core as ag
    >>> vjp(lambda x: x**2, ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))[1]
    tensor([2., 4.])
    """
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs, v = _prepare(inputs, v, create_graph, "vjp", v_pairs_with_inputs=False)
        is_outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        if v is not None:
            _validate_v(v, outputs, is_outputs_tuple, "output")
        else:
            _single_element_v(outputs, "user-provided function returns")
        grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = fill_in_zeros(grads, inputs, strict, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_inputs_tuple)


def jvp(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[TensorOrTensors, TensorOrTensors]:
    """``(func(*inputs), J v)``: the Jacobian-vector product, by the double-backward trick.

    Reverse mode gives g(u) = Jᵀ u for any u. That is linear in u, so its own vector-Jacobian
    product with v is (d g/d u)ᵀ v = (Jᵀ)ᵀ v = J v. The first pass runs with
    ``create_graph=True`` on a dummy u (zeros that require grad), the second differentiates it
    with respect to u. ``v`` has the shape of the inputs.

    >>> import autograd_core as ag
    >>> jvp(lambda x: x**2, ag.tensor([1.0, 2.0]), ag.tensor([1.0, 0.0]))[1]
    tensor([2., 0.])
    """
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs, v = _prepare(inputs, v, create_graph, "jvp", v_pairs_with_inputs=True)
        if v is None:
            _single_element_v(inputs, "input to the user-provided function")
        is_outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        dummies = tuple(_tensor_from_array(np.zeros_like(out._data), True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with grad_mode.set_grad_enabled(create_graph):
        grads = _autograd_grad(grad_inputs, dummies, v, create_graph=create_graph)
        result = fill_in_zeros(grads, outputs, strict, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_outputs_tuple)


def jacobian(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Blocks:
    """The Jacobian of ``func`` at ``inputs``: entry [i][j] is ∂ output_i / ∂ input_j, of shape
    ``output_i.shape + input_j.shape``. One backward pass per output element (row).

    ``vectorize`` and ``strategy`` are accepted for PyTorch compatibility; the rows are always
    computed one reverse-mode pass at a time (``strategy`` must be ``"reverse-mode"``).

    >>> import autograd_core as ag
    >>> jacobian(lambda x, y: x * y, (ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])))[1]
    tensor([[1., 0.],
            [0., 2.]])
    """
    if strategy != "reverse-mode":
        raise ValueError(f'strategy must be "reverse-mode" (the only one implemented), got {strategy!r}')
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs, _ = _prepare(inputs, None, create_graph, "jacobian", False)
        is_outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        blocks = []
        for index, output in enumerate(outputs):
            rows = [[] for _ in inputs]
            for position in range(output.numel()):
                one_hot = np.zeros(output._data.size, dtype=output._data.dtype)
                one_hot[position] = 1
                seed = _tensor_from_array(one_hot.reshape(output._data.shape))
                row = _autograd_grad((output,), inputs, (seed,), create_graph, retain_graph=True)
                for input_index, (gradient, tensor) in enumerate(zip(row, inputs)):
                    if gradient is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {index} of the user-provided function is independent of "
                                f"input {input_index}. This is not allowed in strict mode."
                            )
                        gradient = _tensor_from_array(np.zeros_like(tensor._data))
                    elif strict and create_graph and not gradient._requires_grad:
                        raise RuntimeError(
                            f"The jacobian of the user-provided function is independent of input "
                            f"{input_index}. This is not allowed in strict mode when create_graph=True."
                        )
                    rows[input_index].append(gradient)
            blocks.append(
                tuple(
                    _stack_rows(row_list, output.shape + tensor.shape, tensor)
                    for row_list, tensor in zip(rows, inputs)
                )
            )
    result = _grad_postprocess(tuple(blocks), create_graph)
    return _tuple_postprocess(result, (is_outputs_tuple, is_inputs_tuple))


def _stack_rows(rows: list, shape: tuple, like: Tensor) -> Tensor:
    if not rows:
        return _tensor_from_array(np.zeros(shape, dtype=like._data.dtype))
    return stack(rows, 0).reshape(shape)


def hessian(
    func: Callable[..., Tensor],
    inputs: TensorOrTensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Blocks:
    """The Hessian of a scalar ``func`` at ``inputs``: the Jacobian of its gradient.

    H[i][j] = ∂²f / ∂input_i ∂input_j, of shape ``input_i.shape + input_j.shape``; a Tensor
    for a Tensor input, a tuple of tuples for a tuple of inputs.

    >>> import autograd_core as ag
    >>> hessian(lambda x: (x**3).sum(), ag.tensor([1.0, 2.0]))
    tensor([[6., 0.],
            [0., 12.]])
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    check_float_inputs(inputs, "hessian")

    def single_output_function(*inner: Tensor) -> Tensor:
        out = func(*inner)
        is_out_tuple, outputs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outputs, "outputs", strict)
        _single_scalar_output(is_out_tuple, outputs, "hessian")
        return out.reshape(())

    def jacobian_function(*inner: Tensor) -> Blocks:
        jac = jacobian(single_output_function, inner, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(
        jacobian_function, inputs, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy
    )
    return _tuple_postprocess(result, (is_inputs_tuple, is_inputs_tuple))


def vhp(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[TensorOrTensors, TensorOrTensors]:
    """``(func(*inputs), vᵀ H)`` for a scalar ``func``: the gradient of ∇f · v, two backward passes.

    >>> import autograd_core as ag
    >>> vhp(lambda x: (x**3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))[1]
    tensor([6., 12.])
    """
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs, v = _prepare(inputs, v, create_graph, "vhp", v_pairs_with_inputs=True)
        if v is None:
            _single_element_v(inputs, "input to the user-provided function")
        is_outputs_tuple, outputs = _call(func, inputs, "vhp", strict)
        _single_scalar_output(is_outputs_tuple, outputs, "vhp")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with grad_mode.set_grad_enabled(create_graph):
        grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        result = fill_in_zeros(grads, inputs, strict, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_inputs_tuple)


def hvp(
    func: Callable[..., TensorOrTensors],
    inputs: TensorOrTensors,
    v: TensorOrTensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[TensorOrTensors, TensorOrTensors]:
    """``(func(*inputs), H v)`` for a scalar ``func``, by the double-backward trick on the gradient.

    g(u) = Hᵀ u is the gradient of ∇f · u; differentiating it with respect to a dummy u along
    v gives H v. That is one more backward pass than ``vhp``; for a twice continuously
    differentiable f, H is symmetric and ``vhp`` gives the same numbers faster.

    >>> import autograd_core as ag
    >>> hvp(lambda x: (x**3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))[1]
    tensor([6., 12.])
    """
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs, v = _prepare(inputs, v, create_graph, "hvp", v_pairs_with_inputs=True)
        if v is None:
            _single_element_v(inputs, "input to the user-provided function")
        is_outputs_tuple, outputs = _call(func, inputs, "hvp", strict)
        _single_scalar_output(is_outputs_tuple, outputs, "hvp")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        dummies = tuple(_tensor_from_array(np.zeros_like(tensor._data), True) for tensor in inputs)
        double_back = _autograd_grad(jac, inputs, dummies, create_graph=True)
    with grad_mode.set_grad_enabled(create_graph):
        grads = _autograd_grad(double_back, dummies, v, create_graph=create_graph)
        result = fill_in_zeros(grads, inputs, strict, "double_back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(result, is_inputs_tuple)


__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
