"""Convolution layers: parameters and their init, repr, gradients of every option in float64,
PyTorch's numbers when installed, and a small CNN that fits a tiny batch."""

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


def _module_gradcheck(module, *inputs):
    """gradcheck of module(*inputs) with respect to the inputs and every parameter."""
    names = [name for name, _ in module.named_parameters()]
    count = len(inputs)

    def function(*tensors):
        return functional_call(module, dict(zip(names, tensors[count:])), tensors[:count])

    return gradcheck(function, tuple(inputs) + tuple(p for _, p in module.named_parameters()))


def test_parameter_layouts_and_names():
    conv = nn.Conv2d(6, 8, (3, 2), groups=2)
    assert conv.weight.shape == (8, 3, 3, 2) and conv.bias.shape == (8,)
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]
    assert nn.Conv1d(4, 6, 5, bias=False).bias is None
    assert [name for name, _ in nn.Conv1d(4, 6, 5, bias=False).named_parameters()] == ["weight"]
    transposed = nn.ConvTranspose2d(6, 8, 3, groups=2)
    assert transposed.weight.shape == (6, 4, 3, 3)
    assert nn.Conv3d(2, 4, 3).weight.shape == (4, 2, 3, 3, 3)


def test_default_init_is_pytorch_kaiming_uniform_with_a_sqrt5():
    ag.manual_seed(0)
    conv = nn.Conv2d(16, 64, 3)
    bound = 1 / math.sqrt(16 * 9)  # gain √(2/(1+5)) · √(3/fan_in) = 1/√fan_in
    weight = conv.weight.numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.98 * bound
    np.testing.assert_allclose(weight.std(), bound / math.sqrt(3), rtol=0.03)
    assert np.abs(conv.bias.numpy()).max() <= bound
    transposed = nn.ConvTranspose2d(16, 8, 2)  # fan_in = weight.shape[1] · k = 8 · 4
    assert np.abs(transposed.weight.numpy()).max() <= 1 / math.sqrt(32)


def test_repr_matches_pytorch():
    assert (
        repr(nn.Conv2d(1, 8, 3, padding=1))
        == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    )
    layer = nn.Conv1d(4, 8, 3, stride=2, dilation=2, groups=4, bias=False, padding_mode="reflect")
    assert repr(layer) == (
        "Conv1d(4, 8, kernel_size=(3,), stride=(2,), dilation=(2,), groups=4, bias=False, "
        "padding_mode=reflect)"
    )
    assert repr(nn.Conv2d(2, 2, 3, padding="same")) == (
        "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)"
    )
    assert repr(nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1, output_padding=1)) == (
        "ConvTranspose2d(16, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))"
    )


@pytest.mark.parametrize(
    "layer, shape",
    [
        (lambda: nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2), (2, 2, 9)),
        (lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=2), (2, 4, 6, 5)),
        (lambda: nn.Conv2d(2, 3, 3, padding="same", dilation=2, bias=False), (1, 2, 5, 6)),
        (lambda: nn.Conv2d(2, 3, 2, padding=1, padding_mode="reflect"), (1, 2, 4, 5)),
        (lambda: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="replicate"), (1, 2, 4, 5)),
        (lambda: nn.Conv1d(2, 3, 3, padding=2, padding_mode="circular"), (2, 2, 5)),
        (lambda: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2), (1, 4, 3, 3)),
        (lambda: nn.ConvTranspose1d(2, 3, 4, stride=3, dilation=2, bias=False), (2, 2, 4)),
    ],
)
def test_layer_gradients_in_float64(layer, shape):
    ag.manual_seed(1)
    module = layer().double()
    x = ag.randn(*shape, dtype=ag.float64, requires_grad=True)
    assert _module_gradcheck(module, x)


def test_errors_say_what_to_do():
    with pytest.raises(ValueError, match=r"must both be divisible by groups \(4\)"):
        nn.Conv2d(6, 8, 3, groups=4)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(RuntimeError, match="expects the input to have 3 channels"):
        nn.Conv2d(3, 4, 3)(ag.randn(1, 1, 8, 8))
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


def _copy_to_torch(torch, module, ours):
    with torch.no_grad():
        for name, parameter in ours.named_parameters():
            getattr(module, name).copy_(torch.tensor(parameter.numpy()))


@pytest.mark.parametrize(
    "name, args, kwargs, shape",
    [
        ("Conv1d", (3, 4, 3), dict(stride=2, padding=1, dilation=2), (2, 3, 11)),
        ("Conv2d", (4, 6, 3), dict(stride=2, padding=1, groups=2), (2, 4, 9, 8)),
        ("Conv2d", (3, 5, (3, 2)), dict(padding="same", dilation=(2, 1), bias=False), (2, 3, 7, 6)),
        ("Conv2d", (3, 5, 3), dict(padding=1, padding_mode="circular"), (2, 3, 6, 7)),
        ("Conv2d", (3, 5, 3), dict(padding=(2, 1), padding_mode="reflect"), (2, 3, 6, 7)),
        ("Conv2d", (3, 5, 2), dict(padding="same", padding_mode="replicate"), (2, 3, 6, 7)),
        ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5, 4)),
        ("ConvTranspose1d", (3, 2, 4), dict(stride=3, padding=2, dilation=2), (2, 3, 6)),
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding=.same.")
def test_against_pytorch(name, args, kwargs, shape):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, name)(*args, **kwargs).double()
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    _copy_to_torch(torch, theirs, ours)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    ax, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(ax), theirs(tx)
    upstream = rng.standard_normal(tuple(expected.shape))
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    for parameter_name, parameter in ours.named_parameters():
        np.testing.assert_allclose(
            parameter.grad.numpy(), getattr(theirs, parameter_name).grad.numpy(), atol=1e-10
        )
    assert repr(ours) == repr(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())


def test_small_cnn_fits_a_tiny_batch():
    ag.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, padding=1),
        nn.ReLU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 2 * 2, 4),
    )
    images = ag.randn(8, 1, 8, 8)
    labels = ag.tensor([0, 1, 2, 3, 3, 2, 1, 0])
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    loss_function = nn.CrossEntropyLoss()
    first = None
    for _ in range(150):
        optimizer.zero_grad()
        loss = loss_function(model(images), labels)
        loss.backward()
        optimizer.step()
        first = loss.item() if first is None else first
    assert first > 1.0
    assert loss.item() < 0.01
    assert (model(images).argmax(1) == labels).all()


def test_a_cnn_graph_is_freed_without_the_garbage_collector():
    """No node refers back to what it produced: reference counting alone frees the graph."""
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 3)
    )
    images = ag.randn(4, 1, 8, 8)
    gc.disable()
    try:
        hidden = model[2](model[1](model[0](images)))
        probe = weakref.ref(hidden)
        loss = model[4](model[3](hidden)).sum()
        loss.backward()
        del hidden, loss
        assert probe() is None
    finally:
        gc.enable()
