"""Dropout: inverted scaling, the expectation, train/eval, seeding, channel dropout, errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from tests.nn.nn_testing import gradcheck_module, randn64


def test_training_zeroes_a_fraction_p_and_scales_survivors():
    ag.manual_seed(0)
    p = 0.3
    out = nn.Dropout(p)(ag.ones(200_000)).numpy()
    zeros = out == 0
    assert abs(zeros.mean() - p) < 4 * np.sqrt(p * (1 - p) / out.size)
    np.testing.assert_allclose(out[~zeros], 1 / (1 - p), rtol=1e-6)


def test_expectation_is_unchanged():
    ag.manual_seed(1)
    x = ag.tensor(np.linspace(-2, 2, 50))
    layer = nn.Dropout(0.5)
    mean = np.mean([layer(x).numpy() for _ in range(4000)], axis=0)
    # each entry averages 4000 draws of x·{0, 2}: standard error |x|/√4000
    assert np.all(np.abs(mean - x.numpy()) <= 4 * np.abs(x.numpy()) / np.sqrt(4000) + 1e-12)


def test_evaluation_mode_is_the_identity():
    x = ag.randn(5, 5)
    layer = nn.Dropout(0.9).eval()
    assert layer(x) is x
    assert F.dropout(x, 0.9, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_p_one_drops_everything():
    x = ag.randn(4, requires_grad=True)
    out = nn.Dropout(1.0)(x)
    assert not out.numpy().any()
    out.sum().backward()
    assert not x.grad.numpy().any()


def test_gradient_is_the_scaled_mask():
    ag.manual_seed(2)
    x = ag.ones(1000, requires_grad=True)
    out = nn.Dropout(0.25)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.numpy())
    assert gradcheck_module(nn.Dropout(0.4), randn64(3, 4), seed=5)


def test_masks_are_reproducible_from_the_seed():
    ag.manual_seed(7)
    first = nn.Dropout()(ag.ones(100)).numpy()
    ag.manual_seed(7)
    second = nn.Dropout()(ag.ones(100)).numpy()
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, nn.Dropout()(ag.ones(100)).numpy())


def test_inplace_dropout_writes_into_the_input():
    ag.manual_seed(3)
    x = ag.ones(50)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


def test_dropout2d_drops_whole_channels():
    ag.manual_seed(4)
    out = nn.Dropout2d(0.5)(ag.ones(8, 16, 3, 3)).numpy()
    per_channel = out.reshape(8, 16, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0 < (per_channel[..., 0] == 0).mean() < 1
    unbatched = nn.Dropout2d(0.5)(ag.ones(16, 3, 3)).numpy().reshape(16, 9)
    assert np.all((unbatched == 0).all(-1) | (unbatched == 2).all(-1))
    out1d = nn.Dropout1d(0.5)(ag.ones(4, 6, 5)).numpy()
    assert np.all((out1d == 0).all(-1) | (out1d == 2).all(-1))
    with pytest.raises(RuntimeError, match="dropout2d: expected a 3-D"):
        nn.Dropout2d()(ag.ones(2, 2))


def test_invalid_probability_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1, but got -0.1"):
        F.dropout(ag.ones(2), -0.1)


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2)) == "Dropout(p=0.2, inplace=False)"
    assert repr(nn.Dropout2d(0.1, inplace=True)) == repr(torch.nn.Dropout2d(0.1, inplace=True))
