"""The guided tour: its numbers are the engine's numbers, Back/Next work, Show me drives the window."""

from __future__ import annotations

from PySide6.QtCore import Qt

import numpy as np
import pytest

from bpstudio import __version__
from bpstudio.core.engine import Engine
from bpstudio.core.presets import load_preset
from bpstudio.core.trace import trace_step
from bpstudio.core.trainer import Trainer, train_graph
from bpstudio.ui import file_actions as fa
from bpstudio.ui.tour import PAGES, TourDialog, TourDriver


def page_text(i: int) -> str:
    return PAGES[i].html


def test_what_each_unit_computes_matches_the_engine():
    p = load_preset("article-xor")
    e = Engine(p.graph, p.settings.loss)
    yhat = e.predict(p.dataset.X).ravel()
    np.testing.assert_array_equal(yhat, [4, 7, 7, 10])
    assert e.loss_of(p.dataset.X, p.dataset.Y) == 23.5
    text = page_text(1)
    assert "<b>4, 7, 7, 10</b>" in text and "<b>23.5</b>" in text and "<b>1</b>" in text


def test_the_deltas_and_updates_on_the_phase_page_match_a_traced_step():
    p = load_preset("article-xor")
    e = Engine(p.graph, p.settings.loss)
    tr = trace_step(e, p.dataset.X, p.dataset.Y, learning_rate=0.1)
    d0 = tr.unit_delta(p.graph.find("D0").id)
    z1 = tr.unit_delta(p.graph.find("Z1").id)
    np.testing.assert_array_equal(d0, [4, 6, 6, 10])
    np.testing.assert_array_equal(z1, [4, 6, 6, 10])
    grads = dict(zip(tr.edge_keys, tr.weight_grad))
    out_key = (p.graph.find("Z1").id, p.graph.find("D0").id)
    assert grads[out_key] == 14.5
    assert 1 - 0.1 * grads[out_key] == pytest.approx(-0.45)
    # online, the first sample alone: the output weights go from 1 to 0.6 (the article says 1.4)
    tr1 = trace_step(e, p.dataset.X[:1], p.dataset.Y[:1], learning_rate=0.1)
    assert 1 - 0.1 * dict(zip(tr1.edge_keys, tr1.weight_grad))[out_key] == pytest.approx(0.6)
    # weights leaving X1 = X2 = 0 get no gradient from that sample
    assert dict(zip(tr1.edge_keys, tr1.weight_grad))[(p.graph.find("X1").id, p.graph.find("Z1").id)] == 0
    text = page_text(2)
    for claim in ("<b>+4</b>", "6, 6 and 10", "<b>0.6</b>", "1.4", "14.5", "<b>−0.45</b>"):
        assert claim in text


def test_identity_settles_at_one_half_and_stays_symmetric():
    p = load_preset("article-xor")
    e = Engine(p.graph, p.settings.loss)
    t = Trainer(e, p.dataset, p.settings)
    t.train(1000)
    np.testing.assert_allclose(e.predict(p.dataset.X).ravel(), 0.5, atol=1e-5)
    assert t.dataset_loss() == pytest.approx(0.125, abs=1e-9)
    e.write_to(p.graph)
    g = p.graph
    rows = [[g.edge(g.find(x).id, g.find(z).id).weight for x in ("X1", "X2")] for z in ("Z1", "Z2", "Z3")]
    assert rows[0] == rows[1] == rows[2]  # symmetric hidden units stay identical
    assert "<b>0.5 for every row</b>" in page_text(3) and "<b>0.125</b>" in page_text(3)


def test_tanh_and_random_init_learn_xor_as_the_tour_says():
    p = load_preset("xor")
    t = train_graph(p.graph, p.dataset, p.settings, 5000)
    yhat = Engine(p.graph, p.settings.loss).predict(p.dataset.X).ravel()
    np.testing.assert_allclose(yhat, [0.005, 0.999, 0.993, 0.006], atol=0.0015)
    assert 1100 <= t.epoch <= 1200 and t.dataset_loss() <= 0.005
    assert p.settings.init == "xavier" and p.graph.find("Z1").activation == "tanh"
    assert "about 1,160 epochs" in page_text(4)


def test_back_next_and_finish(qtbot):
    driver = TourDriver()
    dialog = TourDialog(driver)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.isModal() and dialog.windowModality() == Qt.WindowModality.NonModal
    assert dialog.index == 0 and not dialog.back.isEnabled()
    assert dialog.counter.text() == f"1 / {len(PAGES)}"
    titles = []
    for _ in range(len(PAGES) - 1):
        titles.append(dialog.title.text())
        qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    titles.append(dialog.title.text())
    assert titles == [p.title for p in PAGES]
    assert dialog.next.text() == "Finish" and dialog.back.isEnabled()
    qtbot.mouseClick(dialog.back, Qt.MouseButton.LeftButton)
    assert dialog.index == len(PAGES) - 2
    dialog.show_page(len(PAGES) - 1)
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_show_me_runs_the_page_action_and_reports(qtbot):
    calls = []
    driver = TourDriver({"load_article": lambda: calls.append("load") or "Opened it."})
    dialog = TourDialog(driver)
    qtbot.addWidget(dialog)
    assert dialog.show_me.isVisibleTo(dialog) and dialog.show_me.text() == "Open the article's network"
    qtbot.mouseClick(dialog.show_me, Qt.MouseButton.LeftButton)
    assert calls == ["load"] and dialog.status.text() == "Opened it."
    dialog.show_page(1)  # no action on this page
    assert not dialog.show_me.isVisibleTo(dialog) and dialog.status.text() == ""
    dialog.show_page(2)
    dialog.run_action()  # no hook: says what to do by hand
    assert dialog.status.text() == TourDriver.MANUAL["step_phase"]


def test_a_failing_action_is_reported_not_raised():
    def broken():
        raise RuntimeError("no thread")

    assert TourDriver({"train": broken}).run("train") == "That did not work: no thread"


def test_tour_drives_the_real_window(qtbot, tmp_path, monkeypatch):
    from bpstudio.ui.main_window import MainWindow

    monkeypatch.setattr(fa, "ask_unsaved", lambda *a: fa.DISCARD)
    w = MainWindow()
    qtbot.addWidget(w)
    actions = w.file_actions
    tour_action = actions.help["tour"]
    assert tour_action in w.menus["Help"].actions()
    tour_action.trigger()
    dialog = actions.help["state"]["tour"]
    assert dialog.isVisible() and not dialog.isModal()
    actions.new("and")
    assert w.document.project.name == "and"
    dialog.run_action()  # page 1: open the article's network
    assert w.document.project.name == "article-xor" and len(w.document.graph.hidden) == 3
    assert dialog.status.text() == "Opened the article-xor network."
    controller = getattr(w, "controller", None)
    dialog.show_page(2)
    dialog.run_action()  # step one phase
    if controller is None:
        assert dialog.status.text() == "That did not work: training is not available in this window"
    else:
        assert dialog.status.text().startswith("Stepped one phase")
        controller.shutdown()
    dialog.close()
    actions.autosaver.stop()


def test_shortcuts_come_from_the_real_menus(qtbot):
    from bpstudio.ui.help import GESTURES, ShortcutsDialog, about_html, shortcut_rows
    from bpstudio.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    rows = dict(shortcut_rows(w))
    assert rows["Save"] == "Ctrl+S" and rows["Open…"] == "Ctrl+O" and rows["Undo"] == "Ctrl+Z"
    assert rows["Keyboard shortcuts"] == "F1"
    dialog = ShortcutsDialog(w)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(rows) + len(GESTURES)
    assert f"Backprop Studio {__version__}" in about_html() and "½(ŷ − y)²" in about_html()
    dialog.close()
    w.file_actions.autosaver.stop()


def test_window_layout_is_remembered_between_runs(qtbot, tmp_path, monkeypatch):
    from bpstudio.ui.main_window import MainWindow

    monkeypatch.setenv("BPSTUDIO_SETTINGS", str(tmp_path / "studio.ini"))  # not the shared store

    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(760, first.height())  # within the 800-pixel offscreen screen (restore clamps to it)
    first.docks["inspector"].hide()
    assert first.close()
    second = MainWindow()  # the same settings file
    qtbot.addWidget(second)
    assert second.width() == 760
    assert second.docks["inspector"].isHidden()
    second.file_actions.autosaver.stop()
