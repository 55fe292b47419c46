"""The Tensor itself: construction, PyTorch's type promotion, porting aliases (dtype names,
devices, conversions), repr, 0-d tensors, attributes, the default dtype and seeding."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag


@pytest.fixture
def default_float64():
    ag.set_default_dtype(ag.float64)
    yield
    ag.set_default_dtype(ag.float32)


# -------------------------------------------------------------------------- construction
def test_tensor_infers_pytorch_dtypes():
    assert ag.tensor([1.0, 2.0]).dtype == ag.float32
    assert ag.tensor([1, 2]).dtype == ag.int64
    assert ag.tensor([True, False]).dtype == ag.bool
    assert ag.tensor(np.array([1.0], dtype=np.float64)).dtype == ag.float64
    assert ag.tensor([1, 2], dtype=ag.float64).dtype == ag.float64
    assert ag.tensor(np.int32(3)).dtype == ag.int32


def test_tensor_copies_and_from_numpy_shares():
    array = np.array([1.0, 2.0])
    copied, shared = ag.tensor(array), ag.from_numpy(array)
    array[0] = 10.0
    assert copied.tolist() == [1.0, 2.0] and shared.tolist() == [10.0, 2.0]
    assert shared.dtype == ag.float64


def test_tensor_from_a_list_of_tensors():
    a, b = ag.tensor(1.5), ag.tensor(2.5)
    assert ag.tensor([a, b]).tolist() == [1.5, 2.5]
    assert ag.tensor([[a], [b]]).shape == (2, 1)


def test_creation_functions():
    assert ag.zeros(2, 3).tolist() == [[0.0] * 3] * 2 and ag.zeros((2, 3)).dtype == ag.float32
    assert ag.ones(2, dtype=ag.int64).tolist() == [1, 1]
    assert ag.full((2,), 7.5).tolist() == [7.5, 7.5]
    like = ag.tensor([[1.0, 2.0]], dtype=ag.float64)
    assert ag.zeros_like(like).dtype == ag.float64 and ag.ones_like(like).tolist() == [[1.0, 1.0]]
    assert ag.full_like(like, 3.0).tolist() == [[3.0, 3.0]]
    assert ag.arange(3).tolist() == [0, 1, 2] and ag.arange(3).dtype == ag.int64
    assert ag.arange(0.0, 1.0, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    np.testing.assert_allclose(ag.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1.0])
    assert ag.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    leaf = ag.zeros(2, requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf


# ------------------------------------------------------------------------ type promotion
@pytest.mark.parametrize(
    "make, dtype",
    [
        (lambda: ag.tensor([1.0, 2.0]) + ag.tensor([1, 2]), ag.float32),
        (lambda: ag.tensor([1.0, 2.0]) * np.array([1, 2]), ag.float32),
        (lambda: np.array([1, 2]) * ag.tensor([1.0, 2.0]), ag.float32),
        (lambda: ag.tensor([1.0, 2.0]) + 1, ag.float32),
        (lambda: ag.tensor([1.0, 2.0]) + 1.5, ag.float32),
        (lambda: 2.5 * ag.tensor([1.0, 2.0], dtype=ag.float64), ag.float64),
        (lambda: ag.tensor([1, 2]) * 1.5, ag.float32),
        (lambda: ag.tensor([1, 2]) * 3, ag.int64),
        (lambda: ag.tensor([1, 2]) / ag.tensor([2, 2]), ag.float32),
        (lambda: ag.tensor([True]) + 1, ag.int64),
        (lambda: ag.tensor([1.0]) + ag.tensor([1.0], dtype=ag.float64), ag.float64),
        (lambda: ag.tensor([1.0]) + ag.tensor(1.0, dtype=ag.float64), ag.float32),
        (lambda: ag.tensor([1]) + ag.tensor(1.5, dtype=ag.float64), ag.float64),
        (lambda: ag.tensor([1.0]) + np.float64(2.0), ag.float32),
        (lambda: ag.tensor([1, 2]).exp(), ag.float32),
    ],
)
def test_type_promotion_follows_pytorch(make, dtype):
    assert make().dtype == dtype


def test_int_tensor_times_float_gives_the_default_dtype(default_float64):
    assert (ag.tensor([1, 2]) * 1.5).dtype == ag.float64
    assert (ag.tensor([1.0], dtype=ag.float32) + 1.5).dtype == ag.float32


def test_type_promotion_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (np.array([1.0, 2.0], dtype=np.float32), np.array([1, 2])),
        (np.array([1, 2]), np.array(1.5)),
        (np.array([1.0], dtype=np.float32), np.array(2.0)),
        (np.array([True]), np.array([2], dtype=np.int32)),
        (np.array([1], dtype=np.int32), np.array(7)),
    ]
    for a, b in cases:
        ours = (ag.from_numpy(a) + ag.from_numpy(b)).dtype
        theirs = (torch.from_numpy(a) + torch.from_numpy(b)).dtype
        assert str(theirs) == f"torch.{ours}", (a, b)


def test_promoted_gradients_come_back_in_each_inputs_dtype():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    (x * y).sum().backward()
    assert x.grad.dtype == ag.float32 and y.grad.dtype == ag.float64
    assert x.grad.tolist() == [3.0, 3.0] and y.grad.item() == 3.0


# ------------------------------------------------------------------------ porting aliases
def test_dtype_aliases():
    assert ag.float is ag.float32 and ag.double is ag.float64 and ag.long is ag.int64
    assert ag.tensor([1], dtype=ag.float).dtype == ag.float32
    assert ag.tensor([1], dtype="double").dtype == ag.float64
    assert ag.tensor([1.7], dtype=ag.long).tolist() == [1]
    assert ag.float32 == np.float32


def test_devices_are_the_cpu():
    assert not ag.cuda.is_available()
    assert ag.device("cpu") == "cpu" and str(ag.device("cpu")) == "cpu"
    ag.set_default_device("cpu")
    x = ag.zeros(2, device="cpu")
    assert x.device == ag.device("cpu") and not x.is_cuda
    assert ag.tensor([1.0], device=ag.device("cpu")).tolist() == [1.0]
    assert x.to("cpu") is x and x.cpu() is x and x.to(ag.device("cpu")) is x
    with pytest.raises(RuntimeError, match=r"device 'cuda' is not available.*CPU only"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match=r"device 'cuda' is not available"):
        ag.zeros(2, device="cuda")


def test_conversions():
    x = ag.tensor([1.5, -2.5], requires_grad=True)
    assert x.double().dtype == ag.float64 and x.double().requires_grad
    assert x.double().float().dtype == ag.float32
    assert x.long().tolist() == [1, -2] and not x.long().requires_grad
    assert x.to(ag.float64).dtype == ag.float64 and x.to(dtype=ag.float32) is x
    assert x.to("cpu", ag.float64).dtype == ag.float64
    (x.double() * 2).sum().backward()
    assert x.grad.dtype == ag.float32 and x.grad.tolist() == [2.0, 2.0]


def test_clone_copies_storage_and_passes_the_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert not np.shares_memory(c.numpy(), x.numpy()) and c.grad_fn.name() == "CloneBackward0"
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_t_and_mm():
    a = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert a.t().shape == (3, 1) and ag.t(a).tolist() == [[1.0], [2.0], [3.0]]
    product = a.mm(a.t())
    assert product.tolist() == [[14.0]]
    product.sum().backward()
    assert a.grad.tolist() == [[2.0, 4.0, 6.0]]
    assert ag.tensor([1.0, 2.0]).t().shape == (2,)


# ---------------------------------------------------------------------------- repr
def test_repr():
    assert repr(ag.tensor([1.0, 2.0, 3.0], requires_grad=True)) == "tensor([1., 2., 3.], requires_grad=True)"
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(ag.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"
    assert repr(ag.tensor(3.0)) == "tensor(3.)"
    assert repr(ag.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ag.tensor([True, False])) == "tensor([ True, False])"
    assert repr(ag.tensor([1.0], dtype=ag.float64)) == "tensor([1.], dtype=float64)"
    assert repr(ag.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_repr_matches_torch_for_common_values():
    torch = pytest.importorskip("torch")
    for values in ([1.5, 2.25], [[1.0, 2.0], [3.0, 4.0]], 3.0, [1e-5, 1.0], [1, 2], 123456789.0, []):
        assert repr(ag.tensor(values)) == repr(torch.tensor(values)), values
    assert repr(ag.tensor([2.0], requires_grad=True) * 3) == repr(torch.tensor([2.0], requires_grad=True) * 3)


def test_repr_shows_float64_only_when_it_is_not_the_default(default_float64):
    assert repr(ag.tensor([1.0])) == "tensor([1.])"
    assert repr(ag.tensor([1.0], dtype=ag.float32)) == "tensor([1.], dtype=float32)"


# ------------------------------------------------------------------------------- 0-d
def test_scalar_neuron_builds_differentiates_and_prints():
    """The lectures' neuron, o = tanh(x1·w1 + x2·w2 + b), with 0-d tensors (micrograd's numbers)."""
    x1, x2 = ag.tensor(2.0, requires_grad=True), ag.tensor(0.0, requires_grad=True)
    w1, w2 = ag.tensor(-3.0, requires_grad=True), ag.tensor(1.0, requires_grad=True)
    b = ag.tensor(6.8813735870195432, requires_grad=True)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    assert o.shape == () and o.ndim == 0
    assert o.item() == pytest.approx(0.7071, abs=1e-4)
    assert repr(o) == "tensor(0.7071, grad_fn=<TanhBackward0>)"
    assert x1.grad.item() == pytest.approx(-1.5, abs=1e-4)
    assert w1.grad.item() == pytest.approx(1.0, abs=1e-4)
    assert x2.grad.item() == pytest.approx(0.5, abs=1e-4)
    assert w2.grad.item() == 0.0
    assert b.grad.shape == () and b.grad.item() == pytest.approx(0.5, abs=1e-4)


def test_zero_d_tensor_behaves_like_a_number():
    x = ag.tensor(2.5)
    assert float(x) == 2.5 and int(x) == 2 and x.item() == 2.5 and x.tolist() == 2.5
    assert bool(ag.tensor(1.0)) and x.numel() == 1 and x.size() == ()
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor"):
        len(x)


# ------------------------------------------------------------------------- attributes
def test_attributes():
    array = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    x = ag.tensor(array, requires_grad=True)
    assert isinstance(x.numpy(), np.ndarray) and np.shares_memory(x.numpy(), x.numpy())
    np.testing.assert_array_equal(x.numpy(), array)
    assert x.tolist() == array.tolist()
    assert x.shape == (2, 3) and x.ndim == 2 and x.dim() == 2 and x.dtype == ag.float32
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-2) == 2
    assert x.numel() == 6 and len(x) == 2
    assert x.T.shape == (3, 2) and x.T.tolist() == array.T.tolist()
    assert x.requires_grad and x.grad is None and x.grad_fn is None and x.is_leaf
    assert x[0, 1].item() == 1.0
    y = x * 2
    assert not y.is_leaf and y.grad_fn.name() == "MulBackward0"
    assert x.name is None
    x.name = "weights"
    assert x.name == "weights"
    assert ag.tensor([1.0]).is_floating_point() and not ag.tensor([1]).is_floating_point()


def test_data_is_a_detached_tensor_sharing_storage():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), x.numpy())
    d.mul_(3.0)
    assert x.tolist() == [3.0, 6.0]
    x.data = ag.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0] and x.requires_grad


def test_iteration_yields_rows():
    rows = list(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [row.tolist() for row in rows] == [[1.0, 2.0], [3.0, 4.0]]


# ------------------------------------------------------------------- default dtype, seeds
def test_set_default_dtype(default_float64):
    assert ag.get_default_dtype() == ag.float64
    assert ag.tensor([1.0]).dtype == ag.float64
    assert ag.zeros(2).dtype == ag.float64 and ag.randn(2).dtype == ag.float64
    assert ag.tensor([1]).dtype == ag.int64


def test_set_default_dtype_refuses_integers():
    with pytest.raises(TypeError, match="needs a floating dtype"):
        ag.set_default_dtype(ag.int64)


def test_manual_seed_makes_draws_reproducible():
    def draws():
        return [
            ag.randn(3).numpy().copy(),
            ag.rand(2, 2).numpy().copy(),
            ag.randint(0, 10, (4,)).numpy().copy(),
            ag.randperm(5).numpy().copy(),
            ag.zeros(3).normal_().numpy().copy(),
            ag.zeros(3).uniform_(-1, 1).numpy().copy(),
        ]

    ag.manual_seed(1234)
    first = draws()
    ag.manual_seed(1234)
    second = draws()
    ag.manual_seed(4321)
    third = draws()
    for a, b, c in zip(first, second, third):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c) or a.size < 3
    assert sorted(first[3].tolist()) == [0, 1, 2, 3, 4]
    assert all(0 <= v < 10 for v in first[2].tolist())
    assert np.all((first[5] >= -1) & (first[5] < 1))
