"""The network's output over the input plane (for two-input networks): decision-boundary grids, and
for more than two classes a picture coloured by the winning class."""

from __future__ import annotations

from dataclasses import dataclass

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


# ---------------------------------------------------------------- more than two classes
# a qualitative palette (matplotlib's tab10), class j gets CLASS_COLOURS[j % 10]
CLASS_COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                 (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))
FAINTEST = 0.2  # a pixel where the classes tie is this much class colour (the rest white)


def class_colour(j: int) -> tuple[int, int, int]:
    return CLASS_COLOURS[j % len(CLASS_COLOURS)]


@dataclass(frozen=True)
class ClassPicture:
    """The plane coloured by the winning class, fainter where the network is less sure, with the
    lines where the winner changes. Made in the training worker; the panel only shows it."""

    rgb: np.ndarray  # (H, W, 3) uint8; row r is y index r, like boundary_grid
    label: np.ndarray  # (H, W) the winning output's index
    share: np.ndarray  # (H, W) the winner's share of the outputs (its probability, for softmax)
    lines: tuple[np.ndarray, np.ndarray]  # (x, y) in grid coordinates, two points per segment

    def __post_init__(self) -> None:
        for a in (self.rgb, self.label, self.share, *self.lines):
            a.setflags(write=False)  # handed to the GUI thread: nobody changes it after

    @property
    def n_classes(self) -> int:
        return int(self.label.max()) + 1 if self.label.size else 0

    def __repr__(self) -> str:
        h, w = self.label.shape
        return f"ClassPicture({h}×{w}, {len(self.lines[0]) // 2} boundary segments)"


def output_grids(engine: Engine, extent, resolution: int = 100) -> np.ndarray:
    """(resolution, resolution, outputs): every output over the plane."""
    if len(engine.input_ids) != 2:
        raise ValueError("the decision boundary needs a network with exactly two inputs")
    yhat = engine.forward(plane_points(extent, resolution)).yhat
    return yhat.reshape(resolution, resolution, yhat.shape[1])


def class_picture(outputs: np.ndarray) -> ClassPicture:
    """Colour each grid point by its largest output; the colour fades to white as the winner's share
    of the (non-negative parts of the) outputs falls to 1/k, where k classes tie."""
    from .contour import contour_segments

    h, w, k = outputs.shape
    finite = np.isfinite(outputs).all(axis=2)
    out = np.where(finite[..., None], outputs, 0.0)
    label = np.argmax(out, axis=2)
    positive = np.clip(out, 0.0, None)
    total = positive.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, positive.max(axis=2) / total, 1.0 / k)
    sure = np.clip((share - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0) if k > 1 else np.ones((h, w))
    strength = (FAINTEST + (1.0 - FAINTEST) * sure)[..., None]
    palette = np.array([class_colour(j) for j in range(k)], dtype=float)
    rgb = 255.0 * (1.0 - strength) + palette[label] * strength
    rgb[~finite] = 0.0
    xs, ys = [], []
    for j in np.unique(label[finite]):
        others = np.delete(out, j, axis=2).max(axis=2) if k > 1 else np.zeros((h, w))
        margin = np.where(finite, out[..., j] - others, np.nan)
        x, y = contour_segments(margin, 0.0)
        xs.append(x)
        ys.append(y)
    lines = (np.concatenate(xs), np.concatenate(ys)) if xs else (np.zeros(0), np.zeros(0))
    return ClassPicture(rgb.round().astype(np.uint8), label, share, lines)
