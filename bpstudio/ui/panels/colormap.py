"""Colour maps shared by the panels: the diverging delta map (symmetric around zero) and the output map.

The panels take the canvas's diverging map (``style.diverging_rgb``) so that canvas, legend and
panels agree; the stops below are only a fallback when the canvas is not there.
"""

from __future__ import annotations

from PySide6 import QtGui  # noqa: F401  (PySide6 before pyqtgraph)

import numpy as np
import pyqtgraph as pg

# (position in [0, 1], RGB): 0 is −scale, 0.5 is zero, 1 is +scale
DIVERGING_STOPS = (
    (0.0, (33, 102, 172)),
    (0.25, (103, 169, 207)),
    (0.5, (247, 247, 247)),
    (0.75, (239, 138, 98)),
    (1.0, (178, 24, 43)),
)
OUTPUT_STOPS = ((0.0, (68, 1, 84)), (0.5, (33, 145, 140)), (1.0, (253, 231, 37)))


def _style_stops():
    """The canvas style's diverging map (``style.diverging_rgb`` on [-1, 1]) as stops on [0, 1]."""
    try:
        from bpstudio.ui.canvas.style import diverging_rgb
    except Exception:  # the canvas is optional for the panels
        return None
    t = np.linspace(-1.0, 1.0, 17)
    rgb = np.asarray(diverging_rgb(t))
    return tuple((float((x + 1) / 2), tuple(int(round(c)) for c in row)) for x, row in zip(t, rgb))


def diverging_map() -> pg.ColorMap:
    """The delta colour map: symmetric, white at zero."""
    stops = _style_stops() or DIVERGING_STOPS
    pos = np.array([p for p, _ in stops], dtype=float)
    colors = np.array([tuple(c)[:3] for _, c in stops], dtype=np.ubyte)
    return pg.ColorMap(pos, colors)


def output_map() -> pg.ColorMap:
    """The map for a network's output over the input plane."""
    pos = np.array([p for p, _ in OUTPUT_STOPS], dtype=float)
    return pg.ColorMap(pos, np.array([c for _, c in OUTPUT_STOPS], dtype=np.ubyte))


def symmetric_scale(values, floor: float = 1e-12) -> float:
    """The largest finite |value| (the map runs from −scale to +scale); 1 when there is none."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 1.0
    m = float(np.max(np.abs(v)))
    return m if m > floor else 1.0


def colour_of(value: float, scale: float, cmap: pg.ColorMap | None = None) -> QtGui.QColor:
    """The colour of one value on the diverging map scaled to ±scale (grey for NaN)."""
    if not np.isfinite(value):
        return QtGui.QColor(200, 200, 200)
    cmap = cmap or diverging_map()
    t = 0.5 + 0.5 * float(np.clip(value / scale, -1.0, 1.0))
    return cmap.map(t, mode="qcolor")


def colours_of(values, scale: float, cmap: pg.ColorMap | None = None) -> list[QtGui.QColor]:
    cmap = cmap or diverging_map()
    return [colour_of(v, scale, cmap) for v in np.asarray(values, dtype=float)]
