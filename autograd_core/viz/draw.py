"""``draw_graph``: the picture of everything a tensor was computed from, and torchviz's
``make_dot`` under its own name and arguments."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._tensor import Tensor
from .folding import fold
from .model import GraphModel, build_model
from .options import RenderOptions
from .render import Renderer
from .view import GraphView

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import TypeAlias

    from nn.modules.module import Module

    # names for tensors: {name: tensor}, (name, tensor) pairs, or a module
    Params: TypeAlias = "Mapping[str, Tensor] | Iterable[tuple[str, Tensor]] | Module"
    # tensors (or tensor names) whose paths to the output are drawn bold
    Highlight: TypeAlias = "Tensor | str | list[Tensor | str] | tuple[Tensor | str, ...] | set[Tensor | str]"

_COLOR_BY = ("grad", "ratio", "op", None)
_VIEWS = ("forward", "backward")
_RANKDIRS = ("LR", "TB", "RL", "BT")
MIN_NODES = 10


def draw_graph(
    root: Tensor | Sequence[Tensor],
    *,
    params: Params | None = None,
    show_values: bool = True,
    show_grads: bool = True,
    show_shapes: bool = True,
    color_by: str | None = "grad",
    highlight: Highlight | None = None,
    depth: int | None = None,
    max_nodes: int | None = 300,
    view: str = "forward",
    rankdir: str = "LR",
) -> GraphView:
    """Draw the computation graph of ``root`` (a tensor, or a list of them) with Graphviz.

    Each tensor is a record with its name, shape and dtype, value and gradient (every number
    for tiny tensors, min/mean/max/norm for larger ones) and badges for NaN, Inf, zero
    gradients and saturated tanh/sigmoid outputs; each operation a small node with its
    attributes (``sum(dim=1)``, ``pow(2)``).

    - ``params``: names for tensors (a dict name -> tensor, ``(name, tensor)`` pairs or a
      module); parameters of modules are named by their module anyway (``fc1.weight``).
    - ``color_by``: ``"grad"`` colours by gradient size (blue vanishing, white healthy, red
      exploding, black NaN/Inf; edge width by gradient norm), ``"ratio"`` colours the leaves
      that require grad by ‖grad‖/‖data‖, ``"op"`` operations by family, ``None`` draws plain.
    - ``highlight``: a tensor (or its name, or a list) whose paths to the output are drawn bold.
    - ``depth``: draw the modules at this nesting level as boxes, their insides hidden (0: the
      whole model is one box; 1: each of its sub-modules is a box).
    - ``max_nodes``: above it the picture folds itself (modules, long chains, then the part
      farthest from the output) and says so; ``None`` never folds.
    - ``view="backward"`` names operations by their backward nodes (``MulBackward0``) and
      points the arrows the way gradients flow; ``rankdir`` is Graphviz's (``"LR"``, ``"TB"``).

    >>> import autograd_core as ag
    >>> x = ag.Tensor(2.0, requires_grad=True, name="x")
    >>> y = (x * x).tanh()
    >>> y.backward()
    >>> view = draw_graph(y)
    >>> "grad" in view.source
    True
    """
    _check_choice("color_by", color_by, _COLOR_BY)
    _check_choice("view", view, _VIEWS)
    _check_choice("rankdir", rankdir, _RANKDIRS)
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"depth must be None or an integer >= 0 (0 folds the whole model), got {depth!r}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < MIN_NODES):
        raise ValueError(f"max_nodes must be None or an integer >= {MIN_NODES}, got {max_nodes!r}")
    options = RenderOptions(
        show_values=show_values,
        show_grads=show_grads,
        show_shapes=show_shapes,
        color_by=color_by,
        view=view,
        rankdir=rankdir,
    )
    with gc_paused():
        model = build_model(as_roots(root), parameter_names(params))
        return render_model(model, options, highlight=highlight, depth=depth, max_nodes=max_nodes)


def make_dot(
    var: Tensor | Sequence[Tensor],
    params: Params | None = None,
    show_attrs: bool = False,
    show_saved: bool = False,
    max_attr_chars: int = 50,
) -> GraphView:
    """torchviz's ``make_dot``: the graph with operations named by their backward nodes
    (``MulBackward0``); ``show_attrs`` lists every attribute an operation kept (each cut to
    ``max_attr_chars``), ``show_saved`` what it saved for backward. Returns a ``GraphView``."""
    options = RenderOptions(
        view="backward", show_attrs=show_attrs, show_saved=show_saved, max_attr_chars=max_attr_chars
    )
    with gc_paused():
        model = build_model(as_roots(var), parameter_names(params))
        return render_model(model, options, highlight=None, depth=None, max_nodes=300)


def render_model(
    model: GraphModel,
    options: RenderOptions,
    *,
    highlight: Highlight | None,
    depth: int | None,
    max_nodes: int | None,
) -> GraphView:
    """Fold ``model`` to fit and draw it."""
    if highlight is not None:
        options.highlight = highlight_indices(model, highlight)
    folding = fold(model, depth, max_nodes)
    graph, node_count, edge_count = Renderer(model, folding, options).render()
    return GraphView(graph, node_count, edge_count, folding.notes)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a picture is built.

    Walking a large graph allocates hundreds of thousands of small objects (none of them in
    cycles); each allocation burst would otherwise trigger full collections that scan the whole
    graph again, which made a 100,000-operation chain take seconds instead of a fraction.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def as_roots(root: Tensor | Sequence[Tensor]) -> list[Tensor]:
    """The tensors to draw from: one tensor, or a list or tuple of them."""
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    for item in roots:
        if not isinstance(item, Tensor):
            raise TypeError(
                f"draw_graph needs the Tensor to draw (the loss or output), or a list of them; got "
                f"{type(item).__name__}"
            )
    if not roots:
        raise ValueError("draw_graph needs at least one tensor to draw")
    return roots


def parameter_names(params: Params | None) -> dict[int, str]:
    """``{id(tensor): name}`` from a dict name -> tensor, ``(name, tensor)`` pairs, or anything
    with ``named_parameters()`` (a module)."""
    if params is None:
        return {}
    if isinstance(params, Mapping):
        pairs = params.items()
    elif callable(getattr(params, "named_parameters", None)):
        pairs = params.named_parameters()
    else:
        pairs = params
    names = {}
    try:
        for name, tensor in pairs:
            names[id(tensor)] = str(name)
    except (TypeError, ValueError):
        raise TypeError(
            "params must be a dict {name: tensor}, a list of (name, tensor) pairs or a module, "
            f"got {type(params).__name__}; for example params=dict(model.named_parameters())"
        ) from None
    return names


def highlight_indices(model: GraphModel, highlight: Highlight) -> set[int]:
    """The items of the tensors (or tensor names) to highlight."""
    wanted = list(highlight) if isinstance(highlight, (list, tuple, set)) else [highlight]
    found = set()
    for want in wanted:
        index = _find_item(model, want)
        if index is None:
            described = repr(want) if isinstance(want, str) else f"the tensor of shape {tuple(want.shape)}"
            raise ValueError(
                f"highlight: {described} is not in this graph: the output was not computed from it. "
                "Pass a tensor the output depends on (a parameter, an input or an intermediate), or its name."
            )
        found.add(index)
    return found


def _find_item(model: GraphModel, want) -> int | None:
    if isinstance(want, str):
        for item in model.items:
            if not item.is_op and item.name == want:
                return item.index
        return None
    if not isinstance(want, Tensor):
        raise TypeError(f"highlight takes tensors or tensor names, got {type(want).__name__}")
    for item in model.items:
        if item.is_op:
            continue
        if want.grad_fn is None and item.leaf is want:
            return item.index
        if want.grad_fn is not None and item.node is want.grad_fn and item.nr == want._output_nr:
            return item.index
    return None


def _check_choice(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}")
