"""The network as the user edits it: nodes, weighted edges, and events on every change.

A feed-forward graph of units. Input units hold the data; every other unit (hidden or output)
has an activation and a bias. An edge joins any unit to a deeper one (skip connections and
missing edges are allowed). The engine compiles this graph into arrays; views observe the
events below and never poke the graph behind its back.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import replace

from .activations import ACTIVATIONS

# the parts live in graph_items; graph.py is where users import them from
from .graph_items import (  # noqa: F401
    HIDDEN,
    INPUT,
    OUTPUT,
    ROLES,
    Edge,
    GraphError,
    GraphEvents,
    Node,
    _check_finite,
    _next_free_number,
    _reorder,
)


class Graph:
    """A feed-forward network of :class:`Node` and :class:`Edge`, with change events."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, str], Edge] = {}
        self._out: dict[str, dict[str, Edge]] = {}
        self._in: dict[str, dict[str, Edge]] = {}
        self._ids = itertools.count(1)
        self._depth_cache: dict[str, int] | None = None
        # where remove_node took a node and its edges from, so restore_node can put them back in
        # the same order (the order of units and weights is visible: engine, files, views)
        self._removed_at: dict[str, tuple[int, dict[tuple[str, str], int]]] = {}
        self.events = GraphEvents()

    # ------------------------------------------------------------------ reading
    @property
    def nodes(self) -> dict[str, Node]:
        """Nodes by id, in insertion order (read-only by convention)."""
        return self._nodes

    @property
    def edges(self) -> dict[tuple[str, str], Edge]:
        """Edges by (source, target), in insertion order (read-only by convention)."""
        return self._edges

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise GraphError(f"there is no unit with id {node_id!r}") from None

    def edge(self, source: str, target: str) -> Edge:
        try:
            return self._edges[(source, target)]
        except KeyError:
            raise GraphError(
                f"there is no connection {self._label(source)} → {self._label(target)}"
            ) from None

    def has_edge(self, source: str, target: str) -> bool:
        return (source, target) in self._edges

    def incoming(self, node_id: str) -> list[Edge]:
        return list(self._in.get(node_id, {}).values())

    def outgoing(self, node_id: str) -> list[Edge]:
        return list(self._out.get(node_id, {}).values())

    def by_role(self, role: str) -> list[Node]:
        return [n for n in self._nodes.values() if n.role == role]

    @property
    def inputs(self) -> list[Node]:
        return self.by_role(INPUT)

    @property
    def outputs(self) -> list[Node]:
        return self.by_role(OUTPUT)

    @property
    def hidden(self) -> list[Node]:
        return self.by_role(HIDDEN)

    def find(self, name: str) -> Node:
        """The node called ``name`` (names are what the user sees, e.g. ``Z1``)."""
        for n in self._nodes.values():
            if n.name == name:
                return n
        raise GraphError(f"there is no unit named {name!r}")

    def _label(self, node_id: str) -> str:
        n = self._nodes.get(node_id)
        return n.name if n is not None else repr(node_id)

    def depths(self) -> dict[str, int]:
        """Depth of every node: 0 for inputs, else 1 + the deepest source (longest path)."""
        if self._depth_cache is None:
            depth: dict[str, int] = {}
            for nid in self.topological_order():
                srcs = self._in.get(nid, {})
                node = self._nodes[nid]
                if node.role == INPUT:
                    depth[nid] = 0
                else:
                    depth[nid] = 1 + max((depth[s] for s in srcs), default=0)
            self._depth_cache = depth
        return dict(self._depth_cache)

    def layers(self) -> list[list[str]]:
        """Node ids grouped by depth (index = depth), each group in insertion order."""
        depth = self.depths()
        n_layers = 1 + max(depth.values(), default=0)
        out: list[list[str]] = [[] for _ in range(n_layers)]
        for nid in self._nodes:
            out[depth[nid]].append(nid)
        return out

    def topological_order(self) -> list[str]:
        """Ids so that every edge goes forward (Kahn's algorithm, stable by insertion order)."""
        indeg = {nid: len(self._in.get(nid, {})) for nid in self._nodes}
        ready = [nid for nid in self._nodes if indeg[nid] == 0]
        order: list[str] = []
        i = 0
        while i < len(ready):
            nid = ready[i]
            i += 1
            order.append(nid)
            for tgt in self._out.get(nid, {}):
                indeg[tgt] -= 1
                if indeg[tgt] == 0:
                    ready.append(tgt)
        if len(order) != len(self._nodes):  # pragma: no cover - connect() prevents cycles
            raise GraphError("the graph has a cycle")
        return order

    def reaches(self, start: str, goal: str) -> bool:
        """True when a directed path leads from ``start`` to ``goal``."""
        stack, seen = [start], {start}
        while stack:
            nid = stack.pop()
            if nid == goal:
                return True
            for tgt in self._out.get(nid, {}):
                if tgt not in seen:
                    seen.add(tgt)
                    stack.append(tgt)
        return False

    def connection_problem(self, source: str, target: str) -> str | None:
        """Why ``source → target`` cannot be added, in plain words; None when it can."""
        if source not in self._nodes:
            return f"there is no unit with id {source!r}"
        if target not in self._nodes:
            return f"there is no unit with id {target!r}"
        s, t = self._nodes[source], self._nodes[target]
        if source == target:
            return f"a unit cannot connect to itself ({s.name})"
        if t.role == INPUT:
            return f"{t.name} is an input: inputs take their value from the data, not from other units"
        if (source, target) in self._edges:
            return f"{s.name} → {t.name} already exists"
        if self.reaches(target, source):
            return f"{s.name} → {t.name} would make a cycle ({t.name} already feeds {s.name})"
        return None

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes.values())

    def __repr__(self) -> str:
        counts = {r: len(self.by_role(r)) for r in ROLES}
        return (
            f"Graph({counts[INPUT]} inputs, {counts[HIDDEN]} hidden, {counts[OUTPUT]} outputs, "
            f"{len(self._edges)} edges)"
        )

    # ------------------------------------------------------------------ editing
    def _changed(self) -> None:
        self._depth_cache = None
        self.events.structure_changed.emit()

    def new_id(self) -> str:
        while True:
            nid = f"n{next(self._ids)}"
            if nid not in self._nodes:
                return nid

    def add_node(
        self,
        role: str,
        name: str | None = None,
        activation: str = "identity",
        bias: float = 0.0,
        x: float = 0.0,
        y: float = 0.0,
        id: str | None = None,  # noqa: A002 - the file format's word
    ) -> Node:
        if role not in ROLES:
            raise GraphError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if activation not in ACTIVATIONS:
            raise GraphError(
                f"unknown activation {activation!r}; use one of {', '.join(ACTIVATIONS)}"
            )
        nid = id if id is not None else self.new_id()
        if not isinstance(nid, str) or not nid:
            raise GraphError(f"a unit id must be a non-empty text, not {nid!r}")
        if nid in self._nodes:
            raise GraphError(f"a unit with id {nid!r} already exists")
        bias = _check_finite(bias, f"the bias of {name or nid}")
        node = Node(nid, role, name or nid, activation, bias, float(x), float(y))
        self._insert_node(node)
        return node

    def _insert_node(self, node: Node, index: int | None = None) -> None:
        if index is None or index >= len(self._nodes):
            self._nodes[node.id] = node
        else:  # put it back where it was (undo keeps the order, so snapshot() matches exactly)
            order = list(self._nodes)
            order.insert(max(0, index), node.id)
            self._nodes[node.id] = node
            _reorder(self._nodes, order)  # in place: views may hold on to graph.nodes
        self._out[node.id] = {}
        self._in[node.id] = {}
        self._depth_cache = None
        self.events.node_added.emit(node)
        self._changed()

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and every edge touching it; returns both so undo can restore them."""
        node = self.node(node_id)
        removed = [*self.incoming(node_id), *self.outgoing(node_id)]
        edge_index = {key: i for i, key in enumerate(self._edges)}
        self._removed_at[node_id] = (
            list(self._nodes).index(node_id), {e.key: edge_index[e.key] for e in removed}
        )
        for e in removed:
            self.disconnect(e.source, e.target)
        del self._nodes[node_id]
        del self._out[node_id]
        del self._in[node_id]
        self._depth_cache = None
        self.events.node_removed.emit(node)
        self._changed()
        return node, removed

    def restore_node(self, node: Node, edges: Iterable[Edge] = (), index: int | None = None) -> None:
        """Put back a node removed by :meth:`remove_node`, with its edges (for undo).

        ``index``: its old position in :attr:`nodes` (default: where :meth:`remove_node` took it
        from, else at the end). Edges go back to their old places in :attr:`edges` too."""
        if node.id in self._nodes:
            raise GraphError(f"a unit with id {node.id!r} already exists")
        old_index, edge_index = self._removed_at.pop(node.id, (None, {}))
        self._insert_node(node, old_index if index is None else index)
        edges = list(edges)
        for e in edges:
            self.connect(e.source, e.target, e.weight)
        if edges and all(e.key in edge_index for e in edges):
            self._reorder_edges({e.key: edge_index[e.key] for e in edges})

    def _reorder_edges(self, positions: dict[tuple[str, str], int]) -> None:
        """Move the given (just re-added) edges back to their old positions, without events."""
        moved = sorted(positions, key=positions.get)
        order = [k for k in self._edges if k not in positions]
        for key in moved:
            order.insert(min(positions[key], len(order)), key)
        _reorder(self._edges, order)  # in place: views may hold on to graph.edges
        for nid in {s for s, _ in moved} | {t for _, t in moved}:  # per-unit order follows suit
            _reorder(self._out[nid], [t for (s, t) in order if s == nid])
            _reorder(self._in[nid], [s for (s, t) in order if t == nid])

    def connect(self, source: str, target: str, weight: float = 0.0) -> Edge:
        problem = self.connection_problem(source, target)
        if problem:
            raise GraphError(f"cannot connect: {problem}")
        weight = _check_finite(
            weight, f"the weight {self._label(source)} → {self._label(target)}"
        )
        edge = Edge(source, target, weight)
        self._edges[edge.key] = edge
        self._out[source][target] = edge
        self._in[target][source] = edge
        self._depth_cache = None
        self.events.edge_added.emit(edge)
        self._changed()
        return edge

    def disconnect(self, source: str, target: str) -> Edge:
        edge = self.edge(source, target)
        del self._edges[edge.key]
        del self._out[source][target]
        del self._in[target][source]
        self._depth_cache = None
        self.events.edge_removed.emit(edge)
        self._changed()
        return edge

    def set_weight(self, source: str, target: str, weight: float) -> None:
        edge = self.edge(source, target)
        edge.weight = _check_finite(
            weight, f"the weight {self._label(source)} → {self._label(target)}"
        )
        self.events.edge_changed.emit(edge)
        self.events.structure_changed.emit()

    def set_bias(self, node_id: str, bias: float) -> None:
        node = self.node(node_id)
        if node.role == INPUT:
            raise GraphError(f"{node.name} is an input and has no bias")
        node.bias = _check_finite(bias, f"the bias of {node.name}")
        self.events.node_changed.emit(node, "bias")
        self.events.structure_changed.emit()

    def set_activation(self, node_id: str, activation: str) -> None:
        node = self.node(node_id)
        if activation not in ACTIVATIONS:
            raise GraphError(
                f"unknown activation {activation!r}; use one of {', '.join(ACTIVATIONS)}"
            )
        if node.role == INPUT:
            raise GraphError(f"{node.name} is an input and has no activation")
        node.activation = activation
        self.events.node_changed.emit(node, "activation")
        self.events.structure_changed.emit()

    def rename(self, node_id: str, name: str) -> None:
        node = self.node(node_id)
        if not name or not isinstance(name, str):
            raise GraphError("a unit's name must be a non-empty text")
        node.name = name
        self.events.node_changed.emit(node, "name")

    def move(self, node_id: str, x: float, y: float) -> None:
        """Move a node on the canvas (not a structural change)."""
        node = self.node(node_id)
        node.x, node.y = float(x), float(y)
        self.events.node_changed.emit(node, "pos")

    def set_weights(self, weights: dict[tuple[str, str], float], biases: dict[str, float]) -> None:
        """Set many weights and biases at once (after training); one event per changed item."""
        for key, w in weights.items():
            edge = self._edges[key]
            if edge.weight != w:
                edge.weight = float(w)
                self.events.edge_changed.emit(edge)
        for nid, b in biases.items():
            node = self._nodes[nid]
            if node.bias != b:
                node.bias = float(b)
                self.events.node_changed.emit(node, "bias")
        self.events.structure_changed.emit()

    def clear(self) -> None:
        """Remove everything (one ``reset`` event, not one per item)."""
        self._nodes.clear()
        self._edges.clear()
        self._out.clear()
        self._in.clear()
        self._removed_at.clear()
        self._depth_cache = None
        self.events.reset.emit()
        self.events.structure_changed.emit()

    def replace_with(self, other: Graph) -> None:
        """Become a copy of ``other`` (one ``reset`` event): used to load a project or preset."""
        self._nodes = {nid: replace(n) for nid, n in other._nodes.items()}
        self._edges = {}
        self._out = {nid: {} for nid in self._nodes}
        self._in = {nid: {} for nid in self._nodes}
        for key, e in other._edges.items():
            ne = replace(e)
            self._edges[key] = ne
            self._out[e.source][e.target] = ne
            self._in[e.target][e.source] = ne
        self._ids = itertools.count(_next_free_number(self._nodes))
        self._removed_at = {}
        self._depth_cache = None
        self.events.reset.emit()
        self.events.structure_changed.emit()

    def copy(self) -> Graph:
        """A deep copy without any listeners."""
        g = Graph()
        g.replace_with(self)
        return g

    def snapshot(self) -> tuple:
        """A hashable, comparable picture of everything numeric and topological (for tests/undo)."""
        nodes = tuple(
            (n.id, n.role, n.name, n.activation, n.bias) for n in self._nodes.values()
        )
        edges = tuple(sorted((e.source, e.target, e.weight) for e in self._edges.values()))
        return nodes, edges
