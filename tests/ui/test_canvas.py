"""The canvas: real mouse drags move units and draw edges, refused drops leave nothing, Delete,
double-click, inline weight editing, and the values the training side paints."""

from __future__ import annotations

import math

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from bpstudio.ui.canvas import style
from bpstudio.ui.canvas.edge_item import EdgeItem
from bpstudio.ui.canvas.node_item import HANDLE_CENTRE
from bpstudio.ui.canvas.palette import UNIT_MIME
from tests.conftest import mouse_drag


def nid(window, name):
    return window.document.graph.find(name).id


def visible_edge_items(scene):
    return [i for i in scene.items() if isinstance(i, EdgeItem) and i.isVisible()]


def test_drag_moves_a_unit_and_its_edges_follow_as_one_undo_step(window):
    scene, view, g = window.scene, window.view, window.document.graph
    z1 = nid(window, "Z1")
    item = scene.nodes[z1]
    start = QPointF(g.nodes[z1].x, g.nodes[z1].y)
    edge = scene.edges[(nid(window, "Z1"), nid(window, "D0"))]
    line_before = QPointF(edge._line.p1())
    mouse_drag(view, start, start + QPointF(60, -30))  # into free room (away from Z2)
    moved = QPointF(g.nodes[z1].x, g.nodes[z1].y) - start
    tol = 1.5 / view.zoom()  # one pixel of rounding in mapFromScene
    assert abs(moved.x() - 60) <= tol and abs(moved.y() + 30) <= tol
    assert item.pos() == QPointF(g.nodes[z1].x, g.nodes[z1].y)
    assert edge._line.p1() != line_before  # the edge followed
    assert window.undo_stack.count() == 1  # the whole drag merged into one command
    assert window.undo_stack.undoText() == "Move Z1"
    window.undo_stack.undo()
    assert (g.nodes[z1].x, g.nodes[z1].y) == (start.x(), start.y())
    assert item.pos() == start


def test_drag_from_handle_onto_a_deeper_unit_adds_an_edge(window):
    scene, view, g = window.scene, window.view, window.document.graph
    x1, d0 = nid(window, "X1"), nid(window, "D0")
    assert not g.has_edge(x1, d0)
    start = scene.nodes[x1].pos() + HANDLE_CENTRE
    mouse_drag(view, start, scene.nodes[d0].pos())
    assert g.has_edge(x1, d0)
    assert (x1, d0) in scene.edges
    assert window.undo_stack.undoText() == "Add edge X1 → D0"
    assert not scene._drag_line.isVisible()
    window.undo_stack.undo()
    assert not g.has_edge(x1, d0) and (x1, d0) not in scene.edges


def test_a_drop_that_would_make_a_cycle_is_refused_and_leaves_nothing(window):
    scene, view, g = window.scene, window.view, window.document.graph
    d0, z1 = nid(window, "D0"), nid(window, "Z1")
    before = g.snapshot()
    items_before = len(scene.items())
    mouse_drag(view, scene.nodes[d0].pos() + HANDLE_CENTRE, scene.nodes[z1].pos())
    assert g.snapshot() == before
    assert window.undo_stack.count() == 0
    assert "would make a cycle" in window.statusBar().currentMessage()
    assert "D0 → Z1" in window.statusBar().currentMessage()
    # the temporary line is hidden and no edge item was left behind
    assert not scene._drag_line.isVisible()
    assert len(scene.items()) == items_before + 1  # only the (hidden, reused) drag line
    assert len(visible_edge_items(scene)) == len(g.edges) + len(scene.bias_edges)


def test_drops_into_an_input_or_duplicating_an_edge_are_refused(window):
    scene, view, g = window.scene, window.view, window.document.graph
    z1, x2, d0 = nid(window, "Z1"), nid(window, "X2"), nid(window, "D0")
    before = g.snapshot()
    mouse_drag(view, scene.nodes[z1].pos() + HANDLE_CENTRE, scene.nodes[x2].pos())
    assert "X2 is an input" in window.statusBar().currentMessage()
    mouse_drag(view, scene.nodes[z1].pos() + HANDLE_CENTRE, scene.nodes[d0].pos())
    assert "already exists" in window.statusBar().currentMessage()
    assert g.snapshot() == before and window.undo_stack.count() == 0


def test_delete_key_removes_the_selection_and_undo_restores_it_exactly(window):
    scene, view, g = window.scene, window.view, window.document.graph
    before = g.snapshot()
    z2 = nid(window, "Z2")
    scene.nodes[z2].setSelected(True)
    scene.edges[(nid(window, "X1"), nid(window, "Z1"))].setSelected(True)
    view.setFocus()
    QTest.keyClick(view, Qt.Key_Delete)
    assert z2 not in g.nodes and z2 not in scene.nodes
    assert not g.has_edge(nid(window, "X1"), nid(window, "Z1"))
    assert len(g.edges) == 9 - 3 - 1
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Delete selection"
    window.undo_stack.undo()
    assert g.snapshot() == before
    assert set(scene.nodes) == set(g.nodes) and set(scene.edges) == set(g.edges)


def test_click_selects_and_the_window_reports_the_selection(window, qtbot):
    scene, view = window.scene, window.view
    z3 = nid(window, "Z3")
    with qtbot.waitSignal(window.selection_changed) as blocker:
        QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(scene.nodes[z3].pos()))
    assert blocker.args == [z3]
    assert window.inspector.name_label.text() == "Z3"
    key = (nid(window, "Z3"), nid(window, "D0"))
    with qtbot.waitSignal(window.selection_changed) as blocker:
        scene.select(key)
    assert blocker.args == [key]
    assert window.inspector.edge_label.text() == "Z3 → D0"


def test_double_click_on_empty_canvas_adds_a_connected_hidden_unit(window):
    scene, view, g = window.scene, window.view, window.document.graph
    z3 = g.find("Z3")
    spot = QPointF(z3.x, z3.y + 110)  # below Z3, in the hidden column
    assert scene.node_at(spot) is None
    QTest.mouseDClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(spot))
    z4 = g.find("Z4")
    assert z4.role == "hidden"
    srcs = {g.nodes[e.source].name for e in g.incoming(z4.id)}
    tgts = {g.nodes[e.target].name for e in g.outgoing(z4.id)}
    assert srcs == {"X1", "X2"} and tgts == {"D0"}
    assert window.undo_stack.undoText() == "Add unit Z4"
    assert z4.id in scene.nodes and z4.id in scene.bias_edges


def test_dropping_from_the_palette_adds_a_unit(window):
    view, g = window.view, window.document.graph
    n = len(g)
    mime = QMimeData()
    mime.setData(UNIT_MIME, b"hidden")
    pos = view.mapFromScene(QPointF(110, 300))
    ev = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    view.dropEvent(ev)
    assert len(g) == n + 1
    new = list(g.nodes.values())[-1]
    # between the inputs and the hidden column: fed by the inputs, feeding Z1..Z3
    assert {g.nodes[e.source].name for e in g.incoming(new.id)} == {"X1", "X2"}
    assert {g.nodes[e.target].name for e in g.outgoing(new.id)} == {"Z1", "Z2", "Z3"}


def test_typing_over_an_edge_label_sets_the_weight(window):
    scene, view, g = window.scene, window.view, window.document.graph
    key = (nid(window, "Z1"), nid(window, "D0"))
    scene.edit_label(scene.edges[key])
    ed = view.label_editor
    assert ed.isVisible() and ed.text() == "1"
    ed.setText("-0.25")
    QTest.keyClick(ed, Qt.Key_Return)
    assert g.edges[key].weight == -0.25
    assert scene.edges[key].value == -0.25
    assert scene.edges[key].bucket < style.MID  # negative side of the map
    assert window.undo_stack.undoText() == "Set weight Z1 → D0 to -0.25"
    # a bias edge edits the bias; text that is not a number changes nothing
    z1 = nid(window, "Z1")
    assert scene.commit_value(z1, "0.5") and g.nodes[z1].bias == 0.5
    scene.edit_label(scene.edges[key])  # Escape cancels
    ed.setText("7")
    QTest.keyClick(ed, Qt.Key_Escape)
    assert not ed.isVisible() and g.edges[key].weight == -0.25
    before = g.snapshot()
    assert not scene.commit_value(key, "abc")
    assert "not a number" in window.statusBar().currentMessage()
    assert g.snapshot() == before


def test_set_unit_values_colours_on_a_symmetric_map_and_clears(window):
    scene = window.scene
    z1, z2, d0 = nid(window, "Z1"), nid(window, "Z2"), nid(window, "D0")
    scene.set_unit_values({z1: 4.0, z2: -2.0, d0: 0.0}, "delta")
    assert scene.nodes[z1].bucket == style.N_BUCKETS - 1
    assert scene.nodes[z2].bucket == round((0.5) * style.MID)  # -2 of ±4 → a quarter of the way
    assert scene.nodes[d0].bucket in (127, 128)
    assert scene.nodes[z1].value_text == "4"
    scene.set_unit_values({z1: -0.0850123}, "delta")
    assert scene.nodes[z1].value_text == "-0.085"
    assert scene.nodes[nid(window, "X1")].value is None  # not given: no value shown
    scene.set_unit_values(None, "delta")
    assert all(i.value is None and i.bucket is None for i in scene.nodes.values())


def test_set_edge_values_recolours_without_touching_the_graph(window):
    scene, g = window.scene, window.document.graph
    before = g.snapshot()
    key = (nid(window, "Z1"), nid(window, "D0"))
    weights = dict.fromkeys(g.edges, 1.0)
    weights[key] = -3.0
    scene.set_edge_values(weights, {nid(window, "D0"): 0.6})
    assert g.snapshot() == before
    assert scene.edges[key].value == -3.0 and scene.edges[key].bucket == 0
    other = scene.edges[(nid(window, "X1"), nid(window, "Z1"))]
    assert other.bucket == style.bucket(1.0, 3.0)
    assert scene.bias_edges[nid(window, "D0")].value == 0.6


def test_highlight_depth_rings_one_layer(window):
    scene = window.scene
    scene.highlight_depth(1)
    lit = {i.node.name for i in scene.nodes.values() if i.highlighted}
    assert lit == {"Z1", "Z2", "Z3"}
    scene.highlight_depth(None)
    assert not any(i.highlighted for i in scene.nodes.values())


def test_bias_units_drawn_like_the_article_and_hidden_by_the_view_toggle(window):
    scene, g = window.scene, window.document.graph
    names = {b.node.name for b in scene.bias_units.values()}
    assert names == {"X0", "Z0"}
    # X0 feeds Z1..Z3 with their biases (1 in the article), Z0 feeds D0
    for name in ("Z1", "Z2", "Z3"):
        e = scene.bias_edges[nid(window, name)]
        assert e.source.node.name == "X0" and e.value == g.find(name).bias == 1.0
    assert scene.bias_edges[nid(window, "D0")].source.node.name == "Z0"
    window.act["show_bias"].trigger()
    assert not scene.bias_units and not scene.bias_edges
    window.act["show_bias"].trigger()
    assert {b.node.name for b in scene.bias_units.values()} == {"X0", "Z0"}


def test_wheel_zooms_and_fit_shows_everything(window):
    view = window.view
    z = view.zoom()
    view.zoom_by(2.0)
    assert math.isclose(view.zoom(), z * 2.0)
    view.fit()
    assert view.visible_scene_rect().contains(window.scene.itemsBoundingRect())


def test_double_clicking_an_edge_label_opens_the_editor(window):
    scene, view, g = window.scene, window.view, window.document.graph
    view.zoom_by(1.0 / view.zoom())  # zoom 1: labels shown
    key = (nid(window, "Z2"), nid(window, "D0"))
    view.centerOn(scene.edges[key].label_pos())
    p = view.mapFromScene(scene.edges[key].label_pos())
    QTest.mouseDClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, p)
    assert view.label_editor.isVisible()
    view.label_editor.setText("2.5")
    QTest.keyClick(view.label_editor, Qt.Key_Return)
    assert g.edges[key].weight == 2.5
    assert len(g) == 6  # the double-click did not also add a unit


def test_wheel_zooms_around_the_cursor(window):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    view = window.view
    p = QPoint(view.viewport().width() // 3, view.viewport().height() // 3)
    under = view.mapToScene(p)
    z = view.zoom()
    ev = QWheelEvent(QPointF(p), QPointF(view.viewport().mapToGlobal(p)), QPoint(0, 0), QPoint(0, 240),
                     Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    view.wheelEvent(ev)
    assert math.isclose(view.zoom(), z * 1.15 ** 2)
    after = view.mapToScene(p)
    assert abs(after.x() - under.x()) < 2 / view.zoom() and abs(after.y() - under.y()) < 2 / view.zoom()
    assert not view.auto_fit  # the user's zoom is kept on resize


def test_non_finite_values_from_a_diverged_run_do_not_break_the_canvas(window):
    scene, g = window.scene, window.document.graph
    keys = list(g.edges)
    weights = dict.fromkeys(keys, 1.0)
    weights[keys[0]], weights[keys[1]] = float("nan"), float("inf")
    scene.set_edge_values(weights)
    assert scene.edges[keys[0]].bucket == round(style.MID) and scene.edges[keys[0]]._text == "—"
    assert scene.edges[keys[1]].bucket == style.N_BUCKETS - 1
    z1 = nid(window, "Z1")
    scene.set_unit_values({z1: float("nan"), nid(window, "D0"): float("-inf")}, "delta")
    assert scene.nodes[z1].value is None
    window.view.viewport().grab()  # paints without raising
