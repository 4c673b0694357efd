"""Many edges drawn by one item: endpoints in numpy arrays, one path per colour bucket.

Used above ``style.EDGE_ITEM_LIMIT`` edges. Recolouring is numpy only (bucket per edge); the
per-bucket paths are rebuilt lazily at the next paint with pyqtgraph's ``arrayToQPath``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem
import pyqtgraph as pg

from . import style


class EdgeBundle(QGraphicsItem):
    """Draws every edge of a big graph; not selectable (units stay interactive)."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(style.Z_BUNDLE)
        self.keys: list[tuple[str, str]] = []
        self.row: dict[tuple[str, str], int] = {}
        self.src = np.zeros(0, dtype=np.intp)  # index into the unit arrays
        self.dst = np.zeros(0, dtype=np.intp)
        self.unit_index: dict[str, int] = {}
        self.ux = np.zeros(0)  # unit positions
        self.uy = np.zeros(0)
        self.values = np.zeros(0)
        self.scale = 1.0
        self.buckets = np.zeros(0, dtype=np.intp)
        self._paths: list | None = None
        self._stale = False  # values changed one by one: rescale before drawing
        self._graph = None
        self._reload = False  # topology changed: reload from the graph before use
        self._rect = QRectF()
        self._cached_keys: tuple | None = None
        self._cached_rows: np.ndarray | None = None

    # ------------------------------------------------------------------ model
    def invalidate(self) -> None:
        """The graph's units or edges changed: reload lazily (one reload for a burst of events)."""
        self._reload = True
        self.update()

    def _ensure(self) -> None:
        if self._reload and self._graph is not None:
            self.load(self._graph)

    def load(self, graph) -> None:
        """Take every unit position and edge of ``graph`` (after a reset or a topology change)."""
        self._graph = graph
        self._reload = False
        ids = list(graph.nodes)
        self.unit_index = {nid: i for i, nid in enumerate(ids)}
        self.ux = np.fromiter((graph.nodes[i].x for i in ids), float, len(ids))
        self.uy = np.fromiter((graph.nodes[i].y for i in ids), float, len(ids))
        self.keys = list(graph.edges)
        self.row = {k: i for i, k in enumerate(self.keys)}
        ui = self.unit_index
        self.src = np.fromiter((ui[s] for s, _ in self.keys), np.intp, len(self.keys))
        self.dst = np.fromiter((ui[t] for _, t in self.keys), np.intp, len(self.keys))
        self.values = np.fromiter((e.weight for e in graph.edges.values()), float, len(self.keys))
        self._cached_keys = None
        self._rescale()
        self._geometry_changed()

    def _rescale(self) -> None:
        self._stale = False
        finite = self.values[np.isfinite(self.values)]
        self.scale = float(np.abs(finite).max()) if finite.size else 1.0
        self.buckets = style.bundle_of(self.values, self.scale)
        self._paths = None

    def _geometry_changed(self) -> None:
        self.prepareGeometryChange()
        if self.ux.size:
            m = style.NODE_RADIUS
            self._rect = QRectF(self.ux.min() - m, self.uy.min() - m,
                                np.ptp(self.ux) + 2 * m, np.ptp(self.uy) + 2 * m)
        else:
            self._rect = QRectF()
        self._paths = None
        self.update()

    def set_values(self, keys, values: np.ndarray) -> None:
        """New weights for ``keys`` (a sequence of edge keys) in one vectorised pass."""
        self._ensure()
        keys = tuple(keys)
        if self._cached_keys is None or keys != self._cached_keys:
            rows = np.fromiter((self.row.get(k, -1) for k in keys), np.intp, len(keys))
            self._cached_keys, self._cached_rows = keys, rows
        rows = self._cached_rows
        ok = rows >= 0
        self.values[rows[ok]] = np.asarray(values, dtype=float)[ok]
        self._rescale()
        self.update()

    def set_value(self, key, value: float) -> None:
        """One weight changed (the graph sends one event per edge): restyled once, at the next paint."""
        self._ensure()
        r = self.row.get(key)
        if r is not None:
            self.values[r] = value
            self._stale = True
            self.update()

    def move_unit(self, node_id: str, x: float, y: float) -> None:
        self._ensure()
        i = self.unit_index.get(node_id)
        if i is not None:
            self.ux[i], self.uy[i] = x, y
            self._geometry_changed()

    # ------------------------------------------------------------------ drawing
    def boundingRect(self) -> QRectF:
        return self._rect

    def _build_paths(self) -> list:
        x1, y1 = self.ux[self.src], self.uy[self.src]
        x2, y2 = self.ux[self.dst], self.uy[self.dst]
        order = np.argsort(self.buckets, kind="stable")
        counts = np.bincount(self.buckets, minlength=style.N_BUNDLE)
        paths, start = [], 0
        for b in range(style.N_BUNDLE):
            n = int(counts[b])
            if n == 0:
                paths.append(None)
                continue
            sel = order[start:start + n]
            start += n
            xs = np.empty(2 * n)
            ys = np.empty(2 * n)
            xs[0::2], xs[1::2] = x1[sel], x2[sel]
            ys[0::2], ys[1::2] = y1[sel], y2[sel]
            paths.append(pg.arrayToQPath(xs, ys, connect="pairs", finiteCheck=False))
        return paths

    def paint(self, painter, option, widget=None) -> None:
        self._ensure()
        if self._stale:
            self._rescale()
        if self._paths is None:
            self._paths = self._build_paths()
        painter.setBrush(style.NO_PEN.brush())
        for b, path in enumerate(self._paths):
            if path is not None:
                painter.setPen(style.BUNDLE_PENS[b])
                painter.drawPath(path)

    def __repr__(self) -> str:
        return f"EdgeBundle({len(self.keys)} edges, scale={self.scale:g})"
