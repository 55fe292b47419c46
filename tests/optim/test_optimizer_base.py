"""The Optimizer base: parameter groups, zero_grad, step with a closure, state dicts, errors."""

import numpy as np
import pytest
from optim_testing import Quadratic, make_params, run_ours

import autograd_core as ag
import optim


def param(*values):
    return ag.tensor(list(values), requires_grad=True)


def test_params_from_a_generator_make_one_group_with_the_defaults():
    w, b = param(1.0, 2.0), param(0.5)
    optimizer = optim.SGD((p for p in [w, b]), lr=0.1, momentum=0.9)
    assert len(optimizer.param_groups) == 1
    group = optimizer.param_groups[0]
    assert group["params"][0] is w and group["params"][1] is b
    assert group["lr"] == 0.1 and group["momentum"] == 0.9 and group["nesterov"] is False
    assert optimizer.defaults["lr"] == 0.1


def test_dict_groups_take_missing_options_from_the_defaults():
    w, b = param(1.0), param(2.0)
    optimizer = optim.SGD([{"params": [w]}, {"params": b, "lr": 0.01}], lr=0.1, momentum=0.5)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.01]
    assert [g["momentum"] for g in optimizer.param_groups] == [0.5, 0.5]
    assert optimizer.param_groups[1]["params"][0] is b


def test_add_param_group_trains_the_new_parameters_with_their_options():
    w, b = param(1.0), param(1.0)
    optimizer = optim.SGD([w], lr=0.1)
    optimizer.add_param_group({"params": [b], "lr": 0.5})
    (w * 2 + b * 3).backward()
    optimizer.step()
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.1 * 2])
    np.testing.assert_allclose(b.numpy(), [1.0 - 0.5 * 3])


def test_a_parameter_given_twice_is_refused():
    w = param(1.0)
    with pytest.raises(ValueError, match="given to the optimizer twice"):
        optim.SGD([w, w], lr=0.1)
    with pytest.raises(ValueError, match="once, in one group only"):
        optim.SGD([{"params": [w]}, {"params": [w], "lr": 0.2}], lr=0.1)
    optimizer = optim.Adam([w])
    with pytest.raises(ValueError, match=r"parameter 0 of the new group \(shape \(1,\)\)"):
        optimizer.add_param_group({"params": [w]})
    assert len(optimizer.param_groups) == 1


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (param(1.0), TypeError, r"got a single Tensor. Wrap it in a list: SGD\(\[w\]"),
        ([], ValueError, "empty parameter list"),
        ({param(1.0)}, TypeError, "not a set"),
        ([np.zeros(2)], TypeError, "parameter 0 is a ndarray"),
        (3.0, TypeError, "got float"),
        ([ag.tensor([1, 2])], TypeError, "only floating-point tensors can be optimized"),
    ],
)
def test_bad_params_get_clear_errors(params, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(params, lr=0.1)


def test_a_non_leaf_tensor_is_refused():
    w = param(1.0, 2.0)
    with pytest.raises(
        ValueError, match=r"can't optimize a non-leaf Tensor \(parameter 0, shape \(2,\), made by"
    ):
        optim.SGD([w * 2], lr=0.1)


def test_a_model_passed_instead_of_its_parameters_is_refused():
    class Model:
        def parameters(self):
            return iter([param(1.0)])

    with pytest.raises(TypeError, match=r"got the Model itself. Pass model.parameters\(\)"):
        optim.Adam(Model())


def test_a_group_without_params_is_refused():
    optimizer = optim.SGD([param(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="needs a 'params' key"):
        optimizer.add_param_group({"lr": 0.1})


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.1),
        lambda ps: optim.AdamW(ps, lr=0.1),
        lambda ps: optim.RMSprop(ps, lr=0.1, momentum=0.9, centered=True),
        lambda ps: optim.Adagrad(ps, lr=0.1),
    ],
)
def test_a_parameter_without_gradient_is_skipped(make):
    used, unused = param(1.0, 2.0), param(3.0)
    optimizer = make([used, unused])
    for _ in range(2):
        optimizer.zero_grad()
        (used * used).sum().backward()
        optimizer.step()
    assert unused.grad is None
    np.testing.assert_array_equal(unused.numpy(), [3.0])
    assert not np.allclose(used.numpy(), [1.0, 2.0])
    state = optimizer.state_dict()["state"]
    if isinstance(optimizer, optim.Adagrad):
        assert state[1]["step"].item() == 0.0
    else:
        assert 1 not in state


def test_a_frozen_parameter_is_accepted_and_left_alone_as_in_torch():
    frozen = ag.tensor([1.0, 2.0])
    trained = param(1.0)
    optimizer = optim.SGD([frozen, trained], lr=0.1)
    (trained * 2).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(frozen.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(trained.numpy(), [0.8])


def test_zero_grad_sets_to_none_or_zeros_in_place():
    w = param(1.0, 2.0)
    optimizer = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    grad = w.grad
    optimizer.zero_grad(set_to_none=False)
    assert w.grad is grad
    np.testing.assert_array_equal(grad.numpy(), [0.0, 0.0])
    optimizer.zero_grad()
    assert w.grad is None


def test_zero_grad_detaches_a_gradient_that_has_a_graph():
    w = param(1.0, 2.0)
    optimizer = optim.SGD([w], lr=0.1)
    (w**3).sum().backward(create_graph=True)
    assert w.grad.grad_fn is not None
    optimizer.zero_grad(set_to_none=False)
    assert w.grad.grad_fn is None and not w.grad.requires_grad
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])


def test_step_runs_the_closure_with_grad_enabled_and_returns_its_loss():
    w = param(1.0, -1.0)
    optimizer = optim.SGD([w], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 2.0
    np.testing.assert_allclose(w.numpy(), [0.5, -0.5])


def test_step_does_not_record_a_graph():
    w = param(1.0, 2.0)
    optimizer = optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    optimizer.step()
    assert w.is_leaf and w.grad_fn is None
    assert all(not t.requires_grad for t in optimizer.state[w].values())


def test_state_dict_uses_integer_ids_in_pytorch_layout_and_copies_tensors():
    w, b, c = param(1.0, 2.0), param(3.0), param(4.0)
    optimizer = optim.SGD([{"params": [w, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    (w.sum() + b.sum() * 2 + c.sum() * 3).backward()
    optimizer.step()
    saved = optimizer.state_dict()
    assert set(saved) == {"state", "param_groups"}
    assert [g["params"] for g in saved["param_groups"]] == [[0, 1], [2]]
    assert saved["param_groups"][1]["lr"] == 0.5
    assert sorted(saved["state"]) == [0, 1, 2]
    buffer = saved["state"][2]["momentum_buffer"]
    np.testing.assert_array_equal(buffer.numpy(), [3.0])
    assert buffer is not optimizer.state[c]["momentum_buffer"]
    optimizer.step()
    np.testing.assert_array_equal(buffer.numpy(), [3.0])


def test_state_dict_matches_torch_for_groups_and_state_keys():
    torch = pytest.importorskip("torch")
    ours = optim.RMSprop(
        [{"params": [param(1.0)]}, {"params": [param(2.0)], "lr": 1e-3}], momentum=0.9, centered=True
    )
    t1, t2 = torch.tensor([1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)
    theirs = torch.optim.RMSprop(
        [{"params": [t1]}, {"params": [t2], "lr": 1e-3}], momentum=0.9, centered=True
    )
    for optimizer, params in (
        (ours, [p for g in ours.param_groups for p in g["params"]]),
        (theirs, [t1, t2]),
    ):
        for p in params:
            p.grad = p.detach() * 0 + 1
        optimizer.step()
    ours_dict, theirs_dict = ours.state_dict(), theirs.state_dict()
    assert [g["params"] for g in ours_dict["param_groups"]] == [
        g["params"] for g in theirs_dict["param_groups"]
    ]
    assert ours_dict["state"].keys() == theirs_dict["state"].keys()
    for index in ours_dict["state"]:
        assert sorted(ours_dict["state"][index]) == sorted(theirs_dict["state"][index])


def test_load_state_dict_restores_group_options_and_keeps_its_own_parameters():
    w = param(1.0)
    source = optim.SGD([w], lr=0.3, momentum=0.7)
    target_param = param(5.0)
    target = optim.SGD([target_param], lr=0.1)
    target.load_state_dict(source.state_dict())
    assert target.param_groups[0]["lr"] == 0.3 and target.param_groups[0]["momentum"] == 0.7
    assert target.param_groups[0]["params"][0] is target_param


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    w64 = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    source = optim.Adam([w64], lr=0.1)
    (w64 * w64).sum().backward()
    source.step()
    w32 = ag.tensor([1.0, 2.0], requires_grad=True)
    target = optim.Adam([w32], lr=0.1)
    target.load_state_dict(source.state_dict())
    assert target.state[w32]["exp_avg"].dtype == np.float32
    assert target.state[w32]["step"].item() == 1.0


@pytest.mark.parametrize(
    ("state_dict", "message"),
    [
        ({"state": {}}, "keys 'state' and 'param_groups'"),
        ([1, 2], "got list"),
        ({"state": {}, "param_groups": []}, r"has 0 parameter group\(s\) but this optimizer has 1"),
        (
            {"state": {}, "param_groups": [{"lr": 0.1, "params": [0, 1, 2]}]},
            r"parameter group 0 has 2 parameter\(s\) but the state dict's group 0 has 3",
        ),
        (
            {"state": {7: {}}, "param_groups": [{"lr": 0.1, "params": [0, 1]}]},
            "state for parameter id 7, which is in none of its parameter groups",
        ),
    ],
)
def test_load_state_dict_mismatches_get_clear_errors(state_dict, message):
    optimizer = optim.SGD([param(1.0), param(2.0)], lr=0.1)
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(state_dict)


def test_repr_lists_each_group_like_pytorch():
    optimizer = optim.SGD([{"params": [param(1.0)]}, {"params": [param(2.0)], "lr": 0.5}], lr=0.1)
    assert repr(optimizer) == (
        "SGD (\n"
        "Parameter Group 0\n"
        "    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0\n    nesterov: False\n"
        "    weight_decay: 0\n"
        "Parameter Group 1\n"
        "    dampening: 0\n    lr: 0.5\n    maximize: False\n    momentum: 0\n    nesterov: False\n"
        "    weight_decay: 0\n"
        ")"
    )


def test_a_subclass_must_define_its_update():
    class Incomplete(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

    w = param(1.0)
    optimizer = Incomplete([w])
    (w * 2).sum().backward()
    with pytest.raises(NotImplementedError, match=r"Incomplete must define _update"):
        optimizer.step()


@pytest.mark.parametrize(
    ("make", "config"),
    [
        (optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
        (optim.Adam, {"lr": 0.05, "amsgrad": True}),
        (optim.AdamW, {"lr": 0.05, "betas": (0.8, 0.9)}),
        (optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
        (optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    ],
)
def test_resume_through_a_checkpoint_file_continues_exactly(tmp_path, make, config):
    problem = Quadratic(seed=31)
    uninterrupted = run_ours(problem, lambda params: make(params, **config), 10)
    params = make_params(problem)
    optimizer = make(params, **config)
    run_ours(problem, None, 5, params=params, optimizer=optimizer)
    path = tmp_path / "checkpoint.npz"
    ag.save({"params": [p.detach() for p in params], "optimizer": optimizer.state_dict()}, path)

    checkpoint = ag.load(path)
    resumed_params = [t.clone().requires_grad_() for t in checkpoint["params"]]
    resumed = make(resumed_params)
    resumed.load_state_dict(checkpoint["optimizer"])
    second = run_ours(problem, None, 5, params=resumed_params, optimizer=resumed)
    for got, want in zip(second, uninterrupted[5:]):
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
