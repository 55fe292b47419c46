"""autograd_core.datasets: toy generators, the digits, scalers and train_test_split."""

import sys

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.datasets import (
    MinMaxScaler,
    StandardScaler,
    load_digits,
    make_circles,
    make_moons,
    make_regression,
    make_spirals,
    make_xor,
    train_test_split,
)

CLASSIFIERS = [
    (make_moons, {}, 2),
    (make_circles, {"factor": 0.5}, 2),
    (make_spirals, {"n_classes": 2}, 2),
    (make_spirals, {"n_classes": 3}, 3),
    (make_xor, {}, 2),
]


# ---------------------------------------------------------------------------- generators
@pytest.mark.parametrize(("make", "kwargs", "n_classes"), CLASSIFIERS)
def test_classification_shapes_dtypes_and_balanced_classes(make, kwargs, n_classes):
    X, y = make(120, noise=0.1, random_state=0, **kwargs)
    assert X.shape == (120, 2) and y.shape == (120,)
    assert X.dtype == ag.get_default_dtype() and y.dtype == ag.int64
    counts = np.bincount(y.numpy())
    assert len(counts) == n_classes
    assert counts.max() - counts.min() <= 1
    assert np.isfinite(X.numpy()).all()


@pytest.mark.parametrize(("make", "kwargs", "n_classes"), CLASSIFIERS)
def test_generators_are_deterministic(make, kwargs, n_classes):
    a = make(50, noise=0.2, random_state=3, **kwargs)
    b = make(50, noise=0.2, random_state=3, **kwargs)
    c = make(50, noise=0.2, random_state=4, **kwargs)
    assert all(np.array_equal(p.numpy(), q.numpy()) for p, q in zip(a, b))
    assert not np.array_equal(a[0].numpy(), c[0].numpy())
    ag.manual_seed(11)
    d = make(50, noise=0.2, **kwargs)
    ag.manual_seed(11)
    e = make(50, noise=0.2, **kwargs)
    assert all(np.array_equal(p.numpy(), q.numpy()) for p, q in zip(d, e))


def test_generators_follow_the_default_dtype():
    ag.set_default_dtype(ag.float64)
    try:
        X, y = make_moons(10, random_state=0)
    finally:
        ag.set_default_dtype(ag.float32)
    assert X.dtype == ag.float64 and y.dtype == ag.int64


def test_moons_geometry_without_noise():
    X, y = make_moons(200, random_state=0)
    upper, lower = X.numpy()[y.numpy() == 0], X.numpy()[y.numpy() == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert upper[:, 1].min() >= -1e-6 and lower[:, 1].max() <= 0.5 + 1e-6


def test_circles_radii_ratio_is_the_factor():
    X, y = make_circles(400, factor=0.3, random_state=0)
    radius = np.hypot(X.numpy()[:, 0], X.numpy()[:, 1])
    np.testing.assert_allclose(radius[y.numpy() == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y.numpy() == 1], 0.3, atol=1e-6)
    X, y = make_circles(2000, factor=0.6, noise=0.05, random_state=1)
    radius = np.hypot(X.numpy()[:, 0], X.numpy()[:, 1])
    ratio = radius[y.numpy() == 1].mean() / radius[y.numpy() == 0].mean()
    assert abs(ratio - 0.6) < 0.01


def test_spirals_follow_their_formula():
    X, y = make_spirals(301, n_classes=3, random_state=0)
    x0, x1, k = X.numpy()[:, 0].astype(np.float64), X.numpy()[:, 1].astype(np.float64), y.numpy()
    radius = np.hypot(x0, x1)
    assert radius.min() > 0 and radius.max() == pytest.approx(1.0, abs=1e-6)
    expected_angle = 2 * np.pi * k / 3 + 3 * np.pi * radius
    difference = np.angle(np.exp(1j * (np.arctan2(x1, x0) - expected_angle)))
    np.testing.assert_allclose(difference, 0.0, atol=1e-5)
    assert np.bincount(k).tolist() == [101, 100, 100]


def test_xor_labels_are_the_xor_of_the_nearest_corner():
    X, y = make_xor(4, shuffle=False)
    assert X.tolist() == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y.tolist() == [0, 1, 1, 0]
    X, y = make_xor(400, noise=0.1, random_state=0)
    corner = np.round(X.numpy()).astype(int)
    assert np.mean((corner[:, 0] ^ corner[:, 1]) == y.numpy()) > 0.99
    assert np.bincount(y.numpy()).tolist() == [200, 200]


def test_regression_is_linear_plus_bias_plus_noise():
    X, y, w = make_regression(200, 6, n_informative=3, bias=2.5, coef=True, random_state=0)
    assert X.shape == (200, 6) and y.shape == (200,) and w.shape == (6,)
    assert y.dtype == ag.get_default_dtype()
    assert np.count_nonzero(w.numpy()) == 3
    np.testing.assert_allclose((X @ w + 2.5).numpy(), y.numpy(), rtol=1e-4, atol=1e-3)
    X, y, w = make_regression(5000, 4, noise=3.0, coef=True, random_state=1)
    residual = (y - X @ w).numpy()
    assert abs(residual.std() - 3.0) < 0.15
    _, targets = make_regression(20, 3, n_targets=2, random_state=0)
    assert targets.shape == (20, 2)


def test_generators_match_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    cases = [
        (make_moons, sklearn_datasets.make_moons, {"noise": 0.1}),
        (make_circles, sklearn_datasets.make_circles, {"noise": 0.05, "factor": 0.4}),
        (make_regression, sklearn_datasets.make_regression, {"n_features": 5, "noise": 1.0, "coef": True}),
    ]
    for ours, theirs, kwargs in cases:
        mine, reference = ours(101, random_state=7, **kwargs), theirs(101, random_state=7, **kwargs)
        for a, b in zip(mine, reference, strict=True):
            np.testing.assert_allclose(a.numpy(), b, rtol=1e-5, atol=1e-4)


def test_generator_argument_errors():
    with pytest.raises(ValueError, match=r"factor .* must be in \[0, 1\), got 1.5"):
        make_circles(10, factor=1.5)
    with pytest.raises(ValueError, match="noise .* must be >= 0, got -0.1"):
        make_moons(10, noise=-0.1)
    with pytest.raises(ValueError, match="n_samples must be a positive integer, got 0"):
        make_xor(0)
    with pytest.raises(ValueError, match="n_classes .* an integer >= 2, got 1"):
        make_spirals(10, n_classes=1)
    with pytest.raises(TypeError, match="random_state must be None, an int or a numpy.random.RandomState"):
        make_moons(10, random_state="seed")


# ---------------------------------------------------------------------------- digits
def test_load_digits_is_the_real_dataset():
    pytest.importorskip("sklearn")
    X, y = load_digits(return_X_y=True)
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == ag.float32 and y.dtype == ag.int64
    assert np.bincount(y.numpy()).size == 10 and np.bincount(y.numpy()).min() >= 170
    values = X.numpy()
    assert values.min() == 0 and values.max() == 16
    assert np.array_equal(values, np.round(values))


def test_load_digits_bunch_fields():
    pytest.importorskip("sklearn")
    digits = load_digits()
    assert digits.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(digits.images.numpy().reshape(1797, 64), digits.data.numpy())
    assert digits.target_names.tolist() == list(range(10))
    assert digits.feature_names[9] == "pixel_1_1"
    assert "digits" in digits.DESCR.lower()
    assert digits["target"] is digits.target
    with pytest.raises(AttributeError, match="no field 'labels'"):
        getattr(digits, "labels")  # noqa: B009


def test_load_digits_n_class_keeps_the_first_digits():
    pytest.importorskip("sklearn")
    X, y = load_digits(n_class=2, return_X_y=True)
    assert sorted(set(y.tolist())) == [0, 1]
    assert X.shape == (360, 64)


def test_load_digits_without_scikit_learn_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(
        ImportError, match=r'pip install "autograd-core\[datasets\]".*pip install scikit-learn'
    ):
        load_digits()


# ---------------------------------------------------------------------------- scalers
def features(seed=0, n=500):
    rng = np.random.default_rng(seed)
    return ag.tensor(rng.normal([3.0, -20.0, 0.01], [2.0, 50.0, 0.001], size=(n, 3)).astype(np.float32))


def test_standard_scaler_gives_mean_zero_std_one():
    X = features()
    Z = StandardScaler().fit_transform(X)
    assert Z.dtype == ag.float32 and Z.shape == X.shape
    np.testing.assert_allclose(Z.numpy().mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(Z.numpy().std(axis=0), 1.0, atol=1e-4)


def test_standard_scaler_statistics_and_inverse():
    X = features(1)
    scaler = StandardScaler().fit(X)
    values = X.numpy().astype(np.float64)
    np.testing.assert_allclose(scaler.mean_.numpy(), values.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaler.scale_.numpy(), values.std(axis=0), rtol=1e-6)
    np.testing.assert_allclose(scaler.var_.numpy(), values.var(axis=0), rtol=1e-6)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(X)).numpy(), values, rtol=1e-5, atol=1e-5
    )
    test = features(2, n=10)
    np.testing.assert_allclose(
        scaler.transform(test).numpy(), (test.numpy() - values.mean(0)) / values.std(0), rtol=1e-4, atol=1e-5
    )


def test_standard_scaler_flags_constant_features_and_float64():
    X = ag.tensor([[1.0, 5.0], [3.0, 5.0]], dtype=ag.float64)
    Z = StandardScaler().fit_transform(X)
    assert Z.dtype == ag.float64
    assert Z.tolist() == [[-1.0, 0.0], [1.0, 0.0]]
    assert StandardScaler(with_mean=False).fit_transform(X).tolist() == [[1.0, 5.0], [3.0, 5.0]]
    assert StandardScaler(with_std=False).fit_transform(X).tolist() == [[-1.0, 0.0], [1.0, 0.0]]


def test_scalers_match_scikit_learn():
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    X = features(3).numpy().astype(np.float64)
    for ours, theirs in [
        (StandardScaler(), preprocessing.StandardScaler()),
        (MinMaxScaler((-1, 2)), preprocessing.MinMaxScaler((-1, 2))),
    ]:
        np.testing.assert_allclose(
            ours.fit_transform(X).numpy(), theirs.fit_transform(X), rtol=1e-10, atol=1e-12
        )


def test_min_max_scaler_maps_to_the_feature_range():
    X = features(4)
    Z = MinMaxScaler().fit_transform(X)
    np.testing.assert_allclose(Z.numpy().min(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(Z.numpy().max(axis=0), 1.0, atol=1e-6)
    scaler = MinMaxScaler(feature_range=(-1, 1)).fit(X)
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z.numpy().min(axis=0), -1.0, atol=1e-6)
    np.testing.assert_allclose(Z.numpy().max(axis=0), 1.0, atol=1e-6)
    np.testing.assert_allclose(scaler.inverse_transform(Z).numpy(), X.numpy(), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(scaler.data_min_.numpy(), X.numpy().min(axis=0))
    np.testing.assert_allclose(
        scaler.data_range_.numpy(), X.numpy().max(axis=0) - X.numpy().min(axis=0), rtol=1e-6
    )


def test_min_max_scaler_clip_and_constant_feature():
    scaler = MinMaxScaler(clip=True).fit(ag.tensor([[0.0, 7.0], [10.0, 7.0]]))
    assert scaler.transform(ag.tensor([[-5.0, 7.0], [5.0, 7.0], [20.0, 7.0]])).tolist() == [
        [0.0, 0.0],
        [0.5, 0.0],
        [1.0, 0.0],
    ]
    unclipped = MinMaxScaler().fit(ag.tensor([[0.0], [10.0]]))
    assert unclipped.transform(ag.tensor([[20.0]])).item() == 2.0


def test_scaler_errors():
    with pytest.raises(RuntimeError, match=r"StandardScaler is not fitted yet: call fit\(X\)"):
        StandardScaler().transform(ag.zeros(2, 2))
    scaler = MinMaxScaler().fit(ag.zeros(3, 2))
    with pytest.raises(ValueError, match="X has 3 features, but MinMaxScaler was fitted with 2 features"):
        scaler.transform(ag.zeros(3, 3))
    with pytest.raises(ValueError, match=r"2-D tensor .* got shape \(5,\); .*reshape\(-1, 1\)"):
        StandardScaler().fit(ag.zeros(5))
    with pytest.raises(ValueError, match=r"feature range must be smaller than maximum. Got \(1, 0\)"):
        MinMaxScaler((1, 0))


def test_scalers_accept_numpy_arrays_and_keep_the_graph():
    Z = StandardScaler().fit_transform(np.array([[1.0], [3.0]]))
    assert isinstance(Z, ag.Tensor) and Z.tolist() == [[-1.0], [1.0]]
    X = ag.tensor([[1.0], [3.0]], requires_grad=True)
    scaler = StandardScaler().fit(X)
    scaler.transform(X).sum().backward()
    np.testing.assert_allclose(X.grad.numpy(), 1.0)


# ---------------------------------------------------------------------------- train_test_split
def test_train_test_split_sizes_and_correspondence():
    X = ag.arange(100).reshape(50, 2)
    y = ag.arange(50)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    assert X_train.shape == (40, 2) and X_test.shape == (10, 2)
    np.testing.assert_array_equal(X_train.numpy()[:, 0] // 2, y_train.numpy())
    np.testing.assert_array_equal(X_test.numpy()[:, 0] // 2, y_test.numpy())
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(50))
    assert [len(p) for p in train_test_split(y)] == [37, 13]
    assert [len(p) for p in train_test_split(y, test_size=7)] == [43, 7]
    assert [len(p) for p in train_test_split(y, train_size=0.5, test_size=0.1)] == [25, 5]


def test_train_test_split_keeps_input_types():
    a_train, a_test, l_train, l_test = train_test_split(np.arange(10), list("abcdefghij"), random_state=1)
    assert isinstance(a_train, np.ndarray) and isinstance(l_train, list)
    assert [chr(ord("a") + i) for i in a_train] == l_train and [chr(ord("a") + i) for i in a_test] == l_test


def test_train_test_split_without_shuffle_takes_the_first_samples():
    train, test = train_test_split(ag.arange(10), test_size=3, shuffle=False)
    assert train.tolist() == list(range(7)) and test.tolist() == [7, 8, 9]


def test_train_test_split_is_reproducible_and_matches_scikit_learn():
    ag.manual_seed(2)
    first = train_test_split(np.arange(30))
    ag.manual_seed(2)
    assert all(np.array_equal(a, b) for a, b in zip(first, train_test_split(np.arange(30))))
    model_selection = pytest.importorskip("sklearn.model_selection")
    data = np.arange(77)
    for kwargs in ({"test_size": 0.3}, {"test_size": 11, "train_size": 40}, {}):
        mine = train_test_split(data, random_state=4, **kwargs)
        theirs = model_selection.train_test_split(data, random_state=4, **kwargs)
        assert all(np.array_equal(a, b) for a, b in zip(mine, theirs, strict=True))


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    y_train, y_test = train_test_split(ag.tensor(y), test_size=0.2, stratify=ag.tensor(y), random_state=0)
    assert np.bincount(y_test.numpy()).tolist() == [12, 6, 2]
    assert np.bincount(y_train.numpy()).tolist() == [48, 24, 8]
    y = np.repeat([0, 1], [7, 4])
    _, y_test = train_test_split(y, test_size=5, stratify=y, random_state=0)
    counts = np.bincount(y_test, minlength=2)
    assert counts.sum() == 5 and abs(counts[0] - 5 * 7 / 11) < 1 and abs(counts[1] - 5 * 4 / 11) < 1


def test_train_test_split_errors():
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[5, 4\]"):
        train_test_split(np.arange(5), np.arange(4))
    with pytest.raises(ValueError, match="test_size=1.5 should be either a positive count"):
        train_test_split(np.arange(5), test_size=1.5)
    with pytest.raises(ValueError, match="more than the 10 there are"):
        train_test_split(np.arange(10), test_size=6, train_size=5)
    with pytest.raises(ValueError, match="least populated class .* has only 1 member"):
        train_test_split(np.arange(6), stratify=[0, 0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="not implemented for shuffle=False"):
        train_test_split(np.arange(6), stratify=[0, 1] * 3, shuffle=False)
