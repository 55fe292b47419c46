"""Shape operations: reshape view flatten squeeze unsqueeze transpose permute expand
broadcast_to, cat stack split chunk unbind narrow select pad flip repeat."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import OpCase, float_arrays, op_tests, shapes


def _divisors(n: int) -> list:
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def reshape_inputs(draw):
    """An array and another shape with as many elements (maybe with one -1)."""
    shape = draw(shapes())
    remaining, target = int(np.prod(shape)), []
    while remaining > 1 or (len(target) < 4 and draw(st.booleans())):
        size = draw(st.sampled_from(_divisors(remaining)))
        target.append(size)
        remaining //= size
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return [draw(float_arrays(shape))], {"shape": tuple(target)}


@st.composite
def one_array(draw, min_dims=0, **params):
    """An array and parameters drawn from functions of its shape."""
    shape = draw(shapes(min_dims=min_dims))
    drawn = {name: draw(strategy(shape)) for name, strategy in params.items()}
    return [draw(float_arrays(shape))], drawn


def _dim(shape, extra=0):
    ndim = len(shape) + extra
    return st.integers(-ndim, ndim - 1) if ndim else st.just(0)


def _expanded_shape(shape):
    """A shape ``shape`` broadcasts to: sizes of 1 grow, leading dimensions are added, -1 keeps."""
    grown = st.tuples(*(st.integers(1, 3) if s == 1 else st.sampled_from([s, -1]) for s in shape))
    return st.tuples(st.lists(st.integers(1, 3), max_size=2), grown).map(lambda p: tuple(p[0]) + p[1])


def _resolved(shape, target):
    """``target`` with each -1 replaced by the size it keeps."""
    lead = len(target) - len(shape)
    return tuple(shape[i - lead] if s == -1 else s for i, s in enumerate(target))


def _numpy_expand(a, shape):
    return np.broadcast_to(a, _resolved(a.shape, shape))


@st.composite
def several_arrays(draw, same_shape: bool):
    """1-3 arrays for cat (sizes may differ along ``dim``) or stack (all alike)."""
    shape = draw(shapes(min_dims=1))
    ndim = len(shape)
    dim = draw(st.integers(-(ndim + same_shape), ndim - 1 + same_shape))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        piece = list(shape)
        if not same_shape:
            piece[dim] = draw(st.integers(1, 3))
        arrays.append(draw(float_arrays(tuple(piece))))
    return arrays, {"dim": dim}


@st.composite
def split_inputs(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(_dim(shape))
    length = shape[dim]
    sections = []
    while sum(sections) < length:
        sections.append(draw(st.integers(1, length - sum(sections))))
    size = draw(st.sampled_from([draw(st.integers(1, length + 1)), sections]))
    return [draw(float_arrays(shape))], {"split_size_or_sections": size, "dim": dim}


@st.composite
def pad_inputs(draw):
    shape = draw(shapes(min_dims=1))
    widths = draw(st.lists(st.integers(0, 2), min_size=1, max_size=len(shape)).map(tuple))
    if len(widths) % 2:
        widths = widths + (draw(st.integers(0, 2)),)
    widths = widths[: 2 * len(shape)]
    value = draw(st.sampled_from([0.0, -1.5]))
    return [draw(float_arrays(shape))], {"pad": widths, "value": value}


def _numpy_pad(a, pad, value):
    widths = [(0, 0)] * a.ndim
    for i in range(len(pad) // 2):
        widths[a.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return np.pad(a, widths, constant_values=value)


def _torch_pad(a, pad, value):
    import torch

    return torch.nn.functional.pad(a, pad, value=value)


def _numpy_repeat(a, sizes):
    return np.tile(a.reshape((1,) * (len(sizes) - a.ndim) + a.shape), sizes)


def _numpy_split(a, split_size_or_sections, dim):
    length = a.shape[dim]
    if isinstance(split_size_or_sections, int):
        bounds = list(range(split_size_or_sections, length, split_size_or_sections))
    else:
        bounds = list(np.cumsum(split_size_or_sections)[:-1])
    return tuple(np.split(a, bounds, axis=dim))


def _numpy_chunk(a, chunks, dim):
    size = -(-a.shape[dim] // chunks)
    return _numpy_split(a, size, dim)


def _flatten_reference(a, start_dim, end_dim):
    if a.ndim == 0:
        return a.reshape(1)
    start, end = start_dim % a.ndim, end_dim % a.ndim
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1 :]) if start <= end else a


def _squeeze_reference(a, dim):
    if dim is None:
        return np.squeeze(a)
    return np.squeeze(a, axis=dim % a.ndim) if a.ndim and a.shape[dim] == 1 else a


_permutations = st.permutations


CASES = [
    OpCase(
        "reshape",
        lambda a, shape: a.reshape(shape),
        lambda a, shape: a.reshape(shape),
        reshape_inputs(),
        torch=True,
    ),
    OpCase(
        "reshape_varargs",
        lambda a, shape: ag.reshape(a, shape) if not shape else a.reshape(*shape),
        lambda a, shape: a.reshape(shape),
        reshape_inputs(),
    ),
    OpCase(
        "view",
        lambda a, shape: a.view(shape),
        lambda a, shape: a.reshape(shape),
        reshape_inputs(),
        torch=True,
    ),
    OpCase(
        "flatten",
        lambda a, start_dim, end_dim: a.flatten(start_dim, end_dim),
        _flatten_reference,
        one_array(
            min_dims=1,
            start_dim=lambda s: st.integers(0, len(s) - 1),
            end_dim=lambda s: st.integers(-1, len(s) - 1),
        ).filter(lambda d: d[1]["start_dim"] <= d[1]["end_dim"] % d[0][0].ndim),
        torch=True,
    ),
    OpCase(
        "squeeze",
        lambda a, dim: a.squeeze(dim),
        _squeeze_reference,
        one_array(dim=lambda s: st.none() | _dim(s) if s else st.none()),
        torch=lambda a, dim: a.squeeze() if dim is None else a.squeeze(dim),
    ),
    OpCase(
        "unsqueeze",
        lambda a, dim: ag.unsqueeze(a, dim),
        lambda a, dim: np.expand_dims(a, dim % (a.ndim + 1)),
        one_array(dim=lambda s: _dim(s, extra=1)),
        torch=lambda a, dim: a.unsqueeze(dim),
    ),
    OpCase(
        "transpose",
        lambda a, dim0, dim1: a.transpose(dim0, dim1),
        lambda a, dim0, dim1: np.swapaxes(a, dim0, dim1),
        one_array(min_dims=1, dim0=_dim, dim1=_dim),
        torch=True,
    ),
    OpCase(
        "permute",
        lambda a, dims: a.permute(dims),
        lambda a, dims: np.transpose(a, dims),
        one_array(dims=lambda s: _permutations(range(len(s))).map(tuple)),
        torch=True,
    ),
    OpCase(
        "permute_function",
        lambda a, dims: ag.permute(a, dims),
        lambda a, dims: np.transpose(a, dims),
        one_array(dims=lambda s: _permutations(range(len(s))).map(tuple)),
    ),
    OpCase(
        "T",
        lambda a: a.T,
        lambda a: a.T,
        one_array(),
        torch=lambda a: a.permute(tuple(range(a.ndim - 1, -1, -1))),
    ),
    OpCase("mT", lambda a: a.mT, lambda a: np.swapaxes(a, -1, -2), one_array(min_dims=2), torch=True),
    OpCase("t", lambda a: a.t(), lambda a: a.T, one_array().filter(lambda d: d[0][0].ndim <= 2), torch=True),
    OpCase(
        "expand",
        lambda a, shape: a.expand(shape),
        _numpy_expand,
        one_array(shape=_expanded_shape),
        torch=True,
    ),
    OpCase(
        "expand_varargs",
        lambda a, shape: a.expand(*shape) if shape else a,
        _numpy_expand,
        one_array(shape=_expanded_shape),
    ),
    OpCase(
        "broadcast_to",
        lambda a, shape: ag.broadcast_to(a, shape),
        np.broadcast_to,
        one_array(shape=lambda s: _expanded_shape(s).map(lambda target: _resolved(s, target))),
        torch=lambda a, shape: a.broadcast_to(shape),
    ),
    OpCase(
        "cat",
        lambda *arrays, dim: ag.cat(arrays, dim),
        lambda *arrays, dim: np.concatenate(arrays, axis=dim),
        several_arrays(same_shape=False),
    ),
    OpCase(
        "stack",
        lambda *arrays, dim: ag.stack(list(arrays), dim=dim),
        lambda *arrays, dim: np.stack(arrays, axis=dim),
        several_arrays(same_shape=True),
    ),
    OpCase(
        "split",
        lambda a, split_size_or_sections, dim: a.split(split_size_or_sections, dim),
        _numpy_split,
        split_inputs(),
        torch=True,
    ),
    OpCase(
        "chunk",
        lambda a, chunks, dim: ag.chunk(a, chunks, dim),
        _numpy_chunk,
        one_array(min_dims=1, chunks=lambda s: st.integers(1, 4), dim=_dim),
        torch=lambda a, chunks, dim: a.chunk(chunks, dim),
    ),
    OpCase(
        "unbind",
        lambda a, dim: a.unbind(dim),
        lambda a, dim: tuple(np.moveaxis(a, dim, 0)),
        one_array(min_dims=1, dim=_dim),
        torch=True,
    ),
    OpCase(
        "narrow",
        lambda a, dim, start: a.narrow(dim, start, 1),
        lambda a, dim, start: np.take(a, [start], axis=dim),
        one_array(min_dims=1, dim=_dim).flatmap(
            lambda d: st.integers(0, d[0][0].shape[d[1]["dim"]] - 1).map(
                lambda s: (d[0], {**d[1], "start": s})
            )
        ),
        torch=True,
    ),
    OpCase(
        "select",
        lambda a, dim, index: a.select(dim, index),
        lambda a, dim, index: np.take(a, index, axis=dim),
        one_array(min_dims=1, dim=_dim).flatmap(
            lambda d: st.integers(-d[0][0].shape[d[1]["dim"]], d[0][0].shape[d[1]["dim"]] - 1).map(
                lambda i: (d[0], {**d[1], "index": i})
            )
        ),
        torch=True,
    ),
    OpCase(
        "pad", lambda a, pad, value: ag.pad(a, pad, value=value), _numpy_pad, pad_inputs(), torch=_torch_pad
    ),
    OpCase(
        "flip",
        lambda a, dims: a.flip(dims),
        lambda a, dims: np.flip(a, dims),
        one_array(
            min_dims=1,
            dims=lambda s: st.lists(st.integers(0, len(s) - 1), min_size=1, unique=True).map(tuple),
        ),
        torch=True,
    ),
    OpCase(
        "flip_function",
        lambda a, dim: ag.flip(a, dim),
        lambda a, dim: np.flip(a, dim),
        one_array(min_dims=1, dim=_dim),
    ),
    OpCase(
        "repeat",
        lambda a, sizes: a.repeat(*sizes),
        _numpy_repeat,
        one_array(
            sizes=lambda s: st.lists(st.integers(1, 3), min_size=len(s), max_size=len(s) + 1).map(tuple)
        ).filter(lambda d: len(d[1]["sizes"]) > 0),
        torch=True,
    ),
]

test_forward_and_gradient, test_second_order, test_against_torch = op_tests(CASES)


def test_cat_and_stack_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(2, k, 3)) for k in (1, 2, 3)]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    weights = rng.normal(size=(2, 6, 3))
    (ag.cat(ours, 1) * ag.tensor(weights)).sum().backward()
    (torch.cat(theirs, 1) * torch.tensor(weights)).sum().backward()
    for leaf, torch_leaf in zip(ours, theirs):
        np.testing.assert_array_equal(leaf.grad.numpy(), torch_leaf.grad.numpy())
    same = [ag.tensor(arrays[0], requires_grad=True) for _ in range(3)]
    torch_same = [torch.tensor(arrays[0], requires_grad=True) for _ in range(3)]
    stacked_weights = rng.normal(size=(2, 1, 3, 3))
    (ag.stack(same, -1) * ag.tensor(stacked_weights)).sum().backward()
    (torch.stack(torch_same, -1) * torch.tensor(stacked_weights)).sum().backward()
    for leaf, torch_leaf in zip(same, torch_same):
        np.testing.assert_array_equal(leaf.grad.numpy(), torch_leaf.grad.numpy())


def test_views_share_storage_and_version_with_their_base():
    base = ag.zeros(2, 3)
    for view in (base.reshape(3, 2), base.T, base.view(6), base[0], base.unsqueeze(0)):
        version = base._version
        view.add_(1.0)
        assert base._version == version + 1 and view._version == base._version
    np.testing.assert_array_equal(base.numpy(), np.full((2, 3), 4.0) + np.array([[1.0], [0.0]]))


def test_shape_errors_name_the_shapes():
    x = ag.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"shape \(4, 2\) is invalid for a tensor of shape \(2, 3\)"):
        x.reshape(4, 2)
    with pytest.raises(RuntimeError, match=r"\(2, 3\) cannot be expanded to \(2, 4\)"):
        x.expand(2, 4)
    with pytest.raises(
        RuntimeError, match=r"cat: all tensors must have the same shape except in dimension 0"
    ):
        ag.cat([x, ag.zeros(2, 4)])
    with pytest.raises(RuntimeError, match=r"stack: all tensors must have the same shape"):
        ag.stack([x, ag.zeros(3, 2)])
    with pytest.raises(IndexError, match=r"dimension 2 is out of range .* \[-2, 1\]"):
        x.sum(2)


def test_shape_errors_say_what_to_do():
    x = ag.zeros(2, 3)
    with pytest.raises(RuntimeError, match=r"holds 8 elements\. The sizes must multiply to 6; use -1"):
        x.reshape(4, 2)
    with pytest.raises(RuntimeError, match=r"known sizes multiply to 4, which does not divide 6"):
        x.reshape(4, -1)
    with pytest.raises(RuntimeError, match=r"only one dimension can be -1.*give the other sizes explicitly"):
        x.reshape(-1, -1)
    with pytest.raises(RuntimeError, match=r"concatenate along the dimension where they differ"):
        ag.cat([x, ag.zeros(2, 4)])
    with pytest.raises(RuntimeError, match=r"use cat to join tensors of different lengths"):
        ag.stack([x, ag.zeros(2, 4)])
    with pytest.raises(RuntimeError, match=r"do not add up to the dimension's length 3; list sizes"):
        x.split([1, 1], dim=1)
    with pytest.raises(RuntimeError, match=r"name each dimension exactly once"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match=r"crop with slicing or narrow instead"):
        ag.pad(x, (-1, 0))
    with pytest.raises(ValueError, match=r"names a dimension twice; list each dimension once"):
        x.sum((0, -2))
    with pytest.raises(RuntimeError, match=r"check that the tensor has elements before reducing it"):
        ag.zeros(0).amax()
    with pytest.raises(TypeError, match=r"convert it with \.long\(\)"):
        x.gather(0, ag.zeros(2, 3))
