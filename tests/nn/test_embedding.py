"""Embedding: lookup, gradient accumulation, padding_idx, max_norm, init, errors, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.nn.nn_testing import assert_close, gradcheck_module, load_from_torch


def test_lookup_picks_rows():
    table = nn.Embedding(5, 3)
    indices = ag.tensor([[0, 4], [2, 2]])
    out = table(indices)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), table.weight.numpy()[indices.numpy()])


def test_repeated_indices_accumulate_gradient():
    table = nn.Embedding(4, 2)
    table(ag.tensor([1, 3, 1, 1])).sum().backward()
    np.testing.assert_array_equal(table.weight.grad.numpy(), [[0, 0], [3, 3], [0, 0], [1, 1]])


def test_gradients_float64():
    table = nn.Embedding(6, 3, dtype=ag.float64)
    assert gradcheck_module(nn.Sequential(table, nn.Tanh()), ag.tensor([[1, 5], [5, 0]]))


def test_init_is_standard_normal():
    ag.manual_seed(0)
    weight = nn.Embedding(1000, 100).weight.numpy()
    assert abs(weight.mean()) < 4 / np.sqrt(weight.size)
    assert abs(weight.std() - 1) < 0.01


def test_padding_row_starts_at_zero_and_gets_no_gradient():
    table = nn.Embedding(4, 2, padding_idx=1)
    assert not table.weight.numpy()[1].any()
    with ag.no_grad():
        table.weight[1] = 5.0
    out = table(ag.tensor([1, 2, 1]))
    np.testing.assert_array_equal(out.numpy()[0], [5.0, 5.0])  # the row is returned as it is
    out.sum().backward()
    np.testing.assert_array_equal(table.weight.grad.numpy(), [[0, 0], [0, 0], [1, 1], [0, 0]])
    assert nn.Embedding(4, 2, padding_idx=-1).padding_idx == 3
    assert repr(nn.Embedding(4, 2, padding_idx=-1)) == "Embedding(4, 2, padding_idx=3)"


def test_max_norm_renormalises_the_rows_looked_up():
    table = nn.Embedding(3, 2, max_norm=1.0)
    with ag.no_grad():
        table.weight.copy_(ag.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]))
    out = table(ag.tensor([0, 1]))
    np.testing.assert_allclose(np.linalg.norm(out.numpy(), axis=1), [1.0, 0.5], rtol=1e-6)
    np.testing.assert_array_equal(table.weight.numpy()[2], [6.0, 8.0])  # not looked up: untouched


def test_from_pretrained_is_frozen_by_default():
    weights = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    table = nn.Embedding.from_pretrained(weights)
    assert not table.weight.requires_grad
    np.testing.assert_array_equal(table(ag.tensor([1])).numpy(), [[3.0, 4.0]])
    assert nn.Embedding.from_pretrained(weights, freeze=False).weight.requires_grad


def test_errors():
    table = nn.Embedding(3, 2)
    with pytest.raises(
        IndexError, match=r"indices must lie in \[0, 2\] for 3 embeddings, got values from 0 to 3"
    ):
        table(ag.tensor([0, 3]))
    with pytest.raises(TypeError, match="must be integers"):
        table(ag.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)


def test_matches_torch_including_padding_and_max_norm():
    torch = pytest.importorskip("torch")
    for kwargs in [{}, {"padding_idx": 0}, {"max_norm": 1.5}]:
        theirs = torch.nn.Embedding(7, 4, **kwargs).double()
        ours = nn.Embedding(7, 4, **kwargs).double()
        assert repr(ours) == repr(theirs)
        load_from_torch(ours, theirs)
        indices = np.array([[0, 3, 3], [6, 0, 1]])
        out, expected = ours(ag.tensor(indices)), theirs(torch.tensor(indices))
        assert_close(out, expected, rtol=1e-7)
        upstream = np.random.default_rng(0).normal(size=out.shape)
        out.backward(ag.tensor(upstream))
        expected.backward(torch.tensor(upstream))
        assert_close(ours.weight.grad, theirs.weight.grad, rtol=1e-12)
        assert_close(ours.weight, theirs.weight, rtol=1e-7)
