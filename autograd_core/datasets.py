"""Small datasets to learn on, and the preprocessing the lectures use.

- Toy problems drawn at random: ``make_moons``, ``make_circles``, ``make_spirals``, ``make_xor``
  (classification: ``X`` float of the default dtype, ``y`` int64 class indices) and
  ``make_regression`` (``y`` float). ``make_moons``, ``make_circles`` and ``make_regression``
  follow scikit-learn's generators: the same ``random_state`` gives the same numbers. Without
  ``random_state`` the draw comes from the library's seeded generator, so
  ``autograd_core.manual_seed(n)`` makes it reproducible.
- ``load_digits``: the real 8×8 handwritten digits (1,797 images) bundled with scikit-learn.
- ``StandardScaler`` (standardisation, ``(x - μ) / σ``), ``MinMaxScaler`` (normalisation to a
  range, ``(x - min) / (max - min)``) and ``train_test_split``.

>>> import autograd_core as ag
>>> X, y = make_moons(200, noise=0.1, random_state=0)
>>> X.shape, y.dtype
((200, 2), dtype('int64'))
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np

from . import _random, dtypes
from ._tensor import Tensor, _tensor_from_array
from .creation import as_tensor

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from numpy.typing import ArrayLike


# ---------------------------------------------------------------------------- random state
def _random_state(random_state) -> np.random.RandomState:
    """scikit-learn's rule: an int seeds a new ``RandomState``, a ``RandomState`` is used as is;
    ``None`` seeds one from the library's generator (so ``manual_seed`` fixes it)."""
    if random_state is None:
        return np.random.RandomState(int(_random.draw_integers((), 0, 2**32)))
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    raise TypeError(f"random_state must be None, an int or a numpy.random.RandomState, got {random_state!r}")


def _features(array: np.ndarray) -> Tensor:
    return _tensor_from_array(np.ascontiguousarray(array, dtype=dtypes.get_default_dtype()))


def _labels(array: np.ndarray) -> Tensor:
    return _tensor_from_array(np.ascontiguousarray(array, dtype=np.int64))


def _check_generator_args(n_samples, noise) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    if noise is not None and not noise >= 0:
        raise ValueError(
            f"noise is the standard deviation of the added Gaussian noise: it must be >= 0, got {noise}"
        )


def _split_in_two(n_samples) -> tuple:
    if isinstance(n_samples, tuple):
        if len(n_samples) != 2:
            raise ValueError(f"n_samples as a tuple must be (n_outer, n_inner), got {n_samples}")
        return n_samples
    return n_samples // 2, n_samples - n_samples // 2


def _shuffle_and_noise(X: np.ndarray, y: np.ndarray, shuffle: bool, noise, rng) -> tuple:
    """Shuffle the rows, then add N(0, noise²) to every coordinate (scikit-learn's order of draws)."""
    if shuffle:
        order = np.arange(len(X))
        rng.shuffle(order)
        X, y = X[order], y[order]
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


# ---------------------------------------------------------------------------- generators
def make_moons(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles: class 0 on ``(cos t, sin t)``, class 1 on
    ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in ``[0, π]``, plus N(0, noise²) noise.

    ``n_samples`` is the total (split in two halves) or a pair ``(n_class0, n_class1)``.

    >>> X, y = make_moons(100, noise=0.05, random_state=0)
    >>> X.shape, y.sum().item()
    ((100, 2), 50)
    """
    n_out, n_in = _split_in_two(n_samples)
    _check_generator_args(n_out + n_in, noise)
    rng = _random_state(random_state)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [np.append(np.cos(t_out), 1 - np.cos(t_in)), np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X, y = _shuffle_and_noise(X, y, shuffle, noise, rng)
    return _features(X), _labels(y)


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: int | np.random.RandomState | None = None,
    factor: float = 0.8,
) -> tuple[Tensor, Tensor]:
    """A large circle (class 0, radius 1) around a small one (class 1, radius ``factor``),
    points evenly spaced in angle, plus N(0, noise²) noise.

    >>> X, y = make_circles(100, factor=0.5, random_state=0)
    >>> round(float(X[y == 1].norm(dim=1).mean()), 3)
    0.5
    """
    if not 0 <= factor < 1:
        raise ValueError(
            "factor is the inner circle's radius relative to the outer one: "
            f"it must be in [0, 1), got {factor}"
        )
    n_out, n_in = _split_in_two(n_samples)
    _check_generator_args(n_out + n_in, noise)
    rng = _random_state(random_state)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [np.append(np.cos(t_out), factor * np.cos(t_in)), np.append(np.sin(t_out), factor * np.sin(t_in))]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X, y = _shuffle_and_noise(X, y, shuffle, noise, rng)
    return _features(X), _labels(y)


def make_spirals(
    n_samples: int = 100,
    *,
    n_classes: int = 2,
    noise: float | None = None,
    shuffle: bool = True,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[Tensor, Tensor]:
    """``n_classes`` interleaved spiral arms, one per class, each turning 1.5 times.

    Point ``i`` of ``m`` on arm ``k`` has radius ``r = i / m`` (``i = 1..m``) and angle
    ``θ = 2πk / n_classes + 3π r``; it sits at ``(r cos θ, r sin θ)``, plus N(0, noise²) noise.
    The samples are shared out as evenly as possible between the arms.

    >>> X, y = make_spirals(300, n_classes=3, noise=0.02, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1, 2])
    """
    _check_generator_args(n_samples, noise)
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral) or n_classes < 2:
        raise ValueError(f"n_classes is the number of spiral arms: an integer >= 2, got {n_classes!r}")
    if n_samples < n_classes:
        raise ValueError(
            f"n_samples={n_samples} is too few for {n_classes} spiral arms: give at least one per arm"
        )
    rng = _random_state(random_state)
    points, labels = [], []
    for k in range(n_classes):
        count = n_samples // n_classes + (k < n_samples % n_classes)
        radius = np.arange(1, count + 1) / count
        angle = 2 * np.pi * k / n_classes + 3 * np.pi * radius
        points.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1))
        labels.append(np.full(count, k, dtype=np.int64))
    X, y = _shuffle_and_noise(np.concatenate(points), np.concatenate(labels), shuffle, noise, rng)
    return _features(X), _labels(y)


def make_xor(
    n_samples: int = 100,
    *,
    noise: float | None = None,
    shuffle: bool = True,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[Tensor, Tensor]:
    """The XOR problem: points at the four corners of the unit square, labelled
    ``y = x₁ XOR x₂`` (0 at (0, 0) and (1, 1), 1 at (0, 1) and (1, 0)), plus N(0, noise²) noise.

    Sample ``i`` sits at corner ``i mod 4``, so the corners are equally represented; with
    ``n_samples=4, shuffle=False`` it is the truth table itself. No line separates the classes:
    a network needs a hidden layer to learn it.

    >>> X, y = make_xor(4, shuffle=False)
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    _check_generator_args(n_samples, noise)
    rng = _random_state(random_state)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n_samples) % 4
    X = corners[which]
    y = (X[:, 0] != X[:, 1]).astype(np.int64)
    X, y = _shuffle_and_noise(X, y, shuffle, noise, rng)
    return _features(X), _labels(y)


def make_regression(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    noise: float = 0.0,
    shuffle: bool = True,
    coef: bool = False,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[Tensor, ...]:
    """A linear regression problem: ``y = X w + bias + ε``, ``X ~ N(0, 1)``, ``ε ~ N(0, noise²)``.

    Only ``n_informative`` entries of ``w`` are non-zero (drawn from U(0, 100)); the other
    features do not affect ``y``. ``y`` has shape ``(n_samples,)`` for one target, else
    ``(n_samples, n_targets)``; ``coef=True`` also returns ``w``. scikit-learn's
    ``make_regression`` (without ``effective_rank``): the same seed gives the same numbers.

    >>> X, y, w = make_regression(50, 3, n_informative=3, coef=True, random_state=0)
    >>> bool(((X @ w - y).abs() < 1e-3).all())
    True
    """
    _check_generator_args(n_samples, noise)
    if isinstance(n_features, bool) or not isinstance(n_features, numbers.Integral) or n_features < 1:
        raise ValueError(f"n_features must be a positive integer, got {n_features!r}")
    n_informative = min(n_features, n_informative)
    rng = _random_state(random_state)
    X = rng.standard_normal(size=(n_samples, n_features))
    weights = np.zeros((n_features, n_targets))
    weights[:n_informative, :] = 100 * rng.uniform(size=(n_informative, n_targets))
    y = X @ weights + bias
    if noise > 0.0:
        y += rng.normal(scale=noise, size=y.shape)
    if shuffle:
        X, y = _shuffle_and_noise(X, y, True, None, rng)
        columns = np.arange(n_features)
        rng.shuffle(columns)
        X, weights = X[:, columns], weights[columns]
    result = (_features(X), _features(np.squeeze(y)))
    return result + (_features(np.squeeze(weights)),) if coef else result


# ---------------------------------------------------------------------------- the digits
class Bunch(dict):
    """A dict whose keys are also attributes (scikit-learn's ``Bunch``): ``digits.data``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"this Bunch has no field {name!r}; it has {sorted(self)}") from None

    def __dir__(self) -> list[str]:
        return list(self)


def load_digits(*, n_class: int = 10, return_X_y: bool = False) -> tuple[Tensor, Tensor] | Bunch:
    """The 8×8 handwritten digits: 1,797 images, pixel values 0..16, labels 0..9.

    Returns ``(X, y)`` with ``return_X_y=True``: ``X`` of shape ``(n, 64)`` (default float
    dtype), ``y`` int64. Otherwise a ``Bunch`` with ``data``, ``target``, ``images``
    (``(n, 8, 8)``), ``target_names``, ``feature_names`` and ``DESCR``. ``n_class`` keeps the
    digits ``0 .. n_class - 1`` only. The images come from the copy bundled with scikit-learn
    (no download); install it with ``pip install "autograd-core[datasets]"``.

    >>> X, y = load_digits(return_X_y=True)
    >>> X.shape, int(y.max())
    ((1797, 64), 9)
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError(
            "load_digits needs scikit-learn, which holds the bundled copy of the digits images. "
            'Install it with: pip install "autograd-core[datasets]"  (or: pip install scikit-learn)'
        ) from error
    if isinstance(n_class, bool) or not isinstance(n_class, numbers.Integral) or not 1 <= n_class <= 10:
        raise ValueError(
            f"n_class is how many digits to keep (0 .. n_class-1): an integer in [1, 10], got {n_class!r}"
        )
    digits = sklearn_load_digits(n_class=n_class)
    X, y = _features(digits.data), _labels(digits.target)
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        images=_features(digits.images),
        target_names=_labels(digits.target_names),
        feature_names=list(digits.feature_names),
        DESCR=digits.DESCR,
    )


# ---------------------------------------------------------------------------- scalers
def _as_2d_tensor(X, who: str) -> Tensor:
    X = X if isinstance(X, Tensor) else as_tensor(X)
    if X.ndim != 2:
        raise ValueError(
            f"{who} expects a 2-D tensor of shape (samples, features), got shape {tuple(X.shape)}; "
            "for a single feature use X.reshape(-1, 1)"
        )
    return X


def _statistic(values: np.ndarray, like: Tensor) -> Tensor:
    dtype = like.dtype if like.dtype.kind == "f" else dtypes.get_default_dtype()
    return _tensor_from_array(np.asarray(values, dtype=dtype))


def _zeros_to_one(scale: np.ndarray) -> np.ndarray:
    """A constant feature has no spread to divide by: leave it unscaled (scikit-learn's rule)."""
    return np.where(scale < 10 * np.finfo(np.float64).eps, 1.0, scale)


class _Scaler:
    """Shared ``fit_transform`` and the checks of a fitted scaler."""

    _fitted_attribute = ""

    def fit_transform(self, X: Tensor | ArrayLike) -> Tensor:
        return self.fit(X).transform(X)

    def _check_fitted(self, X) -> Tensor:
        name = type(self).__name__
        if not hasattr(self, self._fitted_attribute):
            raise RuntimeError(f"this {name} is not fitted yet: call fit(X) or fit_transform(X) first")
        X = _as_2d_tensor(X, name)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {name} was fitted with {self.n_features_in_} features"
            )
        return X


class StandardScaler(_Scaler):
    """Standardisation: ``z = (x - μ) / σ`` per feature, with ``μ`` the mean and ``σ`` the
    standard deviation (divided by n, not n - 1) of the training data, so each feature gets
    mean 0 and standard deviation 1. Fit it on the training set only and reuse it on the test set.

    After ``fit``: ``mean_``, ``var_``, ``scale_`` (σ, 1 for constant features), ``n_features_in_``.

    >>> scaler = StandardScaler()
    >>> Z = scaler.fit_transform(ag.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> Z.tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """

    _fitted_attribute = "mean_"

    def __init__(self, *, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Tensor | ArrayLike) -> StandardScaler:
        X = _as_2d_tensor(X, "StandardScaler")
        values = X.numpy().astype(np.float64)
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = X.shape[0]
        self.mean_ = _statistic(values.mean(axis=0), X)
        self.var_ = _statistic(values.var(axis=0), X)
        self.scale_ = _statistic(_zeros_to_one(values.std(axis=0)), X)
        return self

    def transform(self, X: Tensor | ArrayLike) -> Tensor:
        X = self._check_fitted(X)
        if self.with_mean:
            X = X - self.mean_
        if self.with_std:
            X = X / self.scale_
        return X

    def inverse_transform(self, X: Tensor | ArrayLike) -> Tensor:
        X = self._check_fitted(X)
        if self.with_std:
            X = X * self.scale_
        if self.with_mean:
            X = X + self.mean_
        return X


class MinMaxScaler(_Scaler):
    """Normalisation to ``feature_range = (a, b)``:
    ``x' = a + (x - min) (b - a) / (max - min)`` per feature, min and max taken on the training
    data (a constant feature maps to ``a``). ``clip=True`` clamps new data into the range.

    After ``fit``: ``data_min_``, ``data_max_``, ``data_range_``, ``scale_`` and ``min_`` (so that
    ``x' = x * scale_ + min_``), ``n_features_in_``.

    >>> MinMaxScaler().fit_transform(ag.tensor([[0.0], [5.0], [10.0]])).tolist()
    [[0.0], [0.5], [1.0]]
    """

    _fitted_attribute = "scale_"

    def __init__(self, feature_range: tuple = (0, 1), *, clip: bool = False) -> None:
        low, high = feature_range
        if not low < high:
            raise ValueError(
                f"Minimum of desired feature range must be smaller than maximum. Got {tuple(feature_range)}."
            )
        self.feature_range = feature_range
        self.clip = clip

    def fit(self, X: Tensor | ArrayLike) -> MinMaxScaler:
        X = _as_2d_tensor(X, "MinMaxScaler")
        values = X.numpy().astype(np.float64)
        low, high = self.feature_range
        data_min, data_max = values.min(axis=0), values.max(axis=0)
        scale = (high - low) / _zeros_to_one(data_max - data_min)
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = X.shape[0]
        self.data_min_ = _statistic(data_min, X)
        self.data_max_ = _statistic(data_max, X)
        self.data_range_ = _statistic(data_max - data_min, X)
        self.scale_ = _statistic(scale, X)
        self.min_ = _statistic(low - data_min * scale, X)
        return self

    def transform(self, X: Tensor | ArrayLike) -> Tensor:
        X = self._check_fitted(X) * self.scale_ + self.min_
        return X.clamp(*self.feature_range) if self.clip else X

    def inverse_transform(self, X: Tensor | ArrayLike) -> Tensor:
        return (self._check_fitted(X) - self.min_) / self.scale_


# ---------------------------------------------------------------------------- splitting
def _split_sizes(n: int, test_size, train_size) -> tuple:
    """scikit-learn's rule: a float is a fraction (test rounded up, train down), an int a count;
    the size not given is the rest; with neither, a quarter of the samples is for testing."""
    if test_size is None and train_size is None:
        test_size = 0.25
    for name, size in (("test_size", test_size), ("train_size", train_size)):
        if size is None:
            continue
        is_count = isinstance(size, numbers.Integral) and not isinstance(size, bool)
        if not (is_count and 0 < size < n) and not (isinstance(size, float) and 0 < size < 1):
            raise ValueError(
                f"{name}={size!r} should be either a positive count smaller than the number of samples {n} "
                "or a float in the (0, 1) range"
            )
    n_test = (
        None
        if test_size is None
        else (math.ceil(test_size * n) if isinstance(test_size, float) else test_size)
    )
    n_train = (
        None
        if train_size is None
        else (math.floor(train_size * n) if isinstance(train_size, float) else train_size)
    )
    n_test = n - n_train if n_test is None else n_test
    n_train = n - n_test if n_train is None else n_train
    if n_train + n_test > n:
        raise ValueError(
            f"train_size and test_size give {n_train} + {n_test} = {n_train + n_test} samples, more than the "
            f"{n} there are; reduce test_size and/or train_size"
        )
    if n_train == 0:
        raise ValueError(
            f"with {n} samples, test_size={test_size} and train_size={train_size} the training set is empty; "
            "adjust them"
        )
    return n_train, n_test


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``weights`` that add up to ``total``: floor the exact shares,
    then give the units left over to the largest fractional parts."""
    exact = weights * total / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    leftover = total - counts.sum()
    counts[np.argsort(counts - exact, kind="stable")[:leftover]] += 1
    return counts


def _stratified_indices(labels: np.ndarray, n_train: int, n_test: int, rng) -> tuple:
    """Train and test indices holding each class in (as nearly as whole samples allow) the
    proportion it has in ``labels``."""
    classes, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse)
    if counts.min() < 2:
        raise ValueError(
            f"stratify: the least populated class ({classes[counts.argmin()]!r}) has only "
            f"{counts.min()} member; "
            "every class needs at least 2 to appear in both the training and the test set"
        )
    if n_test < len(classes) or n_train < len(classes):
        raise ValueError(
            f"stratify: the train ({n_train}) and test ({n_test}) sets must each be at least as large as the "
            f"number of classes ({len(classes)})"
        )
    test_counts = _largest_remainder(counts, n_test)
    train_counts = _largest_remainder(counts - test_counts, n_train)
    train, test = [], []
    for k in range(len(classes)):
        members = rng.permutation(np.flatnonzero(inverse == k))
        test.append(members[: test_counts[k]])
        train.append(members[test_counts[k] : test_counts[k] + train_counts[k]])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _take(data, indices: np.ndarray):
    if isinstance(data, (Tensor, np.ndarray)):
        return data[indices]
    return [data[i] for i in indices.tolist()]


def train_test_split(
    *arrays: Tensor | np.ndarray | Sequence[object],
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: int | np.random.RandomState | None = None,
    shuffle: bool = True,
    stratify: Tensor | ArrayLike | None = None,
) -> list[Tensor | np.ndarray | list[object]]:
    """Split tensors, arrays or lists (rows are samples) into random train and test parts.

    Returns ``[a_train, a_test, b_train, b_test, ...]``, each of the type it came as.
    ``test_size`` / ``train_size``: a fraction or a count (default: a quarter for testing).
    ``stratify=y`` keeps each class's proportion in both parts. ``shuffle=False`` takes the
    first samples for training and the next ones for testing. Without stratify, the same
    ``random_state`` gives scikit-learn's split.

    >>> X, y = make_moons(100, random_state=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    >>> X_train.shape, X_test.shape
    ((80, 2), (20, 2))
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array, e.g. train_test_split(X, y)")
    lengths = [len(a) for a in arrays]
    if any(length != lengths[0] for length in lengths):
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")
    n = lengths[0]
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    elif stratify is not None:
        labels = np.asarray(stratify.numpy() if isinstance(stratify, Tensor) else stratify)
        if len(labels) != n:
            raise ValueError(f"stratify has {len(labels)} labels but there are {n} samples")
        train, test = _stratified_indices(labels, n_train, n_test, _random_state(random_state))
    else:
        order = _random_state(random_state).permutation(n)
        train, test = order[n_test : n_test + n_train], order[:n_test]
    return [part for a in arrays for part in (_take(a, train), _take(a, test))]
