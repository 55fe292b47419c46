"""Datasets and mini-batches: PyTorch's ``torch.utils.data``.

A *dataset* answers ``len(dataset)`` and ``dataset[i]`` (one sample). A ``DataLoader`` draws
indices (in order, or shuffled with the library's seeded generator), groups them into batches of
``batch_size`` and turns each group of samples into one batch with ``collate_fn``: tensors are
stacked along a new first dimension, numbers become a tensor, and tuples, lists and dicts are
collated field by field.

>>> import autograd_core as ag
>>> X, y = ag.randn(10, 3), ag.arange(10)
>>> loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True)
>>> [tuple(xb.shape) for xb, yb in loader]
[(4, 3), (4, 3), (2, 3)]

Batches from a ``TensorDataset`` (or a ``Subset`` of one, as ``random_split`` makes) are cut
with one gather per tensor and batch instead of one ``dataset[i]`` per sample.
"""

from __future__ import annotations

import collections.abc
import copy
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import _random
from ._random import Generator
from ._tensor import Tensor, _tensor_from_array
from .creation import as_tensor, tensor
from .dtypes import float64, int64
from .ops.shape import stack

if TYPE_CHECKING:
    from collections.abc import Iterable, Sized
    from typing import Any


class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, index)")


class TensorDataset(Dataset):
    """Samples are rows of tensors that share their first dimension: ``dataset[i]`` is
    ``(tensors[0][i], tensors[1][i], ...)``.

    >>> ds = TensorDataset(ag.zeros(5, 2), ag.arange(5))
    >>> len(ds), ds[3][1].item()
    (5, 3)
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)")
        tensors = tuple(t if isinstance(t, Tensor) else as_tensor(t) for t in tensors)
        if any(t.ndim == 0 for t in tensors):
            raise ValueError(
                f"TensorDataset needs tensors with a first (sample) dimension, got shapes "
                f"{[tuple(t.shape) for t in tensors]}"
            )
        sizes = [t.shape[0] for t in tensors]
        if any(size != sizes[0] for size in sizes):
            raise ValueError(
                f"TensorDataset: every tensor must have the same first dimension (one row per sample), "
                f"got shapes {[tuple(t.shape) for t in tensors]}"
            )
        self.tensors = tensors

    def __getitem__(self, index: int | slice | list[int] | np.ndarray | Tensor) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _gather(self, indices: np.ndarray) -> list:
        """The batch ``default_collate`` would build from these rows, in one gather per tensor."""
        return [
            t[indices] if t.requires_grad else _tensor_from_array(t.numpy().take(indices, axis=0))
            for t in self.tensors
        ]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i]`` is
    ``dataset[indices[i]]``."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: int | list[int]) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(
    dataset: Dataset, lengths: Sequence[int | float], generator: Generator | None = None
) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``\\ s of the given lengths.

    ``lengths`` are sample counts that add up to ``len(dataset)``, or fractions that add up
    to 1: each split gets ``floor(fraction * n)`` samples and the samples left over go one each
    to the first splits, as in PyTorch.

    >>> train, val = random_split(TensorDataset(ag.arange(10)), [0.8, 0.2])
    >>> len(train), len(val)
    (8, 2)
    """
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(0 <= f <= 1 for f in lengths) and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * fraction)) for fraction in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(not isinstance(length, numbers.Integral) or length < 0 for length in lengths):
        raise ValueError(
            f"random_split: lengths must be non-negative integers that add up to len(dataset) = {n}, "
            f"or fractions that add up to 1; got {lengths}"
        )
    if sum(lengths) != n:
        raise ValueError(
            f"random_split: the lengths {lengths} add up to {sum(lengths)}, but the dataset has {n} samples; "
            "give lengths that add up to len(dataset), or fractions that add up to 1"
        )
    order = _random.draw_permutation(n, generator).tolist()
    splits, offset = [], 0
    for length in lengths:
        splits.append(Subset(dataset, order[offset : offset + length]))
        offset += length
    return splits


# ---------------------------------------------------------------------------- samplers
class Sampler:
    """Yields dataset indices; ``DataLoader`` groups them into batches."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__(self)")


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) - 1`` in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _order(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """The indices in a random order, a new one on every pass (drawn from ``generator``, or
    from the library's seeded generator, so ``manual_seed`` makes it reproducible).

    With ``replacement=True`` it draws ``num_samples`` indices independently instead.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={self.num_samples} "
                "(is the dataset empty?)"
            )

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self) -> np.ndarray:
        n = len(self.data_source)
        if self.replacement:
            return _random.draw_integers((self.num_samples,), 0, n, self.generator)
        whole_passes = [_random.draw_permutation(n, self.generator) for _ in range(-(-self.num_samples // n))]
        return np.concatenate(whole_passes)[: self.num_samples]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, a new one on every pass."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def _order(self) -> np.ndarray:
        return np.asarray(self.indices, dtype=np.int64)[
            _random.draw_permutation(len(self.indices), self.generator)
        ]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter,
    or dropped with ``drop_last=True``)."""

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size!r}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = bool(drop_last)

    def _index_arrays(self) -> Iterator[np.ndarray]:
        """The batches as integer arrays; one array op per batch for the library's samplers."""
        order = getattr(self.sampler, "_order", None)
        order = order() if order is not None else np.fromiter(iter(self.sampler), dtype=np.int64)
        stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            yield order[start : start + self.batch_size]

    def __iter__(self) -> Iterator[list]:
        return (batch.tolist() for batch in self._index_arrays())

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)


# ---------------------------------------------------------------------------- collation
_COLLATE_TYPES = "tensors, NumPy arrays, numbers, strings, dicts, lists or tuples"


def default_collate(batch: list[Any]) -> Any:
    """Turn a list of samples into one batch, as PyTorch's ``default_collate``.

    - tensors are stacked along a new first dimension; NumPy arrays too (as tensors)
    - Python ints become an int64 tensor, floats a float64 tensor, bools a bool tensor,
      NumPy scalars a tensor of their dtype
    - strings stay a list of strings
    - dicts are collated key by key, tuples and lists position by position
      (a tuple of fields becomes a list of batches, as in PyTorch)

    >>> default_collate([(ag.tensor([1.0, 2.0]), 0), (ag.tensor([3.0, 4.0]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.hasobject or elem.dtype.kind in "USV":
            raise TypeError(
                f"default_collate: cannot batch NumPy arrays of dtype {elem.dtype}; {_COLLATE_TYPES}"
            )
        return _stack_tensors([as_tensor(item) for item in batch])
    if isinstance(elem, (np.bool_, np.number)):
        return as_tensor(np.asarray(batch))
    if isinstance(elem, bool):
        return tensor(batch)
    if isinstance(elem, numbers.Integral):
        return tensor(batch, dtype=int64)
    if isinstance(elem, numbers.Real):
        return tensor(batch, dtype=float64)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([sample[key] for sample in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            result = copy.copy(elem)
            result.update(collated)
            return result
        return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        sizes = {len(sample) for sample in batch}
        if len(sizes) != 1:
            raise RuntimeError(
                f"each element in list of batch should be of equal size, got sizes {sorted(sizes)}; "
                "pass a collate_fn that pads or groups them"
            )
        fields = [default_collate(list(field)) for field in zip(*batch)]
        return fields if isinstance(elem, tuple) else type(elem)(fields)
    raise TypeError(f"default_collate: batch must contain {_COLLATE_TYPES}; found {type(elem).__name__}")


def _stack_tensors(batch: list) -> Tensor:
    shapes = {tuple(t.shape) for t in batch}
    if len(shapes) != 1:
        raise RuntimeError(
            f"default_collate: cannot stack samples of different shapes {sorted(shapes)} into one batch; "
            "make the samples the same size, or pass a collate_fn that pads them"
        )
    if any(t.requires_grad for t in batch):
        return stack(batch)
    return _tensor_from_array(np.stack([t.numpy() for t in batch]))


def default_convert(data: Any) -> Any:
    """What a loader with ``batch_size=None`` yields: the sample with NumPy arrays turned into
    tensors (inside dicts, lists and tuples too) and everything else unchanged."""
    if isinstance(data, np.ndarray) and not (data.dtype.hasobject or data.dtype.kind in "USV"):
        return as_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(item) for item in data))
    if isinstance(data, (list, tuple)):
        return type(data)(default_convert(item) for item in data)
    return data


# ---------------------------------------------------------------------------- the loader
class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples.

    ``shuffle=True`` visits the samples in a new random order on every pass (from
    ``generator``, or the library's seeded generator: ``manual_seed`` makes it reproducible);
    ``drop_last=True`` skips a last batch smaller than ``batch_size``; ``collate_fn`` turns a
    list of samples into a batch (``default_collate`` by default). ``sampler`` or
    ``batch_sampler`` choose the indices instead. ``batch_size=None`` yields single samples.

    ``num_workers``, ``pin_memory``, ``timeout``, ``worker_init_fn``, ``prefetch_factor`` and
    ``persistent_workers`` are accepted so PyTorch code runs unchanged; samples are always
    loaded in the calling process.

    >>> loader = DataLoader(TensorDataset(ag.arange(10)), batch_size=4, drop_last=True)
    >>> len(loader), [batch[0].tolist() for batch in loader]
    (2, [[0, 1, 2, 3], [4, 5, 6, 7]])
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | None = None,
        batch_sampler: Sampler | None = None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context: object = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
    ) -> None:
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(
                "DataLoader needs a map-style dataset with __len__ and __getitem__, "
                f"got {type(dataset).__name__}"
            )
        if sampler is not None and shuffle:
            raise ValueError(
                "DataLoader: sampler option is mutually exclusive with shuffle; pass one of them"
            )
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last; the batch sampler already decides all of them"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self) -> Iterator:
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        batches = self._index_batches()
        if self.collate_fn is default_collate:
            base, rows = _tensor_dataset_rows(self.dataset)
            if base is not None:
                return (base._gather(rows[np.asarray(indices, dtype=np.int64)]) for indices in batches)
        return (self.collate_fn([self.dataset[i] for i in _as_int_list(indices)]) for indices in batches)

    def _index_batches(self) -> Iterator:
        if isinstance(self.batch_sampler, BatchSampler):
            return self.batch_sampler._index_arrays()
        return iter(self.batch_sampler)


def _as_int_list(indices) -> list:
    return indices.tolist() if isinstance(indices, np.ndarray) else list(indices)


def _tensor_dataset_rows(dataset) -> tuple:
    """If ``dataset`` is a TensorDataset, or Subsets of one: that TensorDataset and the array
    mapping each index of ``dataset`` to its row there. Otherwise ``(None, None)``."""
    rows = None
    while isinstance(dataset, Subset):
        indices = np.asarray(dataset.indices, dtype=np.int64)
        rows = indices if rows is None else indices[rows]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None, None
    return dataset, np.arange(len(dataset), dtype=np.int64) if rows is None else rows
