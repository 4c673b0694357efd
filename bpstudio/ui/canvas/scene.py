"""The canvas scene: one item per unit and edge of ``document.graph``, kept in step with its events.

Edits made here (drags, drops, Delete, double-click) become QUndoCommands on the document's stack;
the items then change because the graph says so. Training values (``set_unit_values``,
``set_edge_values``, ``highlight_depth``) only repaint items and never touch the graph.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene

import numpy as np

from bpstudio.core.graph import INPUT
from bpstudio.core.layout import COLUMN_GAP, ROW_GAP

from ...weak_events import follow
from . import network_ops as ops
from . import style
from .bias_item import BiasEdgeItem, BiasUnitItem
from .edge_bundle import EdgeBundle
from .edge_item import EdgeItem
from .node_item import NodeItem
from .scene_edits import SceneEdits, unit_footprint
from .scene_labels import SceneLabels


class GraphScene(SceneEdits, SceneLabels, QGraphicsScene):
    """Items for ``document.graph``; emits ``selection_record`` (unit id, edge key or None) and ``message``."""

    selection_record = Signal(object)
    message = Signal(str)
    edit_label_requested = Signal(object)  # an EdgeItem/BiasEdgeItem whose label should be edited

    def __init__(self, document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.graph = document.graph
        self.undo_stack = document.undo_stack
        self.setItemIndexMethod(QGraphicsScene.NoIndex)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str], EdgeItem] = {}
        self.bias_units: dict[int, BiasUnitItem] = {}
        self.bias_edges: dict[str, BiasEdgeItem] = {}
        self.bundle: EdgeBundle | None = None
        self.show_bias = True
        self.weight_scale = 1.0
        self.unit_kind: str | None = None
        self.highlighted_depth: int | None = None
        self.connecting_from: NodeItem | None = None
        self._drag_line: QGraphicsLineItem | None = None
        self._dragging = False
        self._drag_id = 0
        self._selection = None
        self._labels_pending = False
        # followed weakly (see bpstudio/weak_events): a scene Qt has deleted is dropped, never called
        ev = self.graph.events
        self._followers = [
            (getattr(ev, name), follow(getattr(ev, name), self, f"_on_{name}"))
            for name in ("reset", "node_added", "node_removed", "node_changed", "edge_added",
                         "edge_removed", "edge_changed", "structure_changed")
        ]
        self.selectionChanged.connect(self._on_selection_changed)
        self.rebuild()

    def detach(self) -> None:
        """Stop observing the graph (before the scene goes away)."""
        for event, handler in self._followers:
            event.disconnect(handler)
        self._followers = []

    @property
    def bundled(self) -> bool:
        return self.bundle is not None

    # ------------------------------------------------------------------ building
    def rebuild(self) -> None:
        """Recreate every item from the graph (after a reset, or when switching edge drawing mode)."""
        self.connecting_from = None
        self._drag_line = None
        self.clear()
        self.nodes.clear()
        self.edges.clear()
        self.bias_units.clear()
        self.bias_edges.clear()
        self.bundle = None
        self.unit_kind = None
        g = self.graph
        for node in g:
            item = NodeItem(node)
            self.addItem(item)
            self.nodes[node.id] = item
        ws = [e.weight for e in g.edges.values()] + [n.bias for n in g if n.role != INPUT]
        self.weight_scale = max((abs(w) for w in ws if math.isfinite(w)), default=1.0) or 1.0
        if len(g.edges) > style.EDGE_ITEM_LIMIT:
            self.bundle = EdgeBundle()
            self.bundle.load(g)
            self.addItem(self.bundle)
        else:
            for e in g.edges.values():
                self._add_edge_item(e)
        self._sync_bias()

    def _add_edge_item(self, e) -> EdgeItem:
        s, t = self.nodes[e.source], self.nodes[e.target]
        item = EdgeItem(s, t, e.key, e.weight, self.weight_scale)
        s.edges.append(item)
        t.edges.append(item)
        self.addItem(item)
        self.edges[e.key] = item
        return item

    # ------------------------------------------------------------------ bias units (the article's X0, Z0)
    def set_show_bias(self, on: bool) -> None:
        self.show_bias = bool(on)
        self._sync_bias()

    def _bias_name(self, depth: int, ids: list[str]) -> str:
        if depth == 0:
            prefix = "X"
        else:
            prefix = ops.hidden_prefix(self.graph, ids, depth)
        taken = {n.name for n in self.graph}
        name = f"{prefix}0"
        return name if name not in taken else f"{prefix}_bias"

    def _sync_bias(self) -> None:
        """Bias units above each column feeding a deeper unit, and one bias edge per non-input unit."""
        wanted_units: dict[int, tuple[float, float, list[str]]] = {}
        wanted_edges: dict[str, int] = {}
        if self.show_bias and not self.bundled:
            g = self.graph
            depths = g.depths()
            cols: dict[int, list[str]] = {}
            for nid, d in depths.items():
                cols.setdefault(d, []).append(nid)
            for n in g:
                if n.role != INPUT:
                    wanted_edges[n.id] = depths[n.id] - 1
            taken = [(n.x, n.y) for n in g]
            for d in sorted(set(wanted_edges.values())):
                ids = cols.get(d, [])
                shift = 0.0
                if not ids:  # e.g. every input removed: place it left of the column it feeds
                    ids, shift = cols[d + 1], -COLUMN_GAP
                x = sum(self.nodes[i].pos().x() for i in ids) / len(ids) + shift
                y = min(self.nodes[i].pos().y() for i in ids) - ROW_GAP
                fw, fh = unit_footprint()
                while not all(abs(x - tx) >= fw or abs(y - ty) >= fh for tx, ty in taken):
                    y -= fh / 4  # above its column, clear of every unit and bias unit
                taken.append((x, y))
                wanted_units[d] = (x, y, cols.get(d, []))
        for nid in [k for k, d in self.bias_edges.items()
                    if wanted_edges.get(k) != getattr(d.source, "depth", None)]:
            self.removeItem(self.bias_edges.pop(nid))
        for d in [d for d in self.bias_units if d not in wanted_units]:
            self.removeItem(self.bias_units.pop(d))
        for d, (x, y, ids) in wanted_units.items():
            item = self.bias_units.get(d)
            if item is None:
                item = self.bias_units[d] = BiasUnitItem(d, self._bias_name(d, ids))
                self.addItem(item)
            else:
                item.node.name = self._bias_name(d, ids)
            if item.pos() != QPointF(x, y):
                item.setPos(x, y)
        for nid, d in wanted_edges.items():
            item = self.bias_edges.get(nid)
            if item is None:
                item = BiasEdgeItem(self.bias_units[d], self.nodes[nid], nid, self.graph.nodes[nid].bias,
                                    self.weight_scale)
                self.bias_edges[nid] = item
                self.addItem(item)
            else:
                item.adjust()

    # ------------------------------------------------------------------ graph events
    def _on_reset(self) -> None:
        self.rebuild()

    def _on_node_added(self, node) -> None:
        item = NodeItem(node)
        self.addItem(item)
        self.nodes[node.id] = item
        if self.bundled:
            self.bundle.invalidate()

    def _on_node_removed(self, node) -> None:
        item = self.nodes.pop(node.id, None)
        if item is not None:
            self.removeItem(item)
        if self.connecting_from is item:
            self._cancel_connection()
        bias = self.bias_edges.pop(node.id, None)
        if bias is not None:
            self.removeItem(bias)
        if self.bundled:
            self.bundle.invalidate()

    def _on_node_changed(self, node, attr: str) -> None:
        item = self.nodes.get(node.id)
        if item is None:
            return
        if attr == "pos":
            if item.pos() != QPointF(node.x, node.y):
                item.setPos(node.x, node.y)
            for e in item.edges:
                e.adjust()
            b = self.bias_edges.get(node.id)
            if b is not None:
                b.adjust()
            if self.bundled:
                self.bundle.move_unit(node.id, node.x, node.y)
            if self.bias_units:
                self._sync_bias()
            return
        item.refresh_tooltip()
        item.update()
        if attr == "bias":
            b = self.bias_edges.get(node.id)
            if b is not None:
                self._grow_scale(node.bias)
                b.set_value(node.bias, self.weight_scale)
        elif attr == "name":
            for e in item.edges:
                e.refresh_tooltip()
            self._sync_bias()

    def _on_edge_added(self, edge) -> None:
        if self.bundled:
            self.bundle.invalidate()
            return
        self._grow_scale(edge.weight)
        self._add_edge_item(edge)

    def _on_edge_removed(self, edge) -> None:
        if self.bundled:
            self.bundle.invalidate()
            return
        item = self.edges.pop(edge.key, None)
        if item is None:
            return
        for end in (item.source, item.target):
            if item in end.edges:
                end.edges.remove(item)
        self.removeItem(item)

    def _on_edge_changed(self, edge) -> None:
        if self.bundled:
            self.bundle.set_value(edge.key, edge.weight)
            return
        item = self.edges.get(edge.key)
        if item is not None:
            self._grow_scale(edge.weight)
            item.set_value(edge.weight, self.weight_scale)

    def _on_structure_changed(self) -> None:
        if not self.bundled:
            self._sync_bias()

    def _grow_scale(self, w: float) -> None:
        if math.isfinite(w) and abs(w) > self.weight_scale:
            self.weight_scale = abs(w)
            self._restyle_edges()

    def _restyle_edges(self) -> None:
        s = self.weight_scale
        for item in self.edges.values():
            item.set_bucket(style.bucket(item.value, s))
        for item in self.bias_edges.values():
            item.set_bucket(style.bucket(item.value, s))

    # ------------------------------------------------------------------ values from training
    def set_unit_values(self, values: dict[str, float] | None, kind: str = "delta") -> None:
        """Colour units on the diverging map (symmetric around 0) and show each value; None clears."""
        if values is None:
            self.unit_kind = None
            for item in self.nodes.values():
                item.set_value(None, "", None)
            return
        self.unit_kind = kind
        ids = list(self.nodes)
        arr = np.fromiter((values.get(i, math.nan) for i in ids), float, len(ids))
        finite = np.isfinite(arr)
        scale = float(np.abs(arr[finite]).max()) if finite.any() else 0.0
        buckets = style.bucket_of(arr, scale).tolist()
        for item, v, b, ok in zip(self.nodes.values(), arr.tolist(), buckets, finite.tolist()):
            if ok:
                item.set_value(v, kind, b)
            else:
                item.set_value(None, "", None)

    def set_edge_values(self, weights: dict[tuple, float], biases: dict[str, float] | None = None) -> None:
        """Recolour/re-width edges (and bias edges) from new values without touching the graph."""
        if self.bundled:
            self.bundle.set_values(weights.keys(), np.fromiter(weights.values(), float, len(weights)))
            return
        vals = [abs(v) for v in weights.values() if math.isfinite(v)]
        if biases:
            vals += [abs(v) for v in biases.values() if math.isfinite(v)]
        others = [abs(i.value) for k, i in self.edges.items() if k not in weights]
        self.weight_scale = max(vals + others, default=1.0) or 1.0
        s = self.weight_scale
        edges = self.edges
        for key, w in weights.items():
            item = edges.get(key)
            if item is not None:
                item.set_value(w, s)
        if biases:
            for nid, b in biases.items():
                item = self.bias_edges.get(nid)
                if item is not None:
                    item.set_value(b, s)
        self._restyle_edges()

    def set_edge_array(self, keys, values: np.ndarray) -> None:
        """Fast path for a snapshot: ``keys`` (tuple of edge keys) and a matching array of weights."""
        if self.bundled:
            self.bundle.set_values(keys, values)
        else:
            self.set_edge_values(dict(zip(keys, np.asarray(values, dtype=float).tolist())))

    def highlight_depth(self, depth: int | None) -> None:
        """Ring the units of one layer (the layer a training phase is on); None clears."""
        self.highlighted_depth = depth
        depths = self.graph.depths() if depth is not None else {}
        for nid, item in self.nodes.items():
            item.set_highlighted(depth is not None and depths.get(nid) == depth)

    # ------------------------------------------------------------------ selection
    def selection(self):
        """The selection record: a unit id, an edge key, or None (nothing or several things)."""
        items = self.selectedItems()
        if len(items) != 1:
            return None
        item = items[0]
        if isinstance(item, NodeItem):
            return item.node.id
        if isinstance(item, BiasEdgeItem):
            return item.key
        if isinstance(item, EdgeItem):
            return item.key
        return None

    def _on_selection_changed(self) -> None:
        sel = self.selection()
        if sel != self._selection:
            self._selection = sel
            self.selection_record.emit(sel)

    def select(self, record) -> None:
        """Select a unit id or edge key (from a panel)."""
        item = self.nodes.get(record) if isinstance(record, str) else self.edges.get(record)
        self.blockSignals(True)  # one selection_record for the whole change, not a None first
        try:
            self.clearSelection()
            if item is not None:
                item.setSelected(True)
        finally:
            self.blockSignals(False)
        self._on_selection_changed()

    # ------------------------------------------------------------------ Qt events
    def contextMenuEvent(self, event) -> None:
        from .context_menu import build_menu

        menu = build_menu(self, event.scenePos())
        if menu is not None:
            menu.exec(event.screenPos())
            event.accept()

    def __repr__(self) -> str:
        mode = "bundled" if self.bundled else "items"
        return f"GraphScene({len(self.nodes)} units, {len(self.graph.edges)} edges, {mode})"
