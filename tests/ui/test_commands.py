"""Every canvas command: redo does the edit, undo restores graph.snapshot() exactly, texts name the units."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

import pytest

from bpstudio.core.graph import HIDDEN
from bpstudio.core.presets import load_preset
from bpstudio.ui.canvas import commands as cmd


@pytest.fixture
def graph():
    return load_preset("article-xor").graph


@pytest.fixture
def stack(qapp):
    return QUndoStack()


def ids(g, *names):
    return [g.find(n).id for n in names]


def check_round_trip(stack, g, command, expect_text=None):
    before = g.snapshot()
    stack.push(command)
    after = g.snapshot()
    assert after != before
    if expect_text:
        assert stack.undoText() == expect_text
    stack.undo()
    assert g.snapshot() == before
    stack.redo()
    assert g.snapshot() == after
    stack.undo()
    assert g.snapshot() == before


def test_add_edge(graph, stack):
    x1, d0 = ids(graph, "X1", "D0")
    check_round_trip(stack, graph, cmd.AddEdgeCommand(graph, x1, d0, 0.3), "Add edge X1 → D0")
    stack.redo()
    assert graph.edge(x1, d0).weight == 0.3


def test_remove_edge(graph, stack):
    z1, d0 = ids(graph, "Z1", "D0")
    check_round_trip(stack, graph, cmd.RemoveEdgeCommand(graph, z1, d0), "Remove edge Z1 → D0")


def test_add_node_with_edges(graph, stack):
    x1, x2, d0 = ids(graph, "X1", "X2", "D0")
    c = cmd.AddNodeCommand(graph, HIDDEN, "Z4", "tanh", 0.1, 10.0, 20.0,
                           [(x1, None, 0.5), (x2, None, -0.5), (None, d0, 2.0)])
    check_round_trip(stack, graph, c, "Add unit Z4")
    stack.redo()
    z4 = graph.find("Z4")
    assert (z4.activation, z4.bias, z4.x, z4.y) == ("tanh", 0.1, 10.0, 20.0)
    assert graph.edge(x1, z4.id).weight == 0.5 and graph.edge(z4.id, d0).weight == 2.0


def test_remove_node_restores_order_and_edges(graph, stack):
    (z2,) = ids(graph, "Z2")
    order = list(graph.nodes)
    check_round_trip(stack, graph, cmd.RemoveNodeCommand(graph, z2), "Remove unit Z2")
    assert list(graph.nodes) == order


@pytest.mark.parametrize("make, text", [
    (lambda g, z1, d0: cmd.SetWeightCommand(g, z1, d0, 0.6), "Set weight Z1 → D0 to 0.6"),
    (lambda g, z1, d0: cmd.SetBiasCommand(g, d0, 0.6), "Set bias of D0 to 0.6"),
    (lambda g, z1, d0: cmd.SetActivationCommand(g, z1, "tanh"), "Set activation of Z1 to tanh"),
])
def test_value_commands(graph, stack, make, text):
    z1, d0 = ids(graph, "Z1", "D0")
    check_round_trip(stack, graph, make(graph, z1, d0), text)


def test_rename(graph, stack):
    (z1,) = ids(graph, "Z1")
    stack.push(cmd.RenameCommand(graph, z1, "H1"))
    assert graph.nodes[z1].name == "H1"
    stack.undo()
    assert graph.nodes[z1].name == "Z1"


def test_moves_of_one_drag_merge_and_undo_to_the_start(graph, stack):
    (z1,) = ids(graph, "Z1")
    n = graph.nodes[z1]
    start = (n.x, n.y)
    for k in range(1, 6):
        stack.push(cmd.MoveNodesCommand(graph, {z1: ((n.x, n.y), (start[0] + k, start[1] + 2 * k))}, drag_id=7))
    assert stack.count() == 1 and stack.undoText() == "Move Z1"
    assert (n.x, n.y) == (start[0] + 5, start[1] + 10)
    # a different drag is a separate step
    stack.push(cmd.MoveNodesCommand(graph, {z1: ((n.x, n.y), (0.0, 0.0))}, drag_id=8))
    assert stack.count() == 2
    stack.undo()
    stack.undo()
    assert (n.x, n.y) == start


def test_replace_graph(graph, stack):
    other = load_preset("xor").graph
    c = cmd.ReplaceGraphCommand(graph, other, "New network 2-3-1")
    check_round_trip(stack, graph, c, "New network 2-3-1")
    stack.redo()
    assert graph.snapshot() == other.snapshot()


def test_set_weights(graph, stack):
    z1, d0 = ids(graph, "Z1", "D0")
    c = cmd.SetWeightsCommand(graph, {(z1, d0): -1.5}, {d0: 0.25}, "Re-initialise")
    check_round_trip(stack, graph, c, "Re-initialise")


def test_undoing_a_long_mixed_history_restores_the_original_exactly(graph, stack):
    original = graph.snapshot()
    x1, x2, z1, z2, z3, d0 = ids(graph, "X1", "X2", "Z1", "Z2", "Z3", "D0")
    steps = [
        cmd.SetWeightCommand(graph, x1, z1, 0.25),
        cmd.RemoveNodeCommand(graph, z2),
        cmd.AddEdgeCommand(graph, x1, d0, -0.7),
        cmd.SetBiasCommand(graph, z3, 3.0),
        cmd.AddNodeCommand(graph, HIDDEN, "Z9", "relu", 0.0, 5, 5, [(x2, None, 1.0), (None, d0, 1.0)]),
        cmd.RemoveEdgeCommand(graph, z1, d0),
        cmd.SetActivationCommand(graph, d0, "sigmoid"),
        cmd.RemoveNodeCommand(graph, x2),
    ]
    for c in steps:
        stack.push(c)
    assert graph.snapshot() != original
    while stack.canUndo():
        stack.undo()
    assert graph.snapshot() == original
