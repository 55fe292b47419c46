"""The DOT text of micrograd's neuron, compared line by line with a file kept in golden/.

Node ids, names and numbers are deterministic, so any change to the picture shows up here as a
readable diff. After a deliberate change, rewrite the file with
``AUTOGRAD_CORE_UPDATE_GOLDEN=1 python -m pytest tests/viz/test_golden.py`` and review its diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograd_core.viz import draw_graph

from .expressions import neuron

GOLDEN = Path(__file__).parent / "golden" / "neuron.dot"


def test_neuron_dot_matches_the_golden_file():
    o, _ = neuron()
    source = draw_graph(o).source
    if os.environ.get("AUTOGRAD_CORE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(source, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert source.splitlines() == expected.splitlines()
