"""Many edges drawn by one item: endpoints in numpy arrays, opaque pens by colour bucket.

Used above ``style.EDGE_ITEM_LIMIT`` edges. Recolouring is numpy only (a bucket per edge). Painting
keeps to a pixel budget: only edges crossing the exposed area are considered, and when their total
on-screen length is over the budget the strongest |w| edges are drawn over pale bands that stand
for each pair of connected columns (the level of detail for a zoomed-out view of a big network).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

import numpy as np
import pyqtgraph as pg

from . import style

PIXEL_BUDGET = 400_000  # device pixels of edge drawn per paint (opaque 1-px lines: a few ms)


class EdgeBundle(QGraphicsItem):
    """Draws every edge of a big graph; not selectable (units stay interactive)."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(style.Z_BUNDLE)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption)  # exposedRect for culling
        self.keys: list[tuple[str, str]] = []
        self.row: dict[tuple[str, str], int] = {}
        self.src = np.zeros(0, dtype=np.intp)  # index into the unit arrays
        self.dst = np.zeros(0, dtype=np.intp)
        self.unit_index: dict[str, int] = {}
        self.ux = np.zeros(0)  # unit positions
        self.uy = np.zeros(0)
        self.depth = np.zeros(0, dtype=np.intp)
        self.values = np.zeros(0)
        self.scale = 1.0
        self.buckets = np.zeros(0, dtype=np.intp)
        self.last_drawn = 0  # edges drawn one by one at the last paint (for tests and the benchmark)
        self._bands: list[tuple[QPolygonF, int]] = []
        self._stale = False  # values changed one by one: rescale before drawing
        self._graph = None
        self._reload = False  # topology changed: reload from the graph before use
        self._rect = QRectF()
        self._cached_keys: tuple | None = None
        self._cached_rows: np.ndarray | None = None
        self._rank: np.ndarray | None = None

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
        depths = graph.depths()
        self.depth = np.fromiter((depths[i] for i in ids), np.intp, len(ids))
        self.keys = list(graph.edges)
        self.row = {k: i for i, k in enumerate(self.keys)}
        ui = self.unit_index
        self.src = np.fromiter((ui[s] for s, _ in self.keys), np.intp, len(self.keys))
        self.dst = np.fromiter((ui[t] for _, t in self.keys), np.intp, len(self.keys))
        self.values = np.fromiter((e.weight for e in graph.edges.values()), float, len(self.keys))
        self._cached_keys = None
        self._rescale()
        self._geometry_changed()

    def _strength_order(self) -> np.ndarray:
        """Edge rows by |w|, strongest first, computed once per set of values."""
        if self._rank is None:
            self._rank = np.argsort(-np.abs(self.values), kind="stable")
        return self._rank

    def _rescale(self) -> None:
        self._stale = False
        self._rank = None
        finite = self.values[np.isfinite(self.values)]
        self.scale = float(np.abs(finite).max()) if finite.size else 1.0
        self.buckets = style.bundle_of(self.values, self.scale)

    def _geometry_changed(self) -> None:
        self.prepareGeometryChange()
        if self.ux.size:
            m = style.NODE_RADIUS
            self._rect = QRectF(self.ux.min() - m, self.uy.min() - m,
                                np.ptp(self.ux) + 2 * m, np.ptp(self.uy) + 2 * m)
        else:
            self._rect = QRectF()
        self._bands = self._make_bands()
        self.update()

    def _make_bands(self) -> list:
        """One pale quadrilateral per (source depth, target depth) pair that has edges."""
        if not self.src.size:
            return []
        pair = self.depth[self.src] * 10_000 + self.depth[self.dst]
        bands = []
        for p in np.unique(pair):
            sel = pair == p
            s, t = self.src[sel], self.dst[sel]
            xs, xt = float(self.ux[s].mean()), float(self.ux[t].mean())
            poly = QPolygonF([QPointF(xs, self.uy[s].min()), QPointF(xt, self.uy[t].min()),
                              QPointF(xt, self.uy[t].max()), QPointF(xs, self.uy[s].max())])
            sign = float(np.sign(np.nanmean(self.values[sel]))) if sel.any() else 0.0
            bands.append((poly, 1 if sign >= 0 else 0))
        return bands

    def set_values(self, keys, values: np.ndarray) -> None:
        """New weights for ``keys`` (a sequence of edge keys) in one vectorised pass."""
        self._ensure()
        if not isinstance(keys, tuple):
            keys = tuple(keys)
        if self._cached_keys is None or keys is not self._cached_keys and keys != self._cached_keys:
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

    def paint(self, painter, option, widget=None) -> None:
        self._ensure()
        if self._stale:
            self._rescale()
        if not self.src.size:
            return
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = option.exposedRect if not option.exposedRect.isEmpty() else self._rect
        x1, y1 = self.ux[self.src], self.uy[self.src]
        x2, y2 = self.ux[self.dst], self.uy[self.dst]
        mask = ((np.minimum(x1, x2) <= r.right()) & (np.maximum(x1, x2) >= r.left())
                & (np.minimum(y1, y2) <= r.bottom()) & (np.maximum(y1, y2) >= r.top()))
        length = np.hypot(x2 - x1, y2 - y1) * lod
        painter.setRenderHint(QPainter.Antialiasing, False)
        if length[mask].sum() > PIXEL_BUDGET:
            painter.setPen(style.NO_PEN)
            for poly, positive in self._bands:
                painter.setBrush(style.BAND_BRUSHES[positive])
                painter.drawPolygon(poly)
            order = self._strength_order()
            order = order[mask[order]]  # visible edges, strongest first
            vis = order[np.cumsum(length[order]) <= PIXEL_BUDGET]
        else:
            vis = np.flatnonzero(mask)
        self.last_drawn = len(vis)
        b = self.buckets[vis]
        order = np.argsort(b, kind="stable")
        vis, b = vis[order], b[order]
        bounds = np.searchsorted(b, np.arange(style.N_BUNDLE + 1))
        for k in range(style.N_BUNDLE):
            sel = vis[bounds[k]:bounds[k + 1]]
            if not sel.size:
                continue
            n = sel.size
            xs = np.empty(2 * n)
            ys = np.empty(2 * n)
            xs[0::2], xs[1::2] = x1[sel], x2[sel]
            ys[0::2], ys[1::2] = y1[sel], y2[sel]
            painter.setPen(style.BUNDLE_PENS[k])
            painter.drawPath(pg.arrayToQPath(xs, ys, connect="pairs", finiteCheck=False))

    def __repr__(self) -> str:
        return f"EdgeBundle({len(self.keys)} edges, scale={self.scale:g})"
