"""``GraphView``: a drawn graph that shows itself in a notebook and saves to a file.

Building the DOT text needs nothing but the ``graphviz`` Python package. Laying it out (SVG,
PNG, PDF) needs Graphviz's ``dot`` program; without it those raise
``GraphvizNotInstalledError``, which says how to install it.
"""

from __future__ import annotations

import os
import re
import shutil

import graphviz

_FORMATS = ("svg", "png", "pdf", "dot")

_INSTALL_HELP = (
    "Drawing the graph as an image needs Graphviz's `dot` program, which is not on PATH. "
    "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS), `conda install graphviz` (conda), or the installer from https://graphviz.org/download/ "
    "(Windows; tick 'add to PATH'). The DOT text works without it: view.source, or view.save('graph.dot')."
)


class GraphvizNotInstalledError(RuntimeError):
    """Graphviz's ``dot`` program is needed to lay the graph out and is not installed."""


def check_dot_installed() -> None:
    if shutil.which("dot") is None:
        raise GraphvizNotInstalledError(_INSTALL_HELP)


class GraphView:
    """A drawn graph: shows inline in Jupyter (scaled to the cell's width), ``.source`` is the
    DOT text, ``.save(path)`` writes svg, png, pdf or dot by the path's suffix, and ``.graph``
    is the underlying ``graphviz.Digraph``."""

    def __init__(self, graph: graphviz.Digraph, node_count: int, edge_count: int, notes: list[str]):
        self.graph = graph
        self.node_count = node_count
        self.edge_count = edge_count
        self.notes = list(notes)

    @property
    def source(self) -> str:
        """The DOT text (needs no Graphviz installation)."""
        return self.graph.source

    def pipe(self, format: str = "svg") -> bytes:
        """The laid-out picture as bytes in ``format`` (svg, png or pdf)."""
        if format not in ("svg", "png", "pdf"):
            raise ValueError(f"format must be 'svg', 'png' or 'pdf', got {format!r}")
        check_dot_installed()
        try:
            return self.graph.pipe(format=format)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotInstalledError(_INSTALL_HELP) from error

    def save(self, path: str | os.PathLike) -> str:
        """Write the picture to ``path``; the suffix picks the format (.svg, .png, .pdf, .dot).

        >>> view.save("graph.svg")  # doctest: +SKIP
        'graph.svg'
        """
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower().lstrip(".")
        if suffix == "gv":
            suffix = "dot"
        if suffix not in _FORMATS:
            raise ValueError(
                f"cannot tell the format of {path!r} from its suffix: use one of "
                f"{', '.join('.' + f for f in _FORMATS)}"
            )
        data = self.source.encode("utf-8") if suffix == "dot" else self.pipe(suffix)
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "wb") as file:
            file.write(data)
        return path

    def svg(self) -> str:
        """The SVG text, sized to fit the width it is shown in (never wider than its own size)."""
        return fit_to_width(self.pipe("svg").decode("utf-8"))

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        """The SVG scaled to the cell's width, but never below 60% of its size (where 9-point
        text stops being readable): a wider graph scrolls sideways instead."""
        return scrollable(self.pipe("svg").decode("utf-8"))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        svg = self.pipe("svg").decode("utf-8")
        return {"text/html": scrollable(svg), "image/svg+xml": fit_to_width(svg), "text/plain": repr(self)}

    def __repr__(self) -> str:
        return (
            f"<GraphView: {self.node_count} nodes, {self.edge_count} edges; "
            "display it in a notebook or .save('graph.svg')>"
        )


_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


MIN_SCALE = 0.6


def fit_to_width(svg: str, min_scale: float | None = None) -> str:
    """Let an SVG shrink to its container's width, keeping its aspect ratio (the viewBox stays);
    with ``min_scale``, not below that fraction of its own width."""

    def sized(match: re.Match[str]) -> str:
        width = float(match.group(1))
        minimum = f" min-width: {width * min_scale:.0f}pt;" if min_scale else ""
        return f'<svg width="100%" style="max-width: {width:.0f}pt;{minimum} height: auto"'

    return _SIZE.sub(sized, svg, count=1)


def scrollable(svg: str) -> str:
    """HTML for a notebook: the SVG fitted to the width, scrolling sideways when it would
    otherwise shrink below ``MIN_SCALE``."""
    body = svg[svg.index("<svg") :]
    return f'<div style="overflow-x: auto; max-width: 100%">{fit_to_width(body, MIN_SCALE)}</div>'
