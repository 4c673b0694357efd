"""What a regression network's fit looks like: its curve over the one input, or predicted against
target for every row (more inputs). Made in the training worker; the regression panel shows it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import Engine

CURVE_POINTS = 200
MAX_SCATTER_ROWS = 2000  # more rows than this: an evenly spaced subset is shown


@dataclass(frozen=True)
class FitView:
    """``curve_x``/``curve_y``: the network's output along its one input (else empty); ``x``,
    ``target``, ``predicted``: each row shown (train rows first), its first input, its target and the
    network's first output."""

    curve_x: np.ndarray
    curve_y: np.ndarray
    x: np.ndarray  # the rows' first input
    target: np.ndarray
    predicted: np.ndarray
    n_train: int  # the first n_train of target/predicted are training rows, the rest test rows

    def __post_init__(self) -> None:
        for a in (self.curve_x, self.curve_y, self.x, self.target, self.predicted):
            a.setflags(write=False)  # handed to the GUI thread: nobody changes it after

    @property
    def r_squared(self) -> float:
        """1 − SSE / SST over the rows shown (NaN when the targets do not vary)."""
        if len(self.target) < 2:
            return float("nan")
        sst = float(np.sum((self.target - self.target.mean()) ** 2))
        if sst == 0.0:
            return float("nan")
        return 1.0 - float(np.sum((self.predicted - self.target) ** 2)) / sst

    def __repr__(self) -> str:
        return f"FitView(curve={len(self.curve_x)} points, rows={len(self.target)}, R²={self.r_squared:.4g})"


def _every(n: int, cap: int) -> np.ndarray:
    return np.arange(n) if n <= cap else np.linspace(0, n - 1, cap).round().astype(int)


def fit_view(engine: Engine, X_train: np.ndarray, Y_train: np.ndarray, X_test=None, Y_test=None) -> FitView:
    """The fit of output 0: a curve when the network has one input, predicted vs target always."""
    X_test = np.zeros((0, X_train.shape[1])) if X_test is None else X_test
    Y_test = np.zeros((0, Y_train.shape[1])) if Y_test is None else Y_test
    share = MAX_SCATTER_ROWS * len(X_train) // max(len(X_train) + len(X_test), 1)
    tr = _every(len(X_train), max(share, 1))
    te = _every(len(X_test), MAX_SCATTER_ROWS - len(tr))
    X = np.concatenate([X_train[tr], X_test[te]])
    target = np.concatenate([Y_train[tr, 0], Y_test[te, 0]])
    predicted = engine.predict(X)[:, 0] if len(X) else np.zeros(0)
    curve_x = curve_y = np.zeros(0)
    if X_train.shape[1] == 1 and len(X):
        lo, hi = float(X[:, 0].min()), float(X[:, 0].max())
        pad = 0.1 * (hi - lo if hi > lo else 1.0)
        curve_x = np.linspace(lo - pad, hi + pad, CURVE_POINTS)
        curve_y = engine.predict(curve_x[:, None])[:, 0]
    return FitView(curve_x, curve_y, X[:, 0].copy(), target, predicted, len(tr))
