"""Diagnostics appear for the identity network and for constant init, and go after re-initialising."""

from dataclasses import replace

from PySide6 import QtCore

import numpy as np
import pyqtgraph as pg  # noqa: F401

from bpstudio.core.dataset import truth_table
from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings
from bpstudio.ui.document import Document
from bpstudio.ui.panels.demo import DemoRun
from bpstudio.ui.panels.diagnostics import DiagnosticsPanel


def _panel(qtbot, project):
    doc = Document(project)
    panel = DiagnosticsPanel(doc)
    qtbot.addWidget(panel)
    return doc, panel


def test_identity_network_gets_the_linear_note(qtbot):
    s = TrainingSettings(init="xavier", seed=2).validate()
    g = layered_graph([2, 3, 1], "identity", "identity")
    initialise(g, s)
    doc, panel = _panel(qtbot, Project(g, truth_table("xor"), s))
    assert panel.kinds() == ["linear"]
    assert "XOR is not linearly separable" in panel.findings()[0].message
    assert panel.findChild(type(panel.box.itemAt(0).widget()), "diagnostic_linear") is not None


def test_constant_init_warns_and_reinitialising_clears_it_undoably(qtbot):
    s = TrainingSettings(init="constant", init_value=0.5, loss="cross_entropy").validate()
    g = layered_graph([2, 3, 1], "tanh", "sigmoid")
    initialise(g, s)
    doc, panel = _panel(qtbot, Project(g, truth_table("xor"), s))
    assert panel.kinds() == ["symmetric"]
    before = doc.graph.snapshot()
    button = panel.findChild(pg.QtWidgets.QPushButton, "reinitialise")
    assert button is not None and button.text() == "Re-initialise randomly"
    button.click()
    qtbot.waitUntil(lambda: panel.kinds() == [], timeout=2000)
    assert doc.settings.init == "xavier" and doc.graph.snapshot() != before
    weights = [e.weight for e in doc.graph.edges.values()]
    assert len(set(weights)) == len(weights)  # every weight different: symmetry broken
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: panel.kinds() == ["symmetric"], timeout=2000)
    assert doc.graph.snapshot() == before and doc.settings.init == "constant"


def test_article_preset_has_both_and_keeps_the_linear_note(qtbot):
    doc, panel = _panel(qtbot, load_preset("article-xor"))
    assert panel.kinds() == ["symmetric", "linear"]
    panel.reinitialise(seed=11)
    qtbot.waitUntil(lambda: panel.kinds() == ["linear"], timeout=2000)
    assert doc.settings.seed == 11


def test_non_finite_snapshot_marks_where_it_started(qtbot):
    project = load_preset("xor")
    doc, panel = _panel(qtbot, project)
    run = DemoRun(project.copy()).run(1)
    snap = replace(run.snapshot(), non_finite="the weight X1 → Z1")
    panel.show_snapshot(snap)
    assert panel.kinds()[0] == "non_finite"
    assert "The weight X1 → Z1 is not a finite number" in panel.findings()[0].message
    panel.show_snapshot(replace(snap, non_finite=None))
    assert "non_finite" not in panel.kinds()
    assert np.isfinite(snap.weights).all()


# ---------------------------------------------------------------- the banner over the canvas
def _window(qtbot, size=(1400, 900), docks=False):
    """The studio on the article; without its docks the canvas has the window's whole width
    (the offscreen screen is small, so the docks would leave the canvas ~400 px)."""
    from bpstudio.ui.main_window import MainWindow

    window = MainWindow(Document(load_preset("article-xor")))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    if not docks:
        for d in window.docks.values():
            d.hide()
        qtbot.waitUntil(lambda: window.view.width() > 0.9 * window.width(), timeout=2000)
    return window


def test_banner_is_one_line_per_finding_and_more_expands(qtbot):
    window = _window(qtbot)
    banner, panel = window.panels.banner, window.panels.diagnostics
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=2000)
    rows = panel.rows()
    assert [r.objectName() for r in rows] == ["diagnostic_symmetric", "diagnostic_linear"]
    line = banner.fontMetrics().height()
    for r in rows:
        assert r.height() <= 2.6 * line  # one line (buttons included)
        assert not r.detail.isVisible() and r.headline.isVisible()
    assert rows[0].headline.full.startswith("Z1, Z2 and Z3 are symmetric")
    assert rows[1].headline.full == ("The network is linear: every unit uses the identity activation, "
                                     "so the whole network computes a linear function of its inputs "
                                     "(one plane).")
    assert rows[0].findChild(pg.QtWidgets.QPushButton, "reinitialise").isVisible()  # inline
    compact = banner.height()
    assert compact <= 6 * line < 0.25 * window.view.height()
    # the canvas is fitted below the banner
    assert window.view.overlay_top() >= banner.geometry().bottom()
    rows[1].more.click()
    assert rows[1].detail.isVisible() and "XOR is not linearly separable" in rows[1].detail.text()
    assert banner.height() > compact
    rows[1].more.click()
    assert banner.height() == compact


def test_banner_is_never_narrow_and_follows_the_canvas_width(qtbot):
    window = _window(qtbot, (800, 800), docks=True)
    banner, view = window.panels.banner, window.view
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=2000)
    assert banner.width() >= min(360, view.width() - 16)
    assert banner.width() == min(view.width() - 16, 980)
    window.resize(1300, 800)
    qtbot.waitUntil(lambda: banner.width() == min(view.width() - 16, 980), timeout=2000)
    assert banner.width_for(100) == 84 and banner.width_for(500) == 484 and banner.width_for(3000) == 980


def test_a_narrow_banner_puts_the_actions_below_the_line_never_clipped(qtbot):
    window = _window(qtbot)
    banner, panel = window.panels.banner, window.panels.diagnostics
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=2000)
    row = panel.rows()[0]
    fix = row.findChild(pg.QtWidgets.QPushButton, "reinitialise")
    wide = banner.height()
    assert not row.narrow
    for docks in (True, False):  # with the docks the offscreen canvas is ~400 px wide
        for d in window.docks.values():
            d.setVisible(docks)
        qtbot.waitUntil(lambda: banner.width() == min(window.view.width() - 16, 980), timeout=2000)
        qtbot.waitUntil(lambda: row.narrow == (banner.width() < 500), timeout=2000)
        qtbot.wait(20)
        right = fix.mapTo(banner, QtCore.QPoint(fix.width(), 0)).x()
        assert fix.isVisible() and right <= banner.width()  # the button is whole
        assert row.headline.width() >= 100
        assert (banner.height() > wide) == row.narrow  # the actions' own line
        assert row.narrow == docks  # the offscreen screen is 800 px wide: docks leave ~400
    assert banner.height() == wide


def test_banner_keeps_its_lines_through_training_write_backs_and_hides_when_nothing_is_left(qtbot):
    window = _window(qtbot)
    banner, panel, g = window.panels.banner, window.panels.diagnostics, window.document.graph
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=2000)
    height, rows = banner.height(), panel.rows()
    for k in range(3):  # what the controller does after each step: new weights, still symmetric
        w = dict.fromkeys(g.edges, 1.0 - 0.1 * (k + 1))
        g.set_weights(w, {n.id: 0.5 for n in g if n.role != "input"})
        qtbot.wait(20)
    assert panel.kinds() == ["symmetric", "linear"]
    assert banner.isVisible() and banner.height() == height and panel.rows() == rows  # not rebuilt
    panel.reinitialise(seed=3)
    for n in g.hidden:
        g.set_activation(n.id, "tanh")
    qtbot.waitUntil(lambda: panel.kinds() == [], timeout=2000)
    assert not banner.isVisible()  # no empty box left behind
    window.document.undo_stack.undo()  # back to symmetric weights: the warning returns
    qtbot.waitUntil(lambda: panel.kinds() == ["symmetric"], timeout=2000)
    assert banner.isVisible() and len(panel.rows()) == 1


def test_where_a_run_broke_gets_a_show_button_that_selects_it(qtbot):
    project = load_preset("xor")
    doc, panel = _panel(qtbot, project)
    g = doc.graph
    x1, z1 = g.find("X1").id, g.find("Z1").id
    run = DemoRun(project.copy()).run(1)
    panel.show_snapshot(replace(run.snapshot(), non_finite="the weight X1 → Z1", non_finite_record=(x1, z1)))
    panel.render()
    finding = panel.findings()[0]
    assert finding.kind == "non_finite" and finding.units == (x1, z1)
    show = [b for b in panel.findChildren(pg.QtWidgets.QToolButton) if b.text() == "Show"]
    assert len(show) == 1 and show[0].toolTip() == "Select X1 on the canvas (also concerned: Z1)"
    with qtbot.waitSignal(panel.unit_clicked) as blocker:
        show[0].click()
    assert blocker.args == [x1]
    # a unit that went non-finite: the button selects that unit
    panel.show_snapshot(replace(run.snapshot(), non_finite="the value of unit Z1", non_finite_record=z1))
    assert panel.findings()[0].units == (z1,)
