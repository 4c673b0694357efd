"""Legibility is guaranteed, not lucky: on the real canvas no unit overlaps a unit or a bias unit, and no
visible weight label overlaps another label or a unit — on every preset, after each phase of a step,
after random edit sequences, at two window sizes; and the worked arithmetic needs no horizontal scroll."""

from __future__ import annotations

import random

from PySide6.QtCore import QPointF

import pytest

from bpstudio.core.label_layout import overlaps
from bpstudio.core.presets import PRESETS
from bpstudio.ui.canvas import commands as cmd
from bpstudio.ui.canvas.bias_item import BiasEdgeItem
from bpstudio.ui.canvas.edge_item import EdgeItem
from bpstudio.ui.canvas.node_item import NodeItem
from tests.ui.test_canvas_phases import step_phase

WAIT = 10_000
SIZES = [(1280, 800), (1920, 1080)]


def _r(rect):
    return rect.left(), rect.top(), rect.right(), rect.bottom()


def collisions(scene, lod: float = 1.0) -> list[str]:
    """Every overlapping pair among units, bias units and the labels drawn at view scale ``lod``."""
    scene.layout_labels()  # what the next event-loop turn does
    units = [(i.node.name, _r(i.sceneBoundingRect())) for i in scene.items() if isinstance(i, NodeItem)]
    units += [(b.node.name, _r(b.sceneBoundingRect())) for b in scene.bias_units.values()]
    labels = [(f"label {e.names()[0]}→{e.names()[1]}", _r(e.mapRectToScene(e.label_rect())))
              for e in scene.items() if isinstance(e, EdgeItem) and e.label_visible_at(lod)]
    found = []
    for i, (a, ra) in enumerate(units):
        for b, rb in units[i + 1:]:
            if overlaps(ra, rb):
                found.append(f"{a} / {b} {ra} {rb}")
        for b, rb in labels:
            if overlaps(ra, rb):
                found.append(f"{a} / {b}")
    for i, (a, ra) in enumerate(labels):
        for b, rb in labels[i + 1:]:
            if overlaps(ra, rb):
                found.append(f"{a} / {b}")
    return found


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def sized(window, request):
    window.resize(*request.param)
    yield window
    assert window.controller.shutdown()


def test_every_preset_and_every_phase_of_a_step_is_free_of_overlaps(sized, qtbot):
    w = sized
    for name in PRESETS:
        w.load_preset(name)
        qtbot.waitUntil(lambda: w.controller.state != "running", timeout=WAIT)
        assert collisions(w.scene) == [], name
    w.load_preset("article-xor")
    for _ in range(6):  # forward hidden, forward output, loss, backward output, backward hidden, update
        snap = step_phase(w, qtbot)
        assert collisions(w.scene) == [], snap.phase.label
    # the update shows "-0.45 (−1.45)" on the three edges converging on D0: none touches another or D0
    d0 = w.document.graph.find("D0").id
    into_d0 = [e for e in w.scene.edges.values() if e.key[1] == d0]
    assert all(e.change is not None for e in into_d0)
    assert all(e.label_shown for e in into_d0)


def random_edit(w, rng: random.Random) -> None:
    scene, g = w.scene, w.document.graph
    ids = [n.id for n in g]
    kind = rng.choice(["add", "add", "remove", "move", "move", "connect", "layer"])
    w.edit_log.append(kind)
    if kind == "add" or len(ids) < 4:
        scene.add_hidden_unit(QPointF(rng.uniform(-200, 700), rng.uniform(-300, 400)))
    elif kind == "remove":
        hidden = [n.id for n in g if n.role == "hidden"]
        if hidden:
            w.undo_stack.push(cmd.RemoveNodeCommand(g, rng.choice(hidden)))
    elif kind == "move":
        item = scene.nodes[rng.choice(ids)]
        target = scene.nodes[rng.choice(ids)]  # onto another unit: the worst case
        w.edit_log.append((item.node.name, target.node.name))
        scene.begin_drag()
        item.setPos(target.pos() + QPointF(rng.uniform(-20, 20), rng.uniform(-20, 20)))
        scene.end_drag()
    elif kind == "connect":
        a, b = rng.sample(ids, 2)
        if not g.connection_problem(a, b):
            scene.connect_units(a, b)
    else:
        w.add_hidden_layer(rng.randint(1, 4))


def test_random_edit_sequences_never_overlap_and_undo_restores(sized, qtbot):
    w = sized
    rng = random.Random(1234)
    checked = 0
    for seq in range(500 // len(SIZES)):  # 500 sequences in all, half at each window size
        w.load_preset(rng.choice(list(PRESETS)))
        before = w.document.graph.snapshot()
        n = rng.randint(1, 4)
        w.edit_log = []
        for _ in range(n):
            random_edit(w, rng)
        found = collisions(w.scene)
        pos = {n.name: (round(n.x), round(n.y)) for n in w.document.graph}
        assert found == [], f"sequence {seq} ({w.edit_log}): {found} {pos}"
        checked += 1
        while w.undo_stack.canUndo():
            w.undo_stack.undo()
        assert w.document.graph.snapshot() == before
    assert checked == 250


def test_units_added_on_top_of_others_get_free_room_and_the_view_shows_them(window, qtbot):
    scene, g = window.scene, window.document.graph
    x2 = g.find("X2")
    left_of_z1 = QPointF(x2.x + 40, x2.y + 110)  # below-right of X2: the new layer's bias would sit on X2
    new = scene.add_hidden_unit(left_of_z1)
    assert collisions(scene) == []
    bias = list(scene.bias_units.values())
    assert all(not overlaps(_r(b.sceneBoundingRect()), _r(scene.nodes[x2.id].sceneBoundingRect())) for b in bias)
    on_x1 = scene.add_hidden_unit(QPointF(g.find("X1").x, g.find("X1").y))
    assert collisions(scene) == []
    assert (g.nodes[on_x1].x, g.nodes[on_x1].y) != (g.find("X1").x, g.find("X1").y)
    view = window.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(scene.nodes[new].sceneBoundingRect().center())
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert new not in g.nodes and on_x1 not in g.nodes


def test_a_unit_dropped_on_another_slides_off_in_the_same_undo_step(window, qtbot):
    scene, g = window.scene, window.document.graph
    z1, z2 = g.find("Z1"), g.find("Z2")
    start = (z1.x, z1.y)
    scene.begin_drag()
    scene.nodes[z1.id].setPos(z2.x + 5, z2.y)
    scene.end_drag()
    assert collisions(scene) == []
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert (g.nodes[z1.id].x, g.nodes[z1.id].y) == start


def test_a_hidden_label_still_shows_on_hover_with_its_full_text(window, qtbot):
    scene = window.scene
    window.load_preset("article-xor")
    scene.layout_labels()
    edge = next(iter(scene.edges.values()))
    edge.place(None)
    assert not edge.label_visible_at(1.0)
    edge.hoverEnterEvent(None)
    assert edge.shown_text() == edge.label_text()
    edge.hoverLeaveEvent(None)
    assert isinstance(edge, EdgeItem) and not isinstance(edge, BiasEdgeItem)


def test_the_worked_arithmetic_needs_no_horizontal_scroll_at_1280(window, qtbot):
    window.resize(1280, 800)
    window.load_preset("article-xor")
    try:
        with qtbot.waitSignal(window.controller.snapshot_ready, timeout=WAIT):
            window.controller.step("batch")
        panel = window.panels.arithmetic
        qtbot.waitUntil(lambda: "h(x)" in panel.plain_text(), timeout=WAIT)
        qtbot.wait(50)
        bar = panel.horizontal_scroll_bar()
        assert bar.maximum() == 0 or not bar.isVisible(), "the arithmetic is cut at 1280 px"
    finally:
        assert window.controller.shutdown()


