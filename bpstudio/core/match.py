"""Does the network fit the dataset? And, if the learner agrees, make it fit (undoably).

:func:`check_match` says in plain words why a network cannot train on a dataset (None when it
can). :func:`plan_adjustment` works out how to change the number of input and output units;
the returned :class:`Adjustment` applies, undoes and re-applies that change through the
ordinary :class:`~bpstudio.core.graph.Graph` API, so every view hears about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .dataset import Dataset
from .graph import INPUT, OUTPUT, Edge, Graph, Node
from .layout import ROW_GAP


def _names(nodes: list[Node]) -> str:
    return ", ".join(n.name for n in nodes) or "none"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_match(graph: Graph, dataset: Dataset) -> str | None:
    """Why ``graph`` cannot train on ``dataset``, in plain words; None when it can."""
    if dataset.n_samples == 0:
        return "The dataset has no rows. Add rows in the Data panel or load a dataset."
    if not dataset.train_mask.any():
        return "Every row of the dataset is marked as test: mark at least one row for training."
    ins, outs = graph.inputs, graph.outputs
    problems = []
    if len(ins) != dataset.n_inputs:
        problems.append(
            f"the network has {_plural(len(ins), 'input unit')} ({_names(ins)}) but the dataset "
            f"has {_plural(dataset.n_inputs, 'input column')} ({', '.join(dataset.input_names)})")
    if len(outs) != dataset.n_outputs:
        problems.append(
            f"the network has {_plural(len(outs), 'output unit')} ({_names(outs)}) but the dataset "
            f"has {_plural(dataset.n_outputs, 'target column')} ({', '.join(dataset.target_names)})")
    if not problems:
        return None
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."


@dataclass
class Adjustment:
    """Nodes removed and added to give a graph the wanted numbers of inputs and outputs."""

    removed: list[tuple[Node, list[Edge]]] = field(default_factory=list)
    added: list[tuple[Node, list[Edge]]] = field(default_factory=list)
    done: bool = False
    _places: list[int] = field(default_factory=list, repr=False)  # removed units' old positions

    @property
    def is_empty(self) -> bool:
        return not self.removed and not self.added

    def apply(self, graph: Graph) -> None:
        """Remove, then add (first time and every redo give the same ids and weights)."""
        self._places = []
        for node, _ in self.removed:
            self._places.append(list(graph.nodes).index(node.id))
            graph.remove_node(node.id)
        for node, edges in self.added:
            graph.restore_node(replace(node), [replace(e) for e in edges])
        self.done = True

    def undo(self, graph: Graph) -> None:
        """Remove the added units, then put the removed ones back at their old places (nodes
        first, then edges, so edges between two removed units come back too)."""
        for node, _ in reversed(self.added):
            graph.remove_node(node.id)
        for (node, _), place in reversed(list(zip(self.removed, self._places))):
            graph.restore_node(replace(node), index=place)
        for _, edges in self.removed:
            for e in edges:
                graph.connect(e.source, e.target, e.weight)
        self.done = False

    def describe(self) -> str:
        parts = []
        if self.removed:
            parts.append("remove " + ", ".join(n.name for n, _ in self.removed))
        if self.added:
            parts.append("add " + ", ".join(n.name for n, _ in self.added))
        return "; ".join(parts) or "nothing to change"

    def __repr__(self) -> str:
        return f"Adjustment({self.describe()}, done={self.done})"


def _free_name(graph: Graph, prefix: str, start: int, taken: set[str]) -> str:
    used = {n.name for n in graph} | taken
    k = start
    while f"{prefix}{k}" in used:
        k += 1
    return f"{prefix}{k}"


def _hidden_layer(graph: Graph, pick, fallback: list) -> list[str]:
    """The hidden units at the depth ``pick`` (min or max) chooses, else ``fallback``'s ids."""
    depth = graph.depths()
    hidden = [n.id for n in graph.hidden]
    if not hidden:
        return [n.id for n in fallback]
    d = pick(depth[h] for h in hidden)
    return [h for h in hidden if depth[h] == d]


def _deepest_before_outputs(graph: Graph) -> list[str]:
    """Units a new output should listen to: the deepest hidden layer, else the inputs."""
    return _hidden_layer(graph, max, graph.inputs)


def _first_listeners(graph: Graph) -> list[str]:
    """Units a new input should feed: the shallowest hidden layer, else the outputs."""
    return _hidden_layer(graph, min, graph.outputs)


def plan_adjustment(graph: Graph, n_inputs: int, n_outputs: int, seed: int = 0,
                    scale: float = 0.5) -> Adjustment:
    """How to give ``graph`` exactly ``n_inputs`` inputs and ``n_outputs`` outputs.

    Extra units are removed from the end (with their edges). A new input feeds every unit that
    the existing inputs feed (or the first hidden layer); a new output listens to every unit that
    feeds the existing outputs (or the deepest hidden layer) and copies the last output's
    activation. New weights are drawn from U(−scale, scale) with ``seed`` (not all equal, so new
    units do not start symmetric). Nothing changes until :meth:`Adjustment.apply`.
    """
    if n_inputs < 1 or n_outputs < 1:
        raise ValueError("a network needs at least one input and one output unit")
    rng = np.random.default_rng(seed)
    adj = Adjustment()
    ins, outs = graph.inputs, graph.outputs
    gone: set[str] = set()
    for node in ins[n_inputs:] + outs[n_outputs:]:
        edges = [e for e in graph.incoming(node.id) + graph.outgoing(node.id)
                 if e.source not in gone and e.target not in gone]
        adj.removed.append((replace(node), [replace(e) for e in edges]))
        gone.add(node.id)
    kept_in, kept_out = ins[:n_inputs], outs[:n_outputs]
    ids = {n.id for n in graph}
    taken: set[str] = set()

    def new_id() -> str:
        k = 1
        while f"n{k}" in ids:
            k += 1
        ids.add(f"n{k}")
        return f"n{k}"

    targets = sorted({e.target for n in kept_in for e in graph.outgoing(n.id)} - gone,
                     key=list(graph.nodes).index) or [t for t in _first_listeners(graph)
                                                       if t not in gone]
    x = kept_in[-1].x if kept_in else 0.0
    y = kept_in[-1].y if kept_in else 0.0
    for k in range(len(kept_in), n_inputs):
        y += ROW_GAP
        name = _free_name(graph, "X", k + 1, taken)
        taken.add(name)
        node = Node(new_id(), INPUT, name, x=x, y=y)
        edges = [Edge(node.id, t, float(rng.uniform(-scale, scale))) for t in targets]
        adj.added.append((node, edges))

    new_inputs = [n.id for n, _ in adj.added]
    sources = sorted({e.source for n in kept_out for e in graph.incoming(n.id)} - gone,
                     key=list(graph.nodes).index)
    if not sources:
        sources = [s for s in _deepest_before_outputs(graph) if s not in gone]
    if not graph.hidden:  # outputs listen straight to the inputs: include the new ones
        sources = [s for s in sources if s not in new_inputs] + new_inputs
    template = kept_out[-1] if kept_out else None
    act = template.activation if template else "identity"
    x = template.x if template else 220.0 * (1 + max(graph.depths().values(), default=0))
    y = template.y if template else 0.0
    for k in range(len(kept_out), n_outputs):
        y += ROW_GAP
        name = _free_name(graph, "D", k, taken)
        taken.add(name)
        node = Node(new_id(), OUTPUT, name, activation=act, bias=0.0, x=x, y=y)
        edges = [Edge(s, node.id, float(rng.uniform(-scale, scale))) for s in sources]
        adj.added.append((node, edges))
    return adj


def adjust_network(graph: Graph, dataset: Dataset, seed: int = 0) -> Adjustment:
    """Make ``graph`` fit ``dataset`` now; returns the applied :class:`Adjustment` (for undo)."""
    adj = plan_adjustment(graph, dataset.n_inputs, dataset.n_outputs, seed)
    adj.apply(graph)
    return adj

