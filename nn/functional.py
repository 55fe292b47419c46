"""``nn.functional``: the layers, activations and losses of ``nn`` as plain functions.

Every function computes with Tensor operations only (so every one is differentiable, to any
order the operations allow). A module such as ``nn.Linear`` holds the parameters and calls
the function here.
"""

from __future__ import annotations

from autograd_core import Tensor
from autograd_core.ops.nn_ops import linear as linear  # the fused x Wᵀ + b, re-exported


# --------------------------------------------------------------------------- linear
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x₁ᵀ A_k x₂ + b_k for x₁ (..., in1), x₂ (..., in2), A (out, in1, in2), b (out,)."""
    out_features, in1, in2 = weight.shape
    # x₁ A: (..., in1) @ (in1, out·in2) -> (..., out, in2), then contract with x₂.
    projected = (input1 @ weight.permute(1, 0, 2).reshape(in1, out_features * in2)).unflatten(
        -1, (out_features, in2)
    )
    out = (projected * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias
