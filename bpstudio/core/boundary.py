"""The network's output over the input plane (for two-input networks): decision-boundary grids."""

from __future__ import annotations

import numpy as np

from .engine import Engine


def plane_extent(X: np.ndarray, margin: float = 0.25) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around the data's first two columns, with a relative margin."""
    lo = X[:, :2].min(axis=0)
    hi = X[:, :2].max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    lo = lo - margin * span
    hi = hi + margin * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def plane_points(extent, resolution: int) -> np.ndarray:
    """(resolution², 2) points on a grid; row r of the grid is y index r, column c is x index c."""
    x0, x1, y0, y1 = extent
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def boundary_grid(engine: Engine, extent, resolution: int = 100, output: int = 0) -> np.ndarray:
    """(resolution, resolution) values of output ``output``; ``grid[r, c]`` is at (x_c, y_r)."""
    if len(engine.input_ids) != 2:
        raise ValueError("the decision boundary needs a network with exactly two inputs")
    pts = plane_points(extent, resolution)
    return engine.forward(pts).yhat[:, output].reshape(resolution, resolution)


def unit_grids(engine: Engine, extent, resolution: int = 32) -> dict[str, np.ndarray]:
    """Each non-input unit's activation over the plane (small thumbnails), by unit id."""
    if len(engine.input_ids) != 2:
        raise ValueError("unit thumbnails need a network with exactly two inputs")
    pts = plane_points(extent, resolution)
    fw = engine.forward(pts)
    out = {}
    for depth, ids in enumerate(engine.layer_ids):
        if depth == 0:
            continue
        acts = fw.act[depth]
        for c, nid in enumerate(ids):
            out[nid] = acts[:, c].reshape(resolution, resolution)
    return out
