"""Diagnostics appear for the identity network and for constant init, and go after re-initialising."""

import numpy as np
import pyqtgraph as pg  # noqa: F401
from dataclasses import replace

from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.project import Project
from bpstudio.core.dataset import truth_table
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
