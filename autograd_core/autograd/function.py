"""``Function``: one differentiable operation, and the graph node that records it.

A subclass states the math and nothing else::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = np.exp(x.numpy())
            ctx.save_for_backward(y)          # saving the output: dy/dx = y
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y                   # Tensor operations: differentiable again

``Exp.apply(x)`` runs ``forward`` (with NumPy arrays or Tensors out) and, when ``x`` requires
grad and grad mode is on, returns a Tensor whose ``grad_fn`` is the node ``ctx``: an instance of
``Exp`` that holds what backward needs and the edges to the inputs' nodes. The engine
(``engine.py``) does everything common to all operations: summing broadcast dimensions back,
checking shapes, accumulating, hooks, freeing.

Nodes never refer to the tensors they produced, so a graph is freed by reference counting.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING

import numpy as np

from .. import grad_mode
from .._tensor import Tensor, _tensor_from_array

if TYPE_CHECKING:
    from typing import Any

_FREED = "freed"
_PACKAGE_DIRS: tuple[str, ...] = ()
_scope_stack: list = []
_anomaly_mode = [False]  # detect_anomaly(check_nan=True): the engine checks what each backward returns
_anomaly_traces = [False]  # detect_anomaly(): each new node keeps its forward traceback in _trace
_recorded_nodes: list = [None]  # gradcheck: a list collecting (node, copies of its inputs)
_debug_mode = [False]  # either of the two above: the one check a recorded node pays for


def _update_debug_mode() -> None:
    _debug_mode[0] = _anomaly_traces[0] or _recorded_nodes[0] is not None


def _record_debug_info(ctx, args) -> None:
    """What a node keeps beyond backward's needs, for anomaly mode and gradcheck's diagnosis."""
    if _anomaly_traces[0]:
        trace = traceback.extract_stack(sys._getframe(1))
        while len(trace) > 1 and trace[-1].filename == __file__:
            trace.pop()
        ctx._trace = trace
    recorded = _recorded_nodes[0]
    if recorded is not None:
        copies = tuple(
            _tensor_from_array(arg._data.copy(order="K"))
            if isinstance(arg, Tensor)
            else arg.copy()
            if isinstance(arg, np.ndarray)
            else arg
            for arg in args
        )
        recorded.append((ctx, copies))


def _creation_site() -> tuple | None:
    """Where user code made a node: (code object, instruction offset) of the first frame
    outside the library. ``creation_site`` turns it into (file, line) when someone asks; the
    line number itself is not computed here, as it costs a scan of the code's line table.

    The walk starts above ``apply``: ``_creation_site``, ``_record`` and ``apply`` are library
    frames by construction.
    """
    frame = sys._getframe(3)
    while frame is not None:
        code = frame.f_code
        library = _LIBRARY_FILES.get(code.co_filename)
        if library is None:
            library = _remember_library_file(code.co_filename)
        if not library:
            return code, frame.f_lasti
        frame = frame.f_back
    return None


def _remember_library_file(filename: str) -> bool:
    """Whether ``filename`` lies in the library's folders, remembered per file name: a
    dictionary lookup is many times cheaper than ``str.startswith`` with a tuple."""
    library = filename.startswith(_PACKAGE_DIRS)
    if len(_LIBRARY_FILES) < 100_000:  # a notebook makes a new file name per cell
        _LIBRARY_FILES[filename] = library
    return library


_LIBRARY_FILES: dict[str, bool] = {}  # file name -> whether it is library code


def creation_site(node: Function) -> tuple[str, int] | None:
    """(file, line) of the user code that created ``node``, or None if unknown."""
    site = node._site
    if site is None:
        return None
    code, offset = site
    line = code.co_firstlineno
    for start, end, number in code.co_lines():
        if start <= offset < end and number is not None:
            line = number
            break
    return code.co_filename, line


class Function:
    """Base of every differentiable operation and of user-defined ones (PyTorch's contract).

    ``forward(ctx, *inputs)`` computes the output; ``backward(ctx, *grad_outputs)`` returns
    one gradient per input of forward (``None`` for inputs that need none), written with Tensor
    operations. ``ctx.save_for_backward(*tensors)`` keeps tensors for backward and
    ``ctx.saved_tensors`` gives them back, checked against in-place changes.
    ``ctx.needs_input_grad`` tells which inputs need a gradient.
    """

    # Every recorded node sets these; a subclass also gets a __dict__ for its ctx attributes.
    # _constants: the input tensors that need no grad, {position: tensor} or None (for pictures).
    __slots__ = ("needs_input_grad", "_next", "_saved", "_value", "_site", "_scope", "_constants", "__dict__")

    # What most nodes never set: class-level defaults, set on a node only when used.
    _grad = None  # the gradient that reached the output in the last backward (for pictures)
    _non_differentiable = ()
    _hooks = None  # tensor hooks of the outputs: [(output_nr, hook)]
    _retained = None  # outputs that called retain_grad(): {output_nr: weakref}
    _trace = None  # the creation traceback, in anomaly mode
    _output_names = None  # names given to output tensors, {output_nr: name} (for graph pictures)

    @staticmethod
    def forward(ctx, *args: Any) -> np.ndarray | Tensor | tuple[np.ndarray | Tensor, ...]:
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx, *grad_outputs: Tensor) -> Tensor | tuple[Tensor | None, ...] | None:
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    # ----------------------------------------------------------------- forward side
    @classmethod
    def apply(cls, *args: Any) -> Tensor | tuple[Tensor, ...]:
        """Run ``forward`` and, when grad mode is on and an input requires grad, record the node."""
        ctx = object.__new__(cls)
        if grad_mode._grad_enabled.get():
            for arg in args:
                if isinstance(arg, Tensor) and arg._requires_grad:
                    return _record(cls, ctx, args)
        out = cls.forward(ctx, *args)
        if type(out) is np.ndarray:
            return _tensor_from_array(out)
        return _wrap_outputs(out, None)

    def save_for_backward(self, *tensors: Tensor | np.ndarray | None) -> None:
        """Keep tensors (inputs, outputs, or arrays made in forward) for backward."""
        self._saved = tensors  # packed by _record once forward has returned

    def mark_non_differentiable(self, *outputs: np.ndarray | Tensor) -> None:
        """Declare outputs (such as indices) that get no gradient."""
        self._non_differentiable = outputs

    # ---------------------------------------------------------------- backward side
    @property
    def saved_tensors(self) -> tuple:
        """The saved tensors, after checking none was changed in place since it was saved."""
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time: {self.name()} already "
                "freed its saved tensors after the first backward. Call .backward(retain_graph="
                "True) the first time if you need to go through the graph again."
            )
        if saved is None:
            return ()
        unpacked = []
        for item, counter, version in saved:
            if counter is not None and counter[0] != version:
                raise _modified_in_place_error(self, item, version, counter[0])
            if type(item) is int:
                value = self._value if type(self._value) is not tuple else self._value[item]
                tensor = _tensor_from_array(value, grad_mode._grad_enabled.get(), self, item)
                unpacked.append(tensor)
            elif isinstance(item, Tensor) or item is None:
                unpacked.append(item)
            else:
                unpacked.append(_tensor_from_array(item))
        return tuple(unpacked)

    def name(self) -> str:
        """PyTorch's name of the node: ``MulBackward0`` for ``Mul``."""
        return f"{type(self).__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        """``(node, output_nr)`` per input; a leaf shows as ``AccumulateGrad``, no grad as None."""
        result = []
        for edge in self._next:
            if edge is None:
                result.append((None, 0))
            elif isinstance(edge[0], Tensor):
                result.append((AccumulateGrad(edge[0]), 0))
            else:
                result.append((edge[0], edge[1]))
        return tuple(result)

    @property
    def metadata(self) -> dict:
        """Where the node was made: ``{"site": (file, line), "module": scope or None}``."""
        return {"site": creation_site(self), "module": self._scope}

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad:
    """Stands for a leaf tensor in ``next_functions``: its gradient accumulates into ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def current_grad_fn(tensor: Tensor) -> Function | None:
    """``tensor.grad_fn``, brought up to date when ``tensor`` is a view whose base was changed
    in place after the view was made (as PyTorch regenerates a view's grad_fn): the view is
    then, in the graph, the same view of the base's new history.

    A view records ``_view_of = (base, version, view_class, view_args, rebuild)``; it shares
    its base's version counter, so a version other than the recorded one means a change.
    """
    link = tensor._view_of
    counter = tensor._version_counter
    if link is None or link[1] == counter[0]:
        return tensor.grad_fn
    stale = []
    view = tensor
    while link is not None and link[1] != counter[0]:
        stale.append(view)
        view = link[0]
        link = view._view_of
    token = grad_mode._grad_enabled.set(True)
    try:
        for view in reversed(stale):
            base, _, view_class, view_args, rebuild = view._view_of
            fresh = view_class.apply(base, *view_args)
            view.grad_fn = fresh.grad_fn
            view._output_nr = fresh._output_nr
            view._requires_grad = fresh._requires_grad
            view._view_of = (base, counter[0], view_class, view_args, rebuild)
    finally:
        grad_mode._grad_enabled.reset(token)
    return tensor.grad_fn


def _record(cls, ctx, args):
    """Run ``forward`` without recording inside it, then link ``ctx`` into the graph."""
    ctx._saved = None  # until forward calls save_for_backward
    token = grad_mode._grad_enabled.set(False)
    try:
        out = cls.forward(ctx, *args)
    finally:
        grad_mode._grad_enabled.reset(token)
    edges = []
    needs = []
    constants = None
    for arg in args:
        if isinstance(arg, Tensor):
            if arg._requires_grad:
                node = arg.grad_fn if arg._view_of is None else current_grad_fn(arg)
                data = arg._data
                edges.append((arg if node is None else node, arg._output_nr, data.shape, data.dtype))
                needs.append(True)
                continue
            if constants is None:
                constants = {}
            constants[len(edges)] = arg
        edges.append(None)
        needs.append(False)
    ctx._constants = constants
    ctx._next = tuple(edges)
    ctx.needs_input_grad = tuple(needs)
    ctx._site = _creation_site()
    ctx._scope = _scope_stack[-1] if _scope_stack else None
    if _debug_mode[0]:
        _record_debug_info(ctx, args)
    if type(out) is np.ndarray and out.dtype.kind == "f":
        ctx._value = out
        result = _tensor_from_array(out, True, ctx, 0)
        outputs = (result,)
    else:
        result = _wrap_outputs(out, ctx)
        outputs = result if type(result) is tuple else (result,)
    if ctx._saved is not None:
        ctx._saved = _pack_saved(ctx._saved, outputs, out if type(out) is tuple else (out,))
    return result


def _wrap_outputs(out, ctx):
    """Arrays (or Tensors) returned by forward become Tensors; recorded ones point at ``ctx``."""
    if type(out) is tuple:
        values = tuple(o._data if isinstance(o, Tensor) else np.asarray(o) for o in out)
        if ctx is None:
            return tuple(_tensor_from_array(v) for v in values)
        ctx._value = values
        skip = {id(o) for o in ctx._non_differentiable}
        results = []
        for index, (value, original) in enumerate(zip(values, out)):
            if value.dtype.kind == "f" and id(original) not in skip:
                results.append(_tensor_from_array(value, True, ctx, index))
            else:
                results.append(_tensor_from_array(value))
        return tuple(results)
    value = out._data if isinstance(out, Tensor) else out
    if type(value) is not np.ndarray:
        value = np.asarray(value)
    if ctx is None:
        return _tensor_from_array(value)
    ctx._value = value
    if value.dtype.kind != "f":
        return _tensor_from_array(value)
    return _tensor_from_array(value, True, ctx, 0)


def _pack_saved(to_save: tuple, outputs: tuple, returned: tuple) -> tuple:
    """Each saved item as (item, version counter, version then).

    An output is saved by its index, not as the Tensor, so the node does not refer to the
    tensor that refers to it (no reference cycle); an array made in forward is a constant.
    ``returned`` is what forward returned: for a 0-d result NumPy gives a scalar (np.float64),
    which became a new array in the output, and saving that scalar still means the output.
    """
    packed = []
    for item in to_save:
        if item is None:  # a slot left empty (e.g. an operand no gradient needs)
            packed.append((None, None, None))
            continue
        data = item._data if isinstance(item, Tensor) else item
        for index, output in enumerate(outputs):
            if data is output._data or item is returned[index]:
                counter = output._version_counter
                packed.append((index, counter, counter[0]))
                break
        else:
            if isinstance(item, Tensor):
                counter = item._version_counter
                packed.append((item, counter, counter[0]))
            else:
                packed.append((np.asarray(item), None, None))
    return tuple(packed)


def _modified_in_place_error(node, item, saved_version, version) -> RuntimeError:
    what = "its output" if type(item) is int else f"an input of shape {tuple(item.shape)}"
    where = ""
    site = creation_site(node)
    if site is not None:
        where = f", created at {site[0]}:{site[1]}"
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an "
        f"in-place operation: {node.name()}{where} saved {what} at version {saved_version}, "
        f"and it is now at version {version}. Use an out-of-place operation (x = x + 1 "
        f"instead of x += 1) or .clone() the tensor before changing it."
    )
