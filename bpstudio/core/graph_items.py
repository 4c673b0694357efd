"""The parts of a graph: roles, Node, Edge, the events a graph emits, and small helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .events import Event

INPUT = "input"
HIDDEN = "hidden"
OUTPUT = "output"
ROLES = (INPUT, HIDDEN, OUTPUT)


class GraphError(ValueError):
    """An edit the graph refuses (cycle, edge into an input, duplicate, unknown id, ...)."""


@dataclass
class Node:
    """One unit. ``bias`` and ``activation`` are ignored for inputs."""

    id: str
    role: str
    name: str
    activation: str = "identity"
    bias: float = 0.0
    x: float = 0.0
    y: float = 0.0

    def __repr__(self) -> str:
        extra = "" if self.role == INPUT else f", {self.activation}, bias={self.bias:g}"
        return f"Node({self.id!r}, {self.name!r}, {self.role}{extra})"


@dataclass
class Edge:
    """A weighted connection ``source → target``."""

    source: str
    target: str
    weight: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)

    def __repr__(self) -> str:
        return f"Edge({self.source!r} → {self.target!r}, w={self.weight:g})"


@dataclass
class GraphEvents:
    """Everything a view needs to follow the graph."""

    node_added: Event = field(default_factory=lambda: Event("node_added"))  # (node)
    node_removed: Event = field(default_factory=lambda: Event("node_removed"))  # (node)
    node_changed: Event = field(default_factory=lambda: Event("node_changed"))  # (node, attr)
    edge_added: Event = field(default_factory=lambda: Event("edge_added"))  # (edge)
    edge_removed: Event = field(default_factory=lambda: Event("edge_removed"))  # (edge)
    edge_changed: Event = field(default_factory=lambda: Event("edge_changed"))  # (edge)
    reset: Event = field(default_factory=lambda: Event("reset"))  # () whole graph replaced
    # () any change that alters the numbers or the topology (not positions)
    structure_changed: Event = field(default_factory=lambda: Event("structure_changed"))


def _check_finite(value: float, what: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise GraphError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(value):
        raise GraphError(f"{what} must be a finite number, not {value}")
    return value


def _reorder(d: dict, keys: list) -> None:
    """Put the items of ``d`` in the order of ``keys`` (all of its keys), keeping the same dict."""
    items = [(k, d[k]) for k in keys]
    d.clear()
    d.update(items)


def _next_free_number(nodes: dict[str, Node]) -> int:
    best = 0
    for nid in nodes:
        if nid.startswith("n") and nid[1:].isdigit():
            best = max(best, int(nid[1:]))
    return best + 1
