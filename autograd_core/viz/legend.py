"""What goes under a picture: its title, the legend of the colours in use, and notes (no
gradients yet, values freed by backward, what folding hid and how to see it)."""

from __future__ import annotations

import html
import textwrap

from . import markup, palette
from .folding import Folding
from .model import GraphModel
from .options import RenderOptions

NOTE_WIDTH = 100  # characters per line of the notes under a picture (about as wide as the legend)


def graph_label(options: RenderOptions, model: GraphModel, folding: Folding, families_used: set[str]) -> str:
    """Title, legend and notes under the picture: one column of rows, the legend's swatches
    in a table of their own so that long notes do not stretch them."""
    rows = []
    if options.title:
        rows.append(markup.row(f"<B>{html.escape(options.title)}</B>", align="LEFT"))
    legend = legend_cells(options, model, families_used)
    if legend:
        cells = "".join(legend)
        table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="2"><TR>{cells}</TR></TABLE>'
        rows.append(markup.row(table, align="LEFT"))
    notes = []
    if options.color_by == "grad" and legend:
        notes.insert(0, "blue: vanishing · white: healthy · red: exploding; edge width: gradient norm")
    if options.show_grads and not model.has_grads and options.grads is None:
        notes.append("Gradients are not computed yet: call loss.backward(), then draw again.")
    if options.show_values and model.values_freed:
        notes.append(
            "backward() freed the values of large intermediate tensors; "
            "call backward(retain_graph=True) to see them in the picture."
        )
    notes.extend(folding.notes)
    for note in notes:
        lines = textwrap.wrap(note, NOTE_WIDTH)
        text = '<BR ALIGN="LEFT"/>'.join(html.escape(line) for line in lines) + '<BR ALIGN="LEFT"/>'
        rows.append(markup.row(markup.small(text, markup.MUTED), align="LEFT"))
    if not rows:
        return ""
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def legend_cells(options: RenderOptions, model: GraphModel, families_used: set[str]) -> list[str]:
    """The swatches of the colour scale in use (none when nothing is coloured)."""
    color_by = options.color_by
    if color_by in ("grad", "ratio") and (model.has_grads or options.grads is not None):
        scale = palette.GRAD_SCALE if color_by == "grad" else palette.RATIO_SCALE
        cells = [f'<TD ALIGN="LEFT">{markup.small(html.escape(scale.title) + ":")}</TD>']
        for bucket, text in enumerate(scale.labels):
            cells.append(markup.swatch(text, palette.FILL[bucket], palette.text_color(bucket)))
        cells.append(markup.swatch("NaN / Inf", palette.NONFINITE_FILL, palette.LIGHT_TEXT))
        return cells
    if color_by == "op" and families_used:
        cells = [f'<TD ALIGN="LEFT">{markup.small("operation:")}</TD>']
        for family in palette.FAMILY_FILL:
            if family in families_used:
                cells.append(
                    markup.swatch(
                        family, palette.FAMILY_FILL[family], palette.FAMILY_TEXT.get(family, "#000000")
                    )
                )
        return cells
    return []
