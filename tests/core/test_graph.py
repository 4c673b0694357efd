"""The graph model: editing, refusals that name the units, events, depths and layers, undo."""

from __future__ import annotations

import pytest

from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph, GraphError


def small() -> tuple[Graph, dict[str, str]]:
    """X1, X2 → Z1 → D0, plus X2 → D0 (a skip connection)."""
    g = Graph()
    ids = {}
    for role, name in [(INPUT, "X1"), (INPUT, "X2"), (HIDDEN, "Z1"), (OUTPUT, "D0")]:
        ids[name] = g.add_node(role, name, "tanh" if role != INPUT else "identity").id
    g.connect(ids["X1"], ids["Z1"], 0.5)
    g.connect(ids["X2"], ids["Z1"], -1.0)
    g.connect(ids["Z1"], ids["D0"], 2.0)
    g.connect(ids["X2"], ids["D0"], 0.25)
    return g, ids


class Recorder:
    """Counts every event the graph emits, with its arguments."""

    def __init__(self, g: Graph) -> None:
        self.calls: list[tuple] = []
        for name in ("node_added", "node_removed", "node_changed", "edge_added", "edge_removed",
                     "edge_changed", "reset", "structure_changed"):
            getattr(g.events, name).connect(lambda *args, _n=name: self.calls.append((_n, *args)))

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


def test_add_connect_and_read_back():
    g, ids = small()
    assert [n.name for n in g.inputs] == ["X1", "X2"]
    assert [n.name for n in g.hidden] == ["Z1"]
    assert [n.name for n in g.outputs] == ["D0"]
    assert g.edge(ids["Z1"], ids["D0"]).weight == 2.0
    assert sorted(e.source for e in g.incoming(ids["D0"])) == sorted([ids["Z1"], ids["X2"]])
    assert [e.target for e in g.outgoing(ids["X2"])] == [ids["Z1"], ids["D0"]]
    assert g.find("Z1").id == ids["Z1"]
    assert repr(g) == "Graph(2 inputs, 1 hidden, 1 outputs, 4 edges)"


def test_remove_edge_and_node():
    g, ids = small()
    g.disconnect(ids["X2"], ids["D0"])
    assert not g.has_edge(ids["X2"], ids["D0"])
    node, edges = g.remove_node(ids["Z1"])
    assert node.name == "Z1"
    assert sorted((e.source, e.target) for e in edges) == sorted(
        [(ids["X1"], ids["Z1"]), (ids["X2"], ids["Z1"]), (ids["Z1"], ids["D0"])])
    assert len(g.edges) == 0 and ids["Z1"] not in g.nodes


@pytest.mark.parametrize("case, words", [
    ("cycle", ["D0", "Z1", "cycle"]),
    ("into_input", ["X1", "input"]),
    ("duplicate", ["X1", "Z1", "already exists"]),
    ("self_loop", ["Z1", "itself"]),
    ("unknown_source", ["'nope'"]),
    ("unknown_target", ["'nope'"]),
])
def test_refused_connections_name_the_units(case, words):
    g, ids = small()
    before = g.snapshot()
    rec = Recorder(g)
    source, target = {
        "cycle": (ids["D0"], ids["Z1"]),
        "into_input": (ids["Z1"], ids["X1"]),
        "duplicate": (ids["X1"], ids["Z1"]),
        "self_loop": (ids["Z1"], ids["Z1"]),
        "unknown_source": ("nope", ids["Z1"]),
        "unknown_target": (ids["X1"], "nope"),
    }[case]
    assert g.connection_problem(source, target) is not None
    with pytest.raises(GraphError) as err:
        g.connect(source, target, 1.0)
    for word in words:
        assert word in str(err.value)
    assert g.snapshot() == before and rec.calls == []


def test_longer_cycle_is_refused():
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    a, b, c = (g.add_node(HIDDEN, n).id for n in ("A", "B", "C"))
    g.connect(x, a)
    g.connect(a, b)
    g.connect(b, c)
    with pytest.raises(GraphError, match="C → A would make a cycle"):
        g.connect(c, a)


def test_other_refusals_name_the_problem():
    g, ids = small()
    with pytest.raises(GraphError, match="'ghost'"):
        g.node("ghost")
    with pytest.raises(GraphError, match="Z1 → X1"):
        g.edge(ids["Z1"], ids["X1"])
    with pytest.raises(GraphError, match="already exists"):
        g.add_node(HIDDEN, "again", id=ids["Z1"])
    with pytest.raises(GraphError, match="unknown activation 'swish'"):
        g.add_node(HIDDEN, "H", "swish")
    with pytest.raises(GraphError, match="unknown role"):
        g.add_node("middle", "H")
    with pytest.raises(GraphError, match="X1 is an input and has no bias"):
        g.set_bias(ids["X1"], 1.0)
    with pytest.raises(GraphError, match="finite"):
        g.set_weight(ids["X1"], ids["Z1"], float("nan"))
    with pytest.raises(GraphError, match="must be a number"):
        g.set_bias(ids["Z1"], "heavy")


def test_events_fire_once_per_change():
    g, ids = small()
    rec = Recorder(g)
    g.set_weight(ids["X1"], ids["Z1"], 3.0)
    assert rec.names() == ["edge_changed", "structure_changed"]
    assert rec.calls[0][1].weight == 3.0
    rec.calls.clear()
    g.set_bias(ids["Z1"], 0.5)
    assert rec.names() == ["node_changed", "structure_changed"] and rec.calls[0][2] == "bias"
    rec.calls.clear()
    g.set_activation(ids["Z1"], "relu")
    assert rec.names() == ["node_changed", "structure_changed"] and rec.calls[0][2] == "activation"
    rec.calls.clear()
    g.move(ids["Z1"], 10, 20)
    assert rec.names() == ["node_changed"] and rec.calls[0][2] == "pos"  # not structural
    rec.calls.clear()
    n = g.add_node(HIDDEN, "Z2", "sigmoid")
    assert rec.names() == ["node_added", "structure_changed"] and rec.calls[0][1] is n
    rec.calls.clear()
    e = g.connect(ids["X1"], n.id, 1.5)
    assert rec.names() == ["edge_added", "structure_changed"] and rec.calls[0][1] is e
    rec.calls.clear()
    g.disconnect(ids["X1"], n.id)
    assert rec.names() == ["edge_removed", "structure_changed"]
    rec.calls.clear()
    g.remove_node(ids["Z1"])  # three edges, then the node
    assert rec.names().count("edge_removed") == 3
    assert rec.names().count("node_removed") == 1
    rec.calls.clear()
    g.clear()
    assert rec.names() == ["reset", "structure_changed"]


def test_set_weights_emits_only_for_changed_items():
    g, ids = small()
    rec = Recorder(g)
    g.set_weights({(ids["X1"], ids["Z1"]): 0.5, (ids["Z1"], ids["D0"]): 7.0}, {ids["D0"]: 0.0,
                                                                              ids["Z1"]: 1.0})
    assert rec.names() == ["edge_changed", "node_changed", "structure_changed"]
    assert g.edge(ids["Z1"], ids["D0"]).weight == 7.0 and g.node(ids["Z1"]).bias == 1.0


def test_depths_and_layers_with_skip_connections():
    g = Graph()
    x1, x2 = g.add_node(INPUT, "X1").id, g.add_node(INPUT, "X2").id
    h1 = g.add_node(HIDDEN, "H1").id
    h2 = g.add_node(HIDDEN, "H2").id
    o1 = g.add_node(OUTPUT, "D0").id
    o2 = g.add_node(OUTPUT, "D1").id
    g.connect(x1, h1)
    g.connect(h1, h2)
    g.connect(x2, h2)  # skip: depth of H2 is still 2 (longest path)
    g.connect(h2, o1)
    g.connect(x1, o1)  # skip into the deepest output
    g.connect(x2, o2)  # a second, shallow output
    assert g.depths() == {x1: 0, x2: 0, h1: 1, h2: 2, o1: 3, o2: 1}
    assert g.layers() == [[x1, x2], [h1, o2], [h2], [o1]]
    order = g.topological_order()
    for e in g.edges.values():
        assert order.index(e.source) < order.index(e.target)
    # depths follow edits
    g.disconnect(h1, h2)
    assert g.depths()[h2] == 1 and g.depths()[o1] == 2


def test_unconnected_units_have_depth_one():
    g = Graph()
    g.add_node(INPUT, "X1")
    h = g.add_node(HIDDEN, "H").id
    assert g.depths()[h] == 1


def test_remove_and_restore_round_trip():
    g, ids = small()
    before = g.snapshot()
    order = (list(g.nodes), list(g.edges), [e.key for e in g.incoming(ids["D0"])])
    rec = Recorder(g)
    node, edges = g.remove_node(ids["Z1"])
    assert g.snapshot() != before
    rec.calls.clear()
    g.restore_node(node, edges)
    assert g.snapshot() == before
    # the order of units and weights (which the engine, files and views show) comes back too
    assert (list(g.nodes), list(g.edges), [e.key for e in g.incoming(ids["D0"])]) == order
    assert rec.names().count("node_added") == 1 and rec.names().count("edge_added") == 3
    with pytest.raises(GraphError, match="already exists"):
        g.restore_node(node, [])


def test_restore_at_an_explicit_index():
    g, ids = small()
    node, edges = g.remove_node(ids["X1"])
    g.restore_node(node, edges, index=3)
    assert list(g.nodes) == [ids["X2"], ids["Z1"], ids["D0"], ids["X1"]]


def test_several_outputs():
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    outs = [g.add_node(OUTPUT, f"D{i}", "sigmoid").id for i in range(3)]
    for o in outs:
        g.connect(x, o, 1.0)
    assert [n.id for n in g.outputs] == outs
    assert g.layers() == [[x], outs]


def test_copy_is_deep_and_silent():
    g, ids = small()
    rec = Recorder(g)
    c = g.copy()
    assert c.snapshot() == g.snapshot()
    c.set_weight(ids["X1"], ids["Z1"], 9.0)
    assert g.edge(ids["X1"], ids["Z1"]).weight == 0.5
    assert rec.calls == []
    new = c.add_node(HIDDEN, "Z9")
    assert new.id not in g.nodes  # fresh ids do not collide with copied ones


def test_replace_with_emits_one_reset():
    g, _ = small()
    other, _ = small()
    other.set_bias(other.find("Z1").id, 4.0)
    rec = Recorder(g)
    g.replace_with(other)
    assert rec.names() == ["reset", "structure_changed"]
    assert g.snapshot() == other.snapshot()


def test_reprs_say_what_they_are():
    g, ids = small()
    assert repr(g.node(ids["Z1"])) == f"Node({ids['Z1']!r}, 'Z1', hidden, tanh, bias=0)"
    assert repr(g.edge(ids["Z1"], ids["D0"])) == f"Edge({ids['Z1']!r} → {ids['D0']!r}, w=2)"


def test_undo_keeps_the_same_dicts_that_views_may_hold():
    g, ids = small()
    nodes, edges = g.nodes, g.edges
    node, removed = g.remove_node(ids["X2"])
    g.restore_node(node, removed)
    assert g.nodes is nodes and g.edges is edges
    assert list(nodes)[1] == ids["X2"] and len(edges) == 4
