"""The canvas scene: one item per unit and edge of ``document.graph``, kept in step with its events.

Edits made here (drags, drops, Delete, double-click) become QUndoCommands on the document's stack;
the items then change because the graph says so. Training values (``set_unit_values``,
``set_edge_values``, ``highlight_depth``) only repaint items and never touch the graph.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Signal
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene

from bpstudio.core.graph import HIDDEN, INPUT, GraphError
from bpstudio.core.layout import COLUMN_GAP, ROW_GAP

from . import commands as cmd
from . import network_ops as ops
from . import style
from .bias_item import BiasEdgeItem, BiasUnitItem
from .edge_bundle import EdgeBundle
from .edge_item import EdgeItem
from .node_item import NodeItem


class GraphScene(QGraphicsScene):
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
        ev = self.graph.events
        ev.reset.connect(self._on_reset)
        ev.node_added.connect(self._on_node_added)
        ev.node_removed.connect(self._on_node_removed)
        ev.node_changed.connect(self._on_node_changed)
        ev.edge_added.connect(self._on_edge_added)
        ev.edge_removed.connect(self._on_edge_removed)
        ev.edge_changed.connect(self._on_edge_changed)
        ev.structure_changed.connect(self._on_structure_changed)
        self.selectionChanged.connect(self._on_selection_changed)
        self.rebuild()

    def detach(self) -> None:
        """Stop observing the graph (before the scene goes away)."""
        ev = self.graph.events
        for e, h in ((ev.reset, self._on_reset), (ev.node_added, self._on_node_added),
                     (ev.node_removed, self._on_node_removed), (ev.node_changed, self._on_node_changed),
                     (ev.edge_added, self._on_edge_added), (ev.edge_removed, self._on_edge_removed),
                     (ev.edge_changed, self._on_edge_changed),
                     (ev.structure_changed, self._on_structure_changed)):
            e.disconnect(h)

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
            for d in set(wanted_edges.values()):
                ids = cols.get(d, [])
                shift = 0.0
                if not ids:  # e.g. every input removed: place it left of the column it feeds
                    ids, shift = cols[d + 1], -COLUMN_GAP
                x = sum(self.nodes[i].pos().x() for i in ids) / len(ids) + shift
                y = min(self.nodes[i].pos().y() for i in ids) - ROW_GAP
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

    # ------------------------------------------------------------------ dragging units
    def begin_drag(self) -> None:
        self._dragging = True
        self._drag_id += 1

    def end_drag(self) -> None:
        self._dragging = False

    def node_item_moved(self, item: NodeItem) -> None:
        """An item moved: by the user's drag → record an undoable move; by the graph → follow."""
        if self._dragging:
            n = item.node
            p = item.pos()
            if (n.x, n.y) != (p.x(), p.y()):
                self.undo_stack.push(cmd.MoveNodesCommand(
                    self.graph, {n.id: ((n.x, n.y), (p.x(), p.y()))}, drag_id=self._drag_id))

    # ------------------------------------------------------------------ drawing a new edge
    def begin_connection(self, item: NodeItem, pos: QPointF) -> None:
        self.connecting_from = item
        if self._drag_line is None:
            self._drag_line = QGraphicsLineItem()
            self._drag_line.setPen(style.DRAG_PEN)
            self._drag_line.setZValue(style.Z_DRAG_LINE)
            self.addItem(self._drag_line)
        self._drag_line.setLine(QLineF(item.pos(), pos))
        self._drag_line.show()

    def update_connection(self, pos: QPointF) -> None:
        if self.connecting_from is not None and self._drag_line is not None:
            self._drag_line.setLine(QLineF(self.connecting_from.pos(), pos))

    def node_at(self, pos: QPointF) -> NodeItem | None:
        for it in self.items(pos):
            if isinstance(it, NodeItem):
                return it
        return None

    def end_connection(self, pos: QPointF) -> None:
        source = self.connecting_from
        self._cancel_connection()
        if source is None:
            return
        target = self.node_at(pos)
        if target is None or target is source:
            self.message.emit("No connection made: drop the line onto a deeper unit")
            return
        self.connect_units(source.node.id, target.node.id)

    def _cancel_connection(self) -> None:
        self.connecting_from = None
        if self._drag_line is not None:
            self._drag_line.hide()

    def connect_units(self, source: str, target: str) -> bool:
        """Add ``source → target`` as an undoable edit, or say in the status bar why not."""
        problem = self.graph.connection_problem(source, target)
        if problem:
            self.message.emit(f"Cannot connect: {problem}")
            return False
        w = ops.new_weights(self.document.settings, 1, salt=len(self.graph.edges))[0]
        self.undo_stack.push(cmd.AddEdgeCommand(self.graph, source, target, w))
        return True

    # ------------------------------------------------------------------ other edits
    def delete_selection(self) -> int:
        """Remove the selected units and edges (one undo step); returns how many things went."""
        nodes = [i.node.id for i in self.selectedItems() if isinstance(i, NodeItem)]
        edges = [i.key for i in self.selectedItems()
                 if isinstance(i, EdgeItem) and not isinstance(i, BiasEdgeItem)
                 and i.key[0] not in nodes and i.key[1] not in nodes]
        if not nodes and not edges:
            return 0
        cmds = [cmd.RemoveEdgeCommand(self.graph, s, t) for s, t in edges]
        cmds += [cmd.RemoveNodeCommand(self.graph, n) for n in nodes]
        self.push_all(cmds, "Delete selection")
        return len(cmds)

    def push_all(self, commands: list, text: str) -> None:
        """Push one command, or several as one undo step called ``text``."""
        if len(commands) == 1:
            self.undo_stack.push(commands[0])
            return
        self.undo_stack.beginMacro(text)
        try:
            for c in commands:
                self.undo_stack.push(c)
        finally:
            self.undo_stack.endMacro()

    def add_hidden_unit(self, pos: QPointF, activation: str | None = None) -> str:
        """Add a hidden unit at ``pos``, fully connected to the neighbouring columns; returns its id."""
        g = self.graph
        sources, targets, depth, prefix = ops.placement(g, pos.x())
        if activation is None:
            peers = [n.activation for n in g if n.role == HIDDEN]
            activation = peers[0] if peers else "tanh"
        name = ops.next_name(g, prefix)
        w = ops.new_weights(self.document.settings, len(sources) + len(targets), salt=len(g) + 7)
        edges = [(s, None, w[i]) for i, s in enumerate(sources)]
        edges += [(None, t, w[len(sources) + i]) for i, t in enumerate(targets)]
        bias = ops.new_weights(self.document.settings, 1, salt=len(g) + 11)[0]
        c = cmd.AddNodeCommand(g, HIDDEN, name, activation, bias, pos.x(), pos.y(), edges)
        self.undo_stack.push(c)
        return c.node_id

    def set_activation(self, node_id: str, activation: str) -> None:
        if self.graph.node(node_id).activation != activation:
            self.undo_stack.push(cmd.SetActivationCommand(self.graph, node_id, activation))

    def edit_label(self, item: EdgeItem) -> None:
        self.edit_label_requested.emit(item)

    def commit_value(self, key, text: str) -> bool:
        """Set a weight (``key`` an edge key) or a bias (``key`` a unit id) from typed text."""
        try:
            value = float(text.replace(",", ".").replace("−", "-").strip())
        except ValueError:
            self.message.emit(f"{text!r} is not a number")
            return False
        if not math.isfinite(value):
            self.message.emit("Use a finite number")
            return False
        try:
            if isinstance(key, tuple):
                if self.graph.edge(*key).weight != value:
                    self.undo_stack.push(cmd.SetWeightCommand(self.graph, key[0], key[1], value))
            else:
                if self.graph.node(key).bias != value:
                    self.undo_stack.push(cmd.SetBiasCommand(self.graph, key, value))
        except GraphError as exc:
            self.message.emit(str(exc))
            return False
        return True

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
