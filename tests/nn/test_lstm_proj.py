"""LSTM with projections (``proj_size``): PyTorch's parameter names, order, shapes, init and repr;
float64 gradients of output, h_n and c_n with respect to the input, the initial states and every
parameter (two layers, one or two directions, batch_first, unbatched); PyTorch's numbers after
loading its state dict; the errors for a bad proj_size and for misshapen initial states."""

import gc
import math
import weakref

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.autograd import gradcheck
from autograd_core.func import functional_call


def test_parameter_names_order_and_shapes():
    lstm = nn.LSTM(3, 6, num_layers=2, bidirectional=True, proj_size=2)
    shapes = [(name, p.shape) for name, p in lstm.named_parameters()]
    layer0 = [
        ("weight_ih_l0", (24, 3)),
        ("weight_hh_l0", (24, 2)),
        ("bias_ih_l0", (24,)),
        ("bias_hh_l0", (24,)),
        ("weight_hr_l0", (2, 6)),
    ]
    assert shapes[:5] == layer0
    assert shapes[5:10] == [(name + "_reverse", shape) for name, shape in layer0]
    assert shapes[10] == ("weight_ih_l1", (24, 4))  # layer 1 reads proj_size · 2 directions
    assert shapes[14] == ("weight_hr_l1", (2, 6)) and len(shapes) == 20
    no_bias = nn.LSTM(3, 6, proj_size=2, bias=False)
    assert [name for name, _ in no_bias.named_parameters()] == [
        "weight_ih_l0",
        "weight_hh_l0",
        "weight_hr_l0",
    ]
    assert "weight_hr_l0" not in dict(nn.LSTM(3, 6).named_parameters())


@pytest.mark.parametrize(
    "kwargs", [dict(num_layers=2, bidirectional=True), dict(bias=False, batch_first=True)]
)
def test_parameters_are_pytorchs(kwargs):
    torch = pytest.importorskip("torch")
    ours = nn.LSTM(3, 6, proj_size=2, **kwargs)
    theirs = torch.nn.LSTM(3, 6, proj_size=2, **kwargs)
    assert [(name, p.shape) for name, p in ours.named_parameters()] == [
        (name, tuple(p.shape)) for name, p in theirs.named_parameters()
    ]
    assert repr(ours) == repr(theirs)


def test_init_is_uniform_within_one_over_sqrt_hidden_including_the_projection():
    ag.manual_seed(0)
    lstm = nn.LSTM(50, 100, proj_size=40)
    bound = 1 / math.sqrt(100)
    projection = lstm.weight_hr_l0.numpy()
    assert np.abs(projection).max() <= bound
    np.testing.assert_allclose(projection.std(), bound / math.sqrt(3), rtol=0.03)
    values = np.concatenate([p.numpy().ravel() for p in lstm.parameters()])
    assert np.abs(values).max() <= bound


def test_repr_shows_proj_size_after_hidden_size():
    assert repr(nn.LSTM(10, 20, proj_size=5)) == "LSTM(10, 20, proj_size=5)"
    assert repr(nn.LSTM(10, 20, proj_size=5, num_layers=2, bidirectional=True)) == (
        "LSTM(10, 20, proj_size=5, num_layers=2, bidirectional=True)"
    )
    assert repr(nn.LSTM(10, 20, proj_size=0)) == "LSTM(10, 20)"


def test_shapes_of_outputs_and_states():
    lstm = nn.LSTM(3, 6, num_layers=2, bidirectional=True, proj_size=2, batch_first=True)
    output, (h_n, c_n) = lstm(ag.randn(4, 5, 3))
    assert output.shape == (4, 5, 4) and h_n.shape == (4, 4, 2) and c_n.shape == (4, 4, 6)
    output, (h_n, c_n) = lstm(ag.randn(5, 3), (ag.zeros(4, 2), ag.zeros(4, 6)))
    assert output.shape == (5, 4) and h_n.shape == (4, 2) and c_n.shape == (4, 6)


def _gradcheck_lstm(lstm, x, h0, c0):
    """gradcheck of (output, h_n, c_n) with respect to x, h0, c0 and every parameter."""
    names = [name for name, _ in lstm.named_parameters()]

    def function(x, h0, c0, *parameters):
        output, (h_n, c_n) = functional_call(lstm, dict(zip(names, parameters)), (x, (h0, c0)))
        return output, h_n, c_n

    return gradcheck(function, (x, h0, c0) + tuple(p for _, p in lstm.named_parameters()))


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_gradients_in_float64(bidirectional, batch_first):
    ag.manual_seed(1)
    lstm = nn.LSTM(2, 3, num_layers=2, bidirectional=bidirectional, batch_first=batch_first, proj_size=2)
    lstm = lstm.double()
    states = 4 if bidirectional else 2
    x = ag.randn(*((2, 3, 2) if batch_first else (3, 2, 2)), dtype=ag.float64, requires_grad=True)
    h0 = ag.randn(states, 2, 2, dtype=ag.float64, requires_grad=True)
    c0 = ag.randn(states, 2, 3, dtype=ag.float64, requires_grad=True)
    assert _gradcheck_lstm(lstm, x, h0, c0)


def test_gradients_in_float64_unbatched():
    ag.manual_seed(2)
    lstm = nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=1).double()
    x = ag.randn(3, 2, dtype=ag.float64, requires_grad=True)
    h0 = ag.randn(4, 1, dtype=ag.float64, requires_grad=True)
    c0 = ag.randn(4, 3, dtype=ag.float64, requires_grad=True)
    assert _gradcheck_lstm(lstm, x, h0, c0)


@pytest.mark.parametrize(
    "kwargs, batch, with_state",
    [
        (dict(num_layers=2, bidirectional=True), 4, True),
        (dict(num_layers=2, batch_first=True, bias=False), 4, False),
        (dict(bidirectional=True), None, True),
    ],
)
def test_against_pytorch_after_loading_its_state_dict(kwargs, batch, with_state):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 5, proj_size=2, **kwargs).double()
    ours = nn.LSTM(3, 5, proj_size=2, **kwargs).double()
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    states = 2 * kwargs.get("num_layers", 1) if kwargs.get("bidirectional") else kwargs.get("num_layers", 1)
    if batch is None:
        x, h0, c0 = (
            rng.standard_normal((6, 3)),
            rng.standard_normal((states, 2)),
            rng.standard_normal((states, 5)),
        )
    else:
        x = rng.standard_normal((batch, 6, 3) if kwargs.get("batch_first") else (6, batch, 3))
        h0, c0 = rng.standard_normal((states, batch, 2)), rng.standard_normal((states, batch, 5))
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a_h0, t_h0 = ag.tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)
    a_c0, t_c0 = ag.tensor(c0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    out, (h_n, c_n) = ours(ax, (a_h0, a_c0) if with_state else None)
    expected, (t_h_n, t_c_n) = theirs(tx, (t_h0, t_c0) if with_state else None)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(h_n.numpy(), t_h_n.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(c_n.numpy(), t_c_n.detach().numpy(), atol=1e-12)
    weights = np.arange(1, h_n.shape[-1] + 1, dtype=np.float64)
    loss = (out**2).sum() + (h_n * ag.tensor(weights)).sum() + (c_n**3).sum()
    t_loss = (expected**2).sum() + (t_h_n * torch.tensor(weights)).sum() + (t_c_n**3).sum()
    loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    if with_state:
        np.testing.assert_allclose(a_h0.grad.numpy(), t_h0.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(a_c0.grad.numpy(), t_c0.grad.numpy(), atol=1e-10)
    t_parameters = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad.numpy(), t_parameters[name].grad.numpy(), atol=1e-10, err_msg=name
        )


def test_bad_proj_size_is_refused():
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero .* got -1"):
        nn.LSTM(3, 4, proj_size=-1)
    with pytest.raises(
        ValueError, match="proj_size has to be smaller than hidden_size, got proj_size=4 and hidden_size=4"
    ):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=9)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM, not RNN or GRU"):
        nn.modules.rnn.RNNBase("GRU", 3, 4, proj_size=2)


def test_wrongly_shaped_initial_states_are_refused():
    lstm = nn.LSTM(3, 4, num_layers=2, proj_size=2)
    x = ag.randn(5, 6, 3)
    with pytest.raises(
        RuntimeError,
        match=r"Expected hidden size \(2, 6, 2\) \(layers·directions, batch, proj_size\), got \[2, 6, 4\]",
    ):
        lstm(x, (ag.zeros(2, 6, 4), ag.zeros(2, 6, 4)))
    with pytest.raises(
        RuntimeError,
        match=r"Expected cell state size \(2, 6, 4\) \(layers·directions, batch, hidden_size\), "
        r"got \[2, 6, 2\]",
    ):
        lstm(x, (ag.zeros(2, 6, 2), ag.zeros(2, 6, 2)))
    with pytest.raises(
        RuntimeError, match=r"unbatched 2-D input, hidden should also be 2-D \(layers·directions"
    ):
        lstm(ag.randn(5, 3), (ag.zeros(2, 1, 2), ag.zeros(2, 4)))


def test_pytorch_refuses_the_same_proj_sizes():
    torch = pytest.importorskip("torch")
    for proj_size, message in ((-1, "proj_size should be a positive integer"), (4, "has to be smaller")):
        with pytest.raises(ValueError, match=message):
            torch.nn.LSTM(3, 4, proj_size=proj_size)
        with pytest.raises(ValueError, match=message):
            nn.LSTM(3, 4, proj_size=proj_size)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 6, 2\)"):
        torch.nn.LSTM(3, 4, proj_size=2)(torch.zeros(5, 6, 3), (torch.zeros(1, 6, 4), torch.zeros(1, 6, 4)))


def test_a_projected_lstm_graph_is_freed_without_the_garbage_collector():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    gc.disable()
    try:
        output, _ = lstm(ag.randn(5, 2, 3))
        probe = weakref.ref(output)
        output.sum().backward()
        del output
        assert probe() is None
    finally:
        gc.enable()
