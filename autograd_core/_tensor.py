"""``Tensor``: an n-dimensional array that records how it was computed.

A Tensor wraps one ``numpy.ndarray``. When it ``requires_grad``, every operation on it is
recorded: the result's ``grad_fn`` is the graph node of the operation, and
``result.backward()`` sends gradients back through those nodes into the ``.grad`` of the leaf
tensors. The operations themselves live in ``autograd_core/ops/`` (forward and backward side by
side); the methods here only forward to them.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from . import dtypes

if TYPE_CHECKING:
    # Tensor has methods named int, float and bool; inside the class, after them, a type checker
    # would read those names as the methods, so the annotations there use these aliases.
    from builtins import bool as _bool
    from builtins import float as _float
    from builtins import int as _int
    from collections.abc import Callable, Iterator, Sequence
    from types import EllipsisType
    from typing import Any, TypeAlias

    from numpy.typing import ArrayLike, DTypeLike

    from ._random import Generator
    from .ops.reductions import values_indices
    from .viz.view import GraphView

    _device: TypeAlias = "device"  # Tensor.device, a property, hides the class inside Tensor


class device:
    """The only device is the CPU; accepted wherever PyTorch takes a device."""

    def __init__(self, type: str = "cpu") -> None:
        self.type = _check_device(type)

    def __eq__(self, other: object) -> bool:
        return str(other) == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"


def _check_device(value) -> str:
    name = str(value) if value is not None else "cpu"
    if name != "cpu":
        raise RuntimeError(
            f"device {name!r} is not available: autograd_core runs on the CPU only. "
            "Use device='cpu' (or leave the device out)."
        )
    return "cpu"


def _tensor_from_array(array: np.ndarray, requires_grad: bool = False, grad_fn=None, output_nr: int = 0):
    """Wrap an array without copying or checking: the fast path every operation uses."""
    tensor = object.__new__(Tensor)
    tensor._data = array
    tensor._requires_grad = requires_grad
    tensor.grad = None
    tensor.grad_fn = grad_fn
    tensor._output_nr = output_nr
    tensor._version_counter = [0]
    tensor._backward_hooks = tensor._view_of = None
    return tensor


def _as_array(data, dtype=None) -> np.ndarray:
    """Convert Python data or arrays to an ndarray with PyTorch's default dtypes."""
    if isinstance(data, Tensor):
        array = data._data
        return array if dtype is None else array.astype(dtype)
    if isinstance(data, (list, tuple)) and _contains_tensor(data):
        data = _tensors_to_nested(data)
    try:
        array = np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
    except ValueError as error:
        raise ValueError(
            f"could not make a tensor from {_describe(data)}: the nested lists must be "
            f"rectangular (every row the same length) and hold numbers ({error})"
        ) from error
    except TypeError as error:
        raise TypeError(f"could not make a tensor from {_describe(data)}: {error}") from error
    if array.dtype == object or array.dtype.kind in "USMmV":
        raise TypeError(
            f"could not make a tensor from {_describe(data)}: it holds {array.dtype} values; "
            "a tensor holds numbers or booleans only"
        )
    if array.dtype.kind == "c":
        raise TypeError("complex tensors are not supported")
    if dtype is None and not isinstance(data, (np.ndarray, np.generic)):
        if array.dtype.kind == "f":
            array = array.astype(dtypes.get_default_dtype(), copy=False)
        elif array.dtype.kind in "iu":
            array = array.astype(dtypes.int64, copy=False)
    return array


def _contains_tensor(data) -> bool:
    return any(
        isinstance(item, Tensor) or (isinstance(item, (list, tuple)) and _contains_tensor(item))
        for item in data
    )


def _tensors_to_nested(data):
    return [
        item._data
        if isinstance(item, Tensor)
        else _tensors_to_nested(item)
        if isinstance(item, (list, tuple))
        else item
        for item in data
    ]


def _describe(data) -> str:
    text = repr(data)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_can_require_grad(array: np.ndarray) -> None:
    if array.dtype.kind != "f":
        raise RuntimeError(
            f"only floating-point tensors can require gradients, this one is {array.dtype}. "
            "Make it float first: tensor(data, dtype=float32) or t.float()."
        )


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    >>> x = tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = (
        "_data",
        "_requires_grad",
        "grad",
        "grad_fn",
        "_output_nr",
        "_version_counter",
        "_name",
        "_backward_hooks",
        "_view_of",
        "__weakref__",
    )
    __array_priority__ = 1000  # ndarray + Tensor goes to Tensor.__radd__

    def __init__(
        self,
        data: ArrayLike,
        dtype: DTypeLike | None = None,
        requires_grad: bool = False,
        name: str | None = None,
    ) -> None:
        array = _as_array(data, None if dtype is None else dtypes.as_dtype(dtype))
        if array is data or (isinstance(data, Tensor) and array is data._data):
            array = array.copy()
        if requires_grad:
            _check_can_require_grad(array)
        self._data = array
        self._requires_grad = bool(requires_grad)
        self.grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._version_counter = [0]
        self._backward_hooks = self._view_of = None
        if name is not None:
            self._name = name

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def device(self) -> device:
        return device("cpu")

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad of leaf tensors; use y.detach() to get a "
                "tensor cut from the graph"
            )
        if value:
            _check_can_require_grad(self._data)
        self._requires_grad = bool(value)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def name(self) -> str | None:
        """A label for graph pictures; parameters get their qualified name from their module."""
        return getattr(self, "_name", None)

    @name.setter
    def name(self, value: str | None) -> None:
        self._name = value
        node = self.grad_fn
        if node is not None:
            if node._output_names is None:
                node._output_names = {}
            node._output_names[self._output_nr] = value

    @property
    def data(self) -> Tensor:
        """The same storage as a tensor outside the graph (changes to it are not tracked)."""
        return _tensor_from_array(self._data)

    @data.setter
    def data(self, value: ArrayLike) -> None:
        array = _as_array(value)
        if self._requires_grad:
            _check_can_require_grad(array)
        self._data = array

    @property
    def _version(self) -> int:
        return self._version_counter[0]

    @property
    def T(self) -> Tensor:
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:
        return _shape.swap_last_two(self)

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self._data

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, this one has shape "
                f"{self._data.shape} ({self._data.size} elements); index it first or use .tolist()"
            )
        return self._data.item()

    def tolist(self) -> list | float | int | bool:
        return self._data.tolist()

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        if dim is None:
            return self._data.shape
        return self._data.shape[_normalize_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return self._data.flags.c_contiguous

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it has no dimensions; use .item()")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._data)

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from ._format import format_tensor

        return format_tensor(self)

    def draw(self, **options: Any) -> GraphView:
        """A picture of the graph this tensor was computed from: ``autograd_core.viz.draw_graph``
        with the same options (``color_by``, ``highlight``, ``depth``...)."""
        from .viz import draw_graph

        return draw_graph(self, **options)

    # ------------------------------------------------------------------ autograd
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Tensor | Sequence[Tensor] | None = None,
    ) -> None:
        """Compute the gradient of this tensor with respect to the leaves of its graph.

        For a scalar the seed gradient is 1; otherwise pass ``gradient`` (same shape), the
        vector of the vector-Jacobian product.
        """
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor too after backward."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        node = self.grad_fn
        if node is None:
            return
        retained = getattr(node, "_retained", None)
        if retained is None:
            retained = node._retained = {}
        retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        node = self.grad_fn
        retained = getattr(node, "_retained", None) if node is not None else None
        return bool(retained) and self._output_nr in retained

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        node = self.grad_fn
        if node is None:
            hooks = self._backward_hooks
            if hooks is None:
                hooks = self._backward_hooks = []
            hooks.append(hook)
            return _RemovableHandle(hooks, hook)
        hooks = getattr(node, "_hooks", None)
        if hooks is None:
            hooks = node._hooks = []
        entry = (self._output_nr, hook)
        hooks.append(entry)
        return _RemovableHandle(hooks, entry)

    def detach(self) -> Tensor:
        """The same values and storage, cut from the graph."""
        result = _tensor_from_array(self._data)
        result._version_counter = self._version_counter
        return result

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    # ------------------------------------------------------------- conversions
    def to(self, *args: Tensor | _device | DTypeLike, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to("cpu")``, ``to(other_tensor)``; returns self when nothing changes."""
        dtype = kwargs.pop("dtype", None)
        _check_device(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to() got unexpected arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, device)) and str(arg) in ("cpu", "cuda") or isinstance(arg, device):
                _check_device(arg)
            else:
                dtype = arg
        if dtype is None:
            return self
        dtype = dtypes.as_dtype(dtype)
        if dtype == self._data.dtype:
            return self
        from .ops.elementwise import cast

        return cast(self, dtype)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: object, **kwargs: object) -> Tensor:
        _check_device("cuda")

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def clone(self) -> Tensor:
        from .ops.elementwise import clone

        return clone(self)

    def contiguous(self) -> Tensor:
        return self

    # ------------------------------------------------------------------ arithmetic
    # The operators go straight to the shared two-operand helper (one call less per operation).
    def __add__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise._binary(_elementwise.Add, "add", self, other)

    def __radd__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise._binary(_elementwise.Add, "add", other, self)

    def __sub__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise._binary(_elementwise.Sub, "sub", self, other)

    def __rsub__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise._binary(_elementwise.Sub, "sub", other, self)

    def __mul__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise._binary(_elementwise.Mul, "mul", self, other)

    def __rmul__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise._binary(_elementwise.Mul, "mul", other, self)

    def __truediv__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.div(self, other)

    def __rtruediv__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.div(other, self)

    def __floordiv__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.div(self, other, rounding_mode="floor")

    def __mod__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.remainder(self, other)

    def __rmod__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.remainder(other, self)

    def remainder(self, other: Tensor | _float) -> Tensor:
        return _elementwise.remainder(self, other)

    def __pow__(self, exponent: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.pow(self, exponent)

    def __rpow__(self, base: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.pow(_elementwise.as_operand(base, self), self)

    def __matmul__(self, other: Tensor | np.ndarray) -> Tensor:
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other: Tensor | np.ndarray) -> Tensor:
        return _linalg.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _elementwise.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _elementwise.abs(self)

    def __invert__(self) -> Tensor:
        return _tensor_from_array(~self._data)

    def __and__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.logical_and(self, other)

    def __or__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _elementwise.logical_or(self, other)

    def __eq__(self, other: Tensor | _float | np.ndarray) -> Tensor:  # type: ignore[override]
        return _elementwise.eq(self, other)

    def __ne__(self, other: Tensor | _float | np.ndarray) -> Tensor:  # type: ignore[override]
        return _elementwise.ne(self, other)

    def __lt__(self, other: Tensor | _float | np.ndarray) -> Tensor:  # type: ignore[misc]
        return _elementwise.lt(self, other)

    def __le__(self, other: Tensor | _float | np.ndarray) -> Tensor:  # type: ignore[misc]
        return _elementwise.le(self, other)

    def __gt__(self, other: Tensor | _float | np.ndarray) -> Tensor:  # type: ignore[misc]
        return _elementwise.gt(self, other)

    def __ge__(self, other: Tensor | _float | np.ndarray) -> Tensor:  # type: ignore[misc]
        return _elementwise.ge(self, other)

    # in place, as operators: x += 1 changes x's storage
    def __iadd__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _inplace.add_(self, other)

    def __isub__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _inplace.sub_(self, other)

    def __imul__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _inplace.mul_(self, other)

    def __itruediv__(self, other: Tensor | _float | np.ndarray) -> Tensor:
        return _inplace.div_(self, other)

    def __getitem__(
        self, index: _int | slice | EllipsisType | Tensor | np.ndarray | list | tuple | None
    ) -> Tensor:
        return _indexing.getitem(self, index)

    def __setitem__(
        self,
        index: _int | slice | EllipsisType | Tensor | np.ndarray | list | tuple | None,
        value: Tensor | _float | np.ndarray,
    ) -> None:
        _inplace.setitem(self, index, value)

    # ------------------------------------------------------------ named operations
    def add(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        return _elementwise.add(self, other, alpha=alpha)

    def sub(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        return _elementwise.sub(self, other, alpha=alpha)

    def mul(self, other: Tensor | _float) -> Tensor:
        return _elementwise.mul(self, other)

    def div(self, other: Tensor | _float, *, rounding_mode: str | None = None) -> Tensor:
        return _elementwise.div(self, other, rounding_mode=rounding_mode)

    def pow(self, exponent: Tensor | _float) -> Tensor:
        return _elementwise.pow(self, exponent)

    def neg(self) -> Tensor:
        return _elementwise.neg(self)

    def exp(self) -> Tensor:
        return _elementwise.exp(self)

    def log(self) -> Tensor:
        return _elementwise.log(self)

    def log1p(self) -> Tensor:
        return _elementwise.log1p(self)

    def log2(self) -> Tensor:
        return _elementwise.log2(self)

    def log10(self) -> Tensor:
        return _elementwise.log10(self)

    def exp2(self) -> Tensor:
        return _elementwise.exp2(self)

    def sqrt(self) -> Tensor:
        return _elementwise.sqrt(self)

    def rsqrt(self) -> Tensor:
        return _elementwise.rsqrt(self)

    def abs(self) -> Tensor:
        return _elementwise.abs(self)

    def sin(self) -> Tensor:
        return _elementwise.sin(self)

    def cos(self) -> Tensor:
        return _elementwise.cos(self)

    def sinh(self) -> Tensor:
        return _elementwise.sinh(self)

    def cosh(self) -> Tensor:
        return _elementwise.cosh(self)

    def tanh(self) -> Tensor:
        return _elementwise.tanh(self)

    def erf(self) -> Tensor:
        return _special.erf(self)

    def erfc(self) -> Tensor:
        return _special.erfc(self)

    def sigmoid(self) -> Tensor:
        return _elementwise.sigmoid(self)

    def relu(self) -> Tensor:
        return _elementwise.Relu.apply(self)

    def clamp(self, min: Tensor | _float | None = None, max: Tensor | _float | None = None) -> Tensor:
        return _elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Tensor | _float) -> Tensor:
        return _elementwise.maximum(self, other)

    def minimum(self, other: Tensor | _float) -> Tensor:
        return _elementwise.minimum(self, other)

    def where(self, condition: Tensor | ArrayLike, other: Tensor | _float) -> Tensor:
        return _elementwise.where(condition, self, other)

    def sign(self) -> Tensor:
        return _elementwise.sign(self)

    def floor(self) -> Tensor:
        return _elementwise.floor(self)

    def ceil(self) -> Tensor:
        return _elementwise.ceil(self)

    def round(self) -> Tensor:
        return _elementwise.round(self)

    def isnan(self) -> Tensor:
        return _elementwise.isnan(self)

    def isinf(self) -> Tensor:
        return _elementwise.isinf(self)

    def isfinite(self) -> Tensor:
        return _elementwise.isfinite(self)

    def eq(self, other: Tensor | _float) -> Tensor:
        return _elementwise.eq(self, other)

    def ne(self, other: Tensor | _float) -> Tensor:
        return _elementwise.ne(self, other)

    def lt(self, other: Tensor | _float) -> Tensor:
        return _elementwise.lt(self, other)

    def le(self, other: Tensor | _float) -> Tensor:
        return _elementwise.le(self, other)

    def gt(self, other: Tensor | _float) -> Tensor:
        return _elementwise.gt(self, other)

    def ge(self, other: Tensor | _float) -> Tensor:
        return _elementwise.ge(self, other)

    def logical_not(self) -> Tensor:
        return _elementwise.logical_not(self)

    def allclose(self, other: Tensor | _float, rtol: _float = 1e-5, atol: _float = 1e-8) -> _bool:
        return _elementwise.allclose(self, other, rtol, atol)

    def equal(self, other: Tensor) -> _bool:
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    # reductions
    def sum(
        self,
        dim: _int | tuple[_int, ...] | None = None,
        keepdim: _bool = False,
        *,
        dtype: DTypeLike | None = None,
    ) -> Tensor:
        return _reductions.sum(self, dim, keepdim, dtype=dtype)

    def mean(
        self,
        dim: _int | tuple[_int, ...] | None = None,
        keepdim: _bool = False,
        *,
        dtype: DTypeLike | None = None,
    ) -> Tensor:
        return _reductions.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        return _reductions.prod(self, dim, keepdim)

    def amax(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        return _reductions.amax(self, dim, keepdim)

    def amin(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        return _reductions.amin(self, dim, keepdim)

    def max(self, dim: _int | Tensor | None = None, keepdim: _bool = False) -> Tensor | values_indices:
        return _reductions.max(self, dim, keepdim)

    def min(self, dim: _int | Tensor | None = None, keepdim: _bool = False) -> Tensor | values_indices:
        return _reductions.min(self, dim, keepdim)

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return _reductions.argmax(self, dim, keepdim)

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return _reductions.argmin(self, dim, keepdim)

    def sort(self, dim: _int = -1, descending: _bool = False, *, stable: _bool = False) -> values_indices:
        return _sorting.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: _int = -1, descending: _bool = False, *, stable: _bool = False) -> Tensor:
        return _sorting.argsort(self, dim, descending, stable=stable)

    def topk(self, k: _int, dim: _int = -1, largest: _bool = True, sorted: _bool = True) -> values_indices:
        return _sorting.topk(self, k, dim, largest, sorted)

    def nonzero(self, *, as_tuple: _bool = False) -> Tensor | tuple[Tensor, ...]:
        return _sorting.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return _sorting.argwhere(self)

    def unique(
        self,
        sorted: _bool = True,
        return_inverse: _bool = False,
        return_counts: _bool = False,
        dim: _int | None = None,
    ) -> Tensor | tuple[Tensor, ...]:
        return _sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def logsumexp(self, dim: _int | tuple[_int, ...], keepdim: _bool = False) -> Tensor:
        return _reductions.logsumexp(self, dim, keepdim)

    def var(
        self,
        dim: _int | tuple[_int, ...] | None = None,
        *,
        correction: _int = 1,
        keepdim: _bool = False,
        unbiased: _bool | None = None,
    ) -> Tensor:
        return _reductions.var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def std(
        self,
        dim: _int | tuple[_int, ...] | None = None,
        *,
        correction: _int = 1,
        keepdim: _bool = False,
        unbiased: _bool | None = None,
    ) -> Tensor:
        return _reductions.std(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def softmax(self, dim: _int) -> Tensor:
        return _reductions.softmax(self, dim)

    def log_softmax(self, dim: _int) -> Tensor:
        return _reductions.log_softmax(self, dim)

    def all(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        return _reductions.all(self, dim, keepdim)

    def any(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        return _reductions.any(self, dim, keepdim)

    def cumsum(self, dim: _int) -> Tensor:
        return _reductions.cumsum(self, dim)

    def norm(
        self, p: _float = 2, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False
    ) -> Tensor:
        """The p-norm (Σ|x|^p)^(1/p); p=2 by default."""
        if p == 2:
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == float("inf"):
            return self.abs().amax(dim, keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    # shape
    def reshape(self, *shape: _int | Sequence[_int]) -> Tensor:
        return _shape.reshape(self, *shape)

    def view(self, *shape: _int | Sequence[_int] | DTypeLike) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
            return self.to(shape[0])
        return _shape.reshape(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return _shape.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: _int, sizes: Sequence[_int]) -> Tensor:
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim: _int | tuple[_int, ...] | None = None) -> Tensor:
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim: _int) -> Tensor:
        return _shape.unsqueeze(self, dim)

    def permute(self, *dims: _int | Sequence[_int]) -> Tensor:
        return _shape.permute(self, *dims)

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        return _shape.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return _shape.t(self)

    def expand(self, *shape: _int | Sequence[_int]) -> Tensor:
        return _shape.expand(self, *shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return _shape.expand(self, other.shape)

    def broadcast_to(self, shape: Sequence[_int]) -> Tensor:
        return _shape.broadcast_to(self, shape)

    def sum_to_size(self, *shape: _int | Sequence[_int]) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _shape.sum_to(self, shape)

    def split(self, split_size_or_sections: _int | Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        return _shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        return _shape.unbind(self, dim)

    def narrow(self, dim: _int, start: _int, length: _int) -> Tensor:
        return _shape.narrow(self, dim, start, length)

    def select(self, dim: _int, index: _int) -> Tensor:
        return _shape.select(self, dim, index)

    def flip(self, dims: Sequence[_int]) -> Tensor:
        return _shape.flip(self, dims)

    def repeat(self, *sizes: _int | Sequence[_int]) -> Tensor:
        return _shape.repeat(self, *sizes)

    def gather(self, dim: _int, index: Tensor) -> Tensor:
        return _indexing.gather(self, dim, index)

    def scatter_add(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        return _indexing.scatter_add(self, dim, index, src)

    def matmul(self, other: Tensor) -> Tensor:
        return _linalg.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        if self.ndim != 2 or getattr(other, "ndim", 2) != 2:
            raise RuntimeError(
                f"mm needs two 2-D tensors, got {tuple(self.shape)} and {tuple(other.shape)}; use matmul"
            )
        return _linalg.matmul(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        if self.ndim != 3 or other.ndim != 3:
            raise RuntimeError(f"bmm needs two 3-D tensors, got {tuple(self.shape)} and {tuple(other.shape)}")
        return _linalg.matmul(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return _linalg.dot(self, other)

    # ------------------------------------------------------------------ in place
    def add_(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        return _inplace.add_(self, other, alpha)

    def sub_(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        return _inplace.sub_(self, other, alpha)

    def mul_(self, other: Tensor | _float) -> Tensor:
        return _inplace.mul_(self, other)

    def div_(self, other: Tensor | _float) -> Tensor:
        return _inplace.div_(self, other)

    def pow_(self, exponent: Tensor | _float) -> Tensor:
        return _inplace.pow_(self, exponent)

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: _float = 1) -> Tensor:
        return _inplace.addcmul_(self, tensor1, tensor2, value)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: _float = 1) -> Tensor:
        return _inplace.addcdiv_(self, tensor1, tensor2, value)

    def lerp_(self, end: Tensor, weight: Tensor | _float) -> Tensor:
        return _inplace.lerp_(self, end, weight)

    def clamp_(self, min: Tensor | _float | None = None, max: Tensor | _float | None = None) -> Tensor:
        return _inplace.clamp_(self, min, max)

    def sqrt_(self) -> Tensor:
        return _inplace.unary_(self, "sqrt")

    def exp_(self) -> Tensor:
        return _inplace.unary_(self, "exp")

    def neg_(self) -> Tensor:
        return _inplace.unary_(self, "neg")

    def abs_(self) -> Tensor:
        return _inplace.unary_(self, "abs")

    def relu_(self) -> Tensor:
        return _inplace.unary_(self, "relu")

    def sigmoid_(self) -> Tensor:
        return _inplace.unary_(self, "sigmoid")

    def tanh_(self) -> Tensor:
        return _inplace.unary_(self, "tanh")

    def zero_(self) -> Tensor:
        return _inplace.zero_(self)

    def fill_(self, value: Tensor | _float) -> Tensor:
        return _inplace.fill_(self, value)

    def copy_(self, source: Tensor) -> Tensor:
        return _inplace.copy_(self, source)

    def uniform_(self, a: _float = 0.0, b: _float = 1.0, *, generator: Generator | None = None) -> Tensor:
        return _inplace.random_fill_(self, _random.draw_uniform(self.shape, a, b, generator))

    def normal_(self, mean: _float = 0.0, std: _float = 1.0, *, generator: Generator | None = None) -> Tensor:
        return _inplace.random_fill_(self, _random.draw_normal(self.shape, mean, std, generator))

    def bernoulli_(self, p: _float = 0.5, *, generator: Generator | None = None) -> Tensor:
        return _inplace.random_fill_(self, _random.draw_uniform(self.shape, 0.0, 1.0, generator) < p)


class _RemovableHandle:
    """Returned by ``register_hook``: ``handle.remove()`` takes the hook off again."""

    def __init__(self, hooks: list, entry: Callable[[Tensor], Tensor | None] | tuple[int, Callable]) -> None:
        self._hooks = hooks
        self._entry = entry

    def remove(self) -> None:
        if self._entry in self._hooks:
            self._hooks.remove(self._entry)


def _normalize_dim(dim: int, ndim: int) -> int:
    """A dimension index in ``[0, ndim)``; negative counts from the end. Clear error if out of range."""
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(
            f"dimension {dim} is out of range for a tensor with {ndim} dimension(s) "
            f"(expected a value in [{-size}, {size - 1}])"
        )
    return dim + size if dim < 0 else dim


def is_tensor(value: object) -> bool:
    return isinstance(value, Tensor)


# The operations import Tensor from this module, so they are bound after the class exists.
from . import _random  # noqa: E402
from . import autograd as _autograd  # noqa: E402
from .ops import elementwise as _elementwise  # noqa: E402
from .ops import indexing as _indexing  # noqa: E402
from .ops import inplace as _inplace  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import reductions as _reductions  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from .ops import sorting as _sorting  # noqa: E402
from .ops import special as _special  # noqa: E402
