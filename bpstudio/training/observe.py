"""Measurements the worker adds to a snapshot: norms, metrics, boundary grids, diagnostics (Qt-free)."""

from __future__ import annotations

import time

import numpy as np

from ..core import boundary as _boundary
from ..core.dataset import Dataset
from ..core.engine import Engine
from ..core.graph import Graph

BOUNDARY_RESOLUTION = 100
THUMBNAIL_RESOLUTION = 24
MAX_THUMBNAILS = 64  # above this many hidden/output units, no per-unit thumbnails
COST_FACTOR = 20.0  # running grids come at most once per 20 × their cost (2-16-16-1: 4 ms / 80 ms)


def layer_norms(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """(gradient norms, weight norms) of the weights into each depth 1..D (biases left out)."""
    grads, weights = [], []
    for L in engine.layers:
        g = sum(float(np.sum(b.dW * b.dW)) for b in L.blocks)
        w = sum(float(np.sum(b.W * b.W)) for b in L.blocks)
        grads.append(np.sqrt(g))
        weights.append(np.sqrt(w))
    return np.array(grads), np.array(weights)


def is_classification(Y: np.ndarray) -> bool:
    """True when every target is 0 or 1."""
    return Y.size > 0 and bool(np.all((Y == 0) | (Y == 1)))


def accuracy(engine: Engine, X: np.ndarray, Y: np.ndarray) -> float:
    """Share of rows whose every output lands on the right side of 0.5."""
    if len(X) == 0:
        return float("nan")
    yhat = engine.predict(X)
    return float(np.mean(np.all((yhat >= 0.5) == (Y >= 0.5), axis=1)))


class Metrics:
    """Test loss and accuracy for a dataset (classification when every target is 0/1)."""

    def __init__(self, dataset: Dataset) -> None:
        self.X_train, self.Y_train = dataset.train()
        self.X_test, self.Y_test = dataset.test()
        self.has_test = len(self.X_test) > 0
        self.classification = is_classification(dataset.Y)

    def test_loss(self, engine: Engine) -> float | None:
        return engine.loss_of(self.X_test, self.Y_test) if self.has_test else None

    def train_accuracy(self, engine: Engine) -> float | None:
        return accuracy(engine, self.X_train, self.Y_train) if self.classification else None

    def test_accuracy(self, engine: Engine) -> float | None:
        if not (self.classification and self.has_test):
            return None
        return accuracy(engine, self.X_test, self.Y_test)


class BoundaryMaker:
    """Decision-boundary grids for two-input networks, skipped when they would slow training.

    While training runs, a grid is made at most once per ``COST_FACTOR × its own cost`` so it never
    takes more than about 5 % of the worker's time; a final snapshot (pause, step) always gets one.
    """

    def __init__(self, X: np.ndarray) -> None:
        self.extent = _boundary.plane_extent(X) if X.shape[1] == 2 and len(X) else None
        self._next_due = 0.0

    def make(self, engine: Engine, final: bool) -> tuple[np.ndarray | None, dict | None]:
        if self.extent is None or len(engine.input_ids) != 2:
            return None, None
        now = time.perf_counter()
        if not final and now < self._next_due:
            return None, None
        grid = _boundary.boundary_grid(engine, self.extent, BOUNDARY_RESOLUTION)
        thumbs = None
        if len(engine.unit_ids) - 2 <= MAX_THUMBNAILS:
            thumbs = _boundary.unit_grids(engine, self.extent, THUMBNAIL_RESOLUTION)
        cost = time.perf_counter() - now
        self._next_due = now + COST_FACTOR * cost
        return grid, thumbs


def diagnose(graph: Graph, engine: Engine) -> tuple:
    """The core diagnostics for the engine's current numbers, if that module exists (else ())."""
    try:
        from ..core.diagnostics import diagnose as _diagnose
    except ImportError:
        return ()
    engine.write_to(graph)  # the worker's private copy: nobody listens to it
    return tuple(_diagnose(graph))
