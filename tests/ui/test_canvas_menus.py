"""Context menus, panning, multi-unit drags and the canvas's own Network-menu helpers."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from bpstudio.ui.canvas.context_menu import build_menu
from tests.conftest import mouse_drag

KEEP = []  # a QMenu without a parent is deleted when Python drops it


def actions_by_text(menu):
    KEEP.append(menu)
    out = {}
    for a in menu.actions():
        if a.menu() is not None:
            for b in a.menu().actions():
                out[f"{a.text()}/{b.text()}"] = b
        else:
            out[a.text()] = a
    return out


def test_context_menu_of_a_unit_changes_activation_and_removes(window):
    g, scene = window.document.graph, window.scene
    z1 = g.find("Z1")
    acts = actions_by_text(build_menu(scene, QPointF(z1.x, z1.y)))
    assert acts["Activation/identity"].isChecked()
    acts["Activation/tanh"].trigger()
    assert z1.activation == "tanh"
    assert window.undo_stack.undoText() == "Set activation of Z1 to tanh"
    acts["Remove unit Z1"].trigger()
    assert z1.id not in g.nodes and z1.id not in scene.nodes
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert g.nodes[z1.id].activation == "identity"


def test_softmax_is_offered_for_outputs_only(window):
    g, scene = window.document.graph, window.scene
    z1, d0 = g.find("Z1"), g.find("D0")
    hidden = actions_by_text(build_menu(scene, QPointF(z1.x, z1.y)))
    output = actions_by_text(build_menu(scene, QPointF(d0.x, d0.y)))
    assert "Activation/tanh" in hidden and "Activation/softmax" not in hidden
    assert "Activation/softmax" in output
    box = window.inspector.activation_box
    i = box.findText("softmax")
    scene.select(z1.id)
    assert not box.model().item(i).isEnabled()
    scene.select(d0.id)
    assert box.model().item(i).isEnabled()


def test_context_menu_of_an_input_has_no_activation(window):
    x1 = window.document.graph.find("X1")
    acts = actions_by_text(build_menu(window.scene, QPointF(x1.x, x1.y)))
    assert not any(t.startswith("Activation") for t in acts)
    assert "Remove unit X1" in acts


def test_context_menu_of_an_edge_and_of_empty_space(window):
    g, scene = window.document.graph, window.scene
    key = (g.find("Z2").id, g.find("D0").id)
    spot = scene.edges[key].label_pos()
    acts = actions_by_text(build_menu(scene, spot))
    acts["Remove edge Z2 → D0"].trigger()
    assert not g.has_edge(*key)
    n = len(g)
    acts = actions_by_text(build_menu(scene, QPointF(110, 400)))
    acts["Add hidden unit here"].trigger()
    assert len(g) == n + 1


def test_dragging_empty_space_pans_without_editing(window):
    view, g = window.view, window.document.graph
    before = g.snapshot()
    empty = QPointF(110, 250)
    assert window.scene.node_at(empty) is None
    centre_before = view.visible_scene_rect().center()
    mouse_drag(view, empty, empty + QPointF(80, 40))
    moved = view.visible_scene_rect().center() - centre_before
    assert moved.x() < -30 and moved.y() < -10  # the picture followed the mouse
    assert g.snapshot() == before and window.undo_stack.count() == 0
    centre_before = view.visible_scene_rect().center()
    mouse_drag(view, QPointF(g.find("Z2").x, g.find("Z2").y), empty, button=Qt.MiddleButton)
    assert view.visible_scene_rect().center() != centre_before  # middle button pans even over a unit
    assert window.undo_stack.count() == 0


def test_dragging_two_selected_units_is_one_undo_step(window):
    g, scene, view = window.document.graph, window.scene, window.view
    z1, z2 = g.find("Z1"), g.find("Z2")
    start = {(n.id): (n.x, n.y) for n in (z1, z2)}
    scene.nodes[z1.id].setSelected(True)
    scene.nodes[z2.id].setSelected(True)
    mouse_drag(view, QPointF(z1.x, z1.y), QPointF(z1.x + 50, z1.y))
    assert z1.x > start[z1.id][0] + 40 and z2.x > start[z2.id][0] + 40
    assert abs(z1.y - start[z1.id][1]) < 1e-9 and abs(z2.y - start[z2.id][1]) < 1e-9
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "Move 2 units"
    window.undo_stack.undo()
    assert {n.id: (n.x, n.y) for n in (z1, z2)} == start
