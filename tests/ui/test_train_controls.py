"""The Train menu, toolbar and settings dock, in a real MainWindow (pytest-qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, qInstallMessageHandler  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

import pytest  # noqa: E402

from bpstudio.core import trainer as trainer_module  # noqa: E402
from bpstudio.core.settings import TrainingSettings  # noqa: E402
from bpstudio.training.session import PAUSED, RUNNING  # noqa: E402
from bpstudio.ui.document import Document  # noqa: E402
from bpstudio.ui.main_window import MainWindow  # noqa: E402
from bpstudio.ui.train_controls import TrainingSettingsPanel, install_training  # noqa: E402

WAIT = 10_000


@pytest.fixture
def window(qtbot):
    doc = Document()
    doc.project.settings = TrainingSettings(**{**doc.project.settings.to_dict(), "max_epochs": 0})
    w = MainWindow(doc)
    if getattr(w, "train_controls", None) is None:
        install_training(w)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    assert w.controller.shutdown()


def wait_for(qtbot, window, action, pred=lambda s: True):
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=WAIT, check_params_cb=pred) as b:
        action()
    return b.args[0]


def test_settings_panel_refuses_bad_values_in_plain_words(qtbot):
    doc = Document()
    panel = TrainingSettingsPanel(doc)
    qtbot.addWidget(panel)
    before = doc.project.settings.to_dict()
    lr = panel.fields["learning_rate"]
    for text, words in (("abc", "must be a number"), ("-1", "must be positive"),
                        ("inf", "finite number")):
        lr.setText(text)
        lr.editingFinished.emit()
        assert words in panel.error_label.text() and "Nothing was changed" in panel.error_label.text()
        assert doc.project.settings.to_dict() == before and lr.text() == "0.1"
    lr.setText("0,05")  # a decimal comma is fine
    lr.editingFinished.emit()
    assert doc.project.settings.learning_rate == 0.05 and panel.error_label.text() == ""
    box = panel.fields["optimizer"]
    box.setCurrentText("adam")
    box.activated.emit(box.currentIndex())
    assert doc.project.settings.optimizer == "adam"
    panel.fields["max_epochs"].setValue(50)
    assert doc.project.settings.max_epochs == 50


def test_train_menu_has_the_controls_with_their_keys(window):
    texts = {a.text(): a.shortcut().toString() for a in window.menus["Train"].actions() if a.text()}
    assert texts["Play"] == "Space" and texts["Step"] == "Right" and texts["Step back"] == "Left"
    assert "Reset weights" in texts
    assert window.docks["training"].widget().widget() is window.train_controls.settings_panel


def test_space_plays_and_pauses_and_the_labels_follow(qtbot, window):
    c = window.train_controls
    window.view.setFocus()
    wait_for(qtbot, window, lambda: QTest.keyClick(window, Qt.Key_Space),
             lambda s: s.state == RUNNING and s.epoch > 0)
    assert c.play_action.text() == "Pause"
    snap = wait_for(qtbot, window, lambda: QTest.keyClick(window, Qt.Key_Space),
                    lambda s: s.state == PAUSED)
    assert c.play_action.text() == "Play"
    assert c.epoch_label.text() == f"Epoch {snap.epoch}"
    assert c.loss_label.text() == f"Loss {snap.loss:.6g}"


def test_right_arrow_steps_one_phase_and_left_steps_back(qtbot, window):
    c = window.train_controls
    c.step_box.setCurrentIndex(c.step_box.findData("phase"))
    c.step_box.activated.emit(c.step_box.currentIndex())
    assert window.controller.granularity == "phase"
    window.view.setFocus()
    has_phase = lambda s: s.phase is not None  # noqa: E731
    wait_for(qtbot, window, lambda: QTest.keyClick(window, Qt.Key_Right), has_phase)
    assert c.phase_label.text() == "Phase: forward hidden (next: forward output) — all 4 samples"
    wait_for(qtbot, window, lambda: QTest.keyClick(window, Qt.Key_Right), has_phase)
    snap = wait_for(qtbot, window, lambda: QTest.keyClick(window, Qt.Key_Left), has_phase)
    assert snap.phase.label == "forward hidden"


def test_speed_slider_sets_the_controller_speed(window):
    c = window.train_controls
    c.speed_slider.setValue(0)
    assert window.controller.speed == 1 and c.speed_label.text() == "1 steps/s"
    c.speed_slider.setValue(c.speed_slider.maximum())
    assert window.controller.speed == 0 and c.speed_label.text() == "max speed"
    window.controller.set_speed(10)  # e.g. restored from the saved settings
    assert c.speed_label.text() == "10 steps/s" and c.speed_slider.value() == 3


def test_reset_weights_is_undoable_from_the_menu(qtbot, window):
    g = window.document.graph
    wait_for(qtbot, window, lambda: window.controller.step("batch"), lambda s: s.steps == 1)
    trained = g.snapshot()
    assert any(e.weight != 1.0 for e in g.edges.values())
    snap = wait_for(qtbot, window, window.train_controls.reset_action.trigger,
                    lambda s: s.history_reset)
    assert snap.epoch == 0 and all(e.weight == 1.0 for e in g.edges.values())
    assert window.undo_stack.undoText().startswith("Reset weights")
    window.undo_stack.undo()
    assert g.snapshot() == trained


def test_a_worker_exception_shows_a_message_and_the_app_lives(qtbot, window, monkeypatch):
    def broken(self):
        raise RuntimeError("kaput")

    monkeypatch.setattr(trainer_module.Trainer, "step", broken)
    with qtbot.waitSignal(window.controller.error_occurred, timeout=WAIT):
        window.train_controls.play_action.trigger()
    box = window.train_controls.error_box
    assert box is not None and box.isVisible() and "kaput" in box.text()
    assert "kaput" in window.statusBar().currentMessage()
    box.close()
    monkeypatch.undo()
    wait_for(qtbot, window, window.controller.play, lambda s: s.state == RUNNING and s.epoch > 0)


def test_closing_the_window_mid_training_stops_the_thread(qtbot, window):
    seen = []
    previous = qInstallMessageHandler(lambda mode, ctx, msg: seen.append(msg))
    try:
        wait_for(qtbot, window, window.controller.play, lambda s: s.state == RUNNING)
        thread = window.controller.thread
        window.close()
        assert thread.isFinished() and window.controller.thread is None
    finally:
        qInstallMessageHandler(previous)
    assert not any("Destroyed while thread" in m for m in seen)


def test_a_network_that_does_not_fit_the_data_is_never_trained_as_is(qtbot, window):
    from bpstudio.core.graph import INPUT
    from bpstudio.ui.canvas.commands import AddNodeCommand

    doc, c = window.document, window.train_controls
    window.undo_stack.push(AddNodeCommand(doc.graph, INPUT, "X3"))
    asked = []
    c.choose = lambda box: asked.append(box.text()) or box.button(box.StandardButton.Cancel)
    c.play_action.trigger()
    assert "3 input units" in asked[0] and window.controller.thread is None  # nothing ran
    c.choose = lambda box: next(b for b in box.buttons() if b.text() == "Adjust the network")
    snap = wait_for(qtbot, window, c.step_action.trigger, lambda s: s.steps == 1)
    assert len(doc.graph.inputs) == 2 and snap.epoch == 1


def test_the_inspector_shows_the_selected_units_numbers(qtbot, window):
    g = window.document.graph
    z1 = g.find("Z1").id
    window.inspector.show_selection(z1)
    wait_for(qtbot, window, lambda: window.controller.step("batch"), lambda s: s.steps == 1)
    # after a batch step the snapshot shows that step's trace; sample 0 is X1 = X2 = 0
    assert window.inspector.net_input_label.text() == "1"
    assert window.inspector.delta_label.text() == "4"


def test_the_inspector_shows_the_batch_mean_when_the_mean_is_chosen(qtbot, window):
    from bpstudio.ui.panels.deltas import MEAN

    g = window.document.graph
    window.inspector.show_selection(g.find("Z1").id)
    window.panels.deltas.set_sample(MEAN)
    wait_for(qtbot, window, lambda: window.controller.step("batch"), lambda s: s.steps == 1)
    # the four samples give Z1 the net inputs 1, 2, 2, 3 and the deltas 4, 6, 6, 10
    assert window.inspector.net_input_label.text() == "2"
    assert window.inspector.activation_label.text() == "2"
    assert window.inspector.delta_label.text() == "6.5"
    window.panels.deltas.set_sample(3)  # the last sample, X1 = X2 = 1
    wait_for(qtbot, window, lambda: window.controller.step("batch"), lambda s: s.steps == 2)
    snap = window.controller.latest
    col = snap.unit_ids.index(g.find("Z1").id)
    assert window.inspector.delta_label.text() == f"{snap.delta[3, col]:.6g}"
