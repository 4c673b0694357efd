"""Measurements the worker adds to a snapshot: norms, metrics, boundary grids, diagnostics (Qt-free)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..core import boundary as _boundary
from ..core.dataset import Dataset, target_task
from ..core.engine import Engine
from ..core.fit_view import FitView, fit_view
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
    """Share of rows classified right: the largest output is the target's class (one-hot targets),
    else every output lands on the right side of 0.5."""
    if len(X) == 0:
        return float("nan")
    yhat = engine.predict(X)
    if target_task(Y) == "multiclass":
        return float(np.mean(np.argmax(yhat, axis=1) == np.argmax(Y, axis=1)))
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


@dataclass(frozen=True)
class Pictures:
    """What :class:`BoundaryMaker` made for one snapshot (each None when not made)."""

    grid: np.ndarray | None = None  # output 0 over the plane; the winner's share for classes > 2
    thumbs: dict | None = None
    classes: _boundary.ClassPicture | None = None
    fit: FitView | None = None


class BoundaryMaker:
    """Decision-boundary grids for two-input networks (a class picture for one-hot targets), and the
    fit of a regression network, skipped when they would slow training.

    While training runs, they are made at most once per ``COST_FACTOR × their own cost`` so they never
    take more than about 5 % of the worker's time; a final snapshot (pause, step) always gets them.
    """

    def __init__(self, X: np.ndarray, dataset: Dataset | None = None) -> None:
        self.extent = _boundary.plane_extent(X) if X.shape[1] == 2 and len(X) else None
        self.task = dataset.task if dataset is not None else "binary"
        self._data = (dataset.train(), dataset.test()) if dataset is not None else None
        self._next_due = 0.0

    def make(self, engine: Engine, final: bool) -> Pictures:
        plane = self.extent is not None and len(engine.input_ids) == 2
        fit_wanted = self.task == "regression" and self._data is not None
        if not (plane or fit_wanted):
            return Pictures()
        now = time.perf_counter()
        if not final and now < self._next_due:
            return Pictures()
        grid = thumbs = classes = fit = None
        if plane and self.task == "multiclass" and len(engine.output_ids) >= 2:
            outputs = _boundary.output_grids(engine, self.extent, BOUNDARY_RESOLUTION)
            classes = _boundary.class_picture(outputs)
            grid = classes.share
        elif plane:
            grid = _boundary.boundary_grid(engine, self.extent, BOUNDARY_RESOLUTION)
        if plane and len(engine.unit_ids) - 2 <= MAX_THUMBNAILS:
            thumbs = _boundary.unit_grids(engine, self.extent, THUMBNAIL_RESOLUTION)
        if fit_wanted:
            (Xtr, Ytr), (Xte, Yte) = self._data
            fit = fit_view(engine, Xtr, Ytr, Xte, Yte)
        cost = time.perf_counter() - now
        self._next_due = now + COST_FACTOR * cost
        return Pictures(grid, thumbs, classes, fit)


def diagnose(graph: Graph, engine: Engine) -> tuple:
    """The core diagnostics for the engine's current numbers, if that module exists (else ())."""
    try:
        from ..core.diagnostics import diagnose as _diagnose
    except ImportError:
        return ()
    engine.write_to(graph)  # the worker's private copy: nobody listens to it
    return tuple(_diagnose(graph))
