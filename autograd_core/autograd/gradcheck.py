"""Gradient checks: ``gradcheck`` and ``gradgradcheck`` (PyTorch's ``torch.autograd`` ones).

``gradcheck(func, inputs)`` compares, in float64, two Jacobians of ``func`` at ``inputs``:

- analytic: what backward computes, one row per output element (``autograd.grad`` with a
  one-hot ``grad_outputs``);
- numerical: one column per input element, from central differences of the forward pass,
  ``J[:, j] = (f(x + eps·e_j) - f(x - eps·e_j)) / (2·eps)``;

and every entry must satisfy ``|analytic - numerical| <= atol + rtol·|numerical|``.

``gradgradcheck`` does the same one level up: the function checked is the backward pass itself
(``grad(func(x), x, v, create_graph=True)`` for a random ``v``), so it tests that backward is
written with differentiable Tensor operations and gets second derivatives right.

When a check fails, the report gives the input, the position of the worst entry, both values and
the rule, and then the operation at fault: ``func`` is run once more while every node keeps a copy
of its inputs, and each node of the graph is checked on its own (its backward against finite
differences of its own forward, at the very inputs it received). The first node that fails is
named, with the line of code that created it.

Kinks: where ``func`` is not differentiable (relu or abs at 0, a max with ties) the slopes from
the left and from the right differ, and their average (the central difference) need not equal
any derivative backward could return. An entry whose two one-sided slopes disagree by more than
the tolerance, and whose analytic value lies between them (a valid one-sided derivative), is not
counted as a failure: ``gradcheck`` passes and warns (``UserWarning``) with the input, position
and both slopes. An analytic value outside the two slopes still fails.
"""

from __future__ import annotations

import contextlib
import linecache
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .. import grad_mode
from .._tensor import Tensor, _tensor_from_array
from . import function
from .function import Function

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

_BASE_APPLY = Function.apply.__func__  # re-runs a node's forward, bypassing a subclass's own apply


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` and ``gradgradcheck`` when analytic and numerical derivatives disagree."""


def gradcheck(
    func: Callable[..., Tensor | tuple[Tensor, ...]],
    inputs: Tensor | Sequence[object],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients backward computes for ``func`` against finite differences.

    ``inputs`` is a Tensor or a tuple of arguments; the tensors among them that require grad are
    checked (on float64 copies: float32 ones trigger a warning). ``func`` returns a Tensor or a
    tuple of Tensors. Returns True, or raises ``GradcheckError`` with a report naming the input,
    the position, the analytic and the numerical value, and the operation at fault (returns False
    instead with ``raise_exception=False``). Entries at a kink, where backward's value is one of
    the two one-sided slopes (relu at 0), pass with a ``UserWarning`` that gives both slopes.

    >>> x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    >>> w = ag.randn(4, 2, dtype=ag.float64, requires_grad=True)
    >>> gradcheck(lambda x, w: (x @ w).tanh(), (x, w))
    True
    """
    return _run("gradcheck", func, inputs, 1, None, eps, atol, rtol, raise_exception)


def gradgradcheck(
    func: Callable[..., Tensor | tuple[Tensor, ...]],
    inputs: Tensor | Sequence[object],
    grad_outputs: Tensor | Sequence[Tensor | ArrayLike] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: backward (with ``create_graph=True``) differentiated again.

    The function checked is ``(inputs, v) -> grad(func(inputs), inputs, v, create_graph=True)``:
    its analytic Jacobian comes from backpropagating through the backward pass, its numerical one
    from finite differences of the first derivative. ``grad_outputs`` (one tensor per output of
    ``func`` that requires grad) are the ``v``; by default random normal values (from a fixed
    seed, leaving the global generator alone), which are checked too.

    >>> x = ag.randn(5, dtype=ag.float64, requires_grad=True)
    >>> gradgradcheck(lambda x: x.tanh() * x.exp(), x)
    True
    """
    return _run("gradgradcheck", func, inputs, 2, grad_outputs, eps, atol, rtol, raise_exception)


# --------------------------------------------------------------------------- the checked problem
@dataclass
class _Problem:
    """A function, its arguments (float64 leaves at ``diff``), and how to name its ins and outs."""

    func: Callable
    args: list
    diff: list[int]
    input_name: Callable[[int], str]
    output_name: Callable[[int], str]


@dataclass
class _Entry:
    """One Jacobian entry: d output[output_position] / d input[input_position]."""

    output: int
    output_position: tuple
    input: int
    input_position: tuple
    analytic: float
    numerical: float
    left: float  # one-sided slopes: (f(x) - f(x - eps)) / eps
    right: float  # and (f(x + eps) - f(x)) / eps
    tolerance: float

    @property
    def excess(self) -> float:
        """How many tolerances apart analytic and numerical are (inf for nan)."""
        gap = abs(self.analytic - self.numerical)
        if not np.isfinite(gap):
            return np.inf
        return gap / self.tolerance if self.tolerance > 0 else np.inf


@dataclass
class _Comparison:
    failures: list[_Entry] = field(default_factory=list)  # worst first
    kinks: list[_Entry] = field(default_factory=list)
    pairs: list[tuple[int, int, int]] = field(default_factory=list)  # (output, input, entries)


def _first_order_problem(func: Callable, args: list, diff: list[int]) -> _Problem:
    return _Problem(func, args, diff, lambda i: f"input {i}", lambda k: f"output {k}")


def _second_order_problem(func: Callable, args: list, diff: list[int], grad_outputs, who: str) -> _Problem:
    """The backward pass of ``func`` as a function of (args..., grad_outputs...)."""
    outputs = _call(func, args, who)
    selected = [k for k, out in enumerate(outputs) if out._requires_grad and out._data.dtype.kind == "f"]
    if not selected:
        raise ValueError(f"{who}: no output of func requires grad, so it has no derivative to check")
    vectors = _grad_output_tensors(grad_outputs, [outputs[k] for k in selected], who)
    count = len(args)

    def first_derivative(*values: Tensor) -> tuple[Tensor, ...]:
        inner = values[:count]
        results = _call(func, inner, who)
        return _autograd_grad(
            [results[k] for k in selected],
            [inner[i] for i in diff],
            list(values[count:]),
            create_graph=True,
            materialize_grads=True,
        )

    extra = [count + j for j, vector in enumerate(vectors) if vector._requires_grad]
    return _Problem(
        first_derivative,
        list(args) + vectors,
        list(diff) + extra,
        lambda i: f"input {i}" if i < count else f"grad_outputs[{i - count}]",
        lambda k: f"the gradient for input {diff[k]}",
    )


def _autograd_grad(*args, **kwargs):
    """``autograd.grad``, imported late: the package's ``__init__`` imports this module."""
    from . import grad

    return grad(*args, **kwargs)


def _grad_output_tensors(grad_outputs, outputs: list[Tensor], who: str) -> list[Tensor]:
    """float64 copies of the given grad_outputs, or random normal ones that require grad."""
    if grad_outputs is None:
        generator = np.random.default_rng(0)
        return [_leaf(generator.standard_normal(out.shape)) for out in outputs]
    given = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs)
    if len(given) != len(outputs):
        raise ValueError(
            f"{who}: got {len(given)} grad_outputs for the {len(outputs)} output(s) of func that "
            "require grad; pass one tensor per such output"
        )
    vectors = []
    for index, (vector, out) in enumerate(zip(given, outputs)):
        array = vector._data if isinstance(vector, Tensor) else np.asarray(vector)
        if array.shape != out.shape:
            raise ValueError(
                f"{who}: grad_outputs[{index}] has shape {array.shape}, but the output it goes "
                f"with has shape {tuple(out.shape)}"
            )
        requires_grad = isinstance(vector, Tensor) and vector._requires_grad
        vectors.append(_leaf(array) if requires_grad else _tensor_from_array(array.astype(np.float64)))
    return vectors


# --------------------------------------------------------------------------- running a check
def _run(who, func, inputs, order, grad_outputs, eps, atol, rtol, raise_exception) -> bool:
    args, diff = _prepare_inputs(inputs, who)
    with grad_mode.enable_grad():
        if order == 1:
            problem = _first_order_problem(func, args, diff)
        else:
            problem = _second_order_problem(func, args, diff, grad_outputs, who)
        comparison = _compare_jacobians(problem, eps, atol, rtol, who)
    if comparison.kinks:
        warnings.warn(_kink_report(who, problem, comparison.kinks), UserWarning, stacklevel=3)
    if not comparison.failures:
        return True
    if not raise_exception:
        return False
    report = _mismatch_report(who, order, problem, comparison, eps, atol, rtol)
    with grad_mode.enable_grad():
        verdicts = _check_each_node(func, args, order, eps, atol, rtol, who)
    raise GradcheckError(report + "\n" + _localisation_report(verdicts, order))


def _prepare_inputs(inputs, who: str) -> tuple[list, list[int]]:
    """The arguments, with every tensor that requires grad replaced by a float64 leaf copy."""
    args = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    diff = []
    for index, arg in enumerate(args):
        if isinstance(arg, Tensor) and arg._requires_grad:
            if arg._data.dtype != np.float64:
                warnings.warn(
                    f"{who}: input {index} requires grad and is {arg._data.dtype}; finite differences "
                    "need float64, so the check runs on a float64 copy. Create the inputs with "
                    "dtype=float64 to check them in the precision you pass.",
                    UserWarning,
                    stacklevel=4,
                )
            args[index] = _leaf(arg._data)
            diff.append(index)
    if not diff:
        raise ValueError(
            f"{who} expects at least one input tensor to require grad, but none does: create "
            "the inputs to check with requires_grad=True"
        )
    return args, diff


def _leaf(array: np.ndarray) -> Tensor:
    """A float64 copy of ``array`` as a fresh leaf that requires grad."""
    return _tensor_from_array(_float64_copy(np.asarray(array)), True)


def _float64_copy(array: np.ndarray) -> np.ndarray:
    """A float64 copy with the same memory layout, so that ``func`` meets the same transposed or
    strided (``x[:, ::2]``) inputs as the caller's and their code paths are checked too."""
    steps = [stride // array.itemsize for stride in array.strides]
    if array.flags.forc or array.size == 0 or any(step <= 0 for step in steps):
        return np.array(array, dtype=np.float64, order="K", copy=True)
    buffer = np.zeros(1 + sum((size - 1) * step for size, step in zip(array.shape, steps)))
    itemsize = buffer.itemsize
    copy = np.lib.stride_tricks.as_strided(buffer, array.shape, [step * itemsize for step in steps])
    copy[...] = array
    return copy


def _call(func: Callable, args: Sequence, who: str) -> tuple[Tensor, ...]:
    result = func(*args)
    outputs = (result,) if isinstance(result, Tensor) else result
    if not isinstance(outputs, (tuple, list)) or not all(isinstance(o, Tensor) for o in outputs):
        raise TypeError(
            f"{who}: func must return a Tensor or a tuple of Tensors, got {type(result).__name__}"
        )
    return tuple(outputs)


# --------------------------------------------------------------------------- the two Jacobians
def _compare_jacobians(problem: _Problem, eps: float, atol: float, rtol: float, who: str) -> _Comparison:
    outputs = _call(problem.func, problem.args, who)
    checked = [k for k, out in enumerate(outputs) if out._data.dtype.kind == "f"]
    if not checked:
        raise TypeError(f"{who}: func returned no floating-point output, so there is nothing to check")
    base = {k: np.array(outputs[k]._data, dtype=np.float64).reshape(-1) for k in checked}
    shapes = {k: outputs[k]._data.shape for k in checked}
    analytic = _analytic_jacobians(problem, outputs, checked)
    del outputs
    central, left, right = _numerical_jacobians(problem, checked, base, eps, who)
    comparison = _Comparison()
    for (k, i), a in analytic.items():
        c, l, r = central[k, i], left[k, i], right[k, i]
        tolerance = atol + rtol * np.abs(c)
        bad = ~(np.abs(a - c) <= tolerance)
        for m, j in zip(*np.nonzero(bad)):
            entry = _Entry(
                k,
                _position(m, shapes[k]),
                i,
                _position(j, problem.args[i]._data.shape),
                float(a[m, j]),
                float(c[m, j]),
                float(l[m, j]),
                float(r[m, j]),
                float(tolerance[m, j]),
            )
            kink = _at_kink(entry, atol, rtol)
            (comparison.kinks if kink else comparison.failures).append(entry)
        comparison.pairs.append((k, i, a.size))
    comparison.failures.sort(key=lambda entry: entry.excess, reverse=True)
    return comparison


def _analytic_jacobians(problem: _Problem, outputs: tuple, checked: list[int]) -> dict:
    """J[k, i][m, j] = d outputs[k].flat[m] / d args[i].flat[j], one backward per output element."""
    inputs = [problem.args[i] for i in problem.diff]
    jacobians = {}
    for k in checked:
        out = outputs[k]
        for i in problem.diff:
            jacobians[k, i] = np.zeros((out._data.size, problem.args[i]._data.size))
        if not out._requires_grad:
            continue
        for m in range(out._data.size):
            seed = np.zeros(out._data.shape, dtype=out._data.dtype)
            seed.reshape(-1)[m] = 1
            grads = _autograd_grad(
                out, inputs, _tensor_from_array(seed), retain_graph=True, allow_unused=True
            )
            for i, gradient in zip(problem.diff, grads):
                if gradient is not None:
                    jacobians[k, i][m] = np.asarray(gradient._data, dtype=np.float64).reshape(-1)
    return jacobians


def _numerical_jacobians(problem: _Problem, checked: list[int], base: dict, eps: float, who: str):
    """Central differences, and the two one-sided ones (to recognise kinks), column by column."""
    central, left, right = {}, {}, {}
    for i in problem.diff:
        x = problem.args[i]._data
        for k in checked:
            for table in (central, left, right):
                table[k, i] = np.zeros((base[k].size, x.size))
        for j, position in enumerate(np.ndindex(x.shape)):
            original = x[position]
            x[position] = original + eps
            plus = _evaluate(problem, checked, base, who)
            x[position] = original - eps
            minus = _evaluate(problem, checked, base, who)
            x[position] = original
            for k in checked:
                central[k, i][:, j] = (plus[k] - minus[k]) / (2 * eps)
                right[k, i][:, j] = (plus[k] - base[k]) / eps
                left[k, i][:, j] = (base[k] - minus[k]) / eps
    return central, left, right


def _evaluate(problem: _Problem, checked: list[int], base: dict, who: str) -> dict:
    outputs = _call(problem.func, problem.args, who)
    values = {}
    for k in checked:
        value = np.array(outputs[k]._data, dtype=np.float64).reshape(-1)
        if value.size != base[k].size:
            raise RuntimeError(
                f"{who}: {problem.output_name(k)} changed size from {base[k].size} to "
                f"{value.size} when an input moved by eps; the check needs fixed output shapes"
            )
        values[k] = value
    return values


def _slopes_differ(entry: _Entry, atol: float, rtol: float) -> bool:
    """The slopes from the left and from the right disagree beyond tolerance: a kink."""
    return abs(entry.left - entry.right) > atol + rtol * max(abs(entry.left), abs(entry.right))


def _at_kink(entry: _Entry, atol: float, rtol: float) -> bool:
    """At a kink, with the analytic value between the two one-sided slopes."""
    if not _slopes_differ(entry, atol, rtol):
        return False
    slack = atol + rtol * max(abs(entry.left), abs(entry.right))
    return min(entry.left, entry.right) - slack <= entry.analytic <= max(entry.left, entry.right) + slack


def _position(flat_index, shape: tuple) -> tuple:
    return tuple(int(v) for v in np.unravel_index(int(flat_index), shape)) if shape else ()


# --------------------------------------------------------------------------- finding the culprit
@dataclass
class _NodeVerdict:
    """The result of checking one node of the graph on its own."""

    node: Function
    failure: _Entry | None = None
    problem: _Problem | None = None
    skipped: str | None = None


@contextlib.contextmanager
def _recording_nodes():
    """While active, every recorded node is listed with copies of the inputs it was applied to."""
    previous = function._recorded_nodes[0]
    recorded: list = []
    function._recorded_nodes[0] = recorded
    function._update_debug_mode()
    try:
        yield recorded
    finally:
        function._recorded_nodes[0] = previous
        function._update_debug_mode()


def _check_each_node(func, args, order, eps, atol, rtol, who) -> list[_NodeVerdict]:
    """Run ``func`` once more, recording each node's inputs, and check every node on its own."""
    with _recording_nodes() as recorded, grad_mode.enable_grad():
        outputs = _call(func, args, who)
    reachable = _reachable_nodes(outputs)
    return [
        _check_node(node, inputs, order, eps, atol, rtol)
        for node, inputs in recorded
        if id(node) in reachable
    ]


def _reachable_nodes(outputs: tuple) -> set[int]:
    """The ids of the nodes backward goes through from ``outputs`` (an iterative walk)."""
    stack = [out.grad_fn for out in outputs if out.grad_fn is not None]
    seen = {id(node) for node in stack}
    while stack:
        node = stack.pop()
        for edge in node._next:
            if edge is None or isinstance(edge[0], Tensor) or id(edge[0]) in seen:
                continue
            seen.add(id(edge[0]))
            stack.append(edge[0])
    return seen


def _check_node(node: Function, inputs: tuple, order: int, eps, atol, rtol) -> _NodeVerdict:
    """Re-apply the node's Function to copies of its inputs and check that alone."""
    who = node.name()
    args = list(inputs)
    diff = [
        j
        for j, (arg, needs) in enumerate(zip(args, node.needs_input_grad))
        if needs and isinstance(arg, Tensor) and arg._data.dtype.kind == "f"
    ]
    for j in diff:
        args[j] = _leaf(args[j]._data)
    node_class = type(node)

    def rerun(*values: object) -> Tensor | tuple[Tensor, ...]:
        return _BASE_APPLY(node_class, *values)

    try:
        with grad_mode.no_grad():
            trial = _call(rerun, args, who)
        coarse = [o._data.dtype for o in trial if o._data.dtype.kind == "f" and o._data.dtype != np.float64]
        if coarse:
            return _NodeVerdict(
                node, skipped=f"it computes in {coarse[0]}, too coarse for finite differences"
            )
        if order == 1:
            problem = _first_order_problem(rerun, args, diff)
        else:
            problem = _second_order_problem(rerun, args, diff, None, who)
        comparison = _compare_jacobians(problem, eps, atol, rtol, who)
    except Exception as error:  # a diagnosis: report what stopped it, check the other nodes
        return _NodeVerdict(
            node, skipped=f"it could not be re-run on its own: {type(error).__name__}: {error}"
        )
    if comparison.failures:
        return _NodeVerdict(node, comparison.failures[0], problem)
    return _NodeVerdict(node)


# --------------------------------------------------------------------------- reports
def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _number(value: float) -> str:
    return f"{value:.6g}"


def _at(name: str, position: tuple) -> str:
    return f"{name} at position {position}" if position else name


def _describe_node(node: Function) -> str:
    metadata = node.metadata
    text = node.name()
    site = metadata["site"]
    if site is not None:
        text += f", created at {site[0]}:{site[1]}"
    if metadata["module"]:
        text += " inside " + " > ".join(type(module).__name__ for module in metadata["module"])
    return text


def _source_line(node: Function) -> str:
    site = node.metadata["site"]
    return "" if site is None else linecache.getline(site[0], site[1]).strip()


def _mismatch_report(who, order, problem, comparison, eps, atol, rtol) -> str:
    worst = comparison.failures[0]
    if order == 1:
        what = "the gradient computed by backward (analytic) disagrees with central finite differences"
    else:
        what = (
            "the second derivative (backward, built with create_graph=True, differentiated again) "
            "disagrees with central finite differences of the first derivative"
        )
    counts = {}
    for entry in comparison.failures:
        counts[entry.output, entry.input] = counts.get((entry.output, entry.input), 0) + 1
    per_pair = ", ".join(
        f"{problem.output_name(k)} w.r.t. {problem.input_name(i)}: {counts[k, i]} of {size}"
        for k, i, size in comparison.pairs
        if (k, i) in counts
    )
    lines = [
        f"{who} failed: {what} (numerical, eps={eps:g}).",
        f"Worst entry: {_at(problem.input_name(worst.input), worst.input_position)}, in the "
        f"derivative of {_at(problem.output_name(worst.output), worst.output_position)}:",
        f"    analytic:  {_number(worst.analytic)}",
        f"    numerical: {_number(worst.numerical)}",
        f"    the rule |analytic - numerical| <= atol + rtol * |numerical| fails: "
        f"{_number(abs(worst.analytic - worst.numerical))} > {atol:g} + {rtol:g} * "
        f"{_number(abs(worst.numerical))} = {_number(worst.tolerance)}",
    ]
    if _slopes_differ(worst, atol, rtol):
        lines.append(
            f"    it sits at a kink (left slope {_number(worst.left)}, right slope "
            f"{_number(worst.right)}), but the analytic value is not between them: no one-sided "
            "derivative explains it"
        )
    failed = _count(len(comparison.failures), "Jacobian entry", "Jacobian entries")
    lines.append(f"{failed} fail ({per_pair}).")
    return "\n".join(lines)


def _localisation_report(verdicts: list[_NodeVerdict], order: int) -> str:
    faulty = [verdict for verdict in verdicts if verdict.failure is not None]
    skipped = [verdict for verdict in verdicts if verdict.skipped is not None]
    lines = []
    if faulty:
        first = faulty[0]
        entry, problem = first.failure, first.problem
        how = (
            "its backward against finite differences of its forward"
            if order == 1
            else "its backward differentiated again against finite differences of its backward"
        )
        lines.append(f"The operation at fault: {_describe_node(first.node)}")
        source = _source_line(first.node)
        if source:
            lines.append(f"    {source}")
        lines.append(
            f"Checked on its own ({how}, at the inputs it received inside func), it disagrees at "
            f"{_at(problem.input_name(entry.input), entry.input_position)}, in the derivative of "
            f"{_at(problem.output_name(entry.output), entry.output_position)}: analytic "
            f"{_number(entry.analytic)}, numerical {_number(entry.numerical)}."
        )
        if len(faulty) > 1:
            others = "; ".join(_describe_node(verdict.node) for verdict in faulty[1:6])
            lines.append(f"Other operations that fail on their own too: {others}")
    else:
        lines.append(
            f"{_count(len(verdicts) - len(skipped), 'operation')} in func's graph, each checked on "
            "its own, pass, so the mismatch comes from how func connects them: a .detach(), .data, "
            "a NumPy round trip (.numpy() then tensor()) or a no_grad() block inside func (or inside "
            "a backward) hides part of the computation from the gradient."
        )
    if skipped:
        details = "; ".join(f"{_describe_node(verdict.node)} ({verdict.skipped})" for verdict in skipped[:5])
        lines.append(f"Not checked on their own: {details}")
    return "\n".join(lines)


def _kink_report(who: str, problem: _Problem, kinks: list[_Entry]) -> str:
    lines = [
        f"{who}: {_count(len(kinks), 'Jacobian entry', 'Jacobian entries')} at a kink of func, "
        "where the slopes from the left and from the right differ and backward's value is a valid "
        "one-sided derivative between them; not counted as failures:"
    ]
    for entry in kinks[:5]:
        lines.append(
            f"  {_at(problem.input_name(entry.input), entry.input_position)} is at a kink (derivative "
            f"of {_at(problem.output_name(entry.output), entry.output_position)}): left slope "
            f"{_number(entry.left)}, right slope {_number(entry.right)}, analytic {_number(entry.analytic)}"
        )
    if len(kinks) > 5:
        lines.append(f"  ... and {len(kinks) - 5} more")
    lines.append("Move the inputs away from the kink to check the gradient there strictly.")
    return "\n".join(lines)
