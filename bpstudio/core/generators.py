"""Datasets to learn from: the truth tables, 2-D classification sets (two classes or more), three
regression sets, and the iris table.

Every generator is deterministic for a given seed. Classification sets live in the square
[-1, 1]²; two classes have one target column of 0 / 1 (ready for a sigmoid output), k > 2 classes
have k one-hot target columns C1..Ck (ready for a softmax group); ``noise`` is the standard deviation of
Gaussian noise added to the inputs (classification) or to the target (regression). A fraction
``test_fraction`` of the rows, chosen at random with the same seed, is marked as test rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .dataset import TRUTH_TABLES, Dataset, DatasetError, truth_table
from .shipped_data import IRIS, iris

MAX_SAMPLES = 100_000


@dataclass(frozen=True)
class GeneratorInfo:
    """What a generator makes, for menus and tooltips."""

    key: str
    title: str
    task: str  # "classification" or "regression"
    n_inputs: int
    description: str
    n_classes: int = 2  # classification only: more than 2 gives one-hot target columns

    def __repr__(self) -> str:
        classes = f", classes={self.n_classes}" if self.task == "classification" else ""
        return f"GeneratorInfo({self.key!r}, {self.task}, inputs={self.n_inputs}{classes})"


def split_mask(n: int, test_fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A train mask with ``round(n · test_fraction)`` test rows, keeping at least one training row."""
    if not 0.0 <= test_fraction < 1.0:
        raise DatasetError(f"the test fraction must be at least 0 and below 1, not {test_fraction}")
    n_test = min(int(round(n * test_fraction)), n - 1)
    mask = np.ones(n, dtype=bool)
    if n_test > 0:
        mask[rng.choice(n, size=n_test, replace=False)] = False
    return mask


# ---------------------------------------------------------------- the point clouds
def _circle(n: int, rng: np.random.Generator):
    """Class 1 inside radius 0.5, class 0 on a ring from 0.7 to 1 (a gap between them)."""
    y = np.arange(n) % 2 == 0
    r = np.where(y, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return X, y.astype(float)


def _gaussians(n: int, rng: np.random.Generator):
    """Two round clouds (σ = 0.2) centred at (0.5, 0.5) → 1 and (−0.5, −0.5) → 0."""
    y = np.arange(n) % 2 == 0
    centre = np.where(y[:, None], 0.5, -0.5)
    return centre + rng.normal(0.0, 0.2, (n, 2)), y.astype(float)


def _spiral(n: int, rng: np.random.Generator):
    """Two interleaved arms winding 1.75 turns out from the centre."""
    y = np.arange(n) % 2 == 0
    t = rng.uniform(0.0, 1.0, n)
    angle = 1.75 * 2 * np.pi * t + np.where(y, 0.0, np.pi)
    r = 0.05 + 0.9 * t
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)]), y.astype(float)


def _moons(n: int, rng: np.random.Generator):
    """Two interleaving half circles (scikit-learn's moons), scaled into [-1, 1]²."""
    y = np.arange(n) % 2 == 0
    t = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(y[:, None], lower, upper)
    X = (X - [0.5, 0.25]) / [1.5, 1.0]
    return X, y.astype(float)


def _checkerboard(n: int, rng: np.random.Generator):
    """A 4 × 4 board over [-1, 1]²: class 1 on the squares whose row + column is even."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    cell = np.floor((X + 1.0) * 2.0).clip(0, 3).astype(int)
    return X, ((cell[:, 0] + cell[:, 1]) % 2 == 0).astype(float)


def _spirals(k: int) -> Callable:
    """k interleaved arms winding 1.25 turns out from the centre; arm j is class j."""

    def make(n: int, rng: np.random.Generator):
        label = np.arange(n) % k
        t = rng.uniform(0.0, 1.0, n)
        angle = 1.25 * 2 * np.pi * t + label * (2 * np.pi / k)
        r = 0.05 + 0.9 * t
        return np.column_stack([r * np.sin(angle), r * np.cos(angle)]), label

    make.__doc__ = f"{k} interleaved spiral arms; arm j is class j."
    return make


def _blobs(k: int) -> Callable:
    """k round clouds (σ = 0.18) with centres evenly on a circle of radius 0.6; cloud j is class j."""

    def make(n: int, rng: np.random.Generator):
        label = np.arange(n) % k
        angle = 2 * np.pi * label / k + np.pi / 2
        centre = 0.6 * np.column_stack([np.cos(angle), np.sin(angle)])
        return centre + rng.normal(0.0, 0.18, (n, 2)), label

    make.__doc__ = f"{k} round clouds on a circle; cloud j is class j."
    return make


# TF Playground's regression Gaussians, moved from its [-6, 6]² into [-1, 1]²: (x, y, sign)
_BUMPS = tuple((x / 6, y / 6, s) for x, y, s in
               ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)))
BUMP_RADIUS = 2 / 6


def _gaussian_regression(n: int, rng: np.random.Generator):
    """Regression: six bumps of height ±1 falling linearly to 0 at radius 1/3; each point takes the
    strongest bump (TF Playground's "regress Gaussian")."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = np.zeros(n)
    for cx, cy, sign in _BUMPS:
        d = np.hypot(X[:, 0] - cx, X[:, 1] - cy)
        value = sign * np.clip(1.0 - d / BUMP_RADIUS, 0.0, 1.0)
        y = np.where(np.abs(value) > np.abs(y), value, y)
    return X, y


def _plane(n: int, rng: np.random.Generator):
    """Regression: Y = 0.6·X1 − 0.4·X2 + 0.2 (a linear network can learn it exactly)."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    return X, 0.6 * X[:, 0] - 0.4 * X[:, 1] + 0.2


def _sine(n: int, rng: np.random.Generator):
    """Regression in one input: Y = sin(π·X1) on [-1, 1] (needs a non-linear hidden layer)."""
    X = rng.uniform(-1.0, 1.0, (n, 1))
    return X, np.sin(np.pi * X[:, 0])


_CLOUDS: dict[str, tuple[Callable, GeneratorInfo]] = {
    "circle": (_circle, GeneratorInfo("circle", "Circle", "classification", 2,
                                      "a disc of class 1 inside a ring of class 0")),
    "gaussians": (_gaussians, GeneratorInfo("gaussians", "Two Gaussians", "classification", 2,
                                            "two round clouds; a straight line separates them")),
    "spiral": (_spiral, GeneratorInfo("spiral", "Spiral", "classification", 2,
                                      "two interleaved spiral arms; hard")),
    "moons": (_moons, GeneratorInfo("moons", "Moons", "classification", 2,
                                    "two interleaving half circles")),
    "checkerboard": (_checkerboard, GeneratorInfo("checkerboard", "Checkerboard", "classification",
                                                  2, "a 4 × 4 board of alternating classes")),
    "spiral3": (_spirals(3), GeneratorInfo("spiral3", "Three spirals (3 classes)", "classification", 2,
                                           "three interleaved spiral arms; one class each", 3)),
    "blobs3": (_blobs(3), GeneratorInfo("blobs3", "Three blobs (3 classes)", "classification", 2,
                                        "three round clouds; lines through the middle separate them", 3)),
    "blobs4": (_blobs(4), GeneratorInfo("blobs4", "Four blobs (4 classes)", "classification", 2,
                                        "four round clouds that overlap a little", 4)),
    "plane": (_plane, GeneratorInfo("plane", "Plane (regression)", "regression", 2,
                                    "Y = 0.6·X1 − 0.4·X2 + 0.2")),
    "sine": (_sine, GeneratorInfo("sine", "Sine (regression)", "regression", 1,
                                  "Y = sin(π·X1), one input")),
    "gaussian": (_gaussian_regression, GeneratorInfo("gaussian", "Gaussian bumps (regression)", "regression", 2,
                                                     "six bumps of height +1 or −1 (TF Playground's)")),
}

GENERATORS: dict[str, GeneratorInfo] = {
    **{op: GeneratorInfo(op, f"{op.upper()} truth table", "classification", 2,
                         f"the four rows of {op.upper()}") for op in TRUTH_TABLES},
    **{key: info for key, (_, info) in _CLOUDS.items()},
    IRIS: GeneratorInfo(IRIS, "Iris (real data, 3 classes)", "classification", 4,
                        "Fisher's 150 iris flowers: 4 measurements in cm, 3 species", 3),
}


def one_hot(label: np.ndarray, k: int) -> np.ndarray:
    """(n, k) rows with a 1 in column ``label[i]``."""
    out = np.zeros((len(label), k))
    out[np.arange(len(label)), label] = 1.0
    return out


def class_names(k: int) -> list[str]:
    return [f"C{j + 1}" for j in range(k)]


def generate(kind: str, n: int = 200, noise: float = 0.0, test_fraction: float = 0.0,
             seed: int = 0) -> Dataset:
    """A dataset of kind ``kind`` (see :data:`GENERATORS`); same arguments, same numbers.

    Truth tables always have their four rows in the article's order; ``n`` is ignored for them,
    ``noise`` (if any) is added to the inputs and the targets stay exact.
    """
    key = str(kind).lower()
    if key not in GENERATORS:
        raise DatasetError(f"unknown dataset {kind!r}; choose one of {', '.join(GENERATORS)}")
    noise = float(noise)
    if not np.isfinite(noise) or noise < 0:
        raise DatasetError(f"the noise must be a number ≥ 0, not {noise}")
    rng = np.random.default_rng(int(seed))
    if key == IRIS:
        ds = iris()
        if noise > 0:
            ds.X = ds.X + rng.normal(0.0, noise, ds.X.shape)
        ds.train_mask = split_mask(ds.n_samples, test_fraction, rng)
        return ds.validate()
    if key in TRUTH_TABLES:
        ds = truth_table(key)
        if noise > 0:
            ds.X = ds.X + rng.normal(0.0, noise, ds.X.shape)
        ds.train_mask = split_mask(ds.n_samples, test_fraction, rng)
        return ds.validate()
    n = int(n)
    if not 2 <= n <= MAX_SAMPLES:
        raise DatasetError(f"the number of samples must be between 2 and {MAX_SAMPLES:,}, not {n}")
    make, info = _CLOUDS[key]
    X, y = make(n, rng)
    if noise > 0:
        if info.task == "regression":
            y = y + rng.normal(0.0, noise, n)
        else:
            X = X + rng.normal(0.0, noise, X.shape)
    mask = split_mask(n, test_fraction, rng)
    names = [f"X{i + 1}" for i in range(info.n_inputs)]
    if info.task == "classification" and info.n_classes > 2:
        return Dataset(X, one_hot(y, info.n_classes), names, class_names(info.n_classes), mask, name=info.title)
    return Dataset(X, np.asarray(y, dtype=float)[:, None], names, ["Y"], mask, name=info.title)
