"""In-place operations: values, version counter, recorded gradients on non-leaf tensors (checked
numerically: the no-grad fast path gives the finite differences, the recorded path the
gradient), refusal on leaves, views of a tensor changed in place, and the error at backward
when a tensor saved for backward was changed."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import gradcheck
from tests.helpers import check_gradient, check_second_order


def _iadd(h, o):
    h += o


def _isub(h, o):
    h -= o


def _imul(h, o):
    h *= o


def _idiv(h, o):
    h /= o


def _setitem_int(h, o):
    h[1] = o[0]


def _setitem_slice(h, o):
    h[:, 1:] = o[:, :2]


def _setitem_mask_constant(h, o):
    h[h < 0] = 0.5


def _setitem_mask_values(h, o):
    mask = o.detach() > 0
    h[mask] = o[mask] * 2


def _setitem_integer_array(h, o):
    h[[0, 1], [2, 0]] = o[0, :2]


def _setitem_augmented(h, o):
    h[0] += o[1]


def _view_in_place(h, o):
    h[:, 1].mul_(o[0, 0])


def _transposed_view_in_place(h, o):
    h.T[0].add_(o[1, :2])


def _reshaped_view_in_place(h, o):
    h.view(-1)[2:4].sub_(o[0, 1:3])


# Each changes h (shape (2, 3), not a leaf) in place, using o (shape (2, 3)) where it needs a value.
RECORDED = {
    "add_": lambda h, o: h.add_(o),
    "add_alpha": lambda h, o: h.add_(o, alpha=-2.5),
    "add_broadcast": lambda h, o: h.add_(o[0]),
    "sub_": lambda h, o: h.sub_(o),
    "mul_": lambda h, o: h.mul_(o),
    "mul_number": lambda h, o: h.mul_(3.0),
    "div_": lambda h, o: h.div_(o * o + 1),
    "pow_": lambda h, o: h.pow_(2),
    "clamp_": lambda h, o: h.clamp_(-0.5, 0.5),
    "zero_": lambda h, o: h.zero_(),
    "fill_": lambda h, o: h.fill_(o[0, 0]),
    "copy_": lambda h, o: h.copy_(o.sin()),
    "addcmul_": lambda h, o: h.addcmul_(o, o, value=0.5),
    "addcdiv_": lambda h, o: h.addcdiv_(o, o * o + 1, value=2.0),
    "lerp_": lambda h, o: h.lerp_(o, 0.3),
    "exp_": lambda h, o: h.exp_(),
    "iadd": _iadd,
    "isub": _isub,
    "imul": _imul,
    "idiv": lambda h, o: _idiv(h, o * o + 1),
    "setitem_int": _setitem_int,
    "setitem_slice": _setitem_slice,
    "setitem_mask_constant": _setitem_mask_constant,
    "setitem_mask_values": _setitem_mask_values,
    "setitem_integer_array": _setitem_integer_array,
    "setitem_augmented": _setitem_augmented,
    "view_in_place": _view_in_place,
    "transposed_view_in_place": _transposed_view_in_place,
    "reshaped_view_in_place": _reshaped_view_in_place,
}


@pytest.mark.parametrize("name", list(RECORDED))
@pytest.mark.parametrize("seed", [0, 1])
def test_recorded_in_place_gradient_matches_finite_differences(name, seed):
    change = RECORDED[name]

    def function(x, o):
        h = x * 1.5 - 0.2
        change(h, o)
        return h * h + o

    rng = np.random.default_rng(seed)
    check_gradient(function, [rng.normal(size=(2, 3)), rng.normal(size=(2, 3))], rng=rng)


@pytest.mark.parametrize(
    "name", ["add_", "mul_", "clamp_", "copy_", "setitem_mask_constant", "view_in_place"]
)
def test_recorded_in_place_gradient_matches_torch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x_values, o_values, weights = (rng.normal(size=(2, 3)) for _ in range(3))
    grads = []
    for module in (ag, torch):
        x, o = module.tensor(x_values, requires_grad=True), module.tensor(o_values, requires_grad=True)
        h = x * 1.5
        RECORDED[name](h, o)
        (h * module.tensor(weights)).sum().backward()
        grads.append(
            [h.detach().numpy().copy()] + [None if t.grad is None else t.grad.numpy() for t in (x, o)]
        )
    for ours, theirs in zip(*grads):
        assert (ours is None) == (theirs is None)
        if ours is not None:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ----------------------------------------------------------------- values and versions
@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda t: t.add_(ag.tensor([1.0, 1.0, 1.0])), [2.0, 3.0, 4.0]),
        (lambda t: t.add_(2.0, alpha=3), [7.0, 8.0, 9.0]),
        (lambda t: t.sub_(1.0), [0.0, 1.0, 2.0]),
        (lambda t: t.mul_(ag.tensor([2.0, 0.0, -1.0])), [2.0, 0.0, -3.0]),
        (lambda t: t.div_(2), [0.5, 1.0, 1.5]),
        (lambda t: t.zero_(), [0.0, 0.0, 0.0]),
        (lambda t: t.fill_(4.5), [4.5, 4.5, 4.5]),
        (lambda t: t.copy_(ag.tensor([9, 8, 7])), [9.0, 8.0, 7.0]),
        (lambda t: t.clamp_(1.5, 2.5), [1.5, 2.0, 2.5]),
        (lambda t: t.clamp_(max=2.0), [1.0, 2.0, 2.0]),
        (lambda t: t.pow_(2), [1.0, 4.0, 9.0]),
        (lambda t: t.neg_(), [-1.0, -2.0, -3.0]),
    ],
)
def test_in_place_methods_change_values_return_self_and_bump_the_version(change, expected):
    t = ag.tensor([1.0, 2.0, 3.0])
    storage, version = t.numpy(), t._version
    assert change(t) is t
    assert t.tolist() == expected
    assert t._version == version + 1
    assert t.numpy() is storage


def test_augmented_operators_keep_the_same_tensor_and_storage():
    t = ag.tensor([1.0, 2.0])
    original, storage = t, t.numpy()
    t += 1
    t *= ag.tensor([2.0, 3.0])
    t -= 0.5
    t /= 2
    assert t is original and t.numpy() is storage
    assert t.tolist() == [1.75, 4.25] and t._version == 4


def test_setitem_forms_on_a_plain_tensor():
    t = ag.zeros(3, 4)
    t[0] = 1.0
    t[1, 1:3] = ag.tensor([2.0, 3.0])
    t[t == 0] = -1.0
    t[[2, 2], [0, 3]] = 5.0
    t[..., -1] = ag.tensor([7.0, 8.0, 9.0])
    assert t.tolist() == [[1.0, 1.0, 1.0, 7.0], [-1.0, 2.0, 3.0, 8.0], [5.0, -1.0, -1.0, 9.0]]
    assert t._version == 5


def test_relu_backward_written_with_a_mask_assignment():
    """PyTorch's tutorial writes ReLU's backward as grad_h[h < 0] = 0 on tensors without grad."""
    rng = np.random.default_rng(0)
    x, w1, w2 = (ag.tensor(rng.normal(size=s)) for s in ((4, 3), (3, 5), (5, 2)))
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    grad_y_pred = 2.0 * y_pred
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h = grad_y_pred.mm(w2.t()).clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    w1_leaf, w2_leaf = w1.clone().requires_grad_(), w2.clone().requires_grad_()
    (x.mm(w1_leaf).relu().mm(w2_leaf) ** 2).sum().backward()
    np.testing.assert_allclose(grad_w1.numpy(), w1_leaf.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(grad_w2.numpy(), w2_leaf.grad.numpy(), rtol=1e-5)


def test_in_place_under_no_grad_writes_without_recording():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with ag.no_grad():
        w.sub_(w.grad, alpha=0.1)
        w[0] = 5.0
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    np.testing.assert_allclose(w.numpy(), [5.0, 1.6], rtol=1e-6)


def test_writing_a_grad_requiring_value_into_a_plain_tensor_records_it():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    z = ag.zeros(3)
    z[1:] = w * 3
    assert z.requires_grad and z.grad_fn is not None
    (z * ag.tensor([1.0, 2.0, 4.0])).sum().backward()
    assert w.grad.tolist() == [6.0, 12.0]


def test_views_see_in_place_changes_and_the_base_records_them():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    row = y[1]
    row.mul_(10)
    assert y.tolist() == [[1.0, 2.0], [30.0, 40.0]]
    (y * ag.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0], [30.0, 40.0]]


# Programs that change a base in place after taking views of it, or a view after others.
VIEW_PROGRAMS = {
    "view_then_base_changed": lambda m, x: _view_then_base(m, x),
    "view_of_view_then_base_changed": lambda m, x: _view_of_view_then_base(m, x),
    "expanded_view_then_base_changed": lambda m, x: _expanded_then_base(m, x),
    "sibling_views": lambda m, x: _sibling_views(m, x),
    "stale_view_as_backward_root": lambda m, x: _stale_root(m, x),
}


def _view_then_base(module, x):
    y = x * 1
    v = y[0:1]
    y.add_(x.tanh())
    return (v * module.tensor([[1.0, 10.0, 100.0]])).sum()


def _view_of_view_then_base(module, x):
    y = x * 1
    w = y.T[1:][0]
    y.mul_(x)
    return (w * 3).sum()


def _expanded_then_base(module, x):
    y = x * 1
    e = y[0:1].expand(3, 3)
    y.mul_(2)
    return (e * module.arange(9.0).reshape(3, 3)).sum()


def _sibling_views(module, x):
    y = x * 1
    first, second = y[0], y[:, 1]
    first.mul_(x[1].exp())
    return (second * module.tensor([2.0, 3.0])).sum() + y.sum()


def _stale_root(module, x):
    y = x * 1
    v = y[1:]
    y.pow_(2)
    return v


@pytest.mark.parametrize("name", list(VIEW_PROGRAMS))
def test_views_follow_in_place_changes_of_their_base_as_torch(name):
    """A view keeps reading its base's memory; after the base (or a sibling view) changes in
    place, the view's history is brought up to date, as PyTorch regenerates a view's grad_fn."""
    torch = pytest.importorskip("torch")
    values = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
    results = []
    for module in (ag, torch):
        x = module.tensor(values, requires_grad=True)
        out = VIEW_PROGRAMS[name](module, x)
        out.backward(module.ones_like(out))
        results.append((out.detach().numpy().copy(), x.grad.numpy().copy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_unbind_pieces_follow_in_place_changes():
    """PyTorch refuses these programs; here an unbind piece is an ordinary view."""
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    first, second = y.unbind(0)
    y.mul_(3)
    second.mul_(2)
    (first + second * 10).sum().backward()
    assert y.tolist() == [[3.0, 6.0], [18.0, 24.0]]
    assert x.grad.tolist() == [[3.0, 3.0], [60.0, 60.0]]


# ------------------------------------------------------------------------- refusals
def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    message = (
        r"a leaf tensor that requires grad \(shape \(2,\)\) is being used in an in-place operation.*no_grad"
    )
    for change in (
        lambda: w.add_(1.0),
        lambda: w.mul_(2.0),
        lambda: w.zero_(),
        lambda: w.fill_(1.0),
        lambda: w.copy_(ag.tensor([3.0, 4.0])),
        lambda: w.clamp_(0.0, 1.0),
        lambda: w.__setitem__(0, 3.0),
        lambda: w.__iadd__(1.0),
    ):
        with pytest.raises(RuntimeError, match=message):
            change()
    assert w.tolist() == [1.0, 2.0] and w._version == 0


def test_in_place_on_a_view_of_a_leaf_is_refused():
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"a view of a leaf tensor that requires grad .*clone\(\)"):
        w[0:2].mul_(2.0)
    with ag.no_grad():
        view = w[1:]
    with pytest.raises(RuntimeError, match=r"a view of a leaf tensor"):
        view.mul_(ag.tensor([1.0, 2.0], requires_grad=True))
    assert w.tolist() == [1.0, 2.0, 3.0]


def test_in_place_on_an_expanded_tensor_is_refused():
    h = ag.tensor([1.0, 2.0], requires_grad=True) * 1
    wide = h.expand(3, 2)
    with pytest.raises(RuntimeError, match=r"expanded tensor .* clone\(\) it first"):
        wide.mul_(2.0)


# ---------------------------------------------------------- saved tensors changed in place
def _line_of(pattern: str) -> int:
    source = open(__file__).read().splitlines()
    return next(i for i, line in enumerate(source, 1) if re.search(pattern, line))


def test_changing_a_saved_output_in_place_raises_at_backward_naming_op_and_line():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # the exp output is saved for backward
    y.add_(1.0)
    line = _line_of(r"y = x\.exp\(\)  # the exp output")
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation: ExpBackward0") as info:
        y.sum().backward()
    message = str(info.value)
    assert f"test_inplace.py:{line}" in message
    assert "version 0" in message and "version 1" in message and ".clone()" in message


def test_changing_a_saved_input_in_place_raises_at_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * a  # saves a
    a.mul_(3)
    line = _line_of(r"b = a \* a  # saves a")
    with pytest.raises(RuntimeError, match=rf"MulBackward0, created at .*test_inplace.py:{line}"):
        b.sum().backward()


def test_changing_a_saved_tensor_through_a_view_is_detected():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x.sin()
    y = h * h
    h[0:2].zero_()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_changing_a_tensor_no_backward_needs_is_fine():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    a = x + 1  # Add saves nothing
    y = a * 3.0  # multiplying by a number saves only the number
    a.add_(5.0)
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("make_view", ["slice", "unsqueeze", "view_of_view", "double_transpose"])
def test_a_view_changed_in_place_then_its_base_changed_in_place(make_view):
    """The view's own in-place change goes into its base's history; the base's later change
    then makes the view, in the graph, a view of the base's newest history (a regression:
    the view kept the node of its own change and missed the base's)."""
    views = {
        "slice": lambda t: t[0:2],
        "unsqueeze": lambda t: t.unsqueeze(0),
        "view_of_view": lambda t: t.unsqueeze(0)[0],
        "double_transpose": lambda t: t.t().t(),
    }
    w1 = np.linspace(-1, 1, 6).reshape(2, 3)
    w2 = np.linspace(0, 2, 6).reshape(2, 3)

    def program(module, leaf):
        base = leaf * 1
        view = views[make_view](base)
        view.add_(leaf.tanh())
        base.add_(leaf.tanh())
        return (base * module.tensor(w1)).sum() + (view * module.tensor(w2).reshape(view.shape)).sum()

    values = np.random.default_rng(0).normal(size=(2, 3))
    assert gradcheck(lambda leaf: program(ag, leaf), (ag.tensor(values, requires_grad=True),))
    torch = pytest.importorskip("torch")
    ours, theirs = ag.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    program(ag, ours).backward()
    program(torch, theirs).backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_matmul_saves_an_operand_only_when_the_other_needs_its_gradient():
    """As in PyTorch: for x @ w with a constant x, backward needs x but not w, so an update of
    w in place before backward is fine; with x requiring grad too, it is refused."""
    x = ag.tensor([[1.0, 2.0]])
    w = ag.tensor([[3.0], [4.0]], requires_grad=True)
    y = x @ w
    with ag.no_grad():
        w.sub_(1.0)
    y.sum().backward()
    assert w.grad.tolist() == [[1.0], [2.0]]
    x.requires_grad_()
    z = x @ w
    with ag.no_grad():
        w.sub_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation: MatMulBackward0"):
        z.sum().backward()


@pytest.mark.parametrize(
    "name", ["mul_", "div_", "pow_", "copy_", "addcmul_", "setitem_slice", "view_in_place"]
)
def test_recorded_in_place_second_order(name):
    change = RECORDED[name]

    def function(x, o):
        h = x * 1.5 - 0.2
        change(h, o)
        return h * h * o

    rng = np.random.default_rng(3)
    check_second_order(function, [rng.normal(size=(2, 3)), rng.normal(size=(2, 3))], rng=rng)
