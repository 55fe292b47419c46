"""``autograd_core.func``: PyTorch's ``torch.func`` function transforms.

A transform takes a function and returns a new function that computes a derivative of it:

- ``grad(f)(x)``              ∇f(x) for a scalar f (``grad_and_value`` also returns f(x))
- ``vjp(f, x)``               (f(x), u ↦ uᵀ J): reverse mode, one backward pass per call
- ``jvp(f, (x,), (v,))``      (f(x), J v): by the double-vjp trick (see ``jvp``)
- ``jacrev(f)(x)``            J, one row per backward pass
- ``jacfwd(f)(x)``            J, one column per Jacobian-vector product
- ``hessian(f)(x)``           ∇²f(x) = jacrev(grad(f))(x)
- ``hvp(f, x, v)``            ∇²f(x) v, by differentiating ∇f(x) · v
- ``functional_call(module, params, args)``   a module run with the given parameters

Arguments and results are pytrees (tuples, lists and dicts of tensors); ``argnums`` picks the
positional arguments to differentiate (an int, or a tuple for several). The transforms compose:
``grad(grad(f))`` is the second derivative of a scalar function of a scalar, and
``jacrev(jacrev(f))`` the Hessian. That works because every derivative here is computed with
``create_graph=True`` whenever something outside the transform is still tracking gradients
(an enclosing transform, or tensors that require grad), so the result stays differentiable.

The caller's tensors are never changed: the function is evaluated at detached copies that
require grad (or at clones, when the caller's tensor itself requires grad).

>>> import autograd_core as ag
>>> from autograd_core.func import grad
>>> x = ag.tensor(0.5)
>>> grad(grad(ag.sin))(x)        # -sin(0.5)
tensor(-0.4794)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import grad_mode
from ._pytree import tree_flatten, tree_map, tree_structure_str, tree_unflatten
from ._tensor import Tensor, _tensor_from_array
from .autograd.functional import _autograd_grad, differentiable_copy, fill_in_zeros
from .ops.shape import stack

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TypeAlias

    from nn.modules.module import Module

    # a pytree of tensors: a Tensor, or tuples, lists and dicts of pytrees
    TensorTree: TypeAlias = "Tensor | tuple[TensorTree, ...] | list[TensorTree] | dict[Any, TensorTree]"
    # what a function given to a transform returns: an output, or (output, aux) with has_aux=True
    Output: TypeAlias = "TensorTree | tuple[TensorTree, object]"
    VjpFn: TypeAlias = Callable[[TensorTree], tuple[TensorTree, ...]]


# --------------------------------------------------------------------------- helpers
def _normalize_argnums(argnums, count: int, name: str) -> tuple[tuple[int, ...], bool]:
    """(the selected argument positions, was argnums a tuple)."""
    is_tuple = isinstance(argnums, tuple)
    positions = argnums if is_tuple else (argnums,)
    if is_tuple and not positions:
        raise RuntimeError(f"{name}: argnums must be a non-empty tuple of ints, got ()")
    result = []
    for position in positions:
        if not isinstance(position, int) or isinstance(position, bool):
            raise RuntimeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -count <= position < count:
            raise RuntimeError(
                f"{name}: got argnums={argnums!r}, but the function was called with only {count} "
                f"positional argument(s), so argnums must be in the range [{-count}, {count - 1}]"
            )
        result.append(position % count)
    if len(set(result)) != len(result):
        raise RuntimeError(f"{name}: argnums {argnums!r} names the same argument twice")
    return tuple(result), is_tuple


def _check_leaves(leaves: list, name: str, what: str) -> None:
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise TypeError(
                f"{name}: every leaf of {what} must be a Tensor, got {type(leaf).__name__} "
                f"({leaf!r:.60}). Wrap numbers in autograd_core.tensor(..)."
            )
        if leaf._data.dtype.kind != "f":
            raise TypeError(
                f"{name}: {what} holds a tensor of dtype {leaf.dtype} (shape {tuple(leaf.shape)}); "
                "derivatives need floating-point tensors. Convert it with .double() or .float()."
            )


class _Primals:
    """The arguments being differentiated, replaced by copies that require grad."""

    def __init__(self, args: tuple, positions: tuple[int, ...], name: str) -> None:
        self.originals: list[Tensor] = []
        self.copies: list[Tensor] = []
        self.specs: list = []
        self.grad_enabled = grad_mode.is_grad_enabled()
        new_args = list(args)
        for position in positions:
            leaves, spec = tree_flatten(args[position])
            _check_leaves(leaves, name, f"argument {position}")
            copies = [differentiable_copy(leaf, self.grad_enabled) for leaf in leaves]
            self.originals.extend(leaves)
            self.copies.extend(copies)
            self.specs.append((spec, len(leaves)))
            new_args[position] = tree_unflatten(copies, spec)
        self.args = tuple(new_args)

    def unflatten(self, flat: list[Tensor], as_tuple: bool) -> TensorTree:
        """Per-argument pytrees of ``flat`` (one entry per copy): a tuple if ``as_tuple``."""
        trees, start = [], 0
        for spec, count in self.specs:
            trees.append(tree_unflatten(flat[start : start + count], spec))
            start += count
        return tuple(trees) if as_tuple else trees[0]

    def needs_graph(self, outputs: list) -> bool:
        """Must derivatives stay differentiable? Yes if grad mode was on when the transform was
        called and the outputs depend on a tensor that requires grad other than this transform's
        own copies: then an enclosing transform, or the caller, may differentiate the result."""
        if not self.grad_enabled:
            return False
        if any(tensor._requires_grad for tensor in self.originals):
            return True
        own = {id(copy) for copy in self.copies}
        stack_ = [out.grad_fn for out in outputs if isinstance(out, Tensor) and out.grad_fn is not None]
        seen = set()
        while stack_:
            node = stack_.pop()
            if node in seen:
                continue
            seen.add(node)
            for edge in node._next:
                if edge is None:
                    continue
                target = edge[0]
                if isinstance(target, Tensor):
                    if id(target) not in own:
                        return True
                else:
                    stack_.append(target)
        return any(
            isinstance(out, Tensor) and out.grad_fn is None and out._requires_grad and id(out) not in own
            for out in outputs
        )


def _vjp(outputs: list, inputs: list, cotangents: list, create_graph: bool) -> list:
    """Σ_k cotangent_kᵀ ∂output_k/∂input for each input; zeros where an input was not used."""
    grads = _autograd_grad(tuple(outputs), tuple(inputs), tuple(cotangents), create_graph, retain_graph=True)
    return list(fill_in_zeros(grads, inputs))


def _release(value, keep_graph: bool):
    """Results hand back without this transform's graph, unless an outer one still needs it."""
    if keep_graph:
        return value
    return tree_map(lambda leaf: leaf.detach() if isinstance(leaf, Tensor) else leaf, value)


def _split_aux(result, has_aux: bool, name: str):
    if not has_aux:
        return result, None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise RuntimeError(
            f"{name}(f, has_aux=True): f must return a pair (output, aux), got {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        )
    return result[0], result[1]


def _scalar_output(output, name: str) -> Tensor:
    if not isinstance(output, Tensor):
        raise RuntimeError(
            f"{name}(f)(*args): expected f(*args) to return a scalar Tensor, got "
            f"{type(output).__name__}. With has_aux=True, return (scalar, aux)."
        )
    if output.ndim != 0:
        raise RuntimeError(
            f"{name}(f)(*args): expected f(*args) to return a scalar Tensor, got a tensor of shape "
            f"{tuple(output.shape)}. Reduce it to a scalar (.sum() or .mean()), or use vjp or "
            "jacrev for a non-scalar output."
        )
    if output._data.dtype.kind != "f":
        raise RuntimeError(f"{name}(f)(*args): f returned a {output.dtype} tensor; it must be floating-point")
    return output


def _ones_like(tensor: Tensor) -> Tensor:
    return _tensor_from_array(np.ones_like(tensor._data))


def _zeros_requiring_grad(tensor: Tensor) -> Tensor:
    return _tensor_from_array(np.zeros_like(tensor._data), True)


def _one_hot(like: Tensor, position: int) -> Tensor:
    array = np.zeros(like._data.size, dtype=like._data.dtype)
    array[position] = 1
    return _tensor_from_array(array.reshape(like._data.shape))


def _output_leaves(output, name: str) -> tuple[list, object]:
    leaves, spec = tree_flatten(output)
    _check_leaves(leaves, name, "the function's output")
    return leaves, spec


# --------------------------------------------------------------------------- grad
def _grad_and_value(func: Callable, argnums, has_aux: bool, args: tuple, kwargs: dict, name: str):
    positions, as_tuple = _normalize_argnums(argnums, len(args), name)
    primals = _Primals(args, positions, name)
    with grad_mode.enable_grad():
        output, aux = _split_aux(func(*primals.args, **kwargs), has_aux, name)
        output = _scalar_output(output, name)
        keep = primals.needs_graph([output])
        grads = _vjp([output], primals.copies, [_ones_like(output)], create_graph=keep)
    gradient = primals.unflatten(grads, as_tuple)
    return gradient, _release(output, keep), _release(aux, keep)


def grad(
    func: Callable[..., Tensor | tuple[Tensor, object]],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
) -> Callable[..., Output]:
    """The gradient of a scalar-valued ``func`` with respect to ``args[argnums]``.

    ``grad(f)(x)`` has the structure of ``x`` (a dict of tensors gives a dict of gradients);
    with ``argnums=(0, 1)`` it is a tuple of two such gradients. With ``has_aux=True``, ``func``
    returns ``(output, aux)`` and the result is ``(gradient, aux)``.

    >>> import autograd_core as ag
    >>> grad(lambda x: (x**2).sum())(ag.tensor([1.0, 2.0]))
    tensor([2., 4.])
    """

    def grad_function(*args: object, **kwargs: object) -> Output:
        gradient, _, aux = _grad_and_value(func, argnums, has_aux, args, kwargs, "grad")
        return (gradient, aux) if has_aux else gradient

    return grad_function


def grad_and_value(
    func: Callable[..., Tensor | tuple[Tensor, object]],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
) -> Callable[..., tuple[TensorTree, Tensor | tuple[Tensor, object]]]:
    """As ``grad``, returning ``(gradient, value)``; with ``has_aux``: ``(gradient, (value, aux))``.

    >>> import autograd_core as ag
    >>> grad_and_value(lambda x: (x**2).sum())(ag.tensor([1.0, 2.0]))
    (tensor([2., 4.]), tensor(5.))
    """

    def grad_and_value_function(
        *args: object, **kwargs: object
    ) -> tuple[TensorTree, Tensor | tuple[Tensor, object]]:
        gradient, value, aux = _grad_and_value(func, argnums, has_aux, args, kwargs, "grad_and_value")
        return (gradient, (value, aux)) if has_aux else (gradient, value)

    return grad_and_value_function


# --------------------------------------------------------------------------- vjp and jvp
def vjp(
    func: Callable[..., Output], *primals: TensorTree, has_aux: bool = False
) -> tuple[TensorTree, VjpFn] | tuple[TensorTree, VjpFn, object]:
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` returns uᵀ J for each primal (a tuple).

    ``cotangents`` has the structure and shapes of the output. ``vjp_fn`` can be called many
    times: the graph is kept until ``vjp_fn`` is dropped. With ``has_aux=True``:
    ``(output, vjp_fn, aux)``.

    >>> import autograd_core as ag
    >>> out, vjp_fn = vjp(lambda x: x**2, ag.tensor([1.0, 2.0]))
    >>> vjp_fn(ag.tensor([1.0, 10.0]))
    (tensor([2., 40.]),)
    """
    inputs = _Primals(primals, tuple(range(len(primals))), "vjp")
    with grad_mode.enable_grad():
        output, aux = _split_aux(func(*inputs.args), has_aux, "vjp")
    out_leaves, out_spec = _output_leaves(output, "vjp")
    keep = inputs.needs_graph(out_leaves)

    def vjp_fn(cotangents: TensorTree) -> tuple[TensorTree, ...]:
        leaves, spec = tree_flatten(cotangents)
        if spec != out_spec:
            raise RuntimeError(
                f"vjp_fn: the cotangents have structure {tree_structure_str(spec)}, but the "
                f"function's output has structure {tree_structure_str(out_spec)}: they must match"
            )
        _check_leaves(leaves, "vjp_fn", "the cotangents")
        for index, (leaf, out) in enumerate(zip(leaves, out_leaves)):
            if leaf.shape != out.shape:
                raise RuntimeError(
                    f"vjp_fn: cotangent {index} has shape {tuple(leaf.shape)}, but the output it "
                    f"pairs with has shape {tuple(out.shape)}"
                )
        create = keep or any(leaf._requires_grad for leaf in leaves)
        with grad_mode.enable_grad():
            grads = _vjp(out_leaves, inputs.copies, leaves, create_graph=create)
        return tuple(inputs.unflatten(grads, as_tuple=True))

    result = _release(output, keep)
    return (result, vjp_fn, _release(aux, keep)) if has_aux else (result, vjp_fn)


def _as_primal_tuple(value, name: str, what: str) -> tuple:
    if not isinstance(value, (tuple, list)):
        raise RuntimeError(
            f"{name}: expected {what} to be a tuple (one entry per argument of f), got "
            f"{type(value).__name__}. For one argument write ({what[:-1]},) — e.g. jvp(f, (x,), (v,))."
        )
    return tuple(value)


def _check_tangents(primals: _Primals, tangents: tuple, name: str) -> list:
    leaves, spec = tree_flatten(tangents)
    primal_spec = tree_flatten(tuple(primals.unflatten(primals.originals, as_tuple=True)))[1]
    if spec != primal_spec:
        raise RuntimeError(
            f"{name}: the tangents have structure {tree_structure_str(spec)}, but the primals have "
            f"structure {tree_structure_str(primal_spec)}: they must match"
        )
    _check_leaves(leaves, name, "the tangents")
    for index, (leaf, primal) in enumerate(zip(leaves, primals.originals)):
        if leaf.shape != primal.shape:
            raise RuntimeError(
                f"{name}: tangent {index} has shape {tuple(leaf.shape)}, but the primal it pairs "
                f"with has shape {tuple(primal.shape)}"
            )
    return leaves


def jvp(
    func: Callable[..., Output],
    primals: Sequence[TensorTree],
    tangents: Sequence[TensorTree],
    *,
    has_aux: bool = False,
) -> tuple[TensorTree, TensorTree] | tuple[TensorTree, TensorTree, object]:
    """``(func(*primals), J v)``: the Jacobian-vector product along ``tangents``.

    Computed by the double-vjp trick, with reverse mode only. For a dummy cotangent u (zeros
    that require grad), reverse mode gives g(u) = Jᵀ u with ``create_graph=True``. g is linear
    in u, so the vector-Jacobian product of g with v is (∂g/∂u)ᵀ v = (Jᵀ)ᵀ v = J v: one more
    backward pass, through the first backward pass. ``primals`` and ``tangents`` are tuples
    with one entry per argument of ``func``. With ``has_aux=True``: ``(output, jvp_out, aux)``.

    >>> import autograd_core as ag
    >>> jvp(lambda x: x**2, (ag.tensor([1.0, 2.0]),), (ag.tensor([1.0, 0.0]),))
    (tensor([1., 4.]), tensor([2., 0.]))
    """
    primals = _as_primal_tuple(primals, "jvp", "primals")
    tangents = _as_primal_tuple(tangents, "jvp", "tangents")
    inputs = _Primals(primals, tuple(range(len(primals))), "jvp")
    tangent_leaves = _check_tangents(inputs, tangents, "jvp")
    with grad_mode.enable_grad():
        output, aux = _split_aux(func(*inputs.args), has_aux, "jvp")
        out_leaves, out_spec = _output_leaves(output, "jvp")
        keep = inputs.needs_graph(out_leaves) or any(leaf._requires_grad for leaf in tangent_leaves)
        dummies = [_zeros_requiring_grad(out) for out in out_leaves]
        transposed = _vjp(out_leaves, inputs.copies, dummies, create_graph=True)
        pushed = _vjp(transposed, dummies, tangent_leaves, create_graph=keep)
    return (
        (_release(output, keep), tree_unflatten(pushed, out_spec))
        if not has_aux
        else (_release(output, keep), tree_unflatten(pushed, out_spec), _release(aux, keep))
    )


# --------------------------------------------------------------------------- Jacobians
def _jacobian_tree(out_leaves, out_spec, primals: _Primals, blocks, as_tuple: bool):
    """Blocks[k][i] (output leaf k, input leaf i) arranged as the output's structure, each
    output leaf holding the inputs' structure (a tuple over argnums if ``as_tuple``)."""
    per_output = [primals.unflatten(blocks[k], as_tuple) for k in range(len(out_leaves))]
    return tree_unflatten(per_output, out_spec)


def _block(rows: list, shape: tuple, like: Tensor, axis: int) -> Tensor:
    if not rows:
        return _tensor_from_array(np.zeros(shape, dtype=like._data.dtype))
    return stack(rows, axis).reshape(shape)


def jacrev(
    func: Callable[..., Output], argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False
) -> Callable[..., Output]:
    """The Jacobian of ``func`` by reverse mode: one vector-Jacobian product per output element.

    For an output leaf of shape S and an input leaf of shape T the block has shape S + T
    (∂out[s] / ∂in[t]). The result has the output's structure; each output leaf holds the
    input's structure (a tuple over arguments when ``argnums`` is a tuple).

    >>> import autograd_core as ag
    >>> jacrev(lambda x: x**2)(ag.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    return _jacrev(func, argnums, has_aux, "jacrev")


def _jacrev(func: Callable, argnums, has_aux: bool, name: str) -> Callable:
    def jacrev_function(*args: object, **kwargs: object) -> Output:
        positions, as_tuple = _normalize_argnums(argnums, len(args), name)
        primals = _Primals(args, positions, name)
        with grad_mode.enable_grad():
            output, aux = _split_aux(func(*primals.args, **kwargs), has_aux, name)
            out_leaves, out_spec = _output_leaves(output, name)
            keep = primals.needs_graph(out_leaves)
            blocks = []
            for out in out_leaves:
                rows = [_vjp([out], primals.copies, [_one_hot(out, k)], keep) for k in range(out.numel())]
                blocks.append(
                    [
                        _block([row[i] for row in rows], out.shape + copy.shape, copy, 0)
                        for i, copy in enumerate(primals.copies)
                    ]
                )
        jac = _jacobian_tree(out_leaves, out_spec, primals, blocks, as_tuple)
        return (jac, _release(aux, keep)) if has_aux else jac

    return jacrev_function


def jacfwd(
    func: Callable[..., Output], argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False
) -> Callable[..., Output]:
    """The Jacobian of ``func`` column by column: one Jacobian-vector product per input element.

    Same result and layout as ``jacrev``. There is no forward-mode engine here: each column
    J e_j comes from the double-vjp trick (see ``jvp``), so one backward pass with
    ``create_graph=True`` is followed by one backward pass per input element. ``jacrev`` is
    cheaper when there are fewer outputs than inputs; this is the column-wise view of the same
    matrix, as forward mode computes it.

    >>> import autograd_core as ag
    >>> jacfwd(lambda x: x**2)(ag.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """

    def jacfwd_function(*args: object, **kwargs: object) -> Output:
        positions, as_tuple = _normalize_argnums(argnums, len(args), "jacfwd")
        primals = _Primals(args, positions, "jacfwd")
        with grad_mode.enable_grad():
            output, aux = _split_aux(func(*primals.args, **kwargs), has_aux, "jacfwd")
            out_leaves, out_spec = _output_leaves(output, "jacfwd")
            keep = primals.needs_graph(out_leaves)
            dummies = [_zeros_requiring_grad(out) for out in out_leaves]
            transposed = _vjp(out_leaves, primals.copies, dummies, create_graph=True)
            blocks = [[None] * len(primals.copies) for _ in out_leaves]
            for i, copy in enumerate(primals.copies):
                columns = [
                    _vjp([transposed[i]], dummies, [_one_hot(copy, j)], keep) for j in range(copy.numel())
                ]
                for k, out in enumerate(out_leaves):
                    blocks[k][i] = _block(
                        [column[k] for column in columns], out.shape + copy.shape, copy, out.ndim
                    )
        jac = _jacobian_tree(out_leaves, out_spec, primals, blocks, as_tuple)
        return (jac, _release(aux, keep)) if has_aux else jac

    return jacfwd_function


def hessian(func: Callable[..., Tensor], argnums: int | tuple[int, ...] = 0) -> Callable[..., TensorTree]:
    """The Hessian of a scalar ``func``: ``jacrev(grad(func, argnums), argnums)``.

    H[i, j] = ∂²f / ∂x_i ∂x_j, of shape ``x.shape + x.shape``; with ``argnums=(0, 1)`` a nested
    tuple ``((H00, H01), (H10, H11))``. Unlike ``torch.func.hessian`` (which is
    ``jacfwd(jacrev(f))`` and accepts any output), ``func`` must return a scalar.

    >>> import autograd_core as ag
    >>> hessian(lambda x: (x**3).sum())(ag.tensor([1.0, 2.0]))
    tensor([[6., 0.],
            [0., 12.]])
    """

    def gradient(*args: object, **kwargs: object) -> TensorTree:
        return _grad_and_value(func, argnums, False, args, kwargs, "hessian")[0]

    return _jacrev(gradient, argnums, False, "hessian")


def hvp(
    func: Callable[..., Tensor],
    primals: Tensor | Sequence[TensorTree],
    tangents: Tensor | Sequence[TensorTree],
) -> TensorTree:
    """∇²f(x) v for a scalar ``func``: the gradient of ∇f(x) · v (two backward passes).

    ``primals`` and ``tangents`` are a Tensor each (``hvp(f, x, v)``) or tuples with one entry
    per argument of ``func``; the result has the same form. With several arguments the
    Hessian is the one over all of them together. The Hessian of a twice continuously
    differentiable function is symmetric, so this vector-Hessian product is also H v.
    (``torch.func`` has no hvp; ``torch.autograd.functional.hvp`` returns ``(f(x), H v)``.)

    >>> import autograd_core as ag
    >>> hvp(lambda x: (x**3).sum(), ag.tensor([1.0, 2.0]), ag.tensor([1.0, 1.0]))
    tensor([6., 12.])
    """
    single = isinstance(primals, Tensor)
    primals = (primals,) if single else _as_primal_tuple(primals, "hvp", "primals")
    tangents = (tangents,) if isinstance(tangents, Tensor) and single else tangents
    tangents = _as_primal_tuple(tangents, "hvp", "tangents")
    inputs = _Primals(primals, tuple(range(len(primals))), "hvp")
    tangent_leaves = _check_tangents(inputs, tangents, "hvp")
    with grad_mode.enable_grad():
        output = _scalar_output(func(*inputs.args), "hvp")
        keep = inputs.needs_graph([output]) or any(leaf._requires_grad for leaf in tangent_leaves)
        gradient = _vjp([output], inputs.copies, [_ones_like(output)], create_graph=True)
        product = _vjp(gradient, inputs.copies, tangent_leaves, create_graph=keep)
    result = inputs.unflatten(product, as_tuple=True)
    return result[0] if single else result


# --------------------------------------------------------------------------- modules
def _resolve(module, dotted: str):
    """(the submodule that owns ``dotted``, the attribute name there)."""
    *path, attribute = dotted.split(".")
    owner = module
    for part in path:
        owner = getattr(owner, part)
    return owner, attribute


def _swap(owner, attribute: str, value):
    """Put ``value`` in place of the owner's parameter or buffer; return what was there."""
    for registry_name in ("_parameters", "_buffers"):
        registry = getattr(owner, registry_name, None)
        if isinstance(registry, dict) and attribute in registry:
            previous = registry[attribute]
            registry[attribute] = value
            return previous
    previous = getattr(owner, attribute)
    setattr(owner, attribute, value)
    return previous


def functional_call(
    module: Module,
    parameter_and_buffer_dicts: dict[str, Tensor] | Sequence[dict[str, Tensor]],
    args: tuple[object, ...] | Tensor = (),
    kwargs: dict[str, object] | None = None,
    *,
    strict: bool = False,
) -> Any:
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced by the given tensors.

    ``parameter_and_buffer_dicts`` maps qualified names (``"0.weight"``, ``"encoder.bias"``, as
    ``named_parameters()`` gives them) to tensors; a tuple of such dicts is merged. Names left out
    keep the module's own tensors (``strict=True`` requires every name). The module's own
    tensors are put back afterwards, even if the call raises. This makes a module a function of
    its parameters, which the transforms can differentiate::

        params = dict(model.named_parameters())
        grads = grad(lambda p: loss_fn(functional_call(model, p, (x,)), y))(params)
    """
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        dicts = (dicts,)
    replacements: dict = {}
    for mapping in dicts:
        for name, value in mapping.items():
            if name in replacements:
                raise ValueError(f"functional_call: {name!r} appears in more than one of the dicts")
            replacements[name] = value
    known = [name for name, _ in module.named_parameters()]
    if hasattr(module, "named_buffers"):
        known += [name for name, _ in module.named_buffers()]
    unknown = sorted(set(replacements) - set(known))
    if unknown:
        raise ValueError(
            f"functional_call: {unknown} are not parameters or buffers of {type(module).__name__}; "
            f"its names are {known}"
        )
    if strict:
        missing = sorted(set(known) - set(replacements))
        if missing:
            raise ValueError(f"functional_call(strict=True): no tensors given for {missing}")
    args = args if isinstance(args, tuple) else (args,)
    restore = []
    try:
        for name, value in replacements.items():
            owner, attribute = _resolve(module, name)
            restore.append((owner, attribute, _swap(owner, attribute, value)))
        return module(*args, **(kwargs or {}))
    finally:
        for owner, attribute, previous in reversed(restore):
            _swap(owner, attribute, previous)


__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "hvp",
    "jacfwd",
    "jacrev",
    "jvp",
    "vjp",
]
