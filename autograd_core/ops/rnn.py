"""Recurrent layers, one graph node per sequence: the loop over time steps runs in NumPy.

A recurrent layer applies the same cell at every step t to the input x_t and the previous state.
The part that does not depend on the state, the input projection ``xw = x @ W_ihᵀ + b_ih``, is
one matrix product for the whole sequence and is done by the caller with Tensor operations. What
is left is the recurrence, and each primitive here runs it for one layer and one direction:

- ``RNNSequence``   h_t = act(xw_t + h_{t-1} W_hhᵀ), act = tanh or relu
- ``LSTMSequence``  gates i, f, g, o; c_t = f ⊙ c_{t-1} + i ⊙ g; h_t = o ⊙ tanh(c_t), or, with a
  projection, h_t = W_hr (o ⊙ tanh(c_t))
- ``GRUSequence``   gates r, z, n; h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

(the biases b_hh of RNN and LSTM are added into ``xw``; GRU's sits inside r ⊙ (h W_hnᵀ + b_hn)
and is an input). Recording one node per step would cost more than the arithmetic of a small
step, so the forward loop is plain NumPy and the whole sequence is one node.

Backward is backpropagation through time, written with Tensor operations: whatever does not
depend on the recursion (the gate activations and their derivatives, for every step at once) is
computed vectorised from the saved outputs and inputs, and the loop back through time does a few
small operations per step. Because the saved quantities are this node's own outputs and inputs,
backward is differentiable again: second derivatives are exact.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _tensor_from_array
from ..autograd.function import Function
from .shape import cat, stack


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = (1 + tanh(z/2)) / 2: exact, stable for any z, one transcendental call."""
    return 0.5 * np.tanh(0.5 * z) + 0.5


def _previous(states: Tensor, initial: Tensor) -> Tensor:
    """The state entering each step: (initial, states[0], ..., states[T-2])."""
    return cat([initial.unsqueeze(0), states[:-1]])


def _recurrent_weight_grad(grad_pre: Tensor, previous: Tensor) -> Tensor:
    """dL/dW = Σ_t Σ_b grad_pre[t, b]ᵀ previous[t, b] for a weight W applied at every step
    (W_hh to the previous state, W_hr to the LSTM's cell output): one matrix product over all steps."""
    steps, batch = previous.shape[:2]
    return grad_pre.reshape(steps * batch, -1).T @ previous.reshape(steps * batch, -1)


class RNNSequence(Function):
    """h_t = act(xw_t + h_{t-1} W_hhᵀ) for t = 0..T-1; returns all h_t, shape (T, B, H).

    backward, with δ_t = (dL/dh_t + δ_{t+1} W_hh) ⊙ act'(·):  dL/dxw_t = δ_t,
    dL/dW_hh = Σ_t δ_tᵀ h_{t-1}, dL/dh0 = δ_0 W_hh. act' is 1 - h_t² (tanh) or [h_t > 0] (relu).
    """

    @staticmethod
    def forward(ctx, xw: Tensor, h0: Tensor, w_hh: Tensor, nonlinearity: str) -> np.ndarray:
        ctx.nonlinearity = nonlinearity
        inputs = xw.numpy()
        weight_t = w_hh.numpy().T
        out = np.empty(inputs.shape[:2] + (weight_t.shape[1],), dtype=inputs.dtype)
        h = h0.numpy()
        for t in range(inputs.shape[0]):
            pre = h @ weight_t
            pre += inputs[t]
            h = out[t]
            if nonlinearity == "tanh":
                np.tanh(pre, out=h)
            else:
                np.maximum(pre, 0, out=h)
        ctx.save_for_backward(out, h0, w_hh)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        hs, h0, w_hh = ctx.saved_tensors
        if ctx.nonlinearity == "tanh":
            derivative = 1 - hs * hs
        else:
            derivative = _tensor_from_array((hs.numpy() > 0).astype(hs.dtype))
        grads = grad.unbind(0)
        derivatives = derivative.unbind(0)
        deltas = [None] * len(grads)
        carried = None
        for t in reversed(range(len(grads))):
            total = grads[t] if carried is None else grads[t] + carried
            deltas[t] = total * derivatives[t]
            carried = deltas[t] @ w_hh
        grad_xw = stack(deltas)
        grad_w = _recurrent_weight_grad(grad_xw, _previous(hs, h0)) if ctx.needs_input_grad[2] else None
        return grad_xw, carried, grad_w, None


class LSTMSequence(Function):
    """The LSTM recurrence; returns all hidden states (T, B, P) and all cell states (T, B, H).

    gates = xw_t + h_{t-1} W_hhᵀ split into (i, f, g, o) (PyTorch's order), i, f, o = σ(·),
    g = tanh(·); c_t = f ⊙ c_{t-1} + i ⊙ g; m_t = o ⊙ tanh(c_t); h_t = m_t, or h_t = m_t W_hrᵀ
    with a projection W_hr (P, H) (then W_hh is (4H, P) and the hidden state has P < H entries).

    backward: dh_t = dL/dh_t + dgates_{t+1} W_hh; dm_t = dh_t (or dh_t W_hr);
    dc_t = dL/dc_t + dc_{t+1} ⊙ f_{t+1} + dm_t ⊙ o ⊙ (1 - tanh² c_t);
    dgates_t = (dc ⊙ g ⊙ σ'_i, dc ⊙ c_{t-1} ⊙ σ'_f, dc ⊙ i ⊙ tanh'_g, dm ⊙ tanh c_t ⊙ σ'_o);
    dL/dxw_t = dgates_t; dL/dW_hh = Σ_t dgates_tᵀ h_{t-1}; dL/dW_hr = Σ_t dh_tᵀ m_t.
    """

    @staticmethod
    def forward(
        ctx, xw: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, w_hr: Tensor | None
    ) -> tuple[np.ndarray, np.ndarray]:
        inputs = xw.numpy()
        weight_t = w_hh.numpy().T
        hidden = inputs.shape[2] // 4
        projection_t = None if w_hr is None else w_hr.numpy().T
        hs = np.empty(inputs.shape[:2] + (weight_t.shape[0],), dtype=inputs.dtype)
        cs = np.empty(inputs.shape[:2] + (hidden,), dtype=inputs.dtype)
        h, c = h0.numpy(), c0.numpy()
        for t in range(inputs.shape[0]):
            gates = h @ weight_t
            gates += inputs[t]
            i = _sigmoid(gates[:, :hidden])
            f = _sigmoid(gates[:, hidden : 2 * hidden])
            g = np.tanh(gates[:, 2 * hidden : 3 * hidden])
            o = _sigmoid(gates[:, 3 * hidden :])
            c = cs[t]
            np.multiply(f, cs[t - 1] if t else c0.numpy(), out=c)
            c += i * g
            h = hs[t]
            if projection_t is None:
                np.multiply(o, np.tanh(c), out=h)
            else:
                np.matmul(o * np.tanh(c), projection_t, out=h)
        ctx.save_for_backward(hs, cs, xw, h0, c0, w_hh, *(() if w_hr is None else (w_hr,)))
        return hs, cs

    @staticmethod
    def backward(ctx, grad_hs: Tensor, grad_cs: Tensor) -> tuple[Tensor | None, ...]:
        hs, cs, xw, h0, c0, w_hh, *projection = ctx.saved_tensors
        w_hr = projection[0] if projection else None
        h_prev, c_prev = _previous(hs, h0), _previous(cs, c0)
        i, f, g, o = (xw + h_prev @ w_hh.T).chunk(4, -1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        tanh_c = cs.tanh()
        to_cell = (o * (1 - tanh_c * tanh_c)).unbind(0)
        factors = cat(
            [g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g * g), tanh_c * o * (1 - o)], -1
        ).unbind(0)
        forgets = f.unbind(0)
        grads_h, grads_c = grad_hs.unbind(0), grad_cs.unbind(0)
        grad_gates = [None] * len(grads_h)
        grads_hidden = [None] * len(grads_h)
        dh_next = dc_next = None
        for t in reversed(range(len(grads_h))):
            dh = grads_h[t] if dh_next is None else grads_h[t] + dh_next
            grads_hidden[t] = dh
            dm = dh if w_hr is None else dh @ w_hr
            dc = grads_c[t] + dm * to_cell[t]
            if dc_next is not None:
                dc = dc + dc_next
            grad_gates[t] = cat([dc, dc, dc, dm], -1) * factors[t]
            dh_next = grad_gates[t] @ w_hh
            dc_next = dc * forgets[t]
        grad_xw = stack(grad_gates)
        grad_w = _recurrent_weight_grad(grad_xw, h_prev) if ctx.needs_input_grad[3] else None
        grad_w_hr = None
        if w_hr is not None and ctx.needs_input_grad[4]:
            grad_w_hr = _recurrent_weight_grad(stack(grads_hidden), o * tanh_c)
        return grad_xw, dh_next, dc_next, grad_w, grad_w_hr


class GRUSequence(Function):
    """The GRU recurrence; returns all hidden states, shape (T, B, H).

    hh = h_{t-1} W_hhᵀ + b_hh split into (r, z, n) (PyTorch's order); r = σ(xw_r + hh_r),
    z = σ(xw_z + hh_z), n = tanh(xw_n + r ⊙ hh_n); h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}.

    backward: every gate gradient of step t is dh_t times a factor that does not depend on the
    recursion, so the loop back only carries dh_{t-1} = dh_t ⊙ z + (dh_t · F_hh) W_hh, and
    dL/dxw, dL/dW_hh, dL/db_hh are computed for all steps at once afterwards.
    """

    @staticmethod
    def forward(ctx, xw: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> np.ndarray:
        inputs = xw.numpy()
        weight_t = w_hh.numpy().T
        hidden = weight_t.shape[0]
        out = np.empty(inputs.shape[:2] + (hidden,), dtype=inputs.dtype)
        h = h0.numpy()
        for t in range(inputs.shape[0]):
            hh = h @ weight_t
            if b_hh is not None:
                hh += b_hh.numpy()
            x = inputs[t]
            r = _sigmoid(x[:, :hidden] + hh[:, :hidden])
            z = _sigmoid(x[:, hidden : 2 * hidden] + hh[:, hidden : 2 * hidden])
            n = np.tanh(x[:, 2 * hidden :] + r * hh[:, 2 * hidden :])
            h_new = out[t]
            np.subtract(h, n, out=h_new)
            h_new *= z
            h_new += n
            h = h_new
        ctx.save_for_backward(out, xw, h0, w_hh, *(() if b_hh is None else (b_hh,)))
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        hs, xw, h0, w_hh, *bias = ctx.saved_tensors
        h_prev = _previous(hs, h0)
        hh = h_prev @ w_hh.T
        if bias:
            hh = hh + bias[0]
        x_r, x_z, x_n = xw.chunk(3, -1)
        hh_r, hh_z, hh_n = hh.chunk(3, -1)
        r, z = (x_r + hh_r).sigmoid(), (x_z + hh_z).sigmoid()
        n = (x_n + r * hh_n).tanh()
        grad_n_pre = (1 - z) * (1 - n * n)
        grad_r_pre = grad_n_pre * hh_n * r * (1 - r)
        grad_z_pre = (h_prev - n) * z * (1 - z)
        from_hh = cat([grad_r_pre, grad_z_pre, grad_n_pre * r], -1)
        factors_hh, keeps = from_hh.unbind(0), z.unbind(0)
        grads = grad.unbind(0)
        dhs = [None] * len(grads)
        carried = None
        for t in reversed(range(len(grads))):
            dh = grads[t] if carried is None else grads[t] + carried
            dhs[t] = dh
            carried = dh * keeps[t] + (cat([dh, dh, dh], -1) * factors_hh[t]) @ w_hh
        dh_all = stack(dhs)
        dh_gates = cat([dh_all, dh_all, dh_all], -1)
        grad_xw = dh_gates * cat([grad_r_pre, grad_z_pre, grad_n_pre], -1)
        grad_hh = dh_gates * from_hh
        grad_w = _recurrent_weight_grad(grad_hh, h_prev) if ctx.needs_input_grad[2] else None
        grad_b = grad_hh.sum((0, 1)) if ctx.needs_input_grad[3] else None
        return grad_xw, carried, grad_w, grad_b


def _check_sequence(
    name: str, xw: Tensor, h0: Tensor, w_hh: Tensor, gates: int, hidden: int | None = None
) -> None:
    """xw (T, B, gates·H), W_hh (gates·H, S), h0 (B, S), with S = W_hh's columns the state's size and
    H = ``hidden`` the gates' size (S unless an LSTM projects its hidden state to S = P < H)."""
    state = w_hh.shape[1]
    hidden = state if hidden is None else hidden
    if xw.ndim != 3 or xw.shape[2] != gates * hidden or w_hh.shape[0] != gates * hidden:
        columns = "H" if hidden == state else "P"
        raise RuntimeError(
            f"{name}: expected input projections (T, B, {gates}·H) and W_hh ({gates}·H, {columns}), got "
            f"{tuple(xw.shape)} and {tuple(w_hh.shape)}"
        )
    if tuple(h0.shape) != (xw.shape[1], state):
        size = "hidden" if hidden == state else "proj_size"
        raise RuntimeError(
            f"{name}: expected the initial hidden state of shape {(xw.shape[1], state)} (batch, {size}), "
            f"got {tuple(h0.shape)}"
        )


def rnn_sequence(xw: Tensor, h0: Tensor, w_hh: Tensor, nonlinearity: str = "tanh") -> Tensor:
    """All hidden states (T, B, H) of an Elman RNN, h_t = act(xw_t + h_{t-1} W_hhᵀ), given the
    input projections ``xw`` (T, B, H) (biases included).

    >>> import autograd_core as ag
    >>> hs = rnn_sequence(ag.randn(5, 2, 4), ag.zeros(2, 4), ag.randn(4, 4))
    >>> hs.shape
    (5, 2, 4)
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    _check_sequence("rnn_sequence", xw, h0, w_hh, 1)
    return RNNSequence.apply(xw, h0, w_hh, nonlinearity)


def lstm_sequence(
    xw: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, w_hr: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """All hidden states (T, B, P) and cell states (T, B, H) of an LSTM, given the input projections
    ``xw`` (T, B, 4H) (biases included) in gate order i, f, g, o. Without ``w_hr`` P = H and
    h_t = o ⊙ tanh(c_t); with the projection ``w_hr`` (P, H), h_t = W_hr (o ⊙ tanh(c_t)), and
    ``w_hh`` is (4H, P), ``h0`` (B, P).

    >>> import autograd_core as ag
    >>> xw, w_hh, w_hr = ag.randn(5, 2, 16), ag.randn(16, 3), ag.randn(3, 4)
    >>> hs, cs = lstm_sequence(xw, ag.zeros(2, 3), ag.zeros(2, 4), w_hh, w_hr)
    >>> hs.shape, cs.shape
    ((5, 2, 3), (5, 2, 4))
    """
    hidden = None
    if w_hr is not None:
        if w_hr.ndim != 2 or w_hr.shape[0] != w_hh.shape[1]:
            raise RuntimeError(
                f"lstm_sequence: expected the projection W_hr of shape (P, H) with P = {w_hh.shape[1]} "
                f"(the columns of W_hh {tuple(w_hh.shape)}), got {tuple(w_hr.shape)}"
            )
        hidden = w_hr.shape[1]
    _check_sequence("lstm_sequence", xw, h0, w_hh, 4, hidden)
    expected = (xw.shape[1], xw.shape[2] // 4)
    if tuple(c0.shape) != expected:
        raise RuntimeError(
            f"lstm_sequence: expected the initial cell state of shape {expected} (batch, hidden), "
            f"got {tuple(c0.shape)}"
        )
    return LSTMSequence.apply(xw, h0, c0, w_hh, w_hr)


def gru_sequence(xw: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None = None) -> Tensor:
    """All hidden states (T, B, H) of a GRU, given the input projections ``xw`` (T, B, 3H)
    (b_ih included) in gate order r, z, n, and the recurrent bias ``b_hh`` (3H,) or None."""
    _check_sequence("gru_sequence", xw, h0, w_hh, 3)
    return GRUSequence.apply(xw, h0, w_hh, b_hh)
