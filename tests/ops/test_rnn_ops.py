"""Recurrent sequence primitives (ops/rnn.py): values and gradients against the same cells
composed step by step from Tensor operations, finite differences (first and second order), and
error messages."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import gradcheck, gradgradcheck
from autograd_core.ops import rnn as R

STEPS, BATCH, HIDDEN = 4, 3, 5


def _step_by_step(kind, xw, h0, c0, w_hh, b_hh):
    """The textbook cells, one Tensor expression per step (a graph of many nodes)."""
    h, c, hs, cs = h0, c0, [], []
    for t in range(xw.shape[0]):
        if kind in ("tanh", "relu"):
            pre = xw[t] + h @ w_hh.T
            h = pre.tanh() if kind == "tanh" else pre.relu()
        elif kind == "lstm":
            i, f, g, o = (xw[t] + h @ w_hh.T).chunk(4, -1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            cs.append(c)
        else:
            x_r, x_z, x_n = xw[t].chunk(3, -1)
            h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, -1)
            r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
            n = (x_n + r * h_n).tanh()
            h = (1 - z) * n + z * h
        hs.append(h)
    return ag.stack(hs), (ag.stack(cs) if cs else None)


def _fused(kind, xw, h0, c0, w_hh, b_hh):
    if kind in ("tanh", "relu"):
        return R.rnn_sequence(xw, h0, w_hh, kind), None
    if kind == "lstm":
        return R.lstm_sequence(xw, h0, c0, w_hh)
    return R.gru_sequence(xw, h0, w_hh, b_hh), None


GATES = {"tanh": 1, "relu": 1, "lstm": 4, "gru": 3}


def _inputs(kind, seed=0, steps=STEPS):
    rng = np.random.default_rng(seed)
    gates = GATES[kind]

    def leaf(*shape, scale=1.0):
        return ag.tensor(rng.standard_normal(shape) * scale, requires_grad=True)

    return (
        leaf(steps, BATCH, gates * HIDDEN),
        leaf(BATCH, HIDDEN),
        leaf(BATCH, HIDDEN),
        leaf(gates * HIDDEN, HIDDEN, scale=0.5),
        leaf(gates * HIDDEN),
    )


def _loss(kind, function, args):
    hs, cs = function(kind, *args)
    loss = (hs * hs).sum() + hs[-1].sum() * 2
    if cs is not None:
        loss = loss + (cs[-1] * 3).sum()
    return loss


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_fused_sequence_matches_step_by_step_cells(kind):
    args = _inputs(kind)
    expected = _loss(kind, _step_by_step, args)
    expected_grads = ag.autograd.grad(expected, args, allow_unused=True)
    fused = _loss(kind, _fused, args)
    grads = ag.autograd.grad(fused, args, allow_unused=True)
    np.testing.assert_allclose(fused.item(), expected.item(), rtol=1e-12)
    for index, (grad, expected_grad) in enumerate(zip(grads, expected_grads)):
        if expected_grad is None:
            assert grad is None or np.all(grad.numpy() == 0), index
            continue
        np.testing.assert_allclose(
            grad.numpy(), expected_grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=str(index)
        )


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_sequence_gradients_by_finite_differences(kind):
    args = _inputs(kind, seed=1, steps=3)
    used = [0, 1, 3] + ([2] if kind == "lstm" else []) + ([4] if kind == "gru" else [])

    def function(*chosen):
        full = list(args)
        for position, value in zip(used, chosen):
            full[position] = value
        hs, cs = _fused(kind, *full)
        return (hs, cs) if cs is not None else hs

    chosen = tuple(args[i] for i in used)
    assert gradcheck(function, chosen)
    if kind != "relu":  # relu's second derivative is zero almost everywhere; tanh, σ are smooth
        assert gradgradcheck(function, chosen)


def test_float32_sequences_stay_float32():
    xw = ag.randn(6, 2, 4 * 3)
    w = ag.randn(4 * 3, 3, requires_grad=True)
    hs, cs = R.lstm_sequence(xw, ag.zeros(2, 3), ag.zeros(2, 3), w)
    hs.sum().backward()
    assert hs.dtype == ag.float32 and cs.dtype == ag.float32 and w.grad.dtype == ag.float32


def test_sequence_errors_say_what_to_do():
    with pytest.raises(RuntimeError, match=r"expected input projections \(T, B, 4·H\)"):
        R.lstm_sequence(ag.randn(5, 2, 12), ag.zeros(2, 3), ag.zeros(2, 3), ag.randn(12, 4))
    with pytest.raises(RuntimeError, match=r"initial hidden state of shape \(2, 3\)"):
        R.rnn_sequence(ag.randn(5, 2, 3), ag.zeros(3, 3), ag.randn(3, 3))
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        R.rnn_sequence(ag.randn(5, 2, 3), ag.zeros(2, 3), ag.randn(3, 3), "sigmoid")
