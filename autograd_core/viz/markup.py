"""DOT statements and Graphviz's HTML-like labels: quoting, table rows, fonts, colour swatches.

Graphviz labels written as ``<...>`` are small HTML tables (``<TABLE>``, ``<TR>``, ``<TD>``,
``<FONT>``, ``<B>``, ``<BR/>``); plain text inside them must be escaped first
(``html.escape``). The helpers here take markup that is already escaped.
"""

from __future__ import annotations

import html

MUTED = "#666666"  # grey for secondary text


def node_statement(name: str, attributes: dict) -> str:
    """``\\tname [key="value" ...]``: one node of the DOT text."""
    return f"\t{name} [{attribute_list(attributes)}]\n"


def edge_statement(source: str, target: str, attributes: dict) -> str:
    """``\\tsource -> target [key="value" ...]``: one edge of the DOT text."""
    listed = attribute_list(attributes)
    return f"\t{source} -> {target}" + (f" [{listed}]" if listed else "") + "\n"


def attribute_list(attributes: dict) -> str:
    """``key="value"`` pairs; an HTML-like label (``<...>``) goes in unquoted."""
    parts = []
    for key, value in attributes.items():
        if key == "label" and value.startswith("<"):
            parts.append(f"{key}={value}")
        else:
            parts.append(f"{key}={quote(value)}")
    return " ".join(parts)


def quote(value: object) -> str:
    """A DOT string: backslashes and quotes escaped, newlines as ``\\n`` (which tooltips show)."""
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def quantity_rows(
    title: str, lines: list[str], bgcolor: str | None = None, color: str | None = None
) -> list[str]:
    """``data``/``grad`` in a narrow left column, its one or two lines of numbers beside it."""
    background = f' BGCOLOR="{bgcolor}"' if bgcolor else ""
    rows = []
    for number, line in enumerate(lines):
        content = colored(html.escape(line), color) if number == 0 else small(html.escape(line), color)
        cells = ""
        if number == 0:
            span = f' ROWSPAN="{len(lines)}"' if len(lines) > 1 else ""
            cells += f'<TD ALIGN="LEFT" VALIGN="TOP"{span}{background}>{small(title, color or MUTED)}</TD>'
        cells += f'<TD ALIGN="LEFT"{background}>{content}</TD>'
        rows.append(f"<TR>{cells}</TR>")
    return rows


def row(content: str, align: str = "CENTER", bgcolor: str | None = None, colspan: int | None = None) -> str:
    """A table row with one cell."""
    cell = f' ALIGN="{align}"'
    if bgcolor:
        cell += f' BGCOLOR="{bgcolor}"'
    if colspan:
        cell += f' COLSPAN="{colspan}"'
    return f"<TR><TD{cell}>{content}</TD></TR>"


def swatch(label: str, fill: str, color: str) -> str:
    """A legend cell: ``label`` on ``fill``."""
    return f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="#999999">{small(html.escape(label), color)}</TD>'


def colored(markup: str, color: str | None = None) -> str:
    """``markup`` in ``color`` (unchanged without one)."""
    return f'<FONT COLOR="{color}">{markup}</FONT>' if color else markup


def small(markup: str, color: str | None = None) -> str:
    """``markup`` in 9-point type."""
    color_attribute = f' COLOR="{color}"' if color else ""
    return f'<FONT POINT-SIZE="9"{color_attribute}>{markup}</FONT>'


def strip_tags(markup: str) -> str:
    """The text of ``markup`` without its tags (for tooltips)."""
    out = []
    inside = False
    for character in markup:
        if character == "<":
            inside = True
        elif character == ">":
            inside = False
        elif not inside:
            out.append(character)
    return "".join(out)
