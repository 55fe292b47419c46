"""Sequential, ModuleList, ModuleDict, Identity, Flatten, Unflatten."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.nn.nn_testing import gradcheck_module, randn64


def _chain():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


# --------------------------------------------------------------------------- Sequential
def test_sequential_applies_modules_in_order():
    net = _chain()
    x = ag.randn(5, 3)
    expected = net[2](net[1](net[0](x)))
    np.testing.assert_array_equal(net(x).numpy(), expected.numpy())


def test_sequential_from_ordered_dict_keeps_names():
    net = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert [name for name, _ in net.named_children()] == ["fc", "act"]
    assert net.fc is net[0]


def test_sequential_indexing_and_slicing():
    net = _chain()
    assert isinstance(net[0], nn.Linear) and net[-1] is net[2]
    head = net[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert head[0] is net[0]  # the slice shares the modules
    assert [type(m).__name__ for m in net[::2]] == ["Linear", "Linear"]
    assert [name for name, _ in net[1:].named_children()] == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range for a Sequential of length 3"):
        net[3]


def test_sequential_editing():
    net = _chain()
    relu = nn.ReLU()
    net[1] = relu
    assert net[1] is relu
    net.append(nn.Sigmoid())
    assert len(net) == 4 and isinstance(net[3], nn.Sigmoid)
    del net[1]
    assert [name for name, _ in net.named_children()] == ["0", "1", "2"]
    assert [type(m).__name__ for m in net] == ["Linear", "Linear", "Sigmoid"]
    net.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    popped = net.pop(0)
    assert isinstance(popped, nn.Linear) and len(net) == 3
    net.extend([nn.Identity(), nn.Identity()])
    assert len(net) == 5
    combined = net + nn.Sequential(nn.ReLU())
    assert len(combined) == 6 and isinstance(combined[5], nn.ReLU)


def test_sequential_gradients_float64():
    ag.manual_seed(0)
    net = _chain().double()
    assert gradcheck_module(net, randn64(4, 3))


# --------------------------------------------------------------------------- ModuleList
def test_module_list_registers_its_modules():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Stack()
    assert len(list(model.parameters())) == 6
    assert [name for name, _ in model.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    assert model(ag.ones(1, 2)).shape == (1, 2)


def test_module_list_editing():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    layers.append(nn.Tanh())
    layers.extend([nn.Sigmoid()])
    layers += [nn.Identity()]
    assert [type(m).__name__ for m in layers] == ["Linear", "ReLU", "Tanh", "Sigmoid", "Identity"]
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    del layers[0]
    assert [name for name, _ in layers.named_children()] == ["0", "1", "2", "3"]
    layers.insert(0, nn.ELU())
    assert isinstance(layers[0], nn.ELU) and len(layers) == 5
    layers[-1] = nn.GELU()
    assert isinstance(layers[4], nn.GELU)
    assert isinstance(layers.pop(), nn.GELU) and len(layers) == 4
    assert len(layers + nn.ModuleList([nn.ReLU()])) == 5
    with pytest.raises(IndexError, match="out of range for a ModuleList of length 4"):
        layers[7]
    with pytest.raises(TypeError, match="iterable of modules"):
        layers.extend(nn.ReLU())


def test_module_list_has_no_forward():
    with pytest.raises(NotImplementedError, match="ModuleList"):
        nn.ModuleList([nn.ReLU()])(ag.ones(1))


def test_module_list_repr_groups_repeats_like_pytorch():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.ModuleList(
            [
                lib.Linear(2, 2),
                lib.Linear(2, 2),
                lib.ReLU(),
                lib.Linear(2, 2),
                lib.Linear(2, 2),
                lib.Linear(2, 2),
            ]
        )

    assert repr(build(nn)) == repr(build(torch.nn))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"
    text = repr(nn.ModuleList([nn.Linear(2, 2)] * 2))
    assert "(0-1): 2 x Linear(in_features=2, out_features=2, bias=True)" in text


# --------------------------------------------------------------------------- ModuleDict
def test_module_dict():
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 4)})
    assert list(heads) == ["cls", "box"] and "cls" in heads and len(heads) == 2
    assert [name for name, _ in heads.named_parameters()][:1] == ["cls.weight"]
    heads["extra"] = nn.ReLU()
    assert list(heads.keys()) == ["cls", "box", "extra"]
    assert isinstance(heads.pop("extra"), nn.ReLU) and "extra" not in heads
    heads.update([("new", nn.Tanh())])
    assert [type(m).__name__ for m in heads.values()] == ["Linear", "Linear", "Tanh"]
    assert [key for key, _ in heads.items()] == ["cls", "box", "new"]
    del heads["box"]
    assert list(heads) == ["cls", "new"]
    heads.clear()
    assert len(heads) == 0
    with pytest.raises(KeyError):
        heads["cls"]


# --------------------------------------------------------------------- shape modules
def test_identity_returns_its_input():
    x = ag.randn(2, 3)
    assert nn.Identity(54, unused="argument")(x) is x


def test_flatten_and_unflatten_shapes_and_repr():
    x = ag.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    np.testing.assert_array_equal(nn.Unflatten(1, (3, 4, 5))(nn.Flatten()(x)).numpy(), x.numpy())
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (2, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5))"
    with pytest.raises(TypeError, match="tuple of ints"):
        nn.Unflatten(1, 5)


def test_flatten_gradient():
    assert gradcheck_module(nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 6))), randn64(2, 3, 4))
