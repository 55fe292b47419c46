"""The LSTM sequence primitive with a projection W_hr (ops/rnn.py, ``lstm_sequence(..., w_hr)``):
values and gradients against the cell composed step by step from Tensor operations, finite
differences (first and second order), dtype, and error messages."""

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import gradcheck, gradgradcheck
from autograd_core.ops import rnn as R

STEPS, BATCH, HIDDEN, PROJ = 4, 3, 5, 2


def _inputs(seed=0, steps=STEPS, batch=BATCH, hidden=HIDDEN, proj=PROJ):
    """xw (T, B, 4H), h0 (B, P), c0 (B, H), W_hh (4H, P), W_hr (P, H), float64 leaves."""
    rng = np.random.default_rng(seed)

    def leaf(*shape, scale=1.0):
        return ag.tensor(rng.standard_normal(shape) * scale, requires_grad=True)

    return (
        leaf(steps, batch, 4 * hidden),
        leaf(batch, proj),
        leaf(batch, hidden),
        leaf(4 * hidden, proj, scale=0.5),
        leaf(proj, hidden, scale=0.5),
    )


def _step_by_step(xw, h0, c0, w_hh, w_hr):
    """The textbook projected cell, one Tensor expression per step."""
    h, c, hs, cs = h0, c0, [], []
    for t in range(xw.shape[0]):
        i, f, g, o = (xw[t] + h @ w_hh.T).chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = (o.sigmoid() * c.tanh()) @ w_hr.T
        hs.append(h)
        cs.append(c)
    return ag.stack(hs), ag.stack(cs)


def _loss(hs, cs):
    return (hs * hs).sum() + hs[-1].sum() * 2 + (cs[-1] * 3).sum() + (cs * cs * 0.5).sum()


def test_projected_sequence_matches_step_by_step_cell():
    args = _inputs()
    expected_hs, expected_cs = _step_by_step(*args)
    hs, cs = R.lstm_sequence(*args)
    assert hs.shape == (STEPS, BATCH, PROJ) and cs.shape == (STEPS, BATCH, HIDDEN)
    np.testing.assert_allclose(hs.numpy(), expected_hs.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cs.numpy(), expected_cs.numpy(), rtol=1e-12, atol=1e-14)
    expected_grads = ag.autograd.grad(_loss(expected_hs, expected_cs), args)
    grads = ag.autograd.grad(_loss(hs, cs), args)
    for index, (grad, expected_grad) in enumerate(zip(grads, expected_grads)):
        assert grad.shape == args[index].shape
        np.testing.assert_allclose(
            grad.numpy(), expected_grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=str(index)
        )


def test_projected_sequence_gradients_by_finite_differences():
    args = _inputs(seed=1, steps=3, batch=2, hidden=3, proj=2)
    assert gradcheck(R.lstm_sequence, args)
    assert gradgradcheck(R.lstm_sequence, args)


def test_projection_gradient_is_skipped_when_not_needed():
    xw, h0, c0, w_hh, w_hr = _inputs(seed=2)
    frozen = w_hr.detach()
    hs, _ = R.lstm_sequence(xw, h0, c0, w_hh, frozen)
    hs.sum().backward()
    assert frozen.grad is None and w_hh.grad is not None and xw.grad.shape == xw.shape


def test_float32_projected_sequences_stay_float32():
    w_hh = ag.randn(4 * 3, 2, requires_grad=True)
    w_hr = ag.randn(2, 3, requires_grad=True)
    hs, cs = R.lstm_sequence(ag.randn(6, 2, 12), ag.zeros(2, 2), ag.zeros(2, 3), w_hh, w_hr)
    (hs.sum() + cs.sum()).backward()
    assert hs.dtype == ag.float32 and cs.dtype == ag.float32
    assert w_hh.grad.dtype == ag.float32 and w_hr.grad.dtype == ag.float32


def test_projected_sequence_errors_say_what_to_do():
    xw, h0, c0, w_hh = ag.randn(5, 2, 12), ag.zeros(2, 2), ag.zeros(2, 3), ag.randn(12, 2)
    with pytest.raises(RuntimeError, match=r"W_hr of shape \(P, H\) with P = 2 .*got \(3, 3\)"):
        R.lstm_sequence(xw, h0, c0, w_hh, ag.randn(3, 3))
    with pytest.raises(RuntimeError, match=r"expected input projections \(T, B, 4·H\) and W_hh \(4·H, P\)"):
        R.lstm_sequence(xw, h0, c0, w_hh, ag.randn(2, 4))
    with pytest.raises(RuntimeError, match=r"initial hidden state of shape \(2, 2\) \(batch, proj_size\)"):
        R.lstm_sequence(xw, ag.zeros(2, 3), c0, w_hh, ag.randn(2, 3))
    with pytest.raises(
        RuntimeError, match=r"initial cell state of shape \(2, 3\) \(batch, hidden\), got \(2, 2\)"
    ):
        R.lstm_sequence(xw, h0, ag.zeros(2, 2), w_hh, ag.randn(2, 3))
