"""Qt-free helpers for the Network menu and the canvas: where a new unit goes, what it connects to,
new weights, adding and removing a hidden layer. Each returns data; commands apply it."""

from __future__ import annotations

import re

import numpy as np

from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph
from bpstudio.core.layout import COLUMN_GAP, auto_layout
from bpstudio.core.presets import HIDDEN_LETTERS
from bpstudio.core.settings import TrainingSettings

_NUM = re.compile(r"^(.*?)(\d+)$")


def columns(graph: Graph) -> list[tuple[float, list[str]]]:
    """(mean x, unit ids) of each depth column, from the inputs to the deepest units."""
    out = []
    for ids in graph.layers():
        if ids:
            out.append((float(np.mean([graph.nodes[i].x for i in ids])), ids))
    return out


def prefix_of(name: str) -> str:
    m = _NUM.match(name)
    return m.group(1) if m else name


def next_name(graph: Graph, prefix: str) -> str:
    """``prefix`` + the next free number (Z4 after Z1..Z3)."""
    taken = {n.name for n in graph}
    best = 0
    for name in taken:
        m = _NUM.match(name)
        if m and m.group(1) == prefix:
            best = max(best, int(m.group(2)))
    k = best + 1
    while f"{prefix}{k}" in taken:
        k += 1
    return f"{prefix}{k}"


def hidden_prefix(graph: Graph, ids: list[str], depth: int) -> str:
    for i in ids:
        n = graph.nodes[i]
        if n.role == HIDDEN:
            return prefix_of(n.name)
    return HIDDEN_LETTERS[(max(depth, 1) - 1) % len(HIDDEN_LETTERS)]


def new_weights(settings: TrainingSettings, n: int, salt: int = 0) -> list[float]:
    """Weights for ``n`` new edges: the constant for constant init, else small seeded random values."""
    if settings.init == "constant":
        return [float(settings.init_value)] * n
    rng = np.random.default_rng([settings.seed, salt])
    return [float(v) for v in rng.uniform(-settings.init_scale, settings.init_scale, n)]


def placement(graph: Graph, x: float) -> tuple[list[str], list[str], int, str]:
    """For a new hidden unit at ``x``: (sources, targets, depth, name prefix).

    Near a hidden column it joins that column (sources: the column before, targets: the one after);
    between two columns it goes between them; left of the inputs or right of the outputs it is clamped.
    """
    cols = columns(graph)
    if not cols:
        return [], [], 1, HIDDEN_LETTERS[0]
    if len(cols) == 1:
        return list(cols[0][1]), [], 1, HIDDEN_LETTERS[0]
    xs = [c[0] for c in cols]
    near = min(range(len(cols)), key=lambda i: abs(xs[i] - x))
    gap = (xs[-1] - xs[0]) / max(len(xs) - 1, 1) or COLUMN_GAP
    if 0 < near < len(cols) - 1 and abs(xs[near] - x) < gap / 3:
        d = near  # join a hidden column
        return list(cols[d - 1][1]), list(cols[d + 1][1]), d, hidden_prefix(graph, cols[d][1], d)
    # between two columns: the left one is the last column whose x is below the click
    left = max([i for i in range(len(xs)) if xs[i] < x], default=0)
    left = min(left, len(cols) - 2)
    return list(cols[left][1]), list(cols[left + 1][1]), left + 1, hidden_prefix(graph, [], left + 1)


def with_hidden_layer(graph: Graph, size: int, settings: TrainingSettings, activation: str | None = None
                      ) -> Graph:
    """A copy with a new fully connected hidden layer just before the outputs."""
    g = graph.copy()
    cols = [ids for ids in g.layers() if ids]
    outs = [n.id for n in g.outputs] or cols[-1]
    prev = list(cols[-2]) if len(cols) >= 2 else [n.id for n in g.inputs]
    prev = [i for i in prev if i not in outs]
    last_hidden = [i for i in prev if g.nodes[i].role == HIDDEN]
    act = activation or (g.nodes[last_hidden[0]].activation if last_hidden else "tanh")
    depth = len(cols) - 1
    letter = HIDDEN_LETTERS[depth % len(HIDDEN_LETTERS)] if last_hidden else HIDDEN_LETTERS[0]
    taken = {prefix_of(n.name) for n in g if n.role == HIDDEN}
    for cand in HIDDEN_LETTERS:
        if cand not in taken:
            letter = cand
            break
    for s in prev:
        for t in outs:
            if g.has_edge(s, t):
                g.disconnect(s, t)
    new = [g.add_node(HIDDEN, f"{letter}{i + 1}", act).id for i in range(size)]
    w = iter(new_weights(settings, size * (len(prev) + len(outs)), salt=len(g)))
    for t in new:
        for s in prev:
            g.connect(s, t, next(w))
    for t in outs:
        for s in new:
            g.connect(s, t, next(w))
    _relayout(g)
    return g


def without_layer(graph: Graph, depth: int, settings: TrainingSettings) -> Graph:
    """A copy without the hidden units at ``depth``; the column before connects fully to the one after."""
    g = graph.copy()
    cols = g.layers()
    if not 0 < depth < len(cols) - 1:
        raise ValueError("only a hidden layer can be removed (not the inputs or the outputs)")
    doomed = [i for i in cols[depth] if g.nodes[i].role == HIDDEN]
    if not doomed:
        raise ValueError("that column has no hidden units")
    sources = sorted({e.source for i in doomed for e in g.incoming(i)} - set(doomed),
                     key=list(g.nodes).index)
    targets = sorted({e.target for i in doomed for e in g.outgoing(i)} - set(doomed),
                     key=list(g.nodes).index)
    for i in doomed:
        g.remove_node(i)
    pairs = [(s, t) for t in targets for s in sources if g.connection_problem(s, t) is None]
    w = iter(new_weights(settings, len(pairs), salt=len(g)))
    for s, t in pairs:
        g.connect(s, t, next(w))
    _relayout(g)
    return g


def _relayout(g: Graph) -> None:
    for nid, (x, y) in auto_layout(g).items():
        n = g.nodes[nid]
        n.x, n.y = x, y


def describe_roles(graph: Graph) -> str:
    return ", ".join(f"{len(graph.by_role(r))} {r}" for r in (INPUT, HIDDEN, OUTPUT))
