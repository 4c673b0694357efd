"""Pens, brushes, sizes, Z-values and the diverging colour map the canvas (and panels) share.

Everything is pre-built once: recolouring picks a bucket index, never creates a QPen/QBrush.
The diverging map is symmetric around 0: negative values red, zero near white, positive blue.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen

import numpy as np

N_BUCKETS = 256  # colour buckets of the diverging map (index 0 = -1, 255 = +1)
MID = (N_BUCKETS - 1) / 2.0

# sizes (scene units)
NODE_RADIUS = 24.0
HANDLE_RADIUS = 6.0
UNIT_GAP = 6.0  # the least clearance between two units' footprints (circle, handle, activation name)
EDGE_HIT_WIDTH = 10.0
EDGE_MIN_WIDTH = 0.8
EDGE_MAX_WIDTH = 4.0
LABEL_T = 0.75  # where along an edge its weight label sits (0 = source, 1 = target): labels of edges
# converging on one unit stay apart, and edges from different columns do not stack their labels

# level of detail thresholds (view scale)
LOD_TEXT = 0.35  # below: no unit names
LOD_EDGE_LABELS = 0.75  # at or above: weight labels on every edge
LABEL_LAYOUT_LIMIT = 120  # more edges than this: weight labels only on hover and in the inspector (laying
# out 280 labels of a 2-16-16-1 net took 18.6 ms, over a frame; 120 take under 8 ms: bench_canvas)
EDGE_ITEM_LIMIT = 3000  # more edges than this: one bundled item draws them all

# Z-values
Z_BUNDLE = -1.0
Z_EDGE = 0.0
Z_EDGE_HOVER = 5.0
Z_NODE = 10.0
Z_DRAG_LINE = 20.0

# diverging map anchors (ColorBrewer RdBu, readable on light and dark backgrounds)
_ANCHORS = np.array([
    (-1.00, (103, 0, 31)), (-0.75, (178, 24, 43)), (-0.50, (214, 96, 77)), (-0.25, (244, 165, 130)),
    (0.00, (247, 247, 247)),
    (0.25, (146, 197, 222)), (0.50, (67, 147, 195)), (0.75, (33, 102, 172)), (1.00, (5, 48, 97)),
], dtype=object)

INK_DARK = QColor("#1d1d1d")  # text on a value-coloured (diverging map) fill, whatever the theme
TEXT_LIGHT = QColor("#ffffff")
HIGHLIGHT = QColor("#f2a900")
SELECTED = QColor("#ff7f0e")


@dataclass(frozen=True)
class CanvasColours:
    """The theme-dependent colours of the canvas (``#rrggbb``): page, unit fills and outlines, text."""

    name: str
    background: str
    fill: dict  # role -> fill
    line: dict  # role -> outline
    text: str  # unit names on their role fill
    muted: str  # activation names, bias units' text (on the page)
    label_bg: str  # weight labels' box (opaque)
    label_text: str
    handle: str
    positive: str  # edge colours by sign
    negative: str

    def __repr__(self) -> str:
        return f"CanvasColours({self.name!r}, background={self.background})"


LIGHT_CANVAS = CanvasColours(
    name="light", background="#fbfbfb",
    fill={"input": "#e6f2e6", "hidden": "#e8eef9", "output": "#fbeedd", "bias": "#f3f3f3"},
    line={"input": "#4d8a4d", "hidden": "#3d6aa6", "output": "#b87424", "bias": "#8a8a8a"},
    text="#1d1d1d", muted="#5a5a5a", label_bg="#ffffff", label_text="#333333", handle="#3d6aa6",
    positive="#2864b4", negative="#c83232",
)
DARK_CANVAS = CanvasColours(
    name="dark", background="#1c1c1f",
    fill={"input": "#213a24", "hidden": "#1f2d45", "output": "#43301c", "bias": "#2a2a2e"},
    line={"input": "#6cbf6c", "hidden": "#6f9fe6", "output": "#e3a04f", "bias": "#9a9a9a"},
    text="#f0f0f0", muted="#b4b4b4", label_bg="#2c2c31", label_text="#e6e6e6", handle="#8ab4f8",
    positive="#5b9bf0", negative="#f06a6a",
)
CANVAS_THEMES = {"light": LIGHT_CANVAS, "dark": DARK_CANVAS}

def diverging_rgb(t: np.ndarray | float) -> np.ndarray:
    """RGB (0..255) of the diverging map at ``t`` in [-1, 1] (clipped), linear between anchors."""
    t = np.clip(np.asarray(t, dtype=float), -1.0, 1.0)
    xs = np.array([a[0] for a in _ANCHORS], dtype=float)
    cols = np.array([a[1] for a in _ANCHORS], dtype=float)
    return np.stack([np.interp(t, xs, cols[:, i]) for i in range(3)], axis=-1)


def bucket_of(values: np.ndarray, scale: float) -> np.ndarray:
    """Bucket index 0..N_BUCKETS-1 of each value on a map symmetric around 0 with ±``scale`` at the ends.

    NaN goes to the middle (white); ``scale`` ≤ 0 puts every value in the middle.
    """
    v = np.asarray(values, dtype=float)
    if not scale > 0 or not np.isfinite(scale):
        return np.full(v.shape, int(round(MID)), dtype=np.intp)
    t = np.nan_to_num(v / scale, nan=0.0, posinf=1.0, neginf=-1.0)
    np.clip(t, -1.0, 1.0, out=t)
    return np.rint((t + 1.0) * MID).astype(np.intp)


def bucket(value: float, scale: float) -> int:
    """Scalar :func:`bucket_of`."""
    if not scale > 0 or value != value:
        return int(round(MID))
    t = max(-1.0, min(1.0, value / scale))
    return int(round((t + 1.0) * MID))


def bucket_value(index: int) -> float:
    """The t in [-1, 1] a bucket stands for."""
    return index / MID - 1.0


def _build():
    rgb = diverging_rgb(np.linspace(-1, 1, N_BUCKETS))
    colors = [QColor(int(r), int(g), int(b)) for r, g, b in rgb]
    brushes = [QBrush(c) for c in colors]
    # dark fills need light text (luminance below ~0.5)
    lum = (0.2126 * rgb[:, 0] + 0.7152 * rgb[:, 1] + 0.0722 * rgb[:, 2]) / 255.0
    text_light = [bool(x < 0.5) for x in lum]
    return colors, brushes, text_light


def edge_pens(colours: CanvasColours) -> list[QPen]:
    """One pen per bucket: colour by sign (never the page's colour: an edge must stay visible),
    width by |w|, translucent for small |w| (``edge_item.opaque_pens`` pre-mixes them)."""
    pens = []
    for i in range(N_BUCKETS):
        t = bucket_value(i)
        a = abs(t)
        c = QColor(colours.positive if t >= 0 else colours.negative)
        c.setAlpha(int(90 + 165 * min(1.0, a)))
        pen = QPen(c, EDGE_MIN_WIDTH + (EDGE_MAX_WIDTH - EDGE_MIN_WIDTH) * a)
        pen.setCapStyle(Qt.RoundCap)
        pens.append(pen)
    return pens


def bundle_pens(colours: CanvasColours) -> list[QPen]:
    """Pens for thousands of edges: thin, cosmetic and OPAQUE (a translucent pen is ~35x slower in
    Qt's raster engine): the colour is pre-mixed with the page instead, faint for small |w|."""
    bg = QColor(colours.background)
    bundle = []
    for j in range(16):
        t = (j + 0.5) / 8.0 - 1.0
        base = QColor(colours.positive if t >= 0 else colours.negative)
        k = 0.25 + 0.75 * abs(t)
        c = QColor(*(int(b + (f - b) * k) for f, b in ((base.red(), bg.red()), (base.green(), bg.green()),
                                                      (base.blue(), bg.blue()))))
        p = QPen(c, 1.0)
        p.setCosmetic(True)
        bundle.append(p)
    return bundle


COLORS, BRUSHES, TEXT_IS_LIGHT = _build()
N_BUNDLE = 16
SELECTED_PEN = QPen(SELECTED, 3.0)
HIGHLIGHT_PEN = QPen(HIGHLIGHT, 5.0)
NO_PEN = QPen(Qt.NoPen)
BAND_BRUSHES = (QBrush(QColor(200, 50, 50, 28)), QBrush(QColor(40, 100, 180, 28)))  # negative, positive
EDGE_PENS_OF = {name: edge_pens(c) for name, c in CANVAS_THEMES.items()}


def use_canvas_theme(name: str) -> CanvasColours:
    """Make the canvas's module-level pens and brushes those of theme ``name`` ("light"/"dark").
    Items read them when they paint, so a repaint of the view shows the new theme."""
    global CANVAS, EDGE_PENS, BUNDLE_PENS, ROLE_FILL, ROLE_LINE, ROLE_BRUSH, ROLE_PEN, ROLE_DOT, BIAS_PEN
    global TEXT, MUTED, HANDLE_BRUSH, HANDLE_PEN, DRAG_PEN, LABEL_BG, LABEL_PEN, NEGATIVE, POSITIVE
    c = CANVAS_THEMES.get(name, LIGHT_CANVAS)
    CANVAS = c
    EDGE_PENS = EDGE_PENS_OF[c.name]
    BUNDLE_PENS = bundle_pens(c)
    NEGATIVE, POSITIVE = QColor(c.negative), QColor(c.positive)
    ROLE_FILL = {k: QColor(v) for k, v in c.fill.items()}
    ROLE_LINE = {k: QColor(v) for k, v in c.line.items()}
    ROLE_BRUSH = {k: QBrush(v) for k, v in ROLE_FILL.items()}
    ROLE_PEN = {k: QPen(v, 2.0) for k, v in ROLE_LINE.items()}
    ROLE_DOT = {k: QBrush(v) for k, v in ROLE_LINE.items()}  # a unit drawn as a dot when zoomed far out
    BIAS_PEN = QPen(ROLE_LINE["bias"], 1.6, Qt.DashLine)
    TEXT, MUTED = QColor(c.text), QColor(c.muted)
    HANDLE_BRUSH = QBrush(QColor(c.background))
    HANDLE_PEN = QPen(QColor(c.handle), 1.5)
    DRAG_PEN = QPen(QColor(c.handle), 2.0, Qt.DashLine)
    LABEL_BG = QBrush(QColor(c.label_bg))
    LABEL_PEN = QPen(QColor(c.label_text))
    return c


use_canvas_theme("light")


def bundle_of(values: np.ndarray, scale: float) -> np.ndarray:
    """Bundle index 0..15 (sign and size) for the cheap zoomed-out edge drawing."""
    v = np.asarray(values, dtype=float)
    if not scale > 0:
        return np.full(v.shape, N_BUNDLE // 2, dtype=np.intp)
    t = np.clip(np.nan_to_num(v / scale), -1.0, 1.0)
    return np.minimum(((t + 1.0) * (N_BUNDLE / 2)).astype(np.intp), N_BUNDLE - 1)


def font(point_size: float = 10.0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f


NAME_FONT = font(11.0, True)
SMALL_FONT = font(8.0)
LABEL_FONT = font(8.5)
VALUE_FONT = font(8.0, True)


def format_value(v: float) -> str:
    """Compact number for a label: 1, 0.6, -0.25, 1.23e-05 (never 0.6000000000000001)."""
    if v != v:
        return "—"
    if v == 0:
        return "0"
    a = abs(v)
    if 1e-3 <= a < 1e5:
        s = f"{v:.4g}"
    else:
        s = f"{v:.3g}"
    return s
