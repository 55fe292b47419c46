"""Embedding's gradient options: ``scale_grad_by_freq`` (alone and with ``padding_idx``), the
refused ``sparse=True``, ``from_pretrained`` with every option, repr, and PyTorch's numbers."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import autograd_core.ops.embedding as embedding_ops
import nn
from autograd_core.autograd import gradcheck, gradgradcheck
from tests.nn.nn_testing import assert_close

F = nn.functional


def expected_weight_grad(indices, upstream, rows, padding_idx, scale_grad_by_freq) -> np.ndarray:
    """PyTorch's rule, position by position: row indices[p] gains upstream[p], divided by the
    count of indices[p] in the batch with scale_grad_by_freq; the padding row gains nothing."""
    flat = np.asarray(indices).ravel()
    counts = np.bincount(flat, minlength=rows)
    grad = np.zeros((rows, upstream.shape[-1]))
    for p, row in enumerate(flat):
        if row == padding_idx:
            continue
        grad[row] += upstream.reshape(len(flat), -1)[p] / (counts[row] if scale_grad_by_freq else 1)
    return grad


def test_scale_grad_by_freq_divides_each_row_by_its_count():
    table = nn.Embedding(4, 2, scale_grad_by_freq=True)
    out = table(ag.tensor([1, 3, 1, 1]))
    out.backward(ag.tensor([[1.0, 2.0], [5.0, 5.0], [2.0, 4.0], [3.0, 0.0]]))
    np.testing.assert_allclose(table.weight.grad.numpy(), [[0, 0], [2, 2], [0, 0], [5, 5]], rtol=1e-6)


def test_scale_grad_by_freq_with_padding_idx():
    table = nn.Embedding(4, 2, padding_idx=0, scale_grad_by_freq=True)
    table(ag.tensor([[0, 2, 0], [2, 1, 0]])).sum().backward()
    np.testing.assert_allclose(table.weight.grad.numpy(), [[0, 0], [1, 1], [1, 1], [0, 0]])


def test_counts_are_per_mini_batch_and_gradients_accumulate():
    table = nn.Embedding(3, 1, scale_grad_by_freq=True)
    table(ag.tensor([2, 2, 2, 2])).sum().backward()  # 4 × 1/4
    table(ag.tensor([2, 0])).sum().backward()  # 1 × 1/1
    np.testing.assert_allclose(table.weight.grad.numpy(), [[1], [0], [2]])


@settings(max_examples=30, deadline=None)
@given(
    indices=st.lists(st.integers(0, 4), min_size=1, max_size=12),
    padding_idx=st.sampled_from([None, 0, 3, -1]),
    scale_grad_by_freq=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_weight_gradient_follows_pytorchs_rule(indices, padding_idx, scale_grad_by_freq, seed):
    rng = np.random.default_rng(seed)
    weight = ag.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    index = ag.tensor(
        np.array(indices).reshape(-1, 1) if len(indices) % 2 else np.array(indices).reshape(2, -1)
    )
    out = F.embedding(index, weight, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
    np.testing.assert_array_equal(out.numpy(), weight.numpy()[index.numpy()])  # values: plain lookup
    upstream = rng.standard_normal(out.shape)
    out.backward(ag.tensor(upstream))
    padding_row = None if padding_idx is None else padding_idx % 5
    expected = expected_weight_grad(index.numpy(), upstream, 5, padding_row, scale_grad_by_freq)
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_plain_lookup_gradients_float64():
    weight = ag.tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    index = ag.tensor([[1, 2, 1], [4, 1, 2]])
    assert gradcheck(lambda w: F.embedding(index, w).tanh(), weight)
    assert gradgradcheck(lambda w: F.embedding(index, w).tanh(), weight)


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_scaled_backward_is_itself_differentiable(padding_idx):
    """The scaled gradient is PyTorch's choice, not the derivative of the lookup (finite
    differences of the forward disagree with it), so what is checked is the backward's own
    derivative: with respect to the upstream gradient v, against finite differences of backward
    (the function is linear in the lookup, so the backward does not depend on the weight)."""
    weight = ag.tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    index = ag.tensor([[1, 2, 1], [4, 1, 2]])
    coefficients = ag.tensor(np.random.default_rng(1).standard_normal((2, 3, 3)))

    def lookup(w):
        return F.embedding(index, w, padding_idx=padding_idx, scale_grad_by_freq=True) * coefficients

    assert gradgradcheck(lookup, weight)


def test_double_backward_scales_as_the_backward_does():
    """d(grad_weight · u)/dv at position p is scale[p] · u[indices[p]]: the exact derivative of the
    scaled backward. (PyTorch's double backward leaves the 1/count out; here it is exact.)"""
    weight = ag.tensor(np.zeros((3, 2)), requires_grad=True)
    v = ag.tensor(np.ones((4, 2)), requires_grad=True)
    out = F.embedding(ag.tensor([1, 2, 1, 1]), weight, padding_idx=2, scale_grad_by_freq=True)
    (grad_weight,) = ag.autograd.grad(out, weight, v, create_graph=True)
    np.testing.assert_allclose(grad_weight.numpy(), [[0, 0], [1, 1], [0, 0]])
    u = ag.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    (grad_v,) = ag.autograd.grad((grad_weight * u).sum(), v)
    np.testing.assert_allclose(grad_v.numpy(), [[1, 4 / 3], [0, 0], [1, 4 / 3], [1, 4 / 3]])


def test_sparse_gradients_are_refused_with_what_to_do():
    message = r"sparse=True asks for sparse gradients, which are not supported .* use sparse=False"
    with pytest.raises(ValueError, match=r"Embedding: " + message):
        nn.Embedding(4, 2, sparse=True)
    with pytest.raises(ValueError, match=r"embedding: " + message):
        F.embedding(ag.tensor([0]), ag.randn(4, 2), sparse=True)
    with pytest.raises(ValueError, match=message):
        nn.Embedding.from_pretrained(ag.randn(4, 2), sparse=True)
    table = nn.Embedding(4, 2, sparse=False)
    assert table.sparse is False and table(ag.tensor([3])).shape == (1, 2)


def test_repr_shows_the_options_as_pytorch():
    assert repr(nn.Embedding(5, 3, scale_grad_by_freq=True)) == "Embedding(5, 3, scale_grad_by_freq=True)"
    assert (
        repr(nn.Embedding(5, 3, padding_idx=-2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True))
        == "Embedding(5, 3, padding_idx=3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)"
    )
    assert repr(nn.Embedding(5, 3, sparse=False)) == "Embedding(5, 3)"


def test_from_pretrained_takes_every_option():
    weights = ag.tensor([[1.0, 2.0], [3.0, 4.0], [0.3, 0.4]])
    table = nn.Embedding.from_pretrained(
        weights, freeze=False, padding_idx=1, max_norm=10.0, norm_type=1.0, scale_grad_by_freq=True
    )
    assert (table.padding_idx, table.max_norm, table.norm_type, table.scale_grad_by_freq, table.sparse) == (
        1,
        10.0,
        1.0,
        True,
        False,
    )
    np.testing.assert_array_equal(table.weight.numpy()[1], [3.0, 4.0])  # the padding row is kept as given
    table(ag.tensor([2, 1, 2, 0])).sum().backward()
    np.testing.assert_allclose(table.weight.grad.numpy(), [[1, 1], [0, 0], [1, 1]])
    frozen = nn.Embedding.from_pretrained(weights, scale_grad_by_freq=True)
    assert not frozen.weight.requires_grad and not frozen(ag.tensor([0, 0])).requires_grad


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(scale_grad_by_freq=True),
        dict(padding_idx=3, scale_grad_by_freq=True),
        dict(padding_idx=-1, scale_grad_by_freq=True, max_norm=1.5),
        dict(padding_idx=0),
    ],
)
def test_against_pytorch(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((7, 4))
    index = np.array([[3, 1, 3, 6], [0, 3, 1, 3], [6, 6, 2, 0]])  # repeats, and the padding rows
    upstream = rng.standard_normal((3, 4, 4))
    ours = nn.Embedding.from_pretrained(ag.tensor(weights.copy()), freeze=False, **kwargs)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(weights.copy()), freeze=False, **kwargs)
    out, expected = ours(ag.tensor(index)), theirs(torch.tensor(index))
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(out, expected)
    assert_close(ours.weight.grad, theirs.weight.grad)
    assert_close(ours.weight, theirs.weight)  # max_norm's in-place renormalisation too
    assert repr(ours) == repr(theirs)
    function_weight, torch_weight = (
        ag.tensor(weights, requires_grad=True),
        torch.tensor(weights, requires_grad=True),
    )
    F.embedding(ag.tensor(index), function_weight, **kwargs).backward(ag.tensor(upstream))
    torch.nn.functional.embedding(torch.tensor(index), torch_weight, **kwargs).backward(
        torch.tensor(upstream)
    )
    assert_close(function_weight.grad, torch_weight.grad)


def test_engine_docstring_examples_run():
    failures, attempted = doctest.testmod(embedding_ops, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0 and attempted > 0
