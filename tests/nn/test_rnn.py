"""Recurrent layers and cells: PyTorch's parameter names, layouts and init; layers equal to
stepping their cell; gradients in float64; PyTorch's numbers when installed (layers, batch_first,
num_layers=2, bidirectional, initial states, cells); an LSTM fitting a tiny batch."""

import gc
import math
import weakref

import numpy as np
import pytest

import autograd_core as ag
import nn
import optim
from autograd_core.autograd import gradcheck
from autograd_core.func import functional_call


def test_parameter_names_and_shapes_are_pytorchs():
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    shapes = {name: p.shape for name, p in lstm.named_parameters()}
    assert list(shapes)[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert shapes["weight_ih_l0"] == (20, 3) and shapes["weight_hh_l0"] == (20, 5)
    assert shapes["weight_ih_l0_reverse"] == (20, 3)
    assert shapes["weight_ih_l1"] == (20, 10)  # layer 1 reads both directions of layer 0
    assert len(shapes) == 16
    gru = nn.GRU(3, 4, bias=False)
    assert [name for name, _ in gru.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert gru.weight_ih_l0.shape == (12, 3)
    cell = nn.LSTMCell(3, 4)
    assert [(name, p.shape) for name, p in cell.named_parameters()] == [
        ("weight_ih", (16, 3)),
        ("weight_hh", (16, 4)),
        ("bias_ih", (16,)),
        ("bias_hh", (16,)),
    ]


def test_init_is_uniform_within_one_over_sqrt_hidden():
    ag.manual_seed(0)
    rnn = nn.RNN(50, 100)
    bound = 1 / math.sqrt(100)
    values = np.concatenate([p.numpy().ravel() for p in rnn.parameters()])
    assert np.abs(values).max() <= bound
    np.testing.assert_allclose(values.std(), bound / math.sqrt(3), rtol=0.03)


def test_repr_matches_pytorch():
    assert repr(nn.LSTM(10, 20)) == "LSTM(10, 20)"
    assert repr(
        nn.GRU(10, 20, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)
    ) == ("GRU(10, 20, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)")
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"


def _copy(source, target):
    with ag.no_grad():
        for p, q in zip(source.parameters(), target.parameters()):
            q.copy_(p)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_layer_equals_stepping_its_cell(kind):
    """The fused sequence node gives the numbers (and gradients) of the textbook cell, step by step."""
    ag.manual_seed(2)
    layer = getattr(nn, kind)(3, 4).double()
    cell = getattr(nn, kind + "Cell")(3, 4).double()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        with ag.no_grad():
            getattr(cell, name).copy_(getattr(layer, name + "_l0"))
    x = ag.randn(6, 2, 3, dtype=ag.float64)
    h0 = ag.randn(1, 2, 4, dtype=ag.float64)
    c0 = ag.randn(1, 2, 4, dtype=ag.float64)
    state = (h0[0], c0[0]) if kind == "LSTM" else h0[0]
    outputs = []
    for t in range(6):
        state = cell(x[t], state)
        outputs.append(state[0] if kind == "LSTM" else state)
    stepped = ag.stack(outputs)
    output, _ = layer(x, (h0, c0) if kind == "LSTM" else h0)
    np.testing.assert_allclose(output.numpy(), stepped.numpy(), rtol=1e-12, atol=1e-14)
    (stepped**2).sum().backward()
    (output**2).sum().backward()
    np.testing.assert_allclose(layer.weight_hh_l0.grad.numpy(), cell.weight_hh.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.bias_ih_l0.grad.numpy(), cell.bias_ih.grad.numpy(), rtol=1e-10)


def _module_gradcheck(module, *inputs):
    names = [name for name, _ in module.named_parameters()]
    count = len(inputs)

    def function(*tensors):
        output = functional_call(module, dict(zip(names, tensors[count:])), tensors[:count])
        return output[0] if isinstance(output, tuple) else output

    return gradcheck(function, tuple(inputs) + tuple(p for _, p in module.named_parameters()))


@pytest.mark.parametrize(
    "layer",
    [
        lambda: nn.RNN(2, 3, num_layers=2, nonlinearity="relu", batch_first=True),
        lambda: nn.LSTM(2, 3, bidirectional=True),
        lambda: nn.GRU(2, 3, num_layers=2, bias=False),
        lambda: nn.LSTMCell(2, 3),
        lambda: nn.GRUCell(2, 3),
    ],
)
def test_gradients_in_float64(layer):
    ag.manual_seed(3)
    module = layer().double()
    shape = (2, 2) if isinstance(module, nn.modules.rnn.RNNCellBase) else (3, 2, 2)
    x = ag.randn(*shape, dtype=ag.float64, requires_grad=True)
    assert _module_gradcheck(module, x)


def test_unbatched_input_and_initial_states():
    ag.manual_seed(4)
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = ag.randn(5, 3)
    output, (h_n, c_n) = lstm(x)
    assert output.shape == (5, 4) and h_n.shape == (2, 4) and c_n.shape == (2, 4)
    batched, _ = lstm(x.unsqueeze(1))
    np.testing.assert_allclose(output.numpy(), batched.numpy()[:, 0], rtol=1e-6)
    cell = nn.GRUCell(3, 4)
    assert cell(ag.randn(3)).shape == (4,)
    assert cell(ag.randn(3), ag.zeros(4)).shape == (4,)
    h, c = nn.LSTMCell(3, 4)(ag.randn(3))
    assert h.shape == (4,) and c.shape == (4,)


def test_dropout_between_layers_only_in_training():
    ag.manual_seed(5)
    rnn = nn.GRU(3, 8, num_layers=2, dropout=0.5)
    x = ag.randn(4, 2, 3)
    rnn.eval()
    first, _ = rnn(x)
    second, _ = rnn(x)
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    reference = nn.GRU(3, 8, num_layers=2)
    _copy(rnn, reference)
    np.testing.assert_allclose(reference(x)[0].numpy(), first.numpy(), rtol=1e-6)
    rnn.train()
    assert not np.allclose(rnn(x)[0].numpy(), first.numpy())
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


def test_errors_say_what_to_do():
    rnn = nn.RNN(3, 4)
    with pytest.raises(
        RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"
    ):
        rnn(ag.randn(6, 2, 5))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\)"):
        rnn(ag.randn(6, 2, 3), ag.zeros(1, 3, 4))
    with pytest.raises(ValueError, match="Expected input to be 2D"):
        rnn(ag.randn(6, 2, 3, 1))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(RuntimeError, match=r"Expected cell state of shape \(2, 4\)"):
        nn.LSTMCell(3, 4)(ag.randn(2, 3), (ag.zeros(2, 4), ag.zeros(3, 4)))
    with pytest.raises(RuntimeError, match="inconsistent input_size: got 2 expected 3"):
        nn.GRUCell(3, 4)(ag.randn(2, 2))


def _to_torch(torch, ours, theirs):
    with torch.no_grad():
        for name, parameter in ours.named_parameters():
            getattr(theirs, name).copy_(torch.tensor(parameter.numpy()))


@pytest.mark.parametrize(
    "name, kwargs, with_state",
    [
        ("RNN", dict(num_layers=2), True),
        ("RNN", dict(nonlinearity="relu", batch_first=True), False),
        ("LSTM", dict(num_layers=2, batch_first=True), True),
        ("LSTM", dict(bidirectional=True, bias=False), False),
        ("GRU", dict(num_layers=2, bidirectional=True), True),
        ("GRU", dict(batch_first=True), False),
    ],
)
def test_layers_against_pytorch(name, kwargs, with_state):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(3, 5, **kwargs).double()
    theirs = getattr(torch.nn, name)(3, 5, **kwargs).double()
    _to_torch(torch, ours, theirs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 6, 3) if kwargs.get("batch_first") else (6, 4, 3))
    states = 2 * kwargs.get("num_layers", 1) if kwargs.get("bidirectional") else kwargs.get("num_layers", 1)
    h0, c0 = rng.standard_normal((2, states, 4, 5))
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    a_h0, t_h0 = ag.tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)
    a_c0, t_c0 = ag.tensor(c0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    if name == "LSTM":
        out, (h_n, c_n) = ours(ax, (a_h0, a_c0) if with_state else None)
        expected, (t_h_n, t_c_n) = theirs(tx, (t_h0, t_c0) if with_state else None)
        np.testing.assert_allclose(c_n.numpy(), t_c_n.detach().numpy(), atol=1e-12)
        loss, t_loss = (out**2).sum() + (c_n * h_n).sum(), (expected**2).sum() + (t_c_n * t_h_n).sum()
    else:
        out, h_n = ours(ax, a_h0 if with_state else None)
        expected, t_h_n = theirs(tx, t_h0 if with_state else None)
        loss, t_loss = (out**2).sum() + (h_n**3).sum(), (expected**2).sum() + (t_h_n**3).sum()
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(h_n.numpy(), t_h_n.detach().numpy(), atol=1e-12)
    loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    if with_state:
        np.testing.assert_allclose(a_h0.grad.numpy(), t_h0.grad.numpy(), atol=1e-10)
        if name == "LSTM":
            np.testing.assert_allclose(a_c0.grad.numpy(), t_c0.grad.numpy(), atol=1e-10)
    for parameter_name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad.numpy(),
            getattr(theirs, parameter_name).grad.numpy(),
            atol=1e-10,
            err_msg=parameter_name,
        )
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "name, kwargs",
    [("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu")), ("LSTMCell", {}), ("GRUCell", {})],
)
def test_cells_against_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(3, 5, **kwargs).double()
    theirs = getattr(torch.nn, name)(3, 5, **kwargs).double()
    _to_torch(torch, ours, theirs)
    rng = np.random.default_rng(1)
    x, h = rng.standard_normal((4, 3)), rng.standard_normal((4, 5))
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    state = (ag.tensor(h), ag.tensor(h * 0.5)) if name == "LSTMCell" else ag.tensor(h)
    t_state = (torch.tensor(h), torch.tensor(h * 0.5)) if name == "LSTMCell" else torch.tensor(h)
    for given, t_given in ((None, None), (state, t_state)):
        out, expected = ours(ax, given), theirs(tx, t_given)
        if name == "LSTMCell":
            out, expected = out[0] * out[1], expected[0] * expected[1]
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-12)
        (out**2).sum().backward()
        (expected**2).sum().backward()
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    for parameter_name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad.numpy(), getattr(theirs, parameter_name).grad.numpy(), atol=1e-10
        )
    assert repr(ours) == repr(theirs)


def test_lstm_fits_a_tiny_batch():
    """Classify 6 sequences of length 8 by a pattern that needs memory: to near-zero loss."""
    ag.manual_seed(6)

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(2, 16, batch_first=True)
            self.head = nn.Linear(16, 3)

        def forward(self, x):
            output, (h_n, _) = self.lstm(x)
            return self.head(h_n[-1])

    model = Classifier()
    x = ag.randn(6, 8, 2)
    labels = ag.tensor([0, 1, 2, 0, 1, 2])
    optimizer = optim.Adam(model.parameters(), lr=0.03)
    loss_function = nn.CrossEntropyLoss()
    losses = []
    for _ in range(150):
        optimizer.zero_grad()
        loss = loss_function(model(x), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[0] > 1.0
    assert losses[-1] < 0.01


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_a_recurrent_graph_is_freed_without_the_garbage_collector(kind):
    layer = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=True)
    gc.disable()
    try:
        output, _ = layer(ag.randn(5, 2, 3))
        probe = weakref.ref(output)
        output.sum().backward()
        del output
        assert probe() is None
    finally:
        gc.enable()
