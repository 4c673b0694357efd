"""The worked-arithmetic panel shows the article's corrected numbers and follows the selection."""

from types import SimpleNamespace

import numpy as np
import pytest
import pyqtgraph as pg  # noqa: F401

from bpstudio.core.presets import load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step
from dataclasses import replace

from bpstudio.training.snapshot import BACKWARD, FORWARD, UPDATE, Phase
from bpstudio.ui.panels.demo import DemoRun
from bpstudio.ui.panels.explain import ArithmeticPanel
from bpstudio.ui.panels.step_trace import StepRecall, TraceUnavailable


def _panel(qtbot, project):
    doc = SimpleNamespace(graph=project.graph, dataset=project.dataset, settings=project.settings)
    panel = ArithmeticPanel(doc)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _online_article():
    p = load_preset("article-xor")
    p.settings = TrainingSettings(**{**p.settings.to_dict(), "mode": "online"}).validate()
    return p


def test_article_first_sample_shows_0_6_never_1_4(qtbot):
    project = _online_article()
    run = DemoRun(project)
    panel = _panel(qtbot, project)
    panel.show_snapshot(run.snapshot(state="idle"))  # before the step: exact preview
    run.step()
    panel.show_snapshot(run.snapshot())
    text = panel.plain_text()
    assert panel.recalled.exact and panel.title.text().startswith("Step 1")
    assert "delta_D0 = (y_hat - y) . f'(a) = (4 - 0) . 1 = 4" in text
    assert "V01 := V01 - alpha . Z_Z1 . delta_D0 = 1 - 0.1 . 1 . 4 = 0.6" in text
    assert "1.4" not in text
    # the rebuilt step is the engine's step: new weights equal the worker's
    assert np.allclose(panel.recalled.trace.weight_new, run.trace.weight_new)
    assert np.allclose(panel.recalled.trace.delta, run.trace.delta, equal_nan=True)


def test_article_batch_step_and_markdown(qtbot, tmp_path):
    project = load_preset("article-xor")
    run = DemoRun(project)
    panel = _panel(qtbot, project)
    panel.show_snapshot(run.snapshot(state="idle"))
    assert panel.title.text().startswith("Preview of the first step")
    assert "W11 := W11 - alpha . mean(Z_X1 . delta_Z1) = 1 - 0.1 . 4 = 0.6" in panel.plain_text()
    run.step()
    panel.show_snapshot(run.snapshot())
    assert "1.4" not in panel.plain_text()
    path = tmp_path / "step.md"
    panel.export_markdown(str(path))
    md = path.read_text(encoding="utf-8")
    assert md.count("= 0.6") >= 6 and "1.4" not in md
    panel.set_sample(2)
    assert "Sample 3 of 4 in this batch (data row 3)" in panel.plain_text()
    panel.copy()
    from PySide6.QtWidgets import QApplication
    assert QApplication.clipboard().text() == panel.plain_text()


def test_selecting_an_edge_highlights_and_scrolls_to_its_lines(qtbot):
    project = _online_article()
    run = DemoRun(project)
    panel = _panel(qtbot, project)
    panel.resize(700, 200)
    panel.show_snapshot(run.snapshot(state="idle"))
    run.step()
    panel.show_snapshot(run.snapshot())
    g = project.graph
    edge = (g.find("Z3").id, g.find("D0").id)
    panel.select(edge)
    lines = panel.highlighted_text()
    assert lines == ["V03 := V03 - alpha . Z_Z3 . delta_D0 = 1 - 0.1 . 1 . 4 = 0.6"]
    assert len(panel.text.extraSelections()) == 1
    block = panel.text.textCursor().block().text()
    assert block == lines[0]  # scrolled to it
    panel.select(g.find("Z2").id)
    assert any(t.startswith("delta_Z2 =") for t in panel.highlighted_text())
    panel.select(None)
    assert panel.text.extraSelections() == []


def test_hidden_or_running_panel_waits(qtbot):
    project = load_preset("xor")
    run = DemoRun(project)
    panel = _panel(qtbot, project)
    run.step()
    panel.show_snapshot(run.snapshot(state="running"))
    assert panel.recalled is None and "running" in panel.title.text()
    panel.hide()
    run.step()
    panel.show_snapshot(run.snapshot(state="paused"))
    assert panel.recalled is None
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.recalled is not None and panel.title.text().startswith("Step 2")


def test_without_the_previous_state_it_says_preview(qtbot):
    project = _online_article()
    run = DemoRun(project)
    panel = _panel(qtbot, project)
    run.step()
    panel.show_snapshot(run.snapshot())  # the weights before step 1 were never seen
    assert panel.title.text().startswith("Preview of the next step")
    assert "V01 := V01 - alpha . Z_Z1 . delta_D0 = 0.6 - 0.1 . 0.6 . 1.68 = 0.4992" in panel.plain_text()


def test_recall_refuses_a_changed_network():
    project = load_preset("xor")
    run = DemoRun(project.copy())
    run.step()
    snap = run.snapshot()
    g = project.graph
    g.disconnect(*next(iter(g.edges)))
    with pytest.raises(TraceUnavailable, match="changed"):
        StepRecall().recall(snap, g, project.dataset, project.settings)


def test_phase_snapshot_explains_the_step_in_progress(qtbot):
    project = _online_article()
    run = DemoRun(project)
    panel = _panel(qtbot, project)
    run.step()
    # step 2 half done: traced, not applied; the snapshot's weights are the step's starting ones
    idx, X, Y = run.trainer.next_batch()
    run.trace = trace_step(run.engine, X, Y, idx, 0.1, "gd")
    start = run.snapshot(phase=Phase(BACKWARD, 2, "backward output"))
    panel.show_snapshot(start)
    assert panel.title.text() == "Step 2, backward output"
    text = panel.plain_text()
    assert "Sample: data row 2: X1 = 0, X2 = 1, y = 1" in text
    # the backward pass has reached the output only: its delta, no hidden deltas, no updates yet
    assert "delta_D0 = (y_hat - y)" in text and "delta_Z1" not in text and "Updates" not in text
    start = replace(start, phase=Phase(BACKWARD, 1, "backward hidden"))
    panel.show_snapshot(start)
    assert "delta_Z1 = V1 . delta_D0" in panel.plain_text()
    panel.show_snapshot(replace(start, phase=Phase(FORWARD, 1, "forward hidden")))
    text = panel.plain_text()
    assert "Unit Z1: h(x)" in text and "Unit D0" not in text and "\nLoss\n" not in text
    panel.show_snapshot(replace(start, phase=Phase(UPDATE, None, "update")))
    assert "V01 := V01 - alpha . Z_Z1 . delta_D0 = 0.6 - 0.1 . 1.6 . 2.48 = 0.2032" in panel.plain_text()


def test_big_networks_get_a_note_instead(qtbot):
    from bpstudio.core.dataset import truth_table
    from bpstudio.core.presets import initialise, layered_graph
    from bpstudio.core.project import Project

    s = TrainingSettings(init="xavier", seed=0).validate()
    g = layered_graph([2, 120, 100, 1], "tanh", "identity")
    initialise(g, s)
    project = Project(g, truth_table("xor"), s)
    run = DemoRun(project, boundary_resolution=8)
    panel = _panel(qtbot, project)
    run.step()
    panel.show_snapshot(run.snapshot())
    assert panel.recalled is None and panel.plain_text() == ""
    assert panel.title.text().startswith("This network has 223 units")
