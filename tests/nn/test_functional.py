"""nn.functional: one_hot, pad, normalize, linear, softmax family, functional forms of layers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.autograd import gradcheck
from tests.nn.nn_testing import assert_close, randn64, t64


# ---------------------------------------------------------------------------- one_hot
def test_one_hot():
    out = F.one_hot(ag.tensor([[0, 2], [1, 0]]), 3)
    assert out.dtype == ag.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[[[0, 2], [1, 0]]])
    assert F.one_hot(ag.tensor([4, 1])).shape == (2, 5)


def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes: got 3"):
        F.one_hot(ag.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(ag.tensor([-1]), 3)
    with pytest.raises(RuntimeError, match="index tensor"):
        F.one_hot(ag.tensor([1.0]), 3)


# -------------------------------------------------------------------------------- pad
NUMPY_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@settings(max_examples=25, deadline=None)
@given(
    mode=st.sampled_from(list(NUMPY_MODES)),
    widths=st.lists(st.integers(0, 2), min_size=2, max_size=4).filter(lambda w: len(w) % 2 == 0),
)
def test_pad_modes_against_numpy_and_gradients(mode, widths):
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    out = F.pad(t64(x), tuple(widths), mode=mode)
    numpy_widths = [(0, 0)] * 3
    for i in range(len(widths) // 2):
        numpy_widths[2 - i] = (widths[2 * i], widths[2 * i + 1])
    np.testing.assert_array_equal(out.numpy(), np.pad(x, numpy_widths, mode=NUMPY_MODES[mode]))
    assert gradcheck(lambda t: F.pad(t, tuple(widths), mode=mode), (t64(x[:1], True),))


def test_pad_constant_value_and_errors():
    np.testing.assert_array_equal(F.pad(ag.zeros(1, 1), (1, 0), value=7.0).numpy(), [[7.0, 0.0]])
    with pytest.raises(ValueError, match="divisible by 2"):
        F.pad(ag.zeros(2, 2), (1,))
    with pytest.raises(ValueError, match="must be smaller than the padded dimension"):
        F.pad(ag.zeros(1, 2), (2, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="pad mode 'mirror'"):
        F.pad(ag.zeros(1, 2), (1, 1), mode="mirror")


def test_pad_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(size=(2, 2, 4, 5))
    for mode in ["constant", "reflect", "replicate", "circular"]:
        assert_close(
            F.pad(ag.tensor(x), (1, 2, 2, 1), mode=mode),
            torch.nn.functional.pad(torch.tensor(x), (1, 2, 2, 1), mode=mode),
        )


# -------------------------------------------------------------------------- normalize
def test_normalize_unit_rows_and_zero_vectors():
    x = t64([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    out = F.normalize(x)
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.0, 0.0]])
    out.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_allclose(F.normalize(t64([[3.0, -4.0]]), p=1).numpy(), [[3 / 7, -4 / 7]])


def test_normalize_gradients_and_torch():
    assert gradcheck(lambda t: F.normalize(t, dim=0), (randn64(3, 4),))
    assert gradcheck(lambda t: F.normalize(t, p=3, dim=1), (randn64(3, 4, seed=1),))
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).normal(size=(3, 4))
    assert_close(F.normalize(ag.tensor(x), dim=0), torch.nn.functional.normalize(torch.tensor(x), dim=0))


# --------------------------------------------------------------- functional forms of layers
def test_functional_forms_equal_the_modules():
    ag.manual_seed(0)
    x = randn64(4, 3, requires_grad=False)
    linear = nn.Linear(3, 2).double()
    np.testing.assert_array_equal(F.linear(x, linear.weight, linear.bias).numpy(), linear(x).numpy())
    norm = nn.LayerNorm(3).double()
    np.testing.assert_array_equal(F.layer_norm(x, (3,), norm.weight, norm.bias).numpy(), norm(x).numpy())
    batch = nn.BatchNorm1d(3).double()
    expected = batch(x).numpy()
    running_mean, running_var = ag.zeros(3, dtype=ag.float64), ag.ones(3, dtype=ag.float64)
    out = F.batch_norm(x, running_mean, running_var, batch.weight, batch.bias, training=True)
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(running_mean.numpy(), batch.running_mean.numpy())
    table = nn.Embedding(5, 2)
    index = ag.tensor([4, 0])
    np.testing.assert_array_equal(F.embedding(index, table.weight).numpy(), table(index).numpy())
    for name in ["relu", "elu", "gelu", "silu", "mish", "softplus", "sigmoid", "tanh", "logsigmoid", "selu"]:
        assert getattr(F, name)(x).shape == x.shape, name


def test_batch_norm_functional_needs_running_statistics_in_eval():
    with pytest.raises(ValueError, match="needs running_mean and running_var"):
        F.batch_norm(ag.ones(2, 3), None, None, training=False)


def test_softmax_family():
    x = randn64(3, 4, requires_grad=False)
    np.testing.assert_allclose(F.softmax(x, dim=1).numpy().sum(1), 1.0)
    np.testing.assert_allclose(F.log_softmax(x, dim=0).exp().numpy().sum(0), 1.0)
    np.testing.assert_allclose(F.softmin(x, dim=1).numpy(), F.softmax(-x, dim=1).numpy())
    big = ag.tensor([[1e4, 0.0, -1e4]])
    np.testing.assert_array_equal(F.softmax(big, dim=1).numpy(), [[1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(F.log_softmax(big, dim=1).numpy(), [[0.0, -1e4, -2e4]])


def test_inplace_activations_write_into_the_input():
    for function in (F.leaky_relu, F.elu, F.silu, F.hardtanh):
        x = ag.tensor([-2.0, 3.0])
        expected = function(x.clone()).numpy()
        assert function(x, inplace=True) is x
        np.testing.assert_array_equal(x.numpy(), expected)


def test_group_norm_functional_error():
    with pytest.raises(RuntimeError, match="cannot be split into 2 groups"):
        F.group_norm(ag.ones(2, 3, 4), 2)
