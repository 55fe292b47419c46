"""autograd_core.data: datasets, samplers, collation, DataLoader, random_split."""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    random_split,
)


def make_dataset(n=10, features=3):
    X = ag.tensor(np.arange(n * features, dtype=np.float32).reshape(n, features))
    y = ag.arange(n)
    return TensorDataset(X, y)


def rows_of(batches):
    """The sample ids (the label column) of a pass, in the order they were served."""
    return np.concatenate([yb.numpy() for _, yb in batches]).tolist()


class ListDataset(Dataset):
    """A map-style dataset over a Python list: every sample goes through __getitem__."""

    def __init__(self, items):
        self.items = items

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self):
        return len(self.items)


# ---------------------------------------------------------------------------- datasets
def test_tensor_dataset_rows_and_length():
    ds = make_dataset(6, 2)
    x3, y3 = ds[3]
    assert len(ds) == 6
    assert x3.tolist() == [6.0, 7.0]
    assert y3.item() == 3
    assert [t.tolist() for t in ds[1:3]] == [[[2.0, 3.0], [4.0, 5.0]], [1, 2]]


def test_tensor_dataset_rejects_mismatched_first_dimensions():
    with pytest.raises(ValueError, match=r"same first dimension.*\(5, 2\), \(4,\)"):
        TensorDataset(ag.zeros(5, 2), ag.zeros(4))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()


def test_tensor_dataset_accepts_numpy_arrays():
    ds = TensorDataset(np.ones((4, 2)), np.arange(4))
    x, y = ds[2]
    assert isinstance(x, ag.Tensor) and x.dtype == ag.float64
    assert y.item() == 2


def test_subset_maps_indices():
    ds = make_dataset(10, 1)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3
    assert sub[0][1].item() == 7
    assert sub[2][1].item() == 5


def test_dataset_base_class_asks_for_getitem():
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        Dataset()[0]


# ---------------------------------------------------------------------------- batching
def test_batches_in_order_with_shapes_and_dtypes():
    loader = DataLoader(make_dataset(10, 3), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3
    assert [tuple(xb.shape) for xb, _ in batches] == [(4, 3), (4, 3), (2, 3)]
    assert all(xb.dtype == ag.float32 and yb.dtype == ag.int64 for xb, yb in batches)
    assert rows_of(batches) == list(range(10))
    assert batches[1][0].numpy()[0].tolist() == [12.0, 13.0, 14.0]


def test_default_batch_size_is_one():
    loader = DataLoader(make_dataset(3, 2))
    batches = list(loader)
    assert len(loader) == 3
    assert [tuple(xb.shape) for xb, _ in batches] == [(1, 2)] * 3


def test_drop_last_skips_the_short_batch():
    loader = DataLoader(make_dataset(10), batch_size=4, drop_last=True)
    batches = list(loader)
    assert len(loader) == 2
    assert [len(yb) for _, yb in batches] == [4, 4]
    assert rows_of(batches) == list(range(8))


def test_shuffle_is_a_permutation_and_reshuffles_every_pass():
    ag.manual_seed(0)
    loader = DataLoader(make_dataset(50), batch_size=8, shuffle=True)
    first, second = rows_of(loader), rows_of(loader)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first != list(range(50))
    assert first != second


def test_manual_seed_makes_shuffles_reproducible():
    loader = DataLoader(make_dataset(30), batch_size=7, shuffle=True)
    ag.manual_seed(123)
    run_a = [rows_of(loader), rows_of(loader)]
    ag.manual_seed(123)
    run_b = [rows_of(loader), rows_of(loader)]
    ag.manual_seed(124)
    run_c = [rows_of(loader), rows_of(loader)]
    assert run_a == run_b
    assert run_a != run_c


def test_generator_argument_is_independent_of_the_global_seed():
    def order(global_seed):
        ag.manual_seed(global_seed)
        generator = ag.Generator().manual_seed(7)
        return rows_of(DataLoader(make_dataset(20), batch_size=5, shuffle=True, generator=generator))

    assert order(1) == order(2)


def test_fast_path_matches_item_by_item_collation():
    ds = make_dataset(23, 4)
    fast = DataLoader(ds, batch_size=5, shuffle=True, generator=ag.Generator().manual_seed(3))
    slow = DataLoader(
        ds,
        batch_size=5,
        shuffle=True,
        generator=ag.Generator().manual_seed(3),
        collate_fn=lambda batch: default_collate(batch),
    )
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
        assert xf.dtype == xs.dtype and yf.dtype == ys.dtype


def test_tensor_dataset_batches_come_from_one_gather_not_per_item(monkeypatch):
    def per_item(self, index):
        raise AssertionError("the loader indexed the dataset sample by sample")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_item)
    ds = make_dataset(12)
    train, _ = random_split(ds, [9, 3], generator=ag.Generator().manual_seed(0))
    batches = list(DataLoader(train, batch_size=4, shuffle=True))
    assert sorted(rows_of(batches)) == sorted(train.indices)
    assert [len(yb) for _, yb in batches] == [4, 4, 1]


def test_subsets_of_subsets_map_to_the_right_rows():
    ds = make_dataset(10, 2)
    inner = Subset(ds, [9, 8, 7, 6, 5])
    outer = Subset(inner, [4, 0, 2])
    (xb, yb), *_ = DataLoader(outer, batch_size=3)
    assert yb.tolist() == [5, 9, 7]
    np.testing.assert_array_equal(xb.numpy(), ds.tensors[0].numpy()[[5, 9, 7]])


def test_batches_of_a_tensor_that_requires_grad_stay_in_the_graph():
    X = ag.randn(6, 2, requires_grad=True)
    loader = DataLoader(TensorDataset(X, ag.arange(6)), batch_size=4)
    xb, _ = next(iter(loader))
    (xb * 3).sum().backward()
    np.testing.assert_array_equal(X.grad.numpy(), [[3, 3]] * 4 + [[0, 0]] * 2)


def test_custom_dataset_through_the_general_path():
    items = [(np.full(3, i, dtype=np.float64), i % 2) for i in range(7)]
    batches = list(DataLoader(ListDataset(items), batch_size=3))
    xb, yb = batches[0]
    assert isinstance(xb, ag.Tensor) and xb.dtype == ag.float64 and xb.shape == (3, 3)
    assert yb.dtype == ag.int64 and yb.tolist() == [0, 1, 0]
    assert [tuple(b[0].shape) for b in batches] == [(3, 3), (3, 3), (1, 3)]


def test_batch_size_none_yields_single_converted_samples():
    items = [{"x": np.ones(2) * i, "k": i} for i in range(3)]
    samples = list(DataLoader(ListDataset(items), batch_size=None))
    assert len(samples) == 3
    assert isinstance(samples[2]["x"], ag.Tensor) and samples[2]["x"].tolist() == [2.0, 2.0]
    assert samples[2]["k"] == 2


def test_custom_collate_fn_receives_the_list_of_samples():
    seen = []

    def collate(batch):
        seen.append(len(batch))
        return sum(int(y) for _, y in batch)

    sums = list(DataLoader(make_dataset(7), batch_size=3, collate_fn=collate))
    assert sums == [0 + 1 + 2, 3 + 4 + 5, 6]
    assert seen == [3, 3, 1]


def test_sampler_and_batch_sampler_arguments():
    ds = make_dataset(10)
    sampler = SubsetRandomSampler([1, 3, 5, 7], generator=ag.Generator().manual_seed(0))
    assert sorted(rows_of(DataLoader(ds, batch_size=3, sampler=sampler))) == [1, 3, 5, 7]
    batch_sampler = BatchSampler(SequentialSampler(range(10)), batch_size=4, drop_last=False)
    assert list(batch_sampler) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    loader = DataLoader(ds, batch_sampler=batch_sampler)
    assert len(loader) == 3
    assert rows_of(loader) == list(range(10))


def test_random_sampler_with_replacement_draws_num_samples():
    sampler = RandomSampler(
        range(5), replacement=True, num_samples=40, generator=ag.Generator().manual_seed(1)
    )
    drawn = list(sampler)
    assert len(sampler) == 40 and len(drawn) == 40
    assert set(drawn) <= set(range(5)) and len(set(drawn)) > 1


def test_random_sampler_more_samples_than_data_without_replacement_repeats_whole_passes():
    drawn = list(RandomSampler(range(4), num_samples=10, generator=ag.Generator().manual_seed(2)))
    assert sorted(drawn[:4]) == sorted(drawn[4:8]) == [0, 1, 2, 3]
    assert len(drawn) == 10


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 40),
    batch_size=st.integers(1, 12),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
)
def test_loader_covers_each_sample_once_per_pass(n, batch_size, drop_last, shuffle):
    loader = DataLoader(make_dataset(n, 1), batch_size=batch_size, drop_last=drop_last, shuffle=shuffle)
    batches = list(loader)
    assert len(batches) == len(loader) == (n // batch_size if drop_last else -(-n // batch_size))
    assert all(len(yb) == batch_size for _, yb in batches[: n // batch_size])
    served = rows_of(batches) if batches else []
    assert len(set(served)) == len(served) == (n - n % batch_size if drop_last else n)
    assert set(served) <= set(range(n))


# ---------------------------------------------------------------------------- argument errors
def test_argument_errors():
    ds = make_dataset(4)
    with pytest.raises(
        ValueError, match="batch_size should be a positive integer value, but got batch_size=0"
    ):
        DataLoader(ds, batch_size=0)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=BatchSampler(SequentialSampler(ds), 2, False))
    with pytest.raises(ValueError, match="num_samples should be a positive integer.*num_samples=0"):
        DataLoader(TensorDataset(ag.zeros(0, 2)), shuffle=True)
    with pytest.raises(TypeError, match="map-style dataset with __len__ and __getitem__"):
        DataLoader(iter(range(3)))


# ---------------------------------------------------------------------------- collation
def test_collate_numbers_strings_and_numpy_scalars():
    assert default_collate([1, 2, 3]).dtype == ag.int64
    floats = default_collate([0.5, 1.5])
    assert floats.dtype == ag.float64 and floats.tolist() == [0.5, 1.5]
    assert default_collate([True, False]).dtype == ag.bool
    assert default_collate(["a", "b"]) == ["a", "b"]
    scalars = default_collate([np.float32(1.0), np.float32(2.0)])
    assert scalars.dtype == ag.float32 and scalars.tolist() == [1.0, 2.0]


def test_collate_dict_samples_key_by_key():
    batch = default_collate(
        [
            {"image": np.zeros((2, 2), dtype=np.float32), "label": 3, "name": "a"},
            {"image": np.ones((2, 2), dtype=np.float32), "label": 5, "name": "b"},
        ]
    )
    assert set(batch) == {"image", "label", "name"}
    assert batch["image"].shape == (2, 2, 2) and batch["image"].dtype == ag.float32
    assert batch["image"].numpy()[1].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert batch["label"].tolist() == [3, 5] and batch["label"].dtype == ag.int64
    assert batch["name"] == ["a", "b"]
    ordered = default_collate([OrderedDict(a=1.0), OrderedDict(a=2.0)])
    assert isinstance(ordered, OrderedDict) and ordered["a"].tolist() == [1.0, 2.0]


def test_collate_tuples_lists_and_namedtuples():
    tuples = default_collate([(ag.tensor([1.0, 2.0]), 0.5), (ag.tensor([3.0, 4.0]), 1.5)])
    assert isinstance(tuples, list) and len(tuples) == 2
    assert tuples[0].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert tuples[1].dtype == ag.float64
    nested = default_collate([[1, [2.0, "x"]], [3, [4.0, "y"]]])
    assert nested[0].tolist() == [1, 3] and nested[1][0].tolist() == [2.0, 4.0] and nested[1][1] == ["x", "y"]
    Point = namedtuple("Point", "x y")
    points = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(points, Point) and points.x.tolist() == [1, 3] and points.y.tolist() == [2.0, 4.0]


def test_collate_errors_say_what_to_do():
    with pytest.raises(RuntimeError, match=r"different shapes \[\(2,\), \(3,\)\].*collate_fn that pads"):
        default_collate([ag.zeros(2), ag.zeros(3)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="batch must contain tensors.*found object"):
        default_collate([object(), object()])


def test_collate_matches_pytorch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    samples = [
        {"x": np.arange(3, dtype=np.float32) + i, "y": i, "w": 0.5 * i, "pair": (i, float(i))}
        for i in range(4)
    ]
    ours, theirs = default_collate(samples), torch_collate(samples)
    for key in ("x", "y", "w"):
        np.testing.assert_array_equal(ours[key].numpy(), theirs[key].numpy())
        assert str(ours[key].dtype) == str(theirs[key].dtype).replace("torch.", "")
    assert isinstance(theirs["pair"], list) and isinstance(ours["pair"], list)
    for mine, reference in zip(ours["pair"], theirs["pair"], strict=True):
        np.testing.assert_array_equal(mine.numpy(), reference.numpy())
    assert torch.is_tensor(theirs["x"])


# ---------------------------------------------------------------------------- random_split
def test_random_split_lengths_are_disjoint_and_cover():
    ds = make_dataset(20)
    parts = random_split(ds, [12, 5, 3], generator=ag.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [12, 5, 3]
    all_indices = [i for p in parts for i in p.indices]
    assert sorted(all_indices) == list(range(20))
    assert all(p.dataset is ds for p in parts)
    assert [p[0][1].item() for p in parts] == [p.indices[0] for p in parts]


def test_random_split_fractions_share_the_remainder_like_pytorch():
    parts = random_split(range(10), [0.33, 0.33, 0.34], generator=ag.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [4, 3, 3]
    assert [len(p) for p in random_split(range(7), [0.5, 0.5])] == [4, 3]


def test_random_split_fraction_lengths_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    for n, fractions in [(10, [0.33, 0.33, 0.34]), (101, [0.8, 0.1, 0.1]), (7, [0.5, 0.5]), (5, [0.2] * 5)]:
        theirs = torch.utils.data.random_split(range(n), fractions)
        assert [len(p) for p in random_split(range(n), fractions)] == [len(p) for p in theirs]


def test_random_split_is_reproducible_with_the_global_seed():
    ag.manual_seed(5)
    first = [p.indices for p in random_split(range(15), [10, 5])]
    ag.manual_seed(5)
    again = [p.indices for p in random_split(range(15), [10, 5])]
    assert first == again


def test_random_split_rejects_lengths_that_do_not_add_up():
    with pytest.raises(ValueError, match=r"add up to 9, but the dataset has 10 samples"):
        random_split(range(10), [5, 4])
    with pytest.raises(ValueError, match="non-negative integers"):
        random_split(range(10), [12, -2])


# ---------------------------------------------------------------------------- porting names
def test_reachable_as_autograd_core_data_and_utils_data():
    from autograd_core.utils.data import DataLoader as PortedLoader

    assert ag.data.DataLoader is DataLoader is PortedLoader
    assert ag.utils.data.TensorDataset is TensorDataset
    assert ag.utils.data.random_split is random_split


def test_data_modules_do_not_import_nn_or_optim():
    import subprocess
    import sys

    code = (
        "import sys, autograd_core, autograd_core.data, autograd_core.datasets, autograd_core.utils.data\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nn', 'optim')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert ag.datasets.make_moons.__module__ == "autograd_core.datasets"
