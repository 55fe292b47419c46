"""Reading the DOT text the renderer writes: its nodes, edges and clusters, for assertions."""

from __future__ import annotations

import re

_NODE = re.compile(r"^\s+(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\s+(\w+) -> (\w+)(?: \[(.*)\])?$")
_CLUSTER = re.compile(r"^\s*subgraph (cluster_\w+) \{$")


def nodes(source: str) -> dict[str, str]:
    """Node id -> its attribute text (label, tooltip, colours...)."""
    found = {}
    for line in source.splitlines():
        match = _NODE.match(line)
        if match and match.group(1) not in ("graph", "node", "edge"):
            found[match.group(1)] = match.group(2)
    return found


def edges(source: str) -> list[tuple[str, str, str]]:
    """(source id, target id, attribute text) per edge, in order."""
    found = []
    for line in source.splitlines():
        match = _EDGE.match(line)
        if match:
            found.append((match.group(1), match.group(2), match.group(3) or ""))
    return found


def node_named(source: str, name: str) -> str:
    """The id of the tensor record whose name is ``name`` (bold, or grey for automatic names)."""
    ids = [
        node
        for node, text in nodes(source).items()
        if f"<B>{name}</B>" in text or f'<FONT COLOR="#666666">{name}</FONT></TD>' in text
    ]
    assert len(ids) == 1, f"{len(ids)} nodes named {name!r}"
    return ids[0]


def attribute(text: str, key: str) -> str | None:
    """The value of ``key="..."`` in a node's or edge's attribute text."""
    match = re.search(rf'(?:^| ){key}="((?:[^"\\]|\\.)*)"', text)
    return match.group(1) if match else None


def cluster_labels(source: str) -> list[str]:
    """The labels of the clusters (module calls), in order."""
    labels = []
    lines = source.splitlines()
    for number, line in enumerate(lines):
        if _CLUSTER.match(line):
            for following in lines[number + 1 : number + 4]:
                match = re.search(r'label=(?:"([^"]*)"|(\S+?)[ \]])', following)
                if match:
                    labels.append(match.group(1) or match.group(2))
                    break
    return labels


def cluster_body(source: str, label: str) -> str:
    """The text of the cluster labelled ``label``, up to its closing brace."""
    lines = source.splitlines()
    for number, line in enumerate(lines):
        if not _CLUSTER.match(line):
            continue
        header = lines[number + 1]
        if f'label="{label}"' in header or f"label={label} " in header:
            indent = line[: len(line) - len(line.lstrip())]
            end = lines.index(indent + "}", number)
            return "\n".join(lines[number:end])
    raise AssertionError(f"no cluster labelled {label!r}")
