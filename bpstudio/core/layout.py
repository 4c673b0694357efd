"""Canvas positions for a graph: columns by depth, units centred in each column."""

from __future__ import annotations

import math

from .graph import Graph

COLUMN_GAP = 220.0
ROW_GAP = 110.0


def auto_layout(graph: Graph, column_gap: float = COLUMN_GAP, row_gap: float = ROW_GAP) -> dict:
    """Positions by unit id: x by depth, y centred on 0 within each column."""
    pos = {}
    for d, ids in enumerate(graph.layers()):
        top = -(len(ids) - 1) * row_gap / 2.0
        for i, nid in enumerate(ids):
            pos[nid] = (d * column_gap, top + i * row_gap)
    return pos


def apply_layout(graph: Graph, **kw) -> None:
    for nid, (x, y) in auto_layout(graph, **kw).items():
        graph.move(nid, x, y)


def free_spot(x: float, y: float, taken: list[tuple[float, float]], width: float, height: float,
              step: float | None = None) -> tuple[float, float]:
    """The point nearest (x, y) whose footprint (``width`` × ``height``, the same for every unit) overlaps
    no footprint centred on a point in ``taken``: (x, y) itself when free, else the first free point on
    rings of growing radius around it (on each ring straight down and up first, so a unit keeps to its
    column when that is as near)."""

    def free(px: float, py: float) -> bool:
        return all(abs(px - tx) >= width or abs(py - ty) >= height for tx, ty in taken)

    if free(x, y):
        return x, y
    step = min(width, height) / 4.0 if step is None else step
    for ring in range(1, 2000):
        r = ring * step
        for dx, dy in ((0, r), (0, -r)):
            if free(x + dx, y + dy):
                return x + dx, y + dy
        n = max(8, int(2 * math.pi * r / step))
        for k in range(n):
            a = 2 * math.pi * k / n
            px, py = x + r * math.sin(a), y + r * math.cos(a)
            if free(px, py):
                return px, py
    raise ValueError("no free room within reach")  # unreachable: finitely many units
