"""What the user does on the canvas, turned into undoable commands: dragging units, drawing an
edge from a unit's handle, Delete, adding a hidden unit, typing a weight or bias.

A mixin of :class:`~bpstudio.ui.canvas.scene.GraphScene` (it uses the scene's ``graph``,
``undo_stack``, ``document``, ``message`` and item maps); it never changes items itself.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF
from PySide6.QtWidgets import QGraphicsLineItem

from bpstudio.core.graph import HIDDEN, GraphError
from bpstudio.core.layout import free_spot

from . import commands as cmd
from . import network_ops as ops
from . import style
from .bias_item import BiasEdgeItem
from .edge_item import EdgeItem
from .node_item import NodeItem


def unit_footprint() -> tuple[float, float]:
    """(width, height) two unit centres must be apart in x or in y for their footprints not to touch."""
    from .node_item import ACT_RECT, BOUNDS

    r = BOUNDS.united(ACT_RECT)
    return r.width() + style.UNIT_GAP, r.height() + style.UNIT_GAP


class SceneEdits:
    """Editing gestures of the canvas scene."""

    # ------------------------------------------------------------------ dragging units
    def begin_drag(self) -> None:
        self._dragging = True
        self._drag_id += 1

    def end_drag(self) -> None:
        """A drag ended: a unit dropped onto another slides to the nearest free room (the same undo step)."""
        moves = {}
        if self.undo_stack.count():
            last = self.undo_stack.command(self.undo_stack.index() - 1)
            if getattr(last, "drag_id", None) == self._drag_id:
                moves = {nid: new for nid, (_, new) in last.moves.items()}
        if moves:
            others = [(n.x, n.y) for n in self.graph if n.id not in moves]  # bias units make room themselves
            fixes = {}
            for nid, (x, y) in moves.items():
                fx, fy = free_spot(x, y, others, *unit_footprint())
                others.append((fx, fy))
                if (fx, fy) != (x, y):
                    fixes[nid] = ((x, y), (fx, fy))
            if fixes:  # merges into the drag's own command: one undo puts everything back
                self.undo_stack.push(cmd.MoveNodesCommand(self.graph, fixes, drag_id=self._drag_id))
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
        taken = [(n.x, n.y) for n in g]  # the bias units then move clear of it (scene._sync_bias)
        x, y = free_spot(pos.x(), pos.y(), taken, *unit_footprint())  # never on top of another unit
        c = cmd.AddNodeCommand(g, HIDDEN, name, activation, bias, x, y, edges)
        self.undo_stack.push(c)
        self.show_unit(c.node_id)
        return c.node_id

    def show_unit(self, node_id: str) -> None:
        """Scroll every view so that the unit (and room around it) is on screen."""
        item = self.nodes.get(node_id)
        if item is not None:
            for view in self.views():
                view.ensureVisible(item.sceneBoundingRect(), 40, 40)

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
