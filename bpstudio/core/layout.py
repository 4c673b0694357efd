"""Canvas positions for a graph: columns by depth, units centred in each column."""

from __future__ import annotations

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
