"""Pictures of nn models: parameter names from their modules, a cluster per module call,
``depth`` folding, identical siblings folded into one box, folding above ``max_nodes``."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.viz import draw_graph

from .dot_text import attribute, cluster_body, cluster_labels, edges, node_named, nodes

nn = pytest.importorskip("nn")


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(self.fc1(x).tanh())


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return x + self.fc(x).tanh()


class Deep(nn.Module):
    def __init__(self, blocks: int = 12):
        super().__init__()
        self.inp = nn.Linear(3, 4)
        self.blocks = nn.Sequential(*[Block() for _ in range(blocks)])
        self.head = nn.Linear(4, 1)

    def forward(self, x):
        return self.head(self.blocks(self.inp(x)))


def _mlp_loss():
    ag.manual_seed(0)
    model = MLP()
    loss = ((model(ag.randn(16, 2)) - ag.randn(16, 1)) ** 2).mean()
    loss.backward()
    return model, loss


def test_parameters_are_named_by_their_module_and_sit_in_its_cluster():
    model, loss = _mlp_loss()
    source = draw_graph(loss).source
    for name in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        assert "parameter" in nodes(source)[node_named(source, name)]
    assert cluster_labels(source) == ["MLP", "fc1: Linear", "fc2: Linear"]
    fc1_cluster = source.split('label="fc1: Linear"')[1].split("}")[0]
    assert f"\t{node_named(source, 'fc1.weight')} [" in fc1_cluster
    assert f"\t{node_named(source, 'fc2.weight')} [" not in fc1_cluster
    weight = nodes(source)[node_named(source, "fc1.weight")]
    grad = model.fc1.weight.grad.numpy()
    assert f"norm {np.linalg.norm(grad.astype(np.float64)):.4g}" in weight


def test_tooltips_name_the_module_path():
    _, loss = _mlp_loss()
    source = draw_graph(loss).source
    linear_tooltips = [text for text in nodes(source).values() if "(LinearBackward0)" in text]
    assert any("in MLP › fc1: Linear" in text for text in linear_tooltips)


def test_depth_folds_modules_into_boxes_with_shapes_parameters_and_grad_norm():
    model, loss = _mlp_loss()
    view = draw_graph(loss, depth=1)
    boxes = {node: text for node, text in nodes(view.source).items() if node.startswith("fold")}
    assert len(boxes) == 2
    (fc1,) = [text for text in boxes.values() if "fc1: Linear" in text]
    assert "→ (16, 8)" in fc1 and "24 parameters" in fc1  # 8·2 weights + 8 biases
    grads = [model.fc1.weight.grad.numpy(), model.fc1.bias.grad.numpy()]
    norm = np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    assert f"grad norm {norm:.4g}" in fc1
    (fc2,) = [text for text in boxes.values() if "fc2: Linear" in text]
    assert "(16, 8) → (16, 1)" in fc2
    assert cluster_labels(view.source) == ["MLP"]
    (sub,) = [node for node, text in nodes(view.source).items() if "label=<sub>" in text]
    into_sub = {
        source: attribute(attrs, "headlabel") for source, target, attrs in edges(view.source) if target == sub
    }
    fc2_box = next(node for node, text in boxes.items() if "fc2: Linear" in text)
    assert into_sub[fc2_box] == "a" and sorted(into_sub.values()) == ["a", "b"]  # out - y: the box is a
    assert "depth=2 opens one more level" in " ".join(view.notes)
    whole = draw_graph(loss, depth=0)
    assert [n for n in nodes(whole.source) if n.startswith("fold")] == ["fold0"]
    assert "the whole model is drawn as boxes" in " ".join(whole.notes)


def test_identical_sibling_blocks_fold_into_one_box():
    ag.manual_seed(0)
    model = Deep(12)
    loss = model(ag.randn(5, 3)).pow(2).mean()
    loss.backward()
    source = draw_graph(loss, depth=2).source
    boxes = [text for node, text in nodes(source).items() if node.startswith("fold")]
    assert len(boxes) == 1
    assert "blocks.0–11: Block × 12" in boxes[0] and "12 × 20 parameters" in boxes[0]
    assert "(5, 4) → (5, 4)" in boxes[0]


def test_a_large_model_folds_itself_to_fit_max_nodes():
    ag.manual_seed(0)
    model = Deep(12)
    loss = model(ag.randn(5, 3)).pow(2).mean()
    loss.backward()
    full = draw_graph(loss, max_nodes=None)
    folded = draw_graph(loss, max_nodes=40)
    assert full.node_count > 40 >= folded.node_count
    assert f"This graph has {full.node_count:,} nodes, more than max_nodes=40" in folded.notes[0]
    assert "Block × 12" in folded.source


class Cell(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, h):
        return self.fc(h).tanh()


class Unrolled(nn.Module):
    """One cell applied three times, as a recurrent network applies its cell at each step."""

    def __init__(self):
        super().__init__()
        self.cell = Cell()

    def forward(self, h):
        for _ in range(3):
            h = self.cell(h)
        return h


def test_each_call_of_a_module_gets_its_own_cluster_numbered_in_time_order():
    ag.manual_seed(0)
    h0 = ag.Tensor(np.ones((2, 3), dtype=np.float32), name="h0")
    loss = Unrolled()(h0).sum()
    loss.backward()
    source = draw_graph(loss).source
    assert sorted(cluster_labels(source)) == [
        "Unrolled",
        "cell.fc: Linear",
        "cell.fc: Linear (call 2)",
        "cell.fc: Linear (call 3)",
        "cell: Cell",
        "cell: Cell (call 2)",
        "cell: Cell (call 3)",
    ]
    weight = node_named(source, "cell.fc.weight")
    assert sum(1 for s, _, _ in edges(source) if s == weight) == 3  # one weight, used by all 3 calls
    assert f"\t{weight} [" in cluster_body(source, "Unrolled")  # shared: in the enclosing cluster
    (first_linear,) = [t for s, t, _ in edges(source) if s == node_named(source, "h0")]
    assert f"\t{first_linear} [" in cluster_body(source, "cell.fc: Linear")  # call 1 read h0


def test_repeated_calls_that_feed_one_another_fold_into_one_box():
    ag.manual_seed(0)
    loss = Unrolled()(ag.ones(2, 3)).sum()
    loss.backward()
    view = draw_graph(loss, depth=1)
    (box,) = [text for node, text in nodes(view.source).items() if node.startswith("fold")]
    assert "cell: Cell × 3 calls" in box and "(2, 3) → (2, 3)" in box
    # the weights are shared by the calls, so they sit outside the box, which reports the
    # gradient norm of what flows out of it: the last call's output, whose gradient is all ones
    assert f"output grad norm {np.sqrt(6):.4g}" in box
