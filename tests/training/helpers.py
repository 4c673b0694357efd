"""Projects for the training tests and the benchmark: two Gaussians, a 2-16-16-1 network."""

from __future__ import annotations

import numpy as np

from bpstudio.core.dataset import Dataset
from bpstudio.core.presets import initialise, layered_graph
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings


def two_gaussians(n: int = 200, seed: int = 0) -> Dataset:
    """Two noisy clusters in the plane, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    half = n // 2
    X = np.vstack([rng.normal(-1.0, 0.7, (half, 2)), rng.normal(1.0, 0.7, (n - half, 2))])
    Y = np.r_[np.zeros(half), np.ones(n - half)][:, None]
    return Dataset(X, Y, ["X1", "X2"], ["Y"], name="gaussians")


def deep_project(n: int = 200, **settings) -> Project:
    """A 2-16-16-1 tanh/sigmoid network on two Gaussians."""
    g = layered_graph([2, 16, 16, 1], "tanh", "sigmoid")
    base = dict(loss="cross_entropy", learning_rate=0.1, init="xavier", seed=1, max_epochs=0)
    base.update(settings)
    s = TrainingSettings(**base).validate()
    initialise(g, s)
    return Project(g, two_gaussians(n), s, name="deep")
