"""Real pictures from Graphviz's ``dot``: SVG, PNG, PDF and DOT files, notebook display, and the
error that says how to install Graphviz when ``dot`` is missing."""

from __future__ import annotations

import shutil
import struct
import xml.etree.ElementTree as ElementTree

import pytest

from autograd_core.viz import GraphvizNotInstalledError, draw_graph

from .expressions import neuron

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"


@needs_dot
def test_svg_file_parses_and_holds_the_names_values_and_tooltips(tmp_path):
    o, _ = neuron()
    path = draw_graph(o).save(tmp_path / "neuron.svg")
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    for expected in ("x1", "w2", "tanh", "0.7071", "-1.5", "dead: zero grad"):
        assert any(text and expected in text for text in texts), expected
    titles = [element.get("{http://www.w3.org/1999/xlink}title") for element in root.iter(f"{SVG}a")]
    assert any(title and "expressions.py:" in title for title in titles)


@needs_dot
def test_png_and_pdf_files_are_real_images(tmp_path):
    o, _ = neuron()
    view = draw_graph(o)
    data = open(view.save(tmp_path / "neuron.png"), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert 400 < width < 3000 and 150 < height < 2000
    assert open(view.save(tmp_path / "neuron.pdf"), "rb").read(5) == b"%PDF-"


def test_dot_file_is_the_source_and_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    o, _ = neuron()
    view = draw_graph(o)
    path = view.save(tmp_path / "neuron.dot")
    assert open(path, encoding="utf-8").read() == view.source


@needs_dot
def test_notebook_display_is_svg_scaled_to_the_cell_width():
    o, _ = neuron()
    view = draw_graph(o)
    bundle = view._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    tag = svg[svg.index("<svg") :].split(">", 1)[0]
    width = float(ElementTree.fromstring(view.pipe("svg")).get("width").removesuffix("pt"))
    assert f'width="100%" style="max-width: {width:.0f}pt; height: auto"' in tag
    assert "viewBox=" in tag and 'height="' not in tag  # the aspect ratio comes from the viewBox
    assert view._repr_svg_() == svg
    html = bundle["text/html"]
    assert html.startswith('<div style="overflow-x: auto') and "<?xml" not in html
    assert f"min-width: {0.6 * width:.0f}pt" in html  # a wide graph scrolls rather than shrinks
    assert html == view._repr_html_()
    assert "GraphView" in bundle["text/plain"]


def test_without_dot_images_raise_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    o, _ = neuron()
    view = draw_graph(o)
    assert "digraph" in view.source
    for action in (lambda: view.save(tmp_path / "x.svg"), view._repr_mimebundle_, lambda: view.pipe("png")):
        with pytest.raises(
            GraphvizNotInstalledError, match="apt-get install graphviz.*brew install graphviz"
        ):
            action()


def test_unknown_suffix_is_an_error(tmp_path):
    o, _ = neuron()
    with pytest.raises(ValueError, match="cannot tell the format of .*graph.jpg.* use one of .svg, .png"):
        draw_graph(o).save(tmp_path / "graph.jpg")
