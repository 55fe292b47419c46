"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells ``RNNCell``,
``LSTMCell``, ``GRUCell``.

A recurrent layer reads a sequence one step at a time and carries a state from step to step:

- RNN:  h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (or relu)
- LSTM: (i, f, g, o) = (σ, σ, tanh, σ)(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh);
  c_t = f ⊙ c_{t-1} + i ⊙ g;  h_t = o ⊙ tanh(c_t), or with ``proj_size`` P > 0,
  h_t = W_hr (o ⊙ tanh(c_t)): a hidden state of P < hidden_size entries
- GRU:  (r, z) = σ(W_i{r,z} x_t + b_i{r,z} + W_h{r,z} h_{t-1} + b_h{r,z});
  n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn));  h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

The cells are these formulas written with Tensor operations, one step per call. The layers run
whole sequences: the input projection W_ih x_t for all steps is one matrix product, and the
recurrence is one engine node per layer and direction (``autograd_core/ops/rnn.py``), which
is much faster than a node per step and gives the same numbers as stepping the cell.

Parameter names and layouts are PyTorch's: ``weight_ih_l{k}`` (gates·hidden, input),
``weight_hh_l{k}`` (gates·hidden, hidden), ``bias_ih_l{k}``, ``bias_hh_l{k}`` and, for an LSTM
with projections, ``weight_hr_l{k}`` (proj_size, hidden), with the suffix ``_reverse`` for the
backward direction; gate order i, f, g, o (LSTM) and r, z, n (GRU).
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import autograd_core
from autograd_core import Tensor
from autograd_core.ops import rnn as rnn_ops

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: parameters per layer and direction, the layer loop,
    ``batch_first``, dropout between layers, bidirectional layers and initial states (and the
    LSTM's projections, ``proj_size``)."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        if not 0 <= dropout <= 1:
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                f"element being zeroed, got {dropout!r}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(proj_size, int) or proj_size < 0:
            raise ValueError(
                f"proj_size should be a positive integer or zero to disable projections, got {proj_size!r}"
            )
        if proj_size >= hidden_size:
            raise ValueError(
                f"proj_size has to be smaller than hidden_size, got proj_size={proj_size} and "
                f"hidden_size={hidden_size}: choose proj_size < {hidden_size}, or 0 for no projection"
            )
        if proj_size > 0 and mode != "LSTM":
            raise ValueError(
                f"proj_size argument is only supported for LSTM, not RNN or GRU (mode {mode!r}, "
                f"proj_size={proj_size})"
            )
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        state_size = self._state_size()
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else state_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {
                    "weight_ih": (gate_size, layer_input),
                    "weight_hh": (gate_size, state_size),
                }
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes.update(weight_hr=(proj_size, hidden_size))
                for kind, shape in shapes.items():
                    name = kind + suffix
                    setattr(self, name, Parameter(autograd_core.empty(*shape, dtype=dtype, device=device)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def _state_size(self) -> int:
        """The size of the hidden state h: proj_size when the LSTM projects it, else hidden_size."""
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    def reset_parameters(self) -> None:
        """PyTorch's default: every weight (weight_hr too) and bias ~ U(-1/√hidden_size, 1/√hidden_size)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text

    # ---------------------------------------------------------------------- running
    def _weights(self, layer: int, direction: int) -> tuple:
        """(weight_ih, weight_hh, bias_ih, bias_hh, weight_hr) of one layer and direction, None for
        the ones this layer does not have."""
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        return tuple(getattr(self, name + suffix, None) for name in names)

    def _check_input(self, input: Tensor) -> tuple[Tensor, bool]:
        """The input as (T, B, features), and whether it came without a batch dimension."""
        name = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in (2, 3):
            shape = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(
                f"{name}: Expected input to be 2D (sequence, features) or 3D "
                f"({'batch, sequence' if self.batch_first else 'sequence, batch'}, features), got {shape}"
            )
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.shape[-1]} (input of shape {tuple(input.shape)})"
            )
        if input.ndim == 2:
            return input.unsqueeze(1), True
        return (input.transpose(0, 1) if self.batch_first else input), False

    def _initial_state(self, state, x: Tensor, unbatched: bool, label: str, size: str) -> Tensor:
        """``state`` checked against (layers·directions, batch, ``size``) — ``size`` names the
        attribute, hidden_size or proj_size — or zeros of that shape when it is None."""
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, x.shape[1], getattr(self, size))
        if state is None:
            return autograd_core.zeros(*expected, dtype=x.dtype)
        if unbatched:
            if state.ndim != 2:
                raise RuntimeError(
                    f"{type(self).__name__}: for unbatched 2-D input, {label} should also be 2-D "
                    f"(layers·directions, {size}) but got a {state.ndim}-D tensor"
                )
            state = state.unsqueeze(1)
        if tuple(state.shape) != expected:
            raise RuntimeError(
                f"{type(self).__name__}: Expected {label} size {expected} (layers·directions, batch, "
                f"{size}), got {list(state.shape)}"
            )
        return state

    def _run_direction(self, x: Tensor, layer: int, direction: int, h0: Tensor, c0):
        """One layer, one direction over the whole sequence: (all h, final h, final c or None)."""
        w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, direction)
        sequence = x.flip(0) if direction == 1 else x
        c_n = None
        if self.mode == "GRU":
            hs = rnn_ops.gru_sequence(F.linear(sequence, w_ih, b_ih), h0, w_hh, b_hh)
        else:
            bias = None if b_ih is None else b_ih + b_hh
            projections = F.linear(sequence, w_ih, bias)
            if self.mode == "LSTM":
                hs, cs = rnn_ops.lstm_sequence(projections, h0, c0, w_hh, w_hr)
                c_n = cs[-1]
            else:
                hs = rnn_ops.rnn_sequence(
                    projections, h0, w_hh, "tanh" if self.mode == "RNN_TANH" else "relu"
                )
        h_n = hs[-1]
        return (hs.flip(0) if direction == 1 else hs), h_n, c_n

    def _run(self, input: Tensor, h0, c0):
        """The layer stack; returns (output, h_n, c_n or None) in the caller's layout."""
        x, unbatched = self._check_input(input)
        h0 = self._initial_state(h0, x, unbatched, "hidden", "proj_size" if self.proj_size else "hidden_size")
        if self.mode == "LSTM":
            c0 = self._initial_state(c0, x, unbatched, "cell state", "hidden_size")
        directions = 2 if self.bidirectional else 1
        finals_h, finals_c = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                hs, h_n, c_n = self._run_direction(
                    x, layer, direction, h0[index], None if c0 is None else c0[index]
                )
                outputs.append(hs)
                finals_h.append(h_n)
                finals_c.append(c_n)
            x = outputs[0] if directions == 1 else autograd_core.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        h_n = autograd_core.stack(finals_h)
        c_n = autograd_core.stack(finals_c) if self.mode == "LSTM" else None
        if unbatched:
            return x.squeeze(1), h_n.squeeze(1), (None if c_n is None else c_n.squeeze(1))
        return (x.transpose(0, 1) if self.batch_first else x), h_n, c_n


class RNN(RNNBase):
    """A multi-layer Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu).

    Input (T, N, input_size) — (N, T, input_size) with ``batch_first`` — or unbatched
    (T, input_size); optional initial state h_0 (num_layers·directions, N, hidden_size).
    Returns (output, h_n): every step's top-layer state (T, N, directions·hidden_size), and every
    layer's last state.

    >>> import autograd_core as ag
    >>> rnn = RNN(32, 64, num_layers=2, batch_first=True)
    >>> output, h_n = rnn(ag.randn(16, 100, 32))
    >>> output.shape, h_n.shape
    ((16, 100, 64), (2, 16, 64))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode,
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


class LSTM(RNNBase):
    """A multi-layer long short-term memory: gates i, f, g, o; c_t = f ⊙ c_{t-1} + i ⊙ g;
    h_t = o ⊙ tanh(c_t). The cell state c carries information across many steps, its gradient
    scaled only by the forget gate.

    With ``proj_size`` P > 0 (an LSTM with projections), h_t = W_hr (o ⊙ tanh(c_t)) with
    ``weight_hr_l{k}`` (P, hidden_size): the hidden state, the outputs and the input of the next
    layer have P entries (per direction) instead of hidden_size, ``weight_hh_l{k}`` is
    (4·hidden_size, P); the cell state keeps hidden_size. P must be smaller than hidden_size.

    Input as ``RNN``; optional ``(h_0, c_0)``: h_0 (layers·directions, N, P or hidden_size), c_0
    (layers·directions, N, hidden_size). Returns ``(output, (h_n, c_n))`` of the same shapes,
    output (T, N, directions·(P or hidden_size)).

    >>> import autograd_core as ag
    >>> lstm = LSTM(10, 20)
    >>> output, (h_n, c_n) = lstm(ag.randn(5, 3, 10))
    >>> output.shape, c_n.shape
    ((5, 3, 20), (1, 3, 20))
    >>> projected = LSTM(10, 20, proj_size=4, bidirectional=True)
    >>> output, (h_n, c_n) = projected(ag.randn(5, 3, 10))
    >>> output.shape, h_n.shape, c_n.shape
    ((5, 3, 8), (2, 3, 4), (2, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device,
            dtype,
        )

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        h0, c0 = (None, None) if hx is None else hx
        output, h_n, c_n = self._run(input, h0, c0)
        return output, (h_n, c_n)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit: reset gate r, update gate z, candidate n;
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}.

    Input as ``RNN``; optional h_0. Returns ``(output, h_n)``.

    >>> import autograd_core as ag
    >>> gru = GRU(10, 20, num_layers=2, bidirectional=True)
    >>> output, h_n = gru(ag.randn(5, 3, 10))
    >>> output.shape, h_n.shape
    ((5, 3, 40), (4, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


# --------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Parameters of one cell: weight_ih (gates·hidden, input), weight_hh (gates·hidden, hidden),
    bias_ih, bias_hh (gates·hidden), all ~ U(-1/√hidden, 1/√hidden) as PyTorch."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        gates: int,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(
            autograd_core.empty(gates * hidden_size, input_size, dtype=dtype, device=device)
        )
        self.weight_hh = Parameter(
            autograd_core.empty(gates * hidden_size, hidden_size, dtype=dtype, device=device)
        )
        if bias:
            self.bias_ih = Parameter(autograd_core.empty(gates * hidden_size, dtype=dtype, device=device))
            self.bias_hh = Parameter(autograd_core.empty(gates * hidden_size, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _check(self, input: Tensor, hx, label: str = "hidden") -> tuple[Tensor, Tensor | None, bool]:
        """(input as (B, in), state as (B, hidden) or None, whether the input was unbatched)."""
        name = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in (1, 2):
            shape = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {shape}")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}"
            )
        unbatched = input.ndim == 1
        if unbatched:
            input = input.unsqueeze(0)
        if hx is not None:
            if unbatched:
                hx = hx.unsqueeze(0)
            if tuple(hx.shape) != (input.shape[0], self.hidden_size):
                raise RuntimeError(
                    f"{name}: Expected {label} of shape {(input.shape[0], self.hidden_size)}"
                    f"{' (unbatched: (hidden,))' if unbatched else ''}, got {tuple(hx.shape)}"
                )
        return input, hx, unbatched

    def _zeros(self, input: Tensor) -> Tensor:
        return autograd_core.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)

    def _projections(self, input: Tensor, hx: Tensor) -> tuple[Tensor, Tensor]:
        return F.linear(input, self.weight_ih, self.bias_ih), F.linear(hx, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    >>> import autograd_core as ag
    >>> cell = RNNCell(10, 20)
    >>> cell(ag.randn(3, 10)).shape
    (3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, unbatched = self._check(input, hx)
        from_input, from_state = self._projections(input, self._zeros(input) if hx is None else hx)
        pre = from_input + from_state
        h = pre.tanh() if self.nonlinearity == "tanh" else pre.relu()
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step: i, f, g, o = σ, σ, tanh, σ of (W_ih x + b_ih + W_hh h + b_hh) split in
    four; c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c'). Returns (h', c').

    >>> import autograd_core as ag
    >>> cell = LSTMCell(10, 20)
    >>> h, c = cell(ag.randn(3, 10))
    >>> h.shape, c.shape
    ((3, 20), (3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        h, c = (None, None) if hx is None else hx
        _, c, _ = self._check(input, c, "cell state")
        input, h, unbatched = self._check(input, h)
        h = self._zeros(input) if h is None else h
        c = self._zeros(input) if c is None else c
        from_input, from_state = self._projections(input, h)
        i, f, g, o = (from_input + from_state).chunk(4, 1)
        c_next = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h_next = o.sigmoid() * c_next.tanh()
        if unbatched:
            return h_next.squeeze(0), c_next.squeeze(0)
        return h_next, c_next


class GRUCell(RNNCellBase):
    """One GRU step: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); h' = (1 - z) ⊙ n + z ⊙ h.

    >>> import autograd_core as ag
    >>> cell = GRUCell(10, 20)
    >>> cell(ag.randn(3, 10), ag.zeros(3, 20)).shape
    (3, 20)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: str | autograd_core.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        input, hx, unbatched = self._check(input, hx)
        h = self._zeros(input) if hx is None else hx
        from_input, from_state = self._projections(input, h)
        x_r, x_z, x_n = from_input.chunk(3, 1)
        h_r, h_z, h_n = from_state.chunk(3, 1)
        r = (x_r + h_r).sigmoid()
        z = (x_z + h_z).sigmoid()
        n = (x_n + r * h_n).tanh()
        h_next = (1 - z) * n + z * h
        return h_next.squeeze(0) if unbatched else h_next
