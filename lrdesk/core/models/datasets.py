"""The built-in datasets: generated offline from a seed, shuffled, split into training and test rows.

Every dataset is made in the same order, so that a seed always gives the same numbers:

1. ``rng = numpy.random.default_rng(seed)`` draws the raw points with the generation rule below;
2. the rows are shuffled with ``rng.permutation(n)`` and the first ``round(train_fraction * n)``
   become the training rows, in that order (the order the trainer indexes them);
3. extra features (x1², x2², x1·x2, sin x1, sin x2) are appended, on the raw values;
4. standardising, when asked, subtracts each feature's mean and divides by its standard deviation,
   both computed from the training rows only, and applies the same to the test rows.

Regression sets: **housing** (price = 50 + 0.1·size + 20·bedrooms + noise, size ~ U(500, 3500),
bedrooms uniform in 1..5), **line** (y = 2x − 1 + noise, x ~ U(−2, 2)), **plane**
(y = 1 + 2·x1 − x2 + noise, x1 and x2 standard normal). ``noise`` is the standard deviation of the
Gaussian noise added to y.

Classification sets follow TensorFlow Playground's generation rules (``dataset.ts``), with noise as
a fraction 0 to 0.5 (Playground's slider divided by 100) and labels 0/1 instead of −1/+1:
**circle**, **xor**, **gauss**, **spiral**; and **spiral3**, the three-class spiral of the Stanford
CS231n notes (noise: the standard deviation of the angle, 0.2 there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray

#: the extra features one may add to two-feature sets, as TensorFlow Playground offers them
EXTRA_FEATURES = ("x1^2", "x2^2", "x1*x2", "sin_x1", "sin_x2")
MAX_POINTS = 200_000


class DatasetError(ValueError):
    """A dataset that cannot be made or read; the message says why in one line."""


@dataclass(frozen=True)
class DatasetInfo:
    key: str
    title: str
    task: str  # "regression", "binary" or "multiclass"
    points: int
    noise: float
    noise_range: tuple[float, float]
    features: tuple[str, ...]
    description: str
    standardize: bool = True


DATASETS: dict[str, DatasetInfo] = {
    "housing": DatasetInfo(
        "housing", "House prices", "regression", 200, 10.0, (0.0, 1000.0), ("size", "bedrooms"),
        "price = 50 + 0.1·size + 20·bedrooms + noise; size in square feet from 500 to 3500. Raw "
        "(--no-standardize) its features differ in scale by a factor of a thousand: the Hessian "
        "is badly conditioned and the stable rate tiny.", standardize=False),
    "line": DatasetInfo(
        "line", "A line", "regression", 100, 0.3, (0.0, 100.0), ("x",),
        "y = 2x − 1 + noise: a model y = w·x + b has two parameters, so its loss is a 2-D bowl.",
        standardize=False),
    "plane": DatasetInfo(
        "plane", "A plane", "regression", 4000, 0.5, (0.0, 100.0), ("x1", "x2"),
        "y = 1 + 2·x1 − x2 + noise, a few thousand points: room for minibatch noise."),
    "circle": DatasetInfo(
        "circle", "Circle", "binary", 500, 0.0, (0.0, 0.5), ("x1", "x2"),
        "one class inside a circle, the other in a ring around it (TensorFlow Playground)"),
    "xor": DatasetInfo(
        "xor", "Exclusive or", "binary", 500, 0.0, (0.0, 0.5), ("x1", "x2"),
        "the class is the sign of x1·x2 (TensorFlow Playground)"),
    "gauss": DatasetInfo(
        "gauss", "Two Gaussians", "binary", 500, 0.0, (0.0, 0.5), ("x1", "x2"),
        "two blobs around (2, 2) and (−2, −2) (TensorFlow Playground)"),
    "spiral": DatasetInfo(
        "spiral", "Spiral", "binary", 500, 0.0, (0.0, 0.5), ("x1", "x2"),
        "two interleaved spirals (TensorFlow Playground)"),
    "spiral3": DatasetInfo(
        "spiral3", "Three-class spiral", "multiclass", 300, 0.2, (0.0, 2.0), ("x1", "x2"),
        "three spiral arms, one per class (the CS231n notes)"),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Training and test rows ready for a model: features (n, d) and targets (n,)."""

    key: str
    title: str
    task: str
    feature_names: tuple[str, ...]
    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array
    description: str = ""
    n_classes: int = 1
    standardized: bool = False
    means: Array | None = field(default=None, repr=False)
    scales: Array | None = field(default=None, repr=False)

    @property
    def n_train(self) -> int:
        return len(self.y_train)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    def describe(self) -> dict:
        return {
            "key": self.key, "title": self.title, "task": self.task,
            "features": list(self.feature_names), "n_train": self.n_train,
            "n_test": len(self.y_test), "n_classes": self.n_classes,
            "standardized": self.standardized, "description": self.description,
        }


def make_dataset(
    key: str,
    points: int | None = None,
    noise: float | None = None,
    train_fraction: float = 0.8,
    seed: int = 0,
    standardize: bool | None = None,
    features: tuple[str, ...] = (),
) -> Dataset:
    """A built-in dataset, made as the module docstring says."""
    if key not in DATASETS:
        raise DatasetError(f"unknown dataset '{key}' (choose one of: {', '.join(DATASETS)})")
    info = DATASETS[key]
    n = info.points if points is None else points
    if isinstance(n, bool) or not isinstance(n, int) or not 4 <= n <= MAX_POINTS:
        raise DatasetError(f"points: must be a whole number from 4 to {MAX_POINTS:,}, not {n}")
    level = info.noise if noise is None else noise
    lo, hi = info.noise_range
    if not (isinstance(level, (int, float)) and math.isfinite(level) and lo <= level <= hi):
        raise DatasetError(f"noise: must be from {lo:g} to {hi:g} for {key}, not {level}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise DatasetError(f"seed: must be a whole number from 0, not {seed}")
    rng = np.random.default_rng(seed)
    X, y = _GENERATORS[key](rng, n, float(level))
    classes = 3 if key == "spiral3" else (2 if info.task == "binary" else 1)
    return split_and_prepare(
        key, info.title, info.task, info.features, X, y, rng, train_fraction,
        info.standardize if standardize is None else standardize, features, info.description,
        classes,
    )


def split_and_prepare(key, title, task, names, X, y, rng, train_fraction, standardize,
                      features, description, n_classes=1) -> Dataset:
    """Shuffle, split, add extra features and standardise (statistics from training rows)."""
    if not (isinstance(train_fraction, (int, float)) and 0 < train_fraction <= 1):
        raise DatasetError(f"train fraction: must be above 0 and at most 1, not {train_fraction}")
    n = len(y)
    n_train = round(train_fraction * n)
    if n_train < 2:
        raise DatasetError(f"train fraction: only {n_train} training row(s) of {n}; need 2")
    order = rng.permutation(n)
    X, y = X[order], y[order]
    X, names = add_features(X, tuple(names), tuple(features))
    train, test = slice(0, n_train), slice(n_train, n)
    means = scales = None
    if standardize:
        means = X[train].mean(axis=0)
        scales = X[train].std(axis=0)
        flat = np.nonzero(~(scales > 1e-12 * np.maximum(1.0, np.abs(means))))[0]
        if len(flat):
            raise DatasetError(
                f"column '{names[flat[0]]}' has the same value in every training row: "
                "standardising it would divide by zero"
            )
        X = (X - means) / scales
    return Dataset(key, title, task, names, np.ascontiguousarray(X[train]), y[train].copy(),
                   np.ascontiguousarray(X[test]), y[test].copy(), description, n_classes,
                   bool(standardize), means, scales)


def add_features(X: Array, names: tuple[str, ...], extra: tuple[str, ...]):
    """Append TensorFlow Playground's extra features (two-feature data only)."""
    if not extra:
        return X, names
    for name in extra:
        if name not in EXTRA_FEATURES:
            raise DatasetError(f"features: unknown feature '{name}' "
                               f"(choose from: {', '.join(EXTRA_FEATURES)})")
    if X.shape[1] != 2:
        raise DatasetError("features: the extra features need data with exactly two features")
    if len(set(extra)) != len(extra):
        raise DatasetError("features: each extra feature may be given once")
    x1, x2 = X[:, 0], X[:, 1]
    made = {"x1^2": x1 * x1, "x2^2": x2 * x2, "x1*x2": x1 * x2,
            "sin_x1": np.sin(x1), "sin_x2": np.sin(x2)}
    return np.column_stack([X, *(made[e] for e in extra)]), names + extra


# --- generation rules -----------------------------------------------------------------------
def _housing(rng, n, noise):
    size = rng.uniform(500.0, 3500.0, n)
    bedrooms = rng.integers(1, 6, n).astype(float)
    price = 50.0 + 0.1 * size + 20.0 * bedrooms + noise * rng.standard_normal(n)
    return np.column_stack([size, bedrooms]), price


def _line(rng, n, noise):
    x = rng.uniform(-2.0, 2.0, n)
    return x[:, None], 2.0 * x - 1.0 + noise * rng.standard_normal(n)


def _plane(rng, n, noise):
    X = rng.standard_normal((n, 2))
    return X, 1.0 + 2.0 * X[:, 0] - X[:, 1] + noise * rng.standard_normal(n)


def _circle(rng, n, noise):
    radius = 5.0
    half = n // 2
    parts = []
    for count, (r_lo, r_hi) in ((half, (0.0, 0.5 * radius)), (n - half, (0.7 * radius, radius))):
        r = rng.uniform(r_lo, r_hi, count)
        angle = rng.uniform(0.0, 2 * math.pi, count)
        x, y = r * np.sin(angle), r * np.cos(angle)
        nx, ny = (rng.uniform(-radius, radius, (2, count)) * noise)
        label = (np.hypot(x + nx, y + ny) < 0.5 * radius).astype(float)
        parts.append((np.column_stack([x, y]), label))
    return np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _xor(rng, n, noise):
    padding = 0.3
    x, y = rng.uniform(-5.0, 5.0, (2, n))
    x = x + np.where(x > 0, padding, -padding)
    y = y + np.where(y > 0, padding, -padding)
    nx, ny = rng.uniform(-5.0, 5.0, (2, n)) * noise
    return np.column_stack([x, y]), ((x + nx) * (y + ny) >= 0).astype(float)


def _gauss(rng, n, noise):
    variance = 0.5 + (4.0 - 0.5) * noise / 0.5  # Playground: scale [0, 0.5] -> [0.5, 4]
    half = n // 2
    a = rng.normal(2.0, math.sqrt(variance), (half, 2))
    b = rng.normal(-2.0, math.sqrt(variance), (n - half, 2))
    return np.vstack([a, b]), np.concatenate([np.ones(half), np.zeros(n - half)])


def _spiral(rng, n, noise):
    half = n // 2
    parts = []
    for count, delta, label in ((half, 0.0, 1.0), (n - half, math.pi, 0.0)):
        i = np.arange(count)
        r = i / count * 5.0
        t = 1.75 * i / count * 2 * math.pi + delta
        x = r * np.sin(t) + rng.uniform(-1.0, 1.0, count) * noise
        y = r * np.cos(t) + rng.uniform(-1.0, 1.0, count) * noise
        parts.append((np.column_stack([x, y]), np.full(count, label)))
    return np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _spiral3(rng, n, noise):
    classes = 3
    per = [n // classes + (1 if j < n % classes else 0) for j in range(classes)]
    X, y = [], []
    for j, count in enumerate(per):
        r = np.linspace(0.0, 1.0, count)
        t = np.linspace(4.0 * j, 4.0 * (j + 1), count) + rng.standard_normal(count) * noise
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(count, float(j)))
    return np.vstack(X), np.concatenate(y)


_GENERATORS = {"housing": _housing, "line": _line, "plane": _plane, "circle": _circle,
               "xor": _xor, "gauss": _gauss, "spiral": _spiral, "spiral3": _spiral3}
