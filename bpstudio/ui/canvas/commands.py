"""Undoable edits of the network. Each command calls the core Graph API; items follow the graph's events.

Undoing every command restores ``graph.snapshot()`` exactly (removed units go back at their old index).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from bpstudio.core.graph import Edge, Graph, Node

MOVE_ID = 1001


def _name(graph: Graph, node_id: str) -> str:
    n = graph.nodes.get(node_id)
    return n.name if n is not None else node_id


class AddNodeCommand(QUndoCommand):
    """Add a unit and its edges (``edges``: list of (source, target, weight), one end being the new unit)."""

    def __init__(self, graph: Graph, role: str, name: str, activation: str = "identity",
                 bias: float = 0.0, x: float = 0.0, y: float = 0.0,
                 edges: list[tuple[str | None, str | None, float]] = (), node_id: str | None = None) -> None:
        super().__init__(f"Add unit {name}")
        self.graph = graph
        self.node_id = node_id or graph.new_id()
        self.spec = dict(role=role, name=name, activation=activation, bias=bias, x=x, y=y)
        # None in an edge stands for the new unit
        self.edges = [(s or self.node_id, t or self.node_id, float(w)) for s, t, w in edges]

    def redo(self) -> None:
        self.graph.add_node(id=self.node_id, **self.spec)
        for s, t, w in self.edges:
            self.graph.connect(s, t, w)

    def undo(self) -> None:
        self.graph.remove_node(self.node_id)


class RemoveNodeCommand(QUndoCommand):
    """Remove a unit with every edge touching it; undo puts it back at its old place in the order."""

    def __init__(self, graph: Graph, node_id: str) -> None:
        super().__init__(f"Remove unit {_name(graph, node_id)}")
        self.graph = graph
        self.node_id = node_id
        self._node: Node | None = None
        self._edges: list[Edge] = []
        self._index = 0

    def redo(self) -> None:
        self._index = list(self.graph.nodes).index(self.node_id)
        order = list(self.graph.edges)
        self._node, self._edges = self.graph.remove_node(self.node_id)
        self._edge_index = {e.key: order.index(e.key) for e in self._edges}

    def undo(self) -> None:
        self.graph.restore_node(self._node, self._edges, index=self._index)
        # the graph's own record of the old edge places is dropped when a later command replaced
        # the whole network (and its undo brought it back): put them back from ours
        self.graph._reorder_edges(self._edge_index)


class AddEdgeCommand(QUndoCommand):
    def __init__(self, graph: Graph, source: str, target: str, weight: float = 0.0) -> None:
        super().__init__(f"Add edge {_name(graph, source)} → {_name(graph, target)}")
        self.graph, self.source, self.target, self.weight = graph, source, target, float(weight)

    def redo(self) -> None:
        self.graph.connect(self.source, self.target, self.weight)

    def undo(self) -> None:
        self.graph.disconnect(self.source, self.target)


class RemoveEdgeCommand(QUndoCommand):
    def __init__(self, graph: Graph, source: str, target: str) -> None:
        super().__init__(f"Remove edge {_name(graph, source)} → {_name(graph, target)}")
        self.graph, self.source, self.target = graph, source, target
        self.weight = graph.edge(source, target).weight

    def redo(self) -> None:
        self._index = list(self.graph.edges).index((self.source, self.target))
        self.graph.disconnect(self.source, self.target)

    def undo(self) -> None:
        self.graph.connect(self.source, self.target, self.weight)
        # back at its old place in the edge order (the order of the engine's parameters and of
        # seeded initialisation), as restore_node does for a unit's edges
        self.graph._reorder_edges({(self.source, self.target): self._index})


class SetWeightCommand(QUndoCommand):
    def __init__(self, graph: Graph, source: str, target: str, weight: float) -> None:
        super().__init__(f"Set weight {_name(graph, source)} → {_name(graph, target)} to {weight:g}")
        self.graph, self.source, self.target = graph, source, target
        self.old = graph.edge(source, target).weight
        self.new = float(weight)

    def redo(self) -> None:
        self.graph.set_weight(self.source, self.target, self.new)

    def undo(self) -> None:
        self.graph.set_weight(self.source, self.target, self.old)


class SetBiasCommand(QUndoCommand):
    def __init__(self, graph: Graph, node_id: str, bias: float) -> None:
        super().__init__(f"Set bias of {_name(graph, node_id)} to {bias:g}")
        self.graph, self.node_id = graph, node_id
        self.old = graph.node(node_id).bias
        self.new = float(bias)

    def redo(self) -> None:
        self.graph.set_bias(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.set_bias(self.node_id, self.old)


class SetActivationCommand(QUndoCommand):
    def __init__(self, graph: Graph, node_id: str, activation: str) -> None:
        super().__init__(f"Set activation of {_name(graph, node_id)} to {activation}")
        self.graph, self.node_id = graph, node_id
        self.old = graph.node(node_id).activation
        self.new = activation

    def redo(self) -> None:
        self.graph.set_activation(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.set_activation(self.node_id, self.old)


class RenameCommand(QUndoCommand):
    def __init__(self, graph: Graph, node_id: str, name: str) -> None:
        super().__init__(f"Rename {_name(graph, node_id)} to {name}")
        self.graph, self.node_id = graph, node_id
        self.old = graph.node(node_id).name
        self.new = name

    def redo(self) -> None:
        self.graph.rename(self.node_id, self.new)

    def undo(self) -> None:
        self.graph.rename(self.node_id, self.old)


class MoveNodesCommand(QUndoCommand):
    """Move units; consecutive moves of one drag (same ``drag_id``) merge into one command."""

    def __init__(self, graph: Graph, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]],
                 drag_id: int | None = None, text: str | None = None) -> None:
        super().__init__()
        self.graph = graph
        self.moves = dict(moves)  # id -> (old (x, y), new (x, y))
        self.drag_id = drag_id
        self._fixed_text = text
        self._retitle()

    def _retitle(self) -> None:
        if self._fixed_text:
            self.setText(self._fixed_text)
        elif len(self.moves) == 1:
            self.setText(f"Move {_name(self.graph, next(iter(self.moves)))}")
        else:
            self.setText(f"Move {len(self.moves)} units")

    def id(self) -> int:  # noqa: A003 - Qt's name
        return MOVE_ID

    def mergeWith(self, other) -> bool:  # noqa: N802 - Qt's name
        if self.drag_id is None or getattr(other, "drag_id", None) != self.drag_id:
            return False
        for nid, (old, new) in other.moves.items():
            first = self.moves.get(nid, (old, new))[0]
            self.moves[nid] = (first, new)
        self._retitle()
        return True

    def redo(self) -> None:
        for nid, (_, (x, y)) in self.moves.items():
            self.graph.move(nid, x, y)

    def undo(self) -> None:
        for nid, ((x, y), _) in self.moves.items():
            self.graph.move(nid, x, y)


class ReplaceGraphCommand(QUndoCommand):
    """Swap the whole network for another (new network, add/remove layer): one reset each way."""

    def __init__(self, graph: Graph, new_graph: Graph, text: str) -> None:
        super().__init__(text)
        self.graph = graph
        self.old = graph.copy()
        self.new = new_graph.copy()

    def redo(self) -> None:
        self.graph.replace_with(self.new)

    def undo(self) -> None:
        self.graph.replace_with(self.old)


class SetWeightsCommand(QUndoCommand):
    """Set many weights and biases at once (e.g. re-initialise); undo restores the old values."""

    def __init__(self, graph: Graph, weights: dict, biases: dict, text: str = "Set weights") -> None:
        super().__init__(text)
        self.graph = graph
        self.new_w, self.new_b = dict(weights), dict(biases)
        self.old_w = {k: graph.edges[k].weight for k in self.new_w}
        self.old_b = {k: graph.nodes[k].bias for k in self.new_b}

    def redo(self) -> None:
        self.graph.set_weights(self.new_w, self.new_b)

    def undo(self) -> None:
        self.graph.set_weights(self.old_w, self.old_b)
