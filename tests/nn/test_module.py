"""Module: registration, walking, names, modes, gradients, state dicts, dtype, hooks, repr."""

from __future__ import annotations

import copy
import doctest
import gc
import importlib
import weakref
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from tests.nn.nn_testing import t64


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Encoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = TwoLayer()
        self.scale = nn.Parameter(ag.ones(2))
        self.register_buffer("steps", ag.zeros(1))
        self.register_buffer("cache", ag.zeros(3), persistent=False)

    def forward(self, x):
        return self.encoder(x) * self.scale


# ------------------------------------------------------------------------- Parameter
def test_parameter_is_a_leaf_tensor_that_requires_grad():
    p = nn.Parameter(ag.tensor([1.0, 2.0]))
    assert isinstance(p, nn.Parameter) and isinstance(p, ag.Tensor)
    assert p.requires_grad and p.is_leaf
    assert not isinstance(ag.tensor([1.0]), nn.Parameter)
    assert not nn.Parameter(ag.ones(2), requires_grad=False).requires_grad


def test_parameter_repr_is_pytorchs():
    assert (
        repr(nn.Parameter(ag.tensor([1.0, 2.0])))
        == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


def test_parameter_shares_the_storage_of_its_data():
    data = ag.zeros(3)
    p = nn.Parameter(data)
    with ag.no_grad():
        data.fill_(4.0)
    np.testing.assert_array_equal(p.numpy(), [4.0, 4.0, 4.0])


def test_parameter_from_integer_data_is_refused():
    with pytest.raises(RuntimeError, match="only floating-point"):
        nn.Parameter(ag.tensor([1, 2]))


def test_gradients_flow_into_parameters_through_every_kind_of_op():
    w = nn.Parameter(t64([[1.0, 2.0], [3.0, 4.0]]))
    x = t64([1.0, -1.0])
    loss = ((w @ x).exp().sum() + (w**2).sum() + F.linear(x, w).sum() + (w * 3).mean()).log()
    loss.backward()
    manual = t64([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (
        (manual @ x).exp().sum() + (manual**2).sum() + F.linear(x, manual).sum() + (manual * 3).mean()
    ).log().backward()
    np.testing.assert_allclose(w.grad.numpy(), manual.grad.numpy(), rtol=1e-14)


def test_second_derivatives_reach_parameters():
    w = nn.Parameter(t64([0.5, -1.5]))
    (g,) = ag.autograd.grad((w**3).sum(), w, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 6 * np.array([0.5, -1.5]))


# ---------------------------------------------------------------------- registration
def test_attributes_register_by_type_in_assignment_order():
    model = Encoder()
    assert list(model._parameters) == ["scale"]
    assert list(model._modules) == ["encoder"]
    assert list(model._buffers) == ["steps", "cache"]
    assert [name for name, _ in model.named_parameters()] == [
        "scale",
        "encoder.fc1.weight",
        "encoder.fc1.bias",
        "encoder.fc2.weight",
        "encoder.fc2.bias",
    ]
    assert [name for name, _ in model.named_buffers()] == ["steps", "cache"]
    assert [name for name, _ in model.named_children()] == ["encoder"]
    assert [name for name, _ in model.named_modules()] == [
        "",
        "encoder",
        "encoder.fc1",
        "encoder.act",
        "encoder.fc2",
    ]
    assert len(list(model.modules())) == 5
    assert [type(m).__name__ for m in model.encoder.children()] == ["Linear", "ReLU", "Linear"]
    assert sum(p.numel() for p in model.parameters()) == 2 + 4 * 8 + 8 + 8 * 2 + 2
    assert [name for name, _ in model.named_parameters(recurse=False)] == ["scale"]
    assert [name for name, _ in model.named_parameters(prefix="model")][1] == "model.encoder.fc1.weight"


def test_sequential_names_are_indices():
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_shared_parameters_and_modules_are_listed_once():
    shared = nn.Linear(3, 3)
    net = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(net.parameters())) == 2
    assert [name for name, _ in net.named_modules()] == ["", "0", "1"]
    assert len(net.state_dict()) == 4  # state dicts list every path, as PyTorch


def test_reassigning_keeps_the_position_and_none_declares_an_absent_parameter():
    layer = nn.Linear(2, 2)
    layer.weight = nn.Parameter(ag.zeros(2, 2))
    assert list(layer._parameters) == ["weight", "bias"]
    layer.bias = None
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    model = TwoLayer()
    model.fc1 = nn.Linear(4, 8)
    assert list(model._modules) == ["fc1", "act", "fc2"]


def test_plain_attributes_and_deletion():
    model = TwoLayer()
    model.note = "hello"
    assert model.note == "hello" and "note" not in model._modules
    del model.fc2
    assert "fc2" not in model._modules
    with pytest.raises(AttributeError, match="'TwoLayer' object has no attribute 'fc2'"):
        _ = model.fc2
    del model.note
    assert not hasattr(model, "note")


def test_unknown_attribute_raises_attribute_error_never_none():
    model = TwoLayer()
    with pytest.raises(AttributeError, match="'TwoLayer' object has no attribute 'fc3'"):
        _ = model.fc3
    assert getattr(model, "fc3", "missing") == "missing"


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        layer.weight = ag.zeros(2, 2)


def test_buffers_accept_tensors_only():
    model = Encoder()
    model.steps = ag.ones(1)
    assert model.steps.item() == 1.0
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'steps'"):
        model.steps = 3
    with pytest.raises(TypeError, match="Tensor or None required"):
        model.register_buffer("bad", [1, 2])


def test_registration_errors_name_the_problem():
    model = TwoLayer()
    with pytest.raises(KeyError, match="buffer name can.*contain"):
        model.register_buffer("a.b", ag.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        model.register_parameter("fc1", nn.Parameter(ag.zeros(1)))
    with pytest.raises(TypeError, match="nn.Parameter or None required"):
        model.register_parameter("w", ag.zeros(1))
    non_leaf = nn.Parameter(ag.ones(1))
    non_leaf.grad_fn = (nn.Parameter(ag.ones(1)) * 2).grad_fn
    with pytest.raises(ValueError, match="non-leaf"):
        model.register_parameter("w", non_leaf)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        model.add_module("x", 3)


def test_forgetting_super_init_gives_an_actionable_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first in Broken.__init__"):
        Broken()


def test_missing_forward_is_reported():
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required "forward"'):
        nn.Module()(ag.ones(1))


def test_get_submodule():
    model = Encoder()
    assert model.get_submodule("encoder.fc2") is model.encoder.fc2
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError, match="has no submodule `fc9`"):
        model.get_submodule("encoder.fc9")


# -------------------------------------------------------------- names on the graph
def test_parameters_get_their_qualified_names_when_the_model_runs():
    model = Encoder()
    assert model.encoder.fc1.weight.name is None
    model(ag.ones(1, 4))
    assert model.encoder.fc1.weight.name == "encoder.fc1.weight"
    assert model.scale.name == "scale"


def test_a_users_own_parameter_name_is_kept():
    model = TwoLayer()
    model.fc1.weight.name = "W1"
    model(ag.ones(1, 4))
    assert model.fc1.weight.name == "W1"
    assert model.fc1.bias.name == "fc1.bias"


def test_names_follow_when_a_module_is_moved_into_a_bigger_one():
    layer = nn.Linear(2, 2)
    layer(ag.ones(1, 2))
    assert layer.weight.name == "weight"
    net = nn.Sequential(nn.Identity(), layer)
    net(ag.ones(1, 2))
    assert layer.weight.name == "1.weight"
    net.append(nn.Linear(2, 1))
    assert [p.name for _, p in net.named_parameters()] == ["1.weight", "1.bias", "2.weight", "2.bias"]


def test_nodes_record_the_modules_that_made_them():
    model = TwoLayer()
    out = model(ag.ones(3, 4))
    assert out.grad_fn.metadata["module"] == (model, model.fc2)
    relu_node = out.grad_fn.next_functions[0][0]
    assert relu_node.metadata["module"] == (model, model.act)
    assert (out * 2).grad_fn.metadata["module"] is None


def test_the_graph_is_freed_without_the_cycle_collector():
    model = TwoLayer()
    gc.collect()
    gc.disable()
    try:
        out = model(ag.randn(5, 4))
        probe = weakref.ref(out.grad_fn)
        out.sum().backward()
        del out
        assert probe() is None
    finally:
        gc.enable()


# ---------------------------------------------------------------- modes and grads
def test_train_and_eval_propagate_and_return_self():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())
    model[1].eval()
    assert model.training and model[0].training and not model[1][0].training
    with pytest.raises(ValueError, match="boolean"):
        model.train("yes")


def test_zero_grad_sets_to_none_or_zero():
    model = TwoLayer()
    model(ag.randn(3, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_requires_grad_freezes_parameters():
    model = TwoLayer()
    model.fc1.requires_grad_(False)
    model(ag.randn(3, 4)).sum().backward()
    assert model.fc1.weight.grad is None and model.fc2.weight.grad is not None


def test_apply_visits_children_first():
    model = TwoLayer()
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Linear", "TwoLayer"]
    model.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert not model.fc2.weight.numpy().any()


def test_l1_and_l2_penalties_are_one_line_from_parameters():
    model = TwoLayer()
    l1 = sum(p.abs().sum() for p in model.parameters())
    l2 = sum((p**2).sum() for p in model.parameters())
    everything = np.concatenate([p.numpy().ravel() for p in model.parameters()])
    np.testing.assert_allclose(l1.item(), np.abs(everything).sum(), rtol=1e-5)
    np.testing.assert_allclose(l2.item(), (everything**2).sum(), rtol=1e-5)
    (0.1 * l1 + 0.01 * l2).backward()
    w = model.fc1.weight.numpy()
    np.testing.assert_allclose(model.fc1.weight.grad.numpy(), 0.1 * np.sign(w) + 0.02 * w, rtol=1e-5)


# ------------------------------------------------------------------- state dicts
def test_state_dict_keys_order_and_sharing():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    state = model.state_dict()
    assert list(state) == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    assert not state["0.weight"].requires_grad
    assert np.shares_memory(state["0.weight"].numpy(), model[0].weight.numpy())
    assert model.state_dict(keep_vars=True)["0.weight"] is model[0].weight


def test_non_persistent_buffers_stay_out_of_the_state_dict():
    assert list(Encoder().state_dict())[:2] == ["scale", "steps"]
    assert "cache" not in Encoder().state_dict()


def test_state_dict_round_trip_through_a_file(tmp_path):
    source, target = Encoder(), Encoder()
    source.steps.fill_(7.0)
    path = tmp_path / "model.npz"
    ag.save(source.state_dict(), path)
    weight_before = target.encoder.fc1.weight
    result = target.load_state_dict(ag.load(path))
    assert repr(result) == "<All keys matched successfully>"
    assert target.encoder.fc1.weight is weight_before  # copied in place
    x = ag.randn(3, 4)
    np.testing.assert_array_equal(target(x).numpy(), source(x).numpy())
    assert target.steps.item() == 7.0


def test_load_state_dict_accepts_numpy_arrays_and_casts():
    layer = nn.Linear(2, 1)
    layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
    assert layer.weight.dtype == ag.float32
    np.testing.assert_array_equal(layer(ag.tensor([[1.0, 1.0]])).numpy(), [[3.5]])


def test_strict_loading_reports_missing_unexpected_and_misshapen_keys():
    layer = nn.Linear(2, 3)
    state = {"weight": np.zeros((3, 3)), "extra": np.zeros(1)}
    with pytest.raises(RuntimeError) as info:
        layer.load_state_dict(state)
    message = str(info.value)
    assert message.startswith("Error(s) in loading state_dict for Linear:")
    assert 'Missing key(s) in state_dict: "bias" (expected shape (3,))' in message
    assert 'Unexpected key(s) in state_dict: "extra" (shape (1,))' in message
    assert "size mismatch for weight: copying a param with shape (3, 3) from checkpoint" in message
    assert "the shape in current model is (3, 2)" in message
    assert message.index("Missing") < message.index("Unexpected") < message.index("size mismatch")
    assert "strict=False" in message


def test_non_strict_loading_returns_the_incompatible_keys():
    model = TwoLayer()
    partial = {"fc1.weight": np.ones((8, 4)), "fc3.weight": np.ones(2)}
    result = model.load_state_dict(partial, strict=False)
    assert result.missing_keys == ["fc1.bias", "fc2.weight", "fc2.bias"]
    assert result.unexpected_keys == ["fc3.weight"]
    missing, unexpected = result
    assert missing == result.missing_keys and unexpected == ["fc3.weight"]
    assert np.all(model.fc1.weight.numpy() == 1)
    with pytest.raises(RuntimeError, match="size mismatch for fc1.weight"):
        model.load_state_dict({"fc1.weight": np.ones((4, 8))}, strict=False)


def test_load_state_dict_rejects_non_mappings():
    with pytest.raises(TypeError, match="dict-like"):
        nn.Linear(1, 1).load_state_dict([1, 2])


def test_load_state_dict_from_torch():
    torch = pytest.importorskip("torch")
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 2))
    torch_model.train()
    torch_model(torch.randn(6, 4))
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
    model.load_state_dict({k: v.detach().numpy() for k, v in torch_model.state_dict().items()})
    assert model[1].num_batches_tracked.item() == 1
    torch_model.eval()
    model.eval()
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(
        model(ag.tensor(x)).numpy(), torch_model(torch.tensor(x)).detach().numpy(), atol=1e-6
    )
    assert list(model.state_dict()) == list(torch_model.state_dict())


# ------------------------------------------------------------------ dtype, device
def test_double_converts_parameters_and_float_buffers_in_place():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    model(ag.randn(3, 2)).sum().backward()
    assert model.double() is model
    assert model[0].weight is weight and weight.dtype == ag.float64
    assert weight.grad.dtype == ag.float64
    assert model[1].running_mean.dtype == ag.float64
    assert model[1].num_batches_tracked.dtype == ag.int64
    out = model(ag.randn(3, 2, dtype=ag.float64))
    assert out.dtype == ag.float64
    model.float()
    assert weight.dtype == ag.float32
    assert model.to(ag.float64, device="cpu") is model and weight.dtype == ag.float64
    assert model.to("cpu") is model and model.to(ag.zeros(1, dtype=ag.float32)) is model


def test_to_refuses_other_devices_and_integer_dtypes():
    model = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="CPU only"):
        model.to("cuda")
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        model.to(ag.int64)


def test_deepcopy_gives_an_independent_model():
    model = TwoLayer()
    clone = copy.deepcopy(model)
    assert isinstance(clone.fc1.weight, nn.Parameter)
    assert clone.fc1.weight is not model.fc1.weight
    x = ag.randn(2, 4)
    np.testing.assert_array_equal(clone(x).numpy(), model(x).numpy())
    with ag.no_grad():
        clone.fc1.weight.fill_(0.0)
    assert model.fc1.weight.numpy().any()


# ---------------------------------------------------------------------------- hooks
def test_forward_pre_hook_can_replace_the_input_and_be_removed():
    layer = nn.Identity()
    handle = layer.register_forward_pre_hook(lambda module, args: args[0] * 10)
    assert layer(ag.tensor(2.0)).item() == 20.0
    handle.remove()
    assert layer(ag.tensor(2.0)).item() == 2.0


def test_forward_hook_sees_input_and_output_and_can_replace_the_output():
    layer = nn.Linear(2, 1)
    seen = []

    def record(module, args, output):
        seen.append((module, args[0].shape, output.shape))

    with layer.register_forward_hook(record):
        layer(ag.ones(3, 2))
    layer(ag.ones(3, 2))
    assert seen == [(layer, (3, 2), (3, 1))]
    layer.register_forward_hook(lambda module, args, output: output * 0)
    assert not layer(ag.ones(3, 2)).numpy().any()


def test_hooks_run_in_order_with_prepend_and_kwargs():
    layer = nn.Identity()
    order = []
    layer.register_forward_hook(lambda m, a, o: order.append("second"))
    layer.register_forward_hook(lambda m, a, o: order.append("first"), prepend=True)
    layer.register_forward_pre_hook(lambda m, a, k: ((a[0] + 1,), k), with_kwargs=True)
    layer.register_forward_hook(lambda m, a, k, o: order.append(("kwargs", k)), with_kwargs=True)
    assert layer(ag.tensor(1.0)).item() == 2.0
    assert order == ["first", "second", ("kwargs", {})]


# ---------------------------------------------------------------------------- repr
def test_repr_prints_the_tree_like_pytorch():
    expected = (
        "Encoder(\n"
        "  (encoder): TwoLayer(\n"
        "    (fc1): Linear(in_features=4, out_features=8, bias=True)\n"
        "    (act): ReLU()\n"
        "    (fc2): Linear(in_features=8, out_features=2, bias=True)\n"
        "  )\n"
        ")"
    )
    assert repr(Encoder()) == expected


def test_repr_with_multiline_extra_repr_and_children():
    class Fancy(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Identity()

        def extra_repr(self):
            return "first line\nsecond line"

    assert repr(Fancy()) == "Fancy(\n  first line\n  second line\n  (inner): Identity()\n)"


def test_repr_matches_torch_for_a_mixed_model():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.Sequential(
            OrderedDict(
                [
                    (
                        "features",
                        lib.Sequential(lib.Flatten(), lib.Linear(8, 4, bias=False), lib.LeakyReLU(0.2)),
                    ),
                    ("norm", lib.BatchNorm1d(4, momentum=None)),
                    ("heads", lib.ModuleList([lib.Linear(4, 2) for _ in range(3)] + [lib.Identity()])),
                    ("table", lib.ModuleDict({"emb": lib.Embedding(10, 4, padding_idx=0)})),
                    ("drop", lib.Dropout(0.25)),
                    ("unflat", lib.Unflatten(1, (2, 2))),
                ]
            )
        )

    assert repr(build(nn)) == repr(build(torch.nn))


# ------------------------------------------------------------------- documentation
@pytest.mark.parametrize(
    "module_name",
    [
        "nn",
        "nn.parameter",
        "nn.functional",
        "nn.init",
        "nn.modules.module",
        "nn.modules.container",
        "nn.modules.linear",
        "nn.modules.flatten",
        "nn.modules.dropout",
        "nn.modules.normalization",
        "nn.modules.sparse",
        "nn.modules.loss",
        "nn.utils.clip_grad",
        "nn.utils.convert_parameters",
        "autograd_core.ops.special",
        "autograd_core.ops.nn_ops",
    ],
)
def test_docstring_examples_run(module_name):
    module = importlib.import_module(module_name)
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_function_transforms_see_through_modules():
    layer = nn.Linear(3, 1)
    x = ag.randn(2, 3)
    gradient = ag.func.grad(lambda inputs: layer(inputs).sum())(x)
    np.testing.assert_allclose(gradient.numpy(), np.repeat(layer.weight.numpy(), 2, axis=0), rtol=1e-6)
