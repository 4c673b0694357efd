"""The timeline in the real window: drag and keys show a past epoch's network, Continue from here
branches training (undoable), the later history stays until the branch is confirmed."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.presets import load_preset
from bpstudio.core.trainer import Trainer
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow
from bpstudio.ui.panels.timeline import Timeline

WAIT = 10_000  # ms, generous on a loaded machine; nothing is timed


@pytest.fixture
def trained(qtbot):
    """A window whose XOR network has trained 40 epochs (online, shuffled: 4 steps an epoch)."""
    windows = []

    def build(epochs=40):
        project = load_preset("xor")
        w = MainWindow(Document(project))
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        ctl = w.controller
        settings = project.settings
        ref_project = project.copy()
        for i in range(epochs):
            ctl.step("epoch")
            qtbot.waitUntil(lambda i=i: ctl.latest is not None and ctl.latest.epoch == i + 1
                            and ctl.state != "running", timeout=WAIT)
        windows.append(w)
        return w, ref_project, settings

    yield build
    for w in windows:
        assert w.controller.shutdown()
        w.close()


def reference_weights(project, epochs: int) -> dict:
    """An independent trainer, run straight to ``epochs``: weight of each edge."""
    s = project.settings
    e = Engine(project.graph.copy(), s.loss)
    t = Trainer(e, project.dataset, s)
    for _ in range(epochs):
        t.run_epoch()
    return dict(zip(e.edge_keys, e.theta[e.edge_slots].tolist()))


def canvas_weight_texts(window) -> dict:
    return {k: item.weight for k, item in window.scene.edges.items()}


def test_dragging_the_timeline_shows_that_epochs_weights_everywhere(trained, qtbot):
    w, project, _ = trained()
    tl: Timeline = w.rewind.timeline
    strip = tl.strip
    assert strip.epochs[0] == 0 and strip.epochs[-1] == 40
    qtbot.mouseMove(strip, QPoint(strip.width() // 2, 10))
    qtbot.mousePress(strip, Qt.LeftButton, pos=QPoint(strip.width() // 2, 10))
    qtbot.mouseMove(strip, QPoint(strip.x_of(10), 10))
    qtbot.mouseRelease(strip, Qt.LeftButton, pos=QPoint(round(strip.x_of(10)), 10))
    assert tl.viewing == 10
    assert "Viewing epoch 10 of 40" in tl.label.text()
    qtbot.waitUntil(lambda: not w.rewind.control.busy and not w.rewind.feed.pending, timeout=WAIT)
    ref = reference_weights(project, 10)
    deltas_snap = w.panels.deltas._last
    assert deltas_snap.viewing_epoch == 10
    shown = dict(zip(deltas_snap.edge_keys, deltas_snap.weights.tolist()))
    assert shown == pytest.approx(ref, abs=0, rel=0)
    for key, item in w.scene.edges.items():  # the canvas shows epoch 10's weights ...
        assert item.value == ref[key]
    # ... while the document keeps the live (epoch 40) weights, for saving
    assert w.document.graph.edges[key].weight != ref[key]
    assert w.rewind.marker.isVisible() and w.rewind.marker.value() == 10


def test_keys_move_between_checkpoints_and_end_returns_to_the_latest(trained, qtbot):
    w, _, _ = trained(12)
    strip = w.rewind.timeline.strip
    strip.setFocus()
    qtbot.keyClick(strip, Qt.Key_Home)
    assert strip.viewing == 0
    qtbot.keyClick(strip, Qt.Key_Right)
    assert strip.viewing == 1
    qtbot.keyClick(strip, Qt.Key_PageDown)
    assert strip.viewing == 11
    qtbot.keyClick(strip, Qt.Key_Left)
    assert strip.viewing == 10
    qtbot.waitUntil(lambda: w.panels.deltas._last.viewing_epoch == 10, timeout=WAIT)
    qtbot.keyClick(strip, Qt.Key_End)
    assert strip.viewing is None
    qtbot.waitUntil(lambda: w.panels.deltas._last.viewing_epoch is None, timeout=WAIT)
    assert w.panels.deltas._last is w.controller.latest


def test_continue_from_here_branches_keeps_the_later_history_until_confirmed_and_undoes(trained, qtbot):
    w, project, _ = trained(20)
    ctl, tl = w.controller, w.rewind.timeline
    tl.strip.setFocus()
    qtbot.keyClick(tl.strip, Qt.Key_Home)
    for _ in range(8):
        qtbot.keyClick(tl.strip, Qt.Key_Right)
    assert tl.viewing == 8
    tl.continue_button.click()
    qtbot.waitUntil(lambda: ctl.latest.epoch == 8, timeout=WAIT)
    assert w.undo_stack.undoText() == "Continue from epoch 8"
    assert ctl.latest.branch_epoch == 8
    assert tl.strip.later == list(range(9, 21))  # the later history, kept (dimmed)
    assert "Branched at epoch 8" in tl.label.text()
    ref8 = reference_weights(project, 8)
    assert {k: e.weight for k, e in w.document.graph.edges.items()} == ref8
    # the first training step confirms the branch: the later history goes
    ctl.step("epoch")
    qtbot.waitUntil(lambda: ctl.latest.epoch == 9 and ctl.state != "running", timeout=WAIT)
    assert tl.strip.later == [] and ctl.latest.branch_epoch is None
    assert {k: e.weight for k, e in w.document.graph.edges.items()} == reference_weights(project, 9)
    # undo brings the line before the branch back exactly
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: ctl.latest.epoch == 20, timeout=WAIT)
    assert {k: e.weight for k, e in w.document.graph.edges.items()} == reference_weights(project, 20)
    assert tl.strip.epochs[-1] == 20 and tl.strip.later == []
    w.undo_stack.redo()
    qtbot.waitUntil(lambda: ctl.latest.epoch == 8, timeout=WAIT)
    assert {k: e.weight for k, e in w.document.graph.edges.items()} == ref8


class FakeCheckpoint:
    def __init__(self, epoch, loss=0.5):
        self.epoch, self.loss = epoch, loss


class FakeSnap:
    def __init__(self, epochs, later=(), state="paused", branch=None):
        self.checkpoints = tuple(FakeCheckpoint(e) for e in epochs)
        self.later_checkpoints = tuple(FakeCheckpoint(e) for e in later)
        self.state, self.history_reset, self.branch_epoch = state, False, branch


def test_the_timeline_alone_says_what_is_on_view_and_enables_its_buttons(qtbot):
    tl = Timeline()
    qtbot.addWidget(tl)
    tl.resize(500, 60)
    tl.show()
    assert "nothing trained yet" in tl.label.text()
    tl.show_snapshot(FakeSnap([0, 64, 96, 100]))
    assert tl.label.text().startswith("Epoch 100: 4 checkpoints")
    assert not tl.continue_button.isEnabled() and not tl.latest_button.isEnabled()
    with qtbot.waitSignal(tl.scrubbed) as got:
        qtbot.mouseClick(tl.strip, Qt.LeftButton, pos=QPoint(round(tl.strip.x_of(60)), 10))
    assert got.args == [64]  # the nearest recorded epoch
    assert "Viewing epoch 64 of 100" in tl.label.text() and tl.continue_button.isEnabled()
    assert "End (or Latest) returns" in tl.label.toolTip()
    with qtbot.waitSignal(tl.continue_requested) as asked:
        tl.continue_button.click()
    assert asked.args == [64]
    with qtbot.waitSignal(tl.live_requested):
        tl.latest_button.click()
    assert tl.viewing is None
    # a pending branch: its later history is scrubbable and named as such
    tl.show_snapshot(FakeSnap([0, 32, 40], later=[48, 64, 100], branch=40))
    assert "Branched at epoch 40" in tl.label.text() and "Undo brings it back" in tl.label.text()
    tl.strip.setFocus()
    qtbot.keyClick(tl.strip, Qt.Key_Right)
    assert tl.viewing == 48 and "after the branch: dimmed" in tl.label.text()
    # a running snapshot ends viewing
    tl.show_snapshot(FakeSnap([0, 32, 40, 41], state="running"))
    assert tl.viewing is None
