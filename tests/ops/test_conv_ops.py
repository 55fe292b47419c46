"""Convolution primitives (ops/conv.py): values against a direct sum, adjoint identities, gradients
by finite differences (first and second order), PyTorch when installed, and error messages."""

import doctest
import importlib
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.autograd import gradcheck, gradgradcheck
from autograd_core.ops import conv as C


def _direct_conv(x, w, b, stride, padding, dilation, groups):
    """out[n, o, i...] = b[o] + Σ w[o, c, k...] · x_pad[n, g·Cg + c, i·s + k·d]: a loop per output
    position, slow but obviously right."""
    n_dims = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + list(padding))
    kernel = w.shape[2:]
    out_size = [(xp.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(n_dims)]
    out_channels, in_per_group = w.shape[:2]
    per_group = out_channels // groups
    out = np.zeros((x.shape[0], out_channels, *out_size))
    for o in range(out_channels):
        g = o // per_group
        channels = slice(g * in_per_group, (g + 1) * in_per_group)
        for position in itertools.product(*[range(s) for s in out_size]):
            window = tuple(
                slice(p * s, p * s + d * (k - 1) + 1, d)
                for p, s, d, k in zip(position, stride, dilation, kernel)
            )
            patch = xp[(slice(None), channels) + window]
            out[(slice(None), o) + position] = np.tensordot(patch, w[o], axes=n_dims + 1)
        if b is not None:
            out[:, o] += b[o]
    return out


def _random(rng, *shape):
    return ag.tensor(rng.standard_normal(shape), dtype=ag.float64, requires_grad=True)


CASES = [
    # (spatial, in, out, kernel, stride, padding, dilation, groups, bias)
    ((7,), 2, 3, (3,), (1,), 0, (1,), 1, True),
    ((9,), 4, 2, (2,), (2,), 1, (3,), 2, False),
    ((6, 5), 3, 4, (3, 2), (1, 1), 0, (1, 1), 1, True),
    ((7, 8), 2, 4, (3, 3), (2, 2), 1, (1, 1), 1, False),
    ((8, 7), 4, 6, (2, 3), (2, 1), (1, 2), (2, 1), 2, True),
    ((6, 6), 3, 3, (3, 3), (1, 1), "same", (2, 2), 3, True),
    ((5, 6), 2, 2, (2, 2), (1, 1), "same", (1, 1), 1, True),
    ((5, 6), 2, 2, (2, 3), (1, 1), "valid", (1, 1), 1, False),
    ((4, 5, 4), 2, 2, (2, 3, 2), (1, 2, 1), 1, (1, 1, 2), 1, True),
]


def _call(x, w, b, stride, padding, dilation, groups):
    function = {1: C.conv1d, 2: C.conv2d, 3: C.conv3d}[w.ndim - 2]
    return function(x, w, b, stride, padding, dilation, groups)


@pytest.mark.parametrize("spatial, cin, cout, kernel, stride, padding, dilation, groups, bias", CASES)
def test_conv_matches_direct_sum_and_finite_differences(
    spatial, cin, cout, kernel, stride, padding, dilation, groups, bias
):
    rng = np.random.default_rng(0)
    x = _random(rng, 2, cin, *spatial)
    w = _random(rng, cout, cin // groups, *kernel)
    b = _random(rng, cout) if bias else None
    out = _call(x, w, b, stride, padding, dilation, groups)
    pairs = C.conv_padding(padding, kernel, stride, dilation)
    expected = _direct_conv(
        x.numpy(), w.numpy(), None if b is None else b.numpy(), stride, pairs, dilation, groups
    )
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)
    inputs = (x, w) if b is None else (x, w, b)
    assert gradcheck(
        lambda x, w, *b: _call(x, w, b[0] if b else None, stride, padding, dilation, groups), inputs
    )


@pytest.mark.parametrize("case", [CASES[1], CASES[4], CASES[6]])
def test_conv_second_derivatives(case):
    spatial, cin, cout, kernel, stride, padding, dilation, groups, _ = case
    rng = np.random.default_rng(1)
    x = _random(rng, 1, cin, *spatial)
    w = _random(rng, cout, cin // groups, *kernel)
    b = _random(rng, cout)
    assert gradgradcheck(lambda x, w, b: _call(x, w, b, stride, padding, dilation, groups).tanh(), (x, w, b))


def test_conv_transpose_is_the_adjoint_of_conv():
    """<conv(x, w), y> = <x, conv_transpose(y, w)> for every x, y: it is dL/dx."""
    rng = np.random.default_rng(2)
    x = _random(rng, 2, 4, 9, 8)
    w = _random(rng, 6, 2, 3, 2)
    y_shape = C.conv2d(x, w, stride=(2, 3), padding=1, dilation=(1, 2), groups=2).shape
    y = _random(rng, *y_shape)
    left = (C.conv2d(x, w, stride=(2, 3), padding=1, dilation=(1, 2), groups=2) * y).sum()
    # output_padding recovers the rows the strided convolution never reached
    back = C.conv_transpose2d(
        y, w, stride=(2, 3), padding=1, output_padding=(0, 1), groups=2, dilation=(1, 2)
    )
    assert back.shape == x.shape
    np.testing.assert_allclose(left.item(), (x * back).sum().item(), rtol=1e-12)


@pytest.mark.parametrize(
    "stride, padding, output_padding, groups, dilation",
    [(1, 0, 0, 1, 1), (2, 1, 1, 2, 1), ((2, 3), (0, 1), (1, 2), 1, (2, 1))],
)
def test_conv_transpose2d_gradients(stride, padding, output_padding, groups, dilation):
    rng = np.random.default_rng(3)
    x = _random(rng, 2, 4, 3, 4)
    w = _random(rng, 4, 4 // groups, 3, 2)
    b = _random(rng, 4)

    def function(x, w, b):
        return C.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)

    assert gradcheck(function, (x, w, b))
    assert gradgradcheck(lambda x, w, b: function(x, w, b) ** 2, (x, w, b))


def test_conv_weight_primitive_second_order():
    """The weight-gradient map itself: differentiated once and twice."""
    rng = np.random.default_rng(4)
    x = _random(rng, 2, 2, 5, 5)
    geometry = C.Geometry((2, 3), (2, 1), ((1, 0), (0, 1)), (1, 1), 2)
    y = _random(rng, 2, 4, 3, 4)

    def function(x, y):
        return C.ConvWeight.apply(x, y, geometry, (4, 1, 2, 3), None)

    assert gradcheck(function, (x, y))
    assert gradgradcheck(lambda x, y: function(x, y) ** 2, (x, y))


def test_conv1d_shapes_and_unbatched_input():
    rng = np.random.default_rng(5)
    w = _random(rng, 4, 3, 3)
    x = _random(rng, 3, 10)
    out = C.conv1d(x, w, padding=1)
    assert out.shape == (4, 10)
    np.testing.assert_allclose(out.numpy(), C.conv1d(x.unsqueeze(0), w, padding=1).numpy()[0])


def test_unfold_and_fold_are_adjoint_and_invert_disjoint_blocks():
    rng = np.random.default_rng(6)
    x = _random(rng, 2, 3, 7, 6)
    cols = C.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    assert cols.shape == (2, 3 * 6, 4 * 4)
    z = _random(rng, *cols.shape)
    folded = C.fold(z, (7, 6), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    np.testing.assert_allclose((cols * z).sum().item(), (x * folded).sum().item(), rtol=1e-12)
    blocks = C.unfold(x[:, :, :6], 2, stride=2)
    np.testing.assert_array_equal(C.fold(blocks, (6, 6), 2, stride=2).numpy(), x[:, :, :6].numpy())
    assert gradcheck(lambda x: C.unfold(x, 2, padding=1, stride=(1, 2)), x)
    assert gradgradcheck(
        lambda z: C.fold(z, (7, 6), 2, padding=1, stride=(1, 2)) ** 2, _random(rng, 1, 8, 32)
    )


@settings(max_examples=25, deadline=None)
@given(
    size=st.tuples(st.integers(3, 7), st.integers(3, 7)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    groups=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**16),
)
def test_conv2d_any_geometry_matches_direct_sum(size, kernel, stride, padding, dilation, groups, seed):
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(r > s + 2 * p for r, s, p in zip(reach, size, padding)):
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2 * groups, *size))
    w = rng.standard_normal((2 * groups, 2, *kernel))
    b = rng.standard_normal(2 * groups)
    out = C.conv2d(ag.tensor(x), ag.tensor(w), ag.tensor(b), stride, padding, dilation, groups)
    expected = _direct_conv(x, w, b, stride, [(p, p) for p in padding], dilation, groups)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)


def test_float32_stays_float32():
    x = ag.randn(2, 3, 8, 8)
    w = ag.randn(4, 3, 3, 3, requires_grad=True)
    out = C.conv2d(x, w, ag.zeros(4), padding=1)
    out.sum().backward()
    assert out.dtype == ag.float32 and w.grad.dtype == ag.float32


def test_conv_errors_say_what_to_do():
    x = ag.randn(2, 3, 8, 8)
    with pytest.raises(
        RuntimeError, match=r"expects the input to have 1 channels, but input of size \[2, 3, 8, 8\]"
    ):
        C.conv2d(x, ag.randn(4, 1, 3, 3))
    with pytest.raises(RuntimeError, match="smaller than the \\(dilated\\) kernel size"):
        C.conv2d(x, ag.randn(4, 3, 5, 5), dilation=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        C.conv2d(x, ag.randn(4, 3, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="padding must be an int, a tuple, 'valid' or 'same'"):
        C.conv2d(x, ag.randn(4, 3, 3, 3), padding="full")
    with pytest.raises(RuntimeError, match="groups=2 must be positive and divide"):
        C.conv2d(x, ag.randn(4, 1, 3, 3), groups=2)
    with pytest.raises(TypeError, match="same dtype.*float32.*float64"):
        C.conv2d(x, ag.randn(4, 3, 3, 3, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="expects a 4-D input"):
        C.conv2d(ag.randn(8, 8), ag.randn(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match="bias must have shape \\(4,\\)"):
        C.conv2d(x, ag.randn(4, 3, 3, 3), ag.randn(3))
    with pytest.raises(ValueError, match="stride must be an int or a tuple of 2 ints"):
        C.conv2d(x, ag.randn(4, 3, 3, 3), stride=(1, 1, 1))
    with pytest.raises(RuntimeError, match="dimension 2 must be 9"):
        C.fold(ag.randn(1, 4, 8), (4, 4), 2)
    with pytest.raises(ValueError, match="output_padding"):
        C.conv_transpose2d(x, ag.randn(3, 2, 3, 3), stride=2, output_padding=2)


@pytest.mark.filterwarnings("ignore:Using padding=.same.")
def test_against_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    functional = torch.nn.functional
    for spatial, cin, cout, kernel, stride, padding, dilation, groups, bias in CASES:
        x = rng.standard_normal((2, cin, *spatial))
        w = rng.standard_normal((cout, cin // groups, *kernel))
        b = rng.standard_normal(cout) if bias else None
        tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        tb = torch.tensor(b, requires_grad=True) if bias else None
        t_function = getattr(functional, f"conv{len(spatial)}d")
        expected = t_function(tx, tw, tb, stride, padding, dilation, groups)
        upstream = rng.standard_normal(expected.shape)
        expected.backward(torch.tensor(upstream))
        ax, aw = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
        ab = ag.tensor(b, requires_grad=True) if bias else None
        out = _call(ax, aw, ab, stride, padding, dilation, groups)
        out.backward(ag.tensor(upstream))
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-10)
        np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(aw.grad.numpy(), tw.grad.numpy(), atol=1e-10)
        if bias:
            np.testing.assert_allclose(ab.grad.numpy(), tb.grad.numpy(), atol=1e-10)
    x = rng.standard_normal((2, 4, 5, 4))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(6)
    expected = functional.conv_transpose2d(
        torch.tensor(x), torch.tensor(w), torch.tensor(b), (2, 3), (1, 0), (1, 2), 2, (1, 2)
    )
    out = C.conv_transpose2d(ag.tensor(x), ag.tensor(w), ag.tensor(b), (2, 3), (1, 0), (1, 2), 2, (1, 2))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-10)
    cols = functional.unfold(torch.tensor(x), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    np.testing.assert_allclose(
        C.unfold(ag.tensor(x), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)).numpy(), cols.numpy()
    )
    np.testing.assert_allclose(
        C.fold(ag.tensor(cols.numpy()), (5, 4), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)).numpy(),
        functional.fold(cols, (5, 4), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)).numpy(),
    )


@pytest.mark.parametrize(
    "module_name", ["autograd_core.ops.conv", "autograd_core.ops.pooling", "autograd_core.ops.rnn"]
)
def test_docstring_examples_run(module_name):
    failures, attempted = doctest.testmod(
        importlib.import_module(module_name), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert failures == 0 and attempted > 0
