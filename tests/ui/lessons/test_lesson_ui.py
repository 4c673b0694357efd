"""The lessons in the window: predict-then-reveal on an edited network, the dock, presenter mode,
progress remembered, handouts (pytest-qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bpstudio.core.engine import Engine  # noqa: E402
from bpstudio.core.graph import HIDDEN  # noqa: E402
from bpstudio.core.lessons import shipped  # noqa: E402
from bpstudio.core.settings import TrainingSettings  # noqa: E402
from bpstudio.ui.canvas import commands as cmd  # noqa: E402
from bpstudio.ui.document import Document  # noqa: E402
from bpstudio.ui.main_window import MainWindow  # noqa: E402

WAIT = 10_000


@pytest.fixture
def window(qtbot):
    doc = Document()
    doc.project.settings = TrainingSettings(**{**doc.project.settings.to_dict(), "max_epochs": 0})
    w = MainWindow(doc)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    assert w.controller.shutdown()


def edit_network(w) -> tuple[str, str]:
    """A network made by editing the article's: a fourth hidden unit (undo command), sigmoid
    activations, a changed weight. Returns (the new unit's id, the output's id)."""
    g, stack = w.document.graph, w.undo_stack
    z = [n for n in g if n.role == HIDDEN]
    x = [n.id for n in g.inputs]
    out = g.outputs[0].id
    add = cmd.AddNodeCommand(g, HIDDEN, "Z4", "sigmoid", 0.3, z[0].x, z[-1].y + 80,
                             [(x[0], None, 0.7), (x[1], None, -0.4), (None, out, 1.2)])
    stack.push(add)
    for n in z:
        stack.push(cmd.SetActivationCommand(g, n.id, "sigmoid"))
    stack.push(cmd.SetWeightCommand(g, x[1], z[1].id, -0.5))
    assert stack.count() == 5
    return add.node_id, out


def engine_values(w):
    """What the engine gives on the whole batch (the article's preset trains in batch mode)."""
    p = w.document.project
    e = Engine(p.graph, p.settings.loss)
    X, Y = p.dataset.train()
    fw = e.forward(X)
    return e, fw


def test_predict_then_reveal_on_an_edited_network(qtbot, window):
    w = window
    z4, out = edit_network(w)
    w.controller.set_granularity("phase")
    w.lessons.predict_action.setChecked(True)
    w.scene.select(z4)
    dock = w.lessons.dock
    e, fw = engine_values(w)
    a = fw.net[1][0, e.col_of[z4]]
    expected_z = 1 / (1 + np.exp(-a))
    w.train_controls.step_action.trigger()  # asks first: nothing is stepped yet
    asked = w.lessons.session.free_asked
    assert asked is not None and asked.question.symbol == "z_Z4"
    assert asked.question.expected == pytest.approx(expected_z, rel=1e-12)
    assert dock.prompt.isVisible() and "Z4" in dock.prompt.text()
    assert w.controller.latest is None or w.controller.latest.phase is None
    dock.answer_box.setText(repr(float(a)))  # the net input, not f(a)
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.phase is not None):
        dock.check()  # the verdict, then the phase is shown
    v = w.lessons.session.last_verdict
    assert not v.right and v.diagnosis == "no_activation"
    assert "✗" in dock.result.text() and "sigmoid" in dock.result.text()
    assert dock.arithmetic.toPlainText().startswith("Unit Z4: h(x) = ")
    selected = {getattr(i, "key", None) or i.node.id for i in w.scene.selectedItems()}
    assert {(w.document.graph.inputs[0].id, z4), z4} <= selected
    # the worker's own numbers agree with the question's
    snap = w.controller.latest
    assert snap.activation[0, snap.unit_ids.index(z4)] == pytest.approx(expected_z, rel=1e-12)
    # walking: the next question comes from the worker's trace (the output's net input)
    w.scene.select(out)
    w.train_controls.step_action.trigger()
    q = w.lessons.session.free_asked.question
    assert q.symbol == "a_D0" and q.expected == pytest.approx(fw.net[2][0, 0], rel=1e-12)
    dock.answer_box.setText(repr(q.expected))
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=WAIT):
        dock.check()
    assert w.lessons.session.last_verdict.right and "✓" in dock.result.text()


def test_undo_the_edit_and_the_question_follows(qtbot, window):
    w = window
    z4, _ = edit_network(w)
    while w.undo_stack.canUndo():
        w.undo_stack.undo()
    assert z4 not in w.document.graph.nodes
    w.lessons.predict_action.setChecked(True)
    w.controller.set_granularity("phase")
    w.train_controls.step_action.trigger()
    q = w.lessons.session.free_asked.question
    assert q.symbol == "a_Z1" and q.expected == 1.0  # the article again: 1 . 1 + 1 . 0 + 1 . 0


def test_the_lesson_dock_plays_lesson_one(qtbot, window):
    w = window
    ui = w.lessons
    assert ui.open_path(shipped()[0])
    dock, s = ui.dock, ui.session
    assert ui.dock_widget.isVisible() and "article" in dock.title.text().lower()
    dock.next()
    assert "Step 2 of 18" in dock.where.text() and "Z1" in dock.prompt.text()
    dock.next()  # refused: the question is not answered
    assert s.player.index == 1 and "Answer the question" in dock.result.text()
    dock.answer_box.setText("-4")
    dock.check()
    assert "✗" in dock.result.text()
    dock.answer_box.setText("1")
    dock.check()
    assert "✓" in dock.result.text()
    dock.next()
    assert dock.step_button.isVisible() and "forward hidden" in dock.step_button.text()
    w.train_controls.step_action.trigger()  # the window's Step does the lesson's step
    assert "✓ done" in dock.action_label.text()
    z1 = w.document.graph.find("Z1").id
    assert w.scene.nodes[z1].value == 1.0  # the hidden values are shown on the canvas
    dock.next()
    dock.next()  # D0: no answer yet
    dock.reveal()
    assert s.player.score.asked == 2 and s.player.score.right == 0
    dock.next()
    dock.step_button.click()
    dock.next()
    dock.answer_box.setText("-4")  # the article's loss
    dock.check()
    assert s.last_verdict.diagnosis == "article_loss" and "actual_y - predicted_y" in dock.result.text()


def test_progress_is_remembered_and_resumed(qtbot, tmp_path):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)

    def make():
        w = MainWindow(Document())
        qtbot.addWidget(w)
        w.lessons.session.store = store  # both windows on one store, as two runs of the studio
        return w

    w = make()
    ui = w.lessons
    ui.open_path(shipped()[1])  # the linear lesson: answers, then a training action
    p = ui.session.player
    p.next()
    ui.session.answer("10")
    ui.session.next()
    ui.session.reveal()
    ui.session.next()
    ui.session.train()
    ui.session.next()
    assert p.index == 4 and p.walk.epochs == 500
    assert w.controller.shutdown()
    w2 = make()
    w2.lessons.open_path(shipped()[1])
    p2 = w2.lessons.session.player
    assert p2.index == 4 and p2.walk.epochs == 500 and p2.score.asked == 2 and p2.score.right == 1
    assert w2.document.graph.snapshot() == w.document.graph.snapshot()
    w2.lessons.session.restart()
    assert w2.lessons.session.player.index == 0
    assert w2.controller.shutdown()


def test_presenter_mode_hides_docks_and_restores_them(qtbot, window):
    w = window
    ui = w.lessons
    ui.open_path(shipped()[0])
    w.docks["loss"].hide()  # a layout of the user's own
    before = {k: d.isVisible() for k, d in w.docks.items()}
    toolbars_before = [t.isVisible() for t in w.findChildren(type(w.toolbar))]
    w.act["presenter"].setChecked(True)
    assert ui.presenter.active
    assert [k for k, d in w.docks.items() if d.isVisible()] == ["lesson"]
    assert not any(t.isVisible() for t in w.findChildren(type(w.toolbar)))
    assert w.view.isVisible() and w.dockWidgetArea(ui.dock_widget) is not None
    assert "font-size" in ui.dock.styleSheet()
    # keyboard only: PgDown moves on, R reveals, PgUp goes back
    keys = {sc.key().toString(): sc for sc in ui.presenter.shortcuts}
    keys["PgDown"].activated.emit()
    assert ui.session.player.index == 1
    keys["PgDown"].activated.emit()  # the question waits for an answer
    assert ui.session.player.index == 1
    keys["R"].activated.emit()
    assert ui.dock.arithmetic.toPlainText().startswith("Unit Z1")
    keys["PgDown"].activated.emit()
    keys["PgDown"].activated.emit()  # the step's action: Step one phase
    assert ui.session.player.walk.shown == ["forward hidden"]
    keys["PgUp"].activated.emit()
    assert ui.session.player.index == 1
    keys["Esc"].activated.emit()
    assert not ui.presenter.active and not w.act["presenter"].isChecked()
    assert {k: d.isVisible() for k, d in w.docks.items()} == before
    assert [t.isVisible() for t in w.findChildren(type(w.toolbar))] == toolbars_before
    assert ui.dock.styleSheet() == ""


def test_handout_markdown_and_pdf(qtbot, window, tmp_path):
    w = window
    ui = w.lessons
    with pytest.raises(ValueError, match="open a lesson first"):
        ui.export(tmp_path / "x.md", "md")
    ui.open_path(shipped()[0])
    ui.session.next()
    ui.session.answer("0")
    md = ui.export(tmp_path / "h.md", "md").read_text()
    assert md.startswith("# The article's first step, done right")
    assert "- Your answer: 0 — wrong (no bias)" in md
    assert "W10 := W10 - alpha . Z_X0 . delta_Z1 = 1 - 0.1 . 1 . 4 = 0.6" in md
    pdf = ui.export(tmp_path / "h.pdf", "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000 and data.count(b"/Type /Page") >= 3


def test_a_bad_lesson_file_changes_nothing(qtbot, window, tmp_path):
    w = window
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "bpstudio-lesson", "version": 1, "title": "x", "start": {"preset": "zz"}, '
                   '"steps": [{"text": "a"}]}')
    before = w.document.graph.snapshot()
    assert not w.lessons.open_path(bad)
    assert "start.preset: unknown preset 'zz'" in w.statusBar().currentMessage()
    assert w.document.graph.snapshot() == before and w.lessons.session.player is None


def test_lessons_menu_lists_the_shipped_lessons_and_closes_one(qtbot, window):
    ui = window.lessons
    texts = [a.text() for a in ui.lesson_actions]
    assert texts[0] == "01. The article's first step, done right" and len(texts) == 6
    assert ui.menu.menuAction() in window.menuBar().actions()
    ui.lesson_actions[2].trigger()
    assert ui.session.player.lesson.name == "03-symmetry"
    ui.close_action.trigger()
    assert ui.session.player is None and "No lesson open" in ui.dock.title.text()


def test_training_in_a_lesson_shows_the_loss_curve_in_numbers(qtbot, window):
    ui = window.lessons
    ui.open_path(shipped()[5])  # too large a learning rate
    s, dock = ui.session, ui.dock
    s.next()
    s.do_for_me()  # alpha = 0.3 through the settings
    assert window.document.settings.learning_rate == 0.3
    s.next()
    s.reveal()
    s.next()
    dock.train_button.click()
    s.next()
    s.answer(1)
    s.next()
    s.answer("52.2158")
    s.next()
    dock.train_button.click()
    text = dock.arithmetic.toPlainText()
    assert "alpha = 0.3" in text and "Training diverged" in text and "epoch      2: 52.2158" in text


def test_predict_a_new_weight_before_a_whole_step(qtbot, window):
    w = window
    g = w.document.graph
    x1, z1 = g.find("X1").id, g.find("Z1").id
    w.controller.set_granularity("batch")
    w.lessons.predict_action.setChecked(True)
    w.scene.select((x1, z1))
    w.train_controls.step_action.trigger()
    q = w.lessons.session.free_asked.question
    # batch gradient descent on the article: the mean over the rows of X1 . delta_Z1, where
    # delta_Z1 = y_hat - y = 4, 6, 6, 10 on the four rows
    assert q.symbol == "W11" and q.expected == pytest.approx(1 - 0.1 * (0 * 4 + 0 * 6 + 1 * 6 + 1 * 10) / 4)
    w.lessons.dock.answer_box.setText("1.4")  # the article's sign: 1 + 0.1 . 4
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.steps == 1):
        w.lessons.dock.check()
    assert w.lessons.session.last_verdict.diagnosis == "sign"
    qtbot.waitUntil(lambda: g.edges[(x1, z1)].weight == pytest.approx(q.expected, rel=1e-12), timeout=WAIT)
