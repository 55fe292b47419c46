"""Elementwise operations. Each backward returns the gradient in the broadcast shape; the
engine sums broadcast dimensions back to each input's shape."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes, grad_mode
from .._tensor import Tensor, _as_array, _tensor_from_array
from ..autograd.function import Function

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike


# ----------------------------------------------------------------------- operands
def as_operand(value: Tensor | ArrayLike, like: Tensor) -> Tensor:
    """A Python number, array or list as a Tensor, with PyTorch's dtype for ``like op value``."""
    if type(value) is Tensor:
        return value
    if isinstance(value, (bool, int, float)):
        dtype = dtypes.scalar_result_type(like._data.dtype, value)
        return _tensor_from_array(np.asarray(value, dtype=dtype))
    if isinstance(value, Tensor):
        return value
    array = _as_array(value)
    if array.dtype.kind == "f" and like._data.dtype.kind == "f" and array.ndim == 0:
        array = array.astype(like._data.dtype)
    return _tensor_from_array(array)


_PYTHON_NUMBERS = (float, int)  # exact types: bool and NumPy scalars take the general path


def promote(a: Tensor | ArrayLike, b: Tensor | ArrayLike) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors of one dtype, by PyTorch's promotion rules."""
    # The commonest case first, in a few steps: a float tensor with a Python number keeps its
    # dtype (scalar_result_type's answer), as in x * 0.5 or 1 - x
    if type(b) in _PYTHON_NUMBERS and isinstance(a, Tensor) and a._data.dtype.kind == "f":
        return a, _tensor_from_array(np.asarray(b, dtype=a._data.dtype))
    if type(a) in _PYTHON_NUMBERS and isinstance(b, Tensor) and b._data.dtype.kind == "f":
        return _tensor_from_array(np.asarray(a, dtype=b._data.dtype)), b
    if not isinstance(a, Tensor):
        a = as_operand(a, b)
    elif not isinstance(b, Tensor):
        b = as_operand(b, a)
    dtype_a, dtype_b = a._data.dtype, b._data.dtype
    if dtype_a is not dtype_b and dtype_a != dtype_b:
        dtype = dtypes.tensors_result_type(a._data, b._data)
        a = cast(a, dtype) if dtype_a != dtype else a
        b = cast(b, dtype) if dtype_b != dtype else b
    return a, b


def _broadcast_error(op: str, a: Tensor, b: Tensor) -> ValueError:
    return ValueError(
        f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together. "
        "Broadcasting matches dimensions from the right; each pair must be equal or one of "
        "them 1. Reshape or unsqueeze one operand so they line up."
    )


def _binary(function_class, name: str, a, b) -> Tensor:
    if not (isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype is b._data.dtype):
        a, b = promote(a, b)
    try:
        if (a._requires_grad or b._requires_grad) and grad_mode._grad_enabled.get():
            return function_class.apply(a, b)
        ufunc = _PLAIN_ARITHMETIC.get(function_class)
        if ufunc is None:
            return function_class.apply(a, b)
        out = ufunc(a._data, b._data)  # nothing to record: the arithmetic alone, without a node
        return _tensor_from_array(out if type(out) is np.ndarray else np.asarray(out))
    except ValueError as error:
        if "broadcast" in str(error):
            raise _broadcast_error(name, a, b) from None
        raise


# ----------------------------------------------------------------------- arithmetic
class Add(Function):
    """a + b; both gradients are the incoming gradient."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        return a.numpy() + b.numpy()

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad, grad


class Sub(Function):
    """a - b; d/da = 1, d/db = -1."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        return a.numpy() - b.numpy()

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """a * b; d/da = b, d/db = a. Each factor is saved only when the other one needs its
    gradient, as in PyTorch: less memory, and no false in-place errors for the other."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a if b._requires_grad else None, b if a._requires_grad else None)
        return a.numpy() * b.numpy()

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        grad_a = grad * b if ctx.needs_input_grad[0] else None
        grad_b = grad * a if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    """a / b; d/da = 1/b, d/db = -a/b². ``a`` is saved only when ``b`` needs its gradient."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a if b._requires_grad else None, b)
        return a.numpy() / b.numpy()

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        grad_a = grad / b
        grad_b = -grad_a * a / b if ctx.needs_input_grad[1] else None
        return (grad_a if ctx.needs_input_grad[0] else None), grad_b


class Neg(Function):
    """-a."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        return -a.numpy()

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        return -grad


class PowScalar(Function):
    """a ** p for a Python number p; d/da = p·a^(p-1)."""

    @staticmethod
    def forward(ctx, a: Tensor, exponent: float) -> np.ndarray:
        ctx.exponent = exponent
        ctx.save_for_backward(a)
        return a.numpy() ** exponent

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 2:
            return grad * (2 * a), None
        if p == 0:
            return grad * 0.0, None  # a⁰ = 1 everywhere, also at a = 0 (no 0 · ∞)
        return grad * (p * a ** (p - 1)), None


class Remainder(Function):
    """a mod b with the sign of b (Python's ``%``, PyTorch's ``remainder``):
    a - b·floor(a/b); d/da = 1, d/db = -floor(a/b)."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = a.numpy(), b.numpy()
        if b._requires_grad:
            ctx.quotient = np.floor(x / y)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        grad_b = -grad * _tensor_from_array(ctx.quotient) if ctx.needs_input_grad[1] else None
        return grad, grad_b


class Pow(Function):
    """a ** b for tensors; d/da = b·a^(b-1), d/db = a^b·ln a."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        out = a.numpy() ** b.numpy()
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b, out = ctx.saved_tensors
        grad_a = grad * b * a ** (b - 1) if ctx.needs_input_grad[0] else None
        grad_b = grad * out * log(a) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


# The ufunc each arithmetic operation's forward computes. ``_binary`` calls it directly when
# there is nothing to record (grad mode off, as inside backward, or no input requiring grad):
# a node object for it would cost several times the arithmetic on small tensors.
_PLAIN_ARITHMETIC = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.true_divide}


def add(a: Tensor | float, b: Tensor | float, *, alpha: float = 1) -> Tensor:
    """a + alpha·b."""
    if alpha != 1:
        b = mul(b, alpha)
    return _binary(Add, "add", a, b)


def sub(a: Tensor | float, b: Tensor | float, *, alpha: float = 1) -> Tensor:
    """a - alpha·b."""
    if alpha != 1:
        b = mul(b, alpha)
    return _binary(Sub, "sub", a, b)


def mul(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _binary(Mul, "mul", a, b)


def div(a: Tensor | float, b: Tensor | float, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is not None:
        a, b = promote(a, b)
        if rounding_mode == "floor":
            return _tensor_from_array(np.floor_divide(a.numpy(), b.numpy()))
        if rounding_mode == "trunc":
            return _tensor_from_array(np.trunc(a.numpy() / b.numpy()).astype(a.dtype))
        raise ValueError(f"rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    a, b = promote(a, b)
    if a._data.dtype.kind != "f":
        a, b = cast(a, dtypes.get_default_dtype()), cast(b, dtypes.get_default_dtype())
    return _binary(Div, "div", a, b)


def remainder(a: Tensor | float, b: Tensor | float) -> Tensor:
    """a % b, with the sign of b (as Python and PyTorch)."""
    return _binary(Remainder, "remainder", a, b)


def neg(a: Tensor) -> Tensor:
    return Neg.apply(a)


def pow(a: Tensor | float, exponent: Tensor | float) -> Tensor:
    """a ** exponent; a Python-number exponent takes the cheaper ``PowScalar``."""
    if isinstance(a, Tensor) and isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        return PowScalar.apply(a, exponent)
    return _binary(Pow, "pow", a, exponent)


# ----------------------------------------------------------------------- unary functions
class Exp(Function):
    """exp(a); d/da = exp(a), the output itself."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        out = np.exp(a.numpy())
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """ln(a); d/da = 1/a."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.log(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad / a


class Log1p(Function):
    """ln(1 + a), accurate for small a; d/da = 1/(1 + a)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.log1p(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad / (a + 1)


class Log2(Function):
    """log₂(a); d/da = 1/(a·ln 2)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.log2(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(2.0))


class Log10(Function):
    """log₁₀(a); d/da = 1/(a·ln 10)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.log10(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(10.0))


class Exp2(Function):
    """2^a; d/da = 2^a·ln 2, from the output."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        out = np.exp2(a.numpy())
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return grad * out * math.log(2.0)


class Sqrt(Function):
    """√a; d/da = 1/(2√a)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        out = np.sqrt(a.numpy())
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return grad / (out * 2)


class Abs(Function):
    """|a|; d/da = sign(a) (0 at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.sign = np.sign(a.numpy())
        return np.abs(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        return grad * _tensor_from_array(ctx.sign)


class Sin(Function):
    """sin(a); d/da = cos(a)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.sin(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad * cos(a)


class Cos(Function):
    """cos(a); d/da = -sin(a)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.cos(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return -grad * sin(a)


class Sinh(Function):
    """sinh(a) = (eᵃ - e⁻ᵃ)/2; d/da = cosh(a)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.sinh(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad * cosh(a)


class Cosh(Function):
    """cosh(a) = (eᵃ + e⁻ᵃ)/2; d/da = sinh(a)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return np.cosh(a.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (a,) = ctx.saved_tensors
        return grad * sinh(a)


def _gradient_from_output(backward_class, grad: Tensor, out: Tensor) -> Tensor:
    """An activation's gradient from its output y, given by ``backward_class`` (ReluBackward,
    TanhBackward, SigmoidBackward): a node of its own when a graph of the gradient is being
    built (``create_graph``: differentiable again), else its ``compute(g, y)`` on the arrays,
    which is all a training step needs and costs a fraction of a node."""
    if grad_mode._grad_enabled.get():
        return backward_class.apply(grad, out)
    return _tensor_from_array(backward_class.compute(grad.numpy(), out.numpy()))


class Tanh(Function):
    """tanh(a); d/da = 1 - tanh²(a), from the output."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        out = np.tanh(a.numpy())
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return _gradient_from_output(TanhBackward, grad, out)


class TanhBackward(Function):
    """g·(1 - y²), tanh's backward as one operation (as PyTorch's ``tanh_backward``).

    Differentiable again: d/dg = 1 - y², d/dy = -2·g·y.
    """

    @staticmethod
    def compute(g: np.ndarray, y: np.ndarray) -> np.ndarray:
        return g * (1 - y * y)

    @staticmethod
    def forward(ctx, grad: Tensor, out: Tensor) -> np.ndarray:
        ctx.save_for_backward(grad, out)
        return TanhBackward.compute(grad.numpy(), out.numpy())

    @staticmethod
    def backward(ctx, grad_grad: Tensor) -> tuple[Tensor | None, ...]:
        grad, out = ctx.saved_tensors
        return grad_grad * (1 - out * out), grad_grad * grad * out * -2


class Sigmoid(Function):
    """σ(a) = 1/(1 + e^-a), computed without overflow; d/da = σ(a)(1 - σ(a)).

    As e^min(a, 0) / (1 + e^-|a|): 1/(1 + e^-a) for a ≥ 0 and e^a/(1 + e^a) for a < 0, with
    no exponential of a large positive number, and no ``np.where`` (slow on mixed signs)."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        x = a.numpy()
        out = np.exp(np.minimum(x, 0))
        out /= 1 + np.exp(-np.abs(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return _gradient_from_output(SigmoidBackward, grad, out)


class SigmoidBackward(Function):
    """g·y(1 - y), sigmoid's backward as one operation (as PyTorch's ``sigmoid_backward``).

    Differentiable again: d/dg = y(1 - y), d/dy = g(1 - 2y).
    """

    @staticmethod
    def compute(g: np.ndarray, y: np.ndarray) -> np.ndarray:
        return g * (y * (1 - y))

    @staticmethod
    def forward(ctx, grad: Tensor, out: Tensor) -> np.ndarray:
        ctx.save_for_backward(grad, out)
        return SigmoidBackward.compute(grad.numpy(), out.numpy())

    @staticmethod
    def backward(ctx, grad_grad: Tensor) -> tuple[Tensor | None, ...]:
        grad, out = ctx.saved_tensors
        return grad_grad * (out * (1 - out)), grad_grad * grad * (1 - 2 * out)


class Relu(Function):
    """max(a, 0); d/da = 1 where a > 0, else 0."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        out = np.maximum(a.numpy(), 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return _gradient_from_output(ReluBackward, grad, out)


class ReluBackward(Function):
    """g where y > 0, else 0: relu's backward as one operation (PyTorch's
    ``threshold_backward``). Its own gradient passes the same mask; relu'' = 0.

    Computed as g · [y > 0]: a product with the mask is many times faster than ``np.where``
    on an unpredictable mask."""

    @staticmethod
    def compute(g: np.ndarray, y: np.ndarray) -> np.ndarray:
        return g * (y > 0)

    @staticmethod
    def forward(ctx, grad: Tensor, out: Tensor) -> np.ndarray:
        ctx.save_for_backward(out)
        return ReluBackward.compute(grad.numpy(), out.numpy())

    @staticmethod
    def backward(ctx, grad_grad: Tensor) -> tuple[Tensor | None, ...]:
        (out,) = ctx.saved_tensors
        mask = _tensor_from_array((out.numpy() > 0).astype(grad_grad.dtype))
        return grad_grad * mask, grad_grad * 0


class Clamp(Function):
    """min(max(a, low), high); the gradient passes where low ≤ a ≤ high."""

    @staticmethod
    def forward(ctx, a: Tensor, low: float | None, high: float | None) -> np.ndarray:
        x = a.numpy()
        ctx.low, ctx.high = low, high
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        ctx.inside = inside.astype(x.dtype)
        return np.clip(x, low, high).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad * _tensor_from_array(ctx.inside), None, None


class Maximum(Function):
    """max(a, b) elementwise; at ties the gradient is split evenly, as in PyTorch."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = a.numpy(), b.numpy()
        ctx.share_a = ((x > y) + 0.5 * (x == y)).astype(x.dtype)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        share_a = _tensor_from_array(ctx.share_a)
        return grad * share_a, grad * (1 - share_a)


class Minimum(Function):
    """min(a, b) elementwise; at ties the gradient is split evenly, as in PyTorch."""

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor) -> np.ndarray:
        x, y = a.numpy(), b.numpy()
        ctx.share_a = ((x < y) + 0.5 * (x == y)).astype(x.dtype)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        share_a = _tensor_from_array(ctx.share_a)
        return grad * share_a, grad * (1 - share_a)


class Where(Function):
    """condition ? a : b; the gradient goes to a where the condition holds, else to b."""

    @staticmethod
    def forward(ctx, condition: Tensor, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.chosen = condition.numpy()
        return np.where(ctx.chosen, a.numpy(), b.numpy())

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        mask = _tensor_from_array(ctx.chosen.astype(grad.dtype))
        grad_a = grad * mask if ctx.needs_input_grad[1] else None
        grad_b = grad * (1 - mask) if ctx.needs_input_grad[2] else None
        return None, grad_a, grad_b


class Cast(Function):
    """The same values in another dtype; the gradient is cast back."""

    @staticmethod
    def forward(ctx, a: Tensor, dtype: np.dtype) -> np.ndarray:
        ctx.dtype = a.dtype
        return a.numpy().astype(dtype)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, ...]:
        return grad.to(ctx.dtype), None


class Clone(Function):
    """A copy with its own storage; the gradient passes through."""

    @staticmethod
    def forward(ctx, a: Tensor) -> np.ndarray:
        return a.numpy().copy()

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        return grad


def exp(a: Tensor) -> Tensor:
    return Exp.apply(_float(a))


def log(a: Tensor) -> Tensor:
    return Log.apply(_float(a))


def log1p(a: Tensor) -> Tensor:
    return Log1p.apply(_float(a))


def log2(a: Tensor) -> Tensor:
    """Base-2 logarithm.

    >>> import autograd_core as ag
    >>> ag.log2(ag.tensor([1.0, 8.0]))
    tensor([0., 3.])
    """
    return Log2.apply(_float(a))


def log10(a: Tensor) -> Tensor:
    """Base-10 logarithm.

    >>> import autograd_core as ag
    >>> ag.log10(ag.tensor([1.0, 10.0]))
    tensor([0., 1.])
    """
    return Log10.apply(_float(a))


def exp2(a: Tensor) -> Tensor:
    """2 to the power a.

    >>> import autograd_core as ag
    >>> ag.exp2(ag.tensor([0.0, 3.0]))
    tensor([1., 8.])
    """
    return Exp2.apply(_float(a))


def sqrt(a: Tensor) -> Tensor:
    return Sqrt.apply(_float(a))


def rsqrt(a: Tensor) -> Tensor:
    return sqrt(a) ** -1


def abs(a: Tensor) -> Tensor:
    return Abs.apply(a)


def sin(a: Tensor) -> Tensor:
    return Sin.apply(_float(a))


def cos(a: Tensor) -> Tensor:
    return Cos.apply(_float(a))


def sinh(a: Tensor) -> Tensor:
    """Hyperbolic sine, (eᵃ - e⁻ᵃ)/2.

    >>> import autograd_core as ag
    >>> ag.sinh(ag.tensor([0.0]))
    tensor([0.])
    """
    return Sinh.apply(_float(a))


def cosh(a: Tensor) -> Tensor:
    """Hyperbolic cosine, (eᵃ + e⁻ᵃ)/2.

    >>> import autograd_core as ag
    >>> ag.cosh(ag.tensor([0.0]))
    tensor([1.])
    """
    return Cosh.apply(_float(a))


def tanh(a: Tensor) -> Tensor:
    return Tanh.apply(_float(a))


def sigmoid(a: Tensor) -> Tensor:
    return Sigmoid.apply(_float(a))


def relu(a: Tensor) -> Tensor:
    return Relu.apply(a)


def clamp(a: Tensor, min: Tensor | float | None = None, max: Tensor | float | None = None) -> Tensor:
    if min is None and max is None:
        raise ValueError("clamp needs at least one of min and max")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = a
        if min is not None:
            result = maximum(result, min)
        if max is not None:
            result = minimum(result, max)
        return result
    return Clamp.apply(a, min, max)


def maximum(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _binary(Maximum, "maximum", a, b)


def minimum(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _binary(Minimum, "minimum", a, b)


def where(condition: Tensor | ArrayLike, a: Tensor | float, b: Tensor | float) -> Tensor:
    """Elements of ``a`` where ``condition`` holds, else of ``b`` (all three broadcast)."""
    condition = condition if isinstance(condition, Tensor) else _tensor_from_array(np.asarray(condition))
    if condition.dtype != dtypes.bool_:
        condition = _tensor_from_array(condition.numpy().astype(bool))
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _tensor_from_array(_as_array(a))
    a, b = promote(a, b)
    try:
        return Where.apply(condition, a, b)
    except ValueError as error:
        raise ValueError(
            f"where: condition {tuple(condition.shape)}, x {tuple(a.shape)} and y "
            f"{tuple(b.shape)} cannot be broadcast together"
        ) from error


def cast(a: Tensor, dtype: DTypeLike) -> Tensor:
    dtype = dtypes.as_dtype(dtype)
    if a._data.dtype == dtype:
        return a
    if dtype.kind != "f" or a._data.dtype.kind != "f":
        return _tensor_from_array(a._data.astype(dtype))
    return Cast.apply(a, dtype)


def clone(a: Tensor) -> Tensor:
    return Clone.apply(a)


def _float(a: Tensor) -> Tensor:
    """Integer inputs of exp, log, sin... become the default float dtype, as in PyTorch."""
    if a._data.dtype.kind == "f":
        return a
    return _tensor_from_array(a._data.astype(dtypes.get_default_dtype()))


# -------------------------------------------------------- without gradient: comparisons etc.
def _compare(ufunc, a, b) -> Tensor:
    a, b = promote(a, b)
    return _tensor_from_array(ufunc(a.numpy(), b.numpy()))


def eq(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.equal, a, b)


def ne(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.not_equal, a, b)


def lt(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.less, a, b)


def le(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.less_equal, a, b)


def gt(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.greater, a, b)


def ge(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.greater_equal, a, b)


def _no_grad_unary(ufunc):
    def operation(a: Tensor) -> Tensor:
        return _tensor_from_array(ufunc(a.numpy()))

    operation.__name__ = ufunc.__name__
    operation.__doc__ = f"{ufunc.__name__} elementwise; not differentiable (no gradient)."
    return operation


sign = _no_grad_unary(np.sign)
floor = _no_grad_unary(np.floor)
ceil = _no_grad_unary(np.ceil)
round = _no_grad_unary(np.round)
trunc = _no_grad_unary(np.trunc)
isnan = _no_grad_unary(np.isnan)
isinf = _no_grad_unary(np.isinf)
isfinite = _no_grad_unary(np.isfinite)
logical_not = _no_grad_unary(np.logical_not)


def logical_and(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.logical_and, a, b)


def logical_or(a: Tensor | float, b: Tensor | float) -> Tensor:
    return _compare(np.logical_or, a, b)


def allclose(a: Tensor | ArrayLike, b: Tensor | ArrayLike, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(_as_array(a), _as_array(b), rtol=rtol, atol=atol))


def isclose(a: Tensor | ArrayLike, b: Tensor | ArrayLike, rtol: float = 1e-5, atol: float = 1e-8) -> Tensor:
    return _tensor_from_array(np.isclose(_as_array(a), _as_array(b), rtol=rtol, atol=atol))
