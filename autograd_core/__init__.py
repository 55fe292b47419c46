"""autograd_core: a reverse-mode automatic differentiation engine on NumPy.

PyTorch's names and semantics: ``import autograd_core as torch`` and most tutorials run.

>>> import autograd_core as ag
>>> x = ag.tensor(3.0, requires_grad=True)
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
tensor(8.)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import autograd
from ._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._tensor import Tensor, device, is_tensor
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool_ as bool  # noqa: A001  (PyTorch's name)
from .dtypes import float32, float64, get_default_dtype, int32, int64, promote_types, set_default_dtype
from .dtypes import float32 as float  # noqa: A001
from .dtypes import float64 as double
from .dtypes import int32 as int  # noqa: A001
from .dtypes import int64 as long
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .ops.conv import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d
from .ops.elementwise import (
    abs,
    add,
    allclose,
    ceil,
    clamp,
    clone,
    cos,
    cosh,
    div,
    eq,
    exp,
    exp2,
    floor,
    ge,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    lt,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    relu,
    remainder,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    sub,
    tanh,
    trunc,
    where,
)
from .ops.indexing import gather, scatter_add
from .ops.linalg import dot, matmul, outer
from .ops.pooling import adaptive_avg_pool1d, avg_pool1d, max_pool1d, max_pool2d, max_pool3d
from .ops.reductions import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    cumsum,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    prod,
    softmax,
    std,
    sum,
    var,
)
from .ops.shape import (
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    flatten,
    flip,
    narrow,
    pad,
    permute,
    reshape,
    select,
    split,
    squeeze,
    stack,
    t,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
)
from .ops.sorting import argsort, argwhere, nonzero, sort, topk, unique
from .ops.special import erf, erfc
from .serialization import load, save

if TYPE_CHECKING:
    from types import ModuleType

clip = clamp
concat = cat
concatenate = cat
mm = matmul
bmm = matmul


def numel(input: Tensor) -> int:
    return input.numel()


def set_default_device(device_name: str | device) -> None:
    """Accepted for porting: the CPU is the only device."""
    device(str(device_name))


class cuda:
    """PyTorch's ``torch.cuda`` for porting: there is no GPU here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0


class backends:
    class mps:
        @staticmethod
        def is_available() -> bool:
            return False


_LAZY_SUBMODULES = {
    "nn": "nn",
    "optim": "optim",
    "data": "autograd_core.data",
    "datasets": "autograd_core.datasets",
    "func": "autograd_core.func",
    "linalg": "autograd_core.linalg",
    "viz": "autograd_core.viz",
    "utils": "autograd_core.utils",
}


def __getattr__(name: str) -> ModuleType:
    """``autograd_core.nn`` and ``autograd_core.optim`` resolve to the ``nn`` and ``optim``
    packages on first use, so ``import autograd_core as torch; torch.nn.Linear`` works while
    the packages' imports still point one way (nn -> autograd_core)."""
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(_LAZY_SUBMODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'autograd_core' has no attribute {name!r}")


def _register_package_dirs() -> None:
    """Frames from these folders are library code when we look for the user's line."""
    import os

    from .autograd import function

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    function._PACKAGE_DIRS = tuple(
        os.path.join(root, name) + os.sep for name in ("autograd_core", "nn", "optim")
    )


_register_package_dirs()
