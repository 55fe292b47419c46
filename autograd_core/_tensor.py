"""``Tensor``: an n-dimensional array that records how it was computed.

A Tensor wraps one ``numpy.ndarray``. When it ``requires_grad``, every operation on it is
recorded: the result's ``grad_fn`` is the graph node of the operation, and
``result.backward()`` sends gradients back through those nodes into the ``.grad`` of the leaf
tensors. The operations themselves live in ``autograd_core/ops/`` (forward and backward side by
side); the methods here only forward to them.
"""

from __future__ import annotations

import weakref

import numpy as np

from . import dtypes


class device:
    """The only device is the CPU; accepted wherever PyTorch takes a device."""

    def __init__(self, type: str = "cpu") -> None:
        self.type = _check_device(type)

    def __eq__(self, other) -> bool:
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

    def __init__(self, data, dtype=None, requires_grad: bool = False, name: str | None = None) -> None:
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
    def data(self, value) -> None:
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

    def item(self):
        if self._data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, this one has shape "
                f"{self._data.shape} ({self._data.size} elements); index it first or use .tolist()"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def size(self, dim: int | None = None):
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

    def __iter__(self):
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

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from ._format import format_tensor

        return format_tensor(self)

    def draw(self, **options):
        """A picture of the graph this tensor was computed from: ``autograd_core.viz.draw_graph``
        with the same options (``color_by``, ``highlight``, ``depth``...)."""
        from .viz import draw_graph

        return draw_graph(self, **options)

    # ------------------------------------------------------------------ autograd
    def backward(
        self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False, inputs=None
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

    def register_hook(self, hook):
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
    def to(self, *args, **kwargs) -> Tensor:
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

    def cuda(self, *args, **kwargs) -> Tensor:
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
    def __add__(self, other):
        return _elementwise._binary(_elementwise.Add, "add", self, other)

    def __radd__(self, other):
        return _elementwise._binary(_elementwise.Add, "add", other, self)

    def __sub__(self, other):
        return _elementwise._binary(_elementwise.Sub, "sub", self, other)

    def __rsub__(self, other):
        return _elementwise._binary(_elementwise.Sub, "sub", other, self)

    def __mul__(self, other):
        return _elementwise._binary(_elementwise.Mul, "mul", self, other)

    def __rmul__(self, other):
        return _elementwise._binary(_elementwise.Mul, "mul", other, self)

    def __truediv__(self, other):
        return _elementwise.div(self, other)

    def __rtruediv__(self, other):
        return _elementwise.div(other, self)

    def __floordiv__(self, other):
        return _elementwise.div(self, other, rounding_mode="floor")

    def __mod__(self, other):
        return _elementwise.remainder(self, other)

    def __rmod__(self, other):
        return _elementwise.remainder(other, self)

    def remainder(self, other):
        return _elementwise.remainder(self, other)

    def __pow__(self, exponent):
        return _elementwise.pow(self, exponent)

    def __rpow__(self, base):
        return _elementwise.pow(_elementwise.as_operand(base, self), self)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def __neg__(self):
        return _elementwise.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _elementwise.abs(self)

    def __invert__(self):
        return _tensor_from_array(~self._data)

    def __and__(self, other):
        return _elementwise.logical_and(self, other)

    def __or__(self, other):
        return _elementwise.logical_or(self, other)

    def __eq__(self, other):
        return _elementwise.eq(self, other)

    def __ne__(self, other):
        return _elementwise.ne(self, other)

    def __lt__(self, other):
        return _elementwise.lt(self, other)

    def __le__(self, other):
        return _elementwise.le(self, other)

    def __gt__(self, other):
        return _elementwise.gt(self, other)

    def __ge__(self, other):
        return _elementwise.ge(self, other)

    # in place, as operators: x += 1 changes x's storage
    def __iadd__(self, other):
        return _inplace.add_(self, other)

    def __isub__(self, other):
        return _inplace.sub_(self, other)

    def __imul__(self, other):
        return _inplace.mul_(self, other)

    def __itruediv__(self, other):
        return _inplace.div_(self, other)

    def __getitem__(self, index):
        return _indexing.getitem(self, index)

    def __setitem__(self, index, value):
        _inplace.setitem(self, index, value)

    # ------------------------------------------------------------ named operations
    def add(self, other, *, alpha=1):
        return _elementwise.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return _elementwise.sub(self, other, alpha=alpha)

    def mul(self, other):
        return _elementwise.mul(self, other)

    def div(self, other, *, rounding_mode=None):
        return _elementwise.div(self, other, rounding_mode=rounding_mode)

    def pow(self, exponent):
        return _elementwise.pow(self, exponent)

    def neg(self):
        return _elementwise.neg(self)

    def exp(self):
        return _elementwise.exp(self)

    def log(self):
        return _elementwise.log(self)

    def log1p(self):
        return _elementwise.log1p(self)

    def log2(self):
        return _elementwise.log2(self)

    def log10(self):
        return _elementwise.log10(self)

    def exp2(self):
        return _elementwise.exp2(self)

    def sqrt(self):
        return _elementwise.sqrt(self)

    def rsqrt(self):
        return _elementwise.rsqrt(self)

    def abs(self):
        return _elementwise.abs(self)

    def sin(self):
        return _elementwise.sin(self)

    def cos(self):
        return _elementwise.cos(self)

    def sinh(self):
        return _elementwise.sinh(self)

    def cosh(self):
        return _elementwise.cosh(self)

    def tanh(self):
        return _elementwise.tanh(self)

    def erf(self):
        return _special.erf(self)

    def erfc(self):
        return _special.erfc(self)

    def sigmoid(self):
        return _elementwise.sigmoid(self)

    def relu(self):
        return _elementwise.Relu.apply(self)

    def clamp(self, min=None, max=None):
        return _elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return _elementwise.maximum(self, other)

    def minimum(self, other):
        return _elementwise.minimum(self, other)

    def where(self, condition, other):
        return _elementwise.where(condition, self, other)

    def sign(self):
        return _elementwise.sign(self)

    def floor(self):
        return _elementwise.floor(self)

    def ceil(self):
        return _elementwise.ceil(self)

    def round(self):
        return _elementwise.round(self)

    def isnan(self):
        return _elementwise.isnan(self)

    def isinf(self):
        return _elementwise.isinf(self)

    def isfinite(self):
        return _elementwise.isfinite(self)

    def eq(self, other):
        return _elementwise.eq(self, other)

    def ne(self, other):
        return _elementwise.ne(self, other)

    def lt(self, other):
        return _elementwise.lt(self, other)

    def le(self, other):
        return _elementwise.le(self, other)

    def gt(self, other):
        return _elementwise.gt(self, other)

    def ge(self, other):
        return _elementwise.ge(self, other)

    def logical_not(self):
        return _elementwise.logical_not(self)

    def allclose(self, other, rtol=1e-5, atol=1e-8):
        return _elementwise.allclose(self, other, rtol, atol)

    def equal(self, other):
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    # reductions
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return _reductions.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return _reductions.mean(self, dim, keepdim, dtype=dtype)

    def prod(self, dim=None, keepdim=False):
        return _reductions.prod(self, dim, keepdim)

    def amax(self, dim=None, keepdim=False):
        return _reductions.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim=False):
        return _reductions.amin(self, dim, keepdim)

    def max(self, dim=None, keepdim=False):
        return _reductions.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _reductions.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _reductions.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _reductions.argmin(self, dim, keepdim)

    def sort(self, dim=-1, descending=False, *, stable=False):
        return _sorting.sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, *, stable=False):
        return _sorting.argsort(self, dim, descending, stable=stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _sorting.topk(self, k, dim, largest, sorted)

    def nonzero(self, *, as_tuple=False):
        return _sorting.nonzero(self, as_tuple=as_tuple)

    def argwhere(self):
        return _sorting.argwhere(self)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _sorting.unique(self, sorted, return_inverse, return_counts, dim)

    def logsumexp(self, dim, keepdim=False):
        return _reductions.logsumexp(self, dim, keepdim)

    def var(self, dim=None, *, correction=1, keepdim=False, unbiased=None):
        return _reductions.var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def std(self, dim=None, *, correction=1, keepdim=False, unbiased=None):
        return _reductions.std(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)

    def softmax(self, dim):
        return _reductions.softmax(self, dim)

    def log_softmax(self, dim):
        return _reductions.log_softmax(self, dim)

    def all(self, dim=None, keepdim=False):
        return _reductions.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _reductions.any(self, dim, keepdim)

    def cumsum(self, dim):
        return _reductions.cumsum(self, dim)

    def norm(self, p=2, dim=None, keepdim=False):
        """The p-norm (Σ|x|^p)^(1/p); p=2 by default."""
        if p == 2:
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == float("inf"):
            return self.abs().amax(dim, keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    # shape
    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
            return self.to(shape[0])
        return _shape.reshape(self, *shape)

    def view_as(self, other):
        return _shape.reshape(self, other.shape)

    def reshape_as(self, other):
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def t(self):
        return _shape.t(self)

    def expand(self, *shape):
        return _shape.expand(self, *shape)

    def expand_as(self, other):
        return _shape.expand(self, other.shape)

    def broadcast_to(self, shape):
        return _shape.broadcast_to(self, shape)

    def sum_to_size(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _shape.sum_to(self, shape)

    def split(self, split_size_or_sections, dim=0):
        return _shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _shape.unbind(self, dim)

    def narrow(self, dim, start, length):
        return _shape.narrow(self, dim, start, length)

    def select(self, dim, index):
        return _shape.select(self, dim, index)

    def flip(self, dims):
        return _shape.flip(self, dims)

    def repeat(self, *sizes):
        return _shape.repeat(self, *sizes)

    def gather(self, dim, index):
        return _indexing.gather(self, dim, index)

    def scatter_add(self, dim, index, src):
        return _indexing.scatter_add(self, dim, index, src)

    def matmul(self, other):
        return _linalg.matmul(self, other)

    def mm(self, other):
        if self.ndim != 2 or getattr(other, "ndim", 2) != 2:
            raise RuntimeError(
                f"mm needs two 2-D tensors, got {tuple(self.shape)} and {tuple(other.shape)}; use matmul"
            )
        return _linalg.matmul(self, other)

    def bmm(self, other):
        if self.ndim != 3 or other.ndim != 3:
            raise RuntimeError(f"bmm needs two 3-D tensors, got {tuple(self.shape)} and {tuple(other.shape)}")
        return _linalg.matmul(self, other)

    def dot(self, other):
        return _linalg.dot(self, other)

    # ------------------------------------------------------------------ in place
    def add_(self, other, *, alpha=1):
        return _inplace.add_(self, other, alpha)

    def sub_(self, other, *, alpha=1):
        return _inplace.sub_(self, other, alpha)

    def mul_(self, other):
        return _inplace.mul_(self, other)

    def div_(self, other):
        return _inplace.div_(self, other)

    def pow_(self, exponent):
        return _inplace.pow_(self, exponent)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return _inplace.addcmul_(self, tensor1, tensor2, value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return _inplace.addcdiv_(self, tensor1, tensor2, value)

    def lerp_(self, end, weight):
        return _inplace.lerp_(self, end, weight)

    def clamp_(self, min=None, max=None):
        return _inplace.clamp_(self, min, max)

    def sqrt_(self):
        return _inplace.unary_(self, "sqrt")

    def exp_(self):
        return _inplace.unary_(self, "exp")

    def neg_(self):
        return _inplace.unary_(self, "neg")

    def abs_(self):
        return _inplace.unary_(self, "abs")

    def relu_(self):
        return _inplace.unary_(self, "relu")

    def sigmoid_(self):
        return _inplace.unary_(self, "sigmoid")

    def tanh_(self):
        return _inplace.unary_(self, "tanh")

    def zero_(self):
        return _inplace.zero_(self)

    def fill_(self, value):
        return _inplace.fill_(self, value)

    def copy_(self, source):
        return _inplace.copy_(self, source)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return _inplace.random_fill_(self, _random.draw_uniform(self.shape, a, b, generator))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return _inplace.random_fill_(self, _random.draw_normal(self.shape, mean, std, generator))

    def bernoulli_(self, p=0.5, *, generator=None):
        return _inplace.random_fill_(self, _random.draw_uniform(self.shape, 0.0, 1.0, generator) < p)


class _RemovableHandle:
    """Returned by ``register_hook``: ``handle.remove()`` takes the hook off again."""

    def __init__(self, hooks: list, entry) -> None:
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


def is_tensor(value) -> bool:
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
