"""After any sequence of edits (and undos/redos), the scene's items match the graph one for one."""

from __future__ import annotations

import random

from PySide6.QtCore import QPointF

import pytest

from bpstudio.core.graph import INPUT
from bpstudio.ui.canvas import commands as cmd
from bpstudio.ui.canvas.bias_item import BiasEdgeItem, BiasUnitItem
from bpstudio.ui.canvas.edge_item import EdgeItem
from bpstudio.ui.canvas.node_item import NodeItem
from bpstudio.ui.canvas.scene import GraphScene
from bpstudio.ui.document import Document


def assert_in_step(scene: GraphScene) -> None:
    g = scene.graph
    items = scene.items()
    node_items = [i for i in items if isinstance(i, NodeItem)]
    edge_items = [i for i in items if isinstance(i, EdgeItem) and not isinstance(i, BiasEdgeItem)]
    bias_edges = [i for i in items if isinstance(i, BiasEdgeItem)]
    # one item per unit and per edge, no leftovers
    assert sorted(i.node.id for i in node_items) == sorted(g.nodes)
    assert sorted(i.key for i in edge_items) == sorted(g.edges)
    assert set(scene.nodes) == set(g.nodes) and set(scene.edges) == set(g.edges)
    for nid, item in scene.nodes.items():
        n = g.nodes[nid]
        assert item.node is n
        assert (item.pos().x(), item.pos().y()) == (n.x, n.y)
        assert {e.key for e in item.edges if not isinstance(e, BiasEdgeItem)} == \
            {e.key for e in g.incoming(nid)} | {e.key for e in g.outgoing(nid)}
    for key, item in scene.edges.items():
        assert item.value == g.edges[key].weight
        assert item.source is scene.nodes[key[0]] and item.target is scene.nodes[key[1]]
    # bias edges: one per non-input unit, carrying its bias, from the bias unit of the column before
    depths = g.depths()
    assert sorted(i.key for i in bias_edges) == sorted(n.id for n in g if n.role != INPUT)
    for item in bias_edges:
        assert item.value == g.nodes[item.key].bias
        assert item.source.depth == depths[item.key] - 1
    bias_units = [i for i in items if isinstance(i, BiasUnitItem)]
    assert sorted(b.depth for b in bias_units) == sorted({depths[n.id] - 1 for n in g if n.role != INPUT})


def random_edit(rng: random.Random, scene: GraphScene, stack) -> None:
    g = scene.graph
    ids = list(g.nodes)
    op = rng.choice(["add_unit", "connect", "remove_unit", "remove_edge", "weight", "bias", "move",
                     "undo", "undo", "redo", "activation"])
    if op == "add_unit":
        scene.add_hidden_unit(QPointF(rng.uniform(-50, 500), rng.uniform(-200, 200)))
    elif op == "connect" and len(ids) >= 2:
        scene.connect_units(rng.choice(ids), rng.choice(ids))  # refused ones just leave a message
    elif op == "remove_unit" and len(ids) > 1:
        stack.push(cmd.RemoveNodeCommand(g, rng.choice(ids)))
    elif op == "remove_edge" and g.edges:
        s, t = rng.choice(list(g.edges))
        stack.push(cmd.RemoveEdgeCommand(g, s, t))
    elif op == "weight" and g.edges:
        s, t = rng.choice(list(g.edges))
        stack.push(cmd.SetWeightCommand(g, s, t, rng.uniform(-9, 9)))
    elif op == "bias":
        hidden = [n.id for n in g if n.role != INPUT]
        if hidden:
            stack.push(cmd.SetBiasCommand(g, rng.choice(hidden), rng.uniform(-2, 2)))
    elif op == "activation":
        hidden = [n.id for n in g if n.role != INPUT]
        if hidden:
            scene.set_activation(rng.choice(hidden), rng.choice(["tanh", "relu", "sigmoid", "identity"]))
    elif op == "move" and ids:
        nid = rng.choice(ids)
        n = g.nodes[nid]
        stack.push(cmd.MoveNodesCommand(g, {nid: ((n.x, n.y), (rng.uniform(-100, 600), rng.uniform(-300, 300)))}))
    elif op == "undo" and stack.canUndo():
        stack.undo()
    elif op == "redo" and stack.canRedo():
        stack.redo()


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_keep_scene_and_graph_in_step_and_undo_all_restores(qapp, seed):
    doc = Document()
    scene = GraphScene(doc)
    original = doc.graph.snapshot()
    rng = random.Random(seed)
    for _ in range(60):
        random_edit(rng, scene, doc.undo_stack)
        assert_in_step(scene)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.graph.snapshot() == original
    assert_in_step(scene)
    scene.detach()


def test_replacing_the_project_rebuilds_the_scene(qapp):
    from bpstudio.core.presets import load_preset

    doc = Document()
    scene = GraphScene(doc)
    doc.replace_project(load_preset("and"))
    assert_in_step(scene)
    assert len(scene.nodes) == 3 and {b.node.name for b in scene.bias_units.values()} == {"X0"}
    scene.detach()
