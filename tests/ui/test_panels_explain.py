"""The worked-arithmetic panel shows the article's corrected numbers and follows the selection."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.presets import load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step
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
    assert panel.title.text().startswith("Preview of the next step")
    assert "nothing applied yet" in panel.title.text() and "Batch mode" in panel.context.text()
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
    assert panel.context.text().startswith("Online mode: a step uses one sample (row 2)")
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


def _document_panel(qtbot, project):
    from bpstudio.ui.document import Document

    doc = Document(project)
    panel = ArithmeticPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(600, 260)  # about the dock's size: the text scrolls
    panel.show()
    qtbot.waitExposed(panel)
    return doc, panel


def test_opens_on_a_preview_of_the_next_step_nothing_applied(qtbot):
    doc, panel = _document_panel(qtbot, load_preset("article-xor"))
    before = doc.graph.snapshot()
    title, text = panel.title.text(), panel.plain_text()
    assert title.startswith("Preview of the next step") and "nothing applied yet" in title
    assert title == "Preview of the next step — nothing applied yet."
    assert panel.context.text() == ("Batch mode: a step uses all 4 samples (rows 1, 2, 3, 4); each "
                                    "update uses the mean of their gradients.")
    assert "Unit Z1: h(x) = W0.X0 + W1.X1 + W2.X2 = 1 . 1 + 1 . 0 + 1 . 0 = 1" in text
    assert "W11 := W11 - alpha . mean(Z_X1 . delta_Z1) = 1 - 0.1 . 4 = 0.6" in text
    assert "1.4" not in text and panel.recalled.preview
    assert doc.graph.snapshot() == before  # a preview changes nothing
    # it opens on the forward pass of the chosen sample (the conventions above it)
    bar = panel.text.verticalScrollBar()
    assert bar.maximum() > 0
    assert panel.text.document().findBlockByNumber(bar.value()).text().startswith("Sample 1 of 4")
    # the chooser names the step's samples; the updates stay the batch mean
    assert [panel.sample_box.itemText(i) for i in range(panel.sample_box.count())] == [
        f"sample {k} of 4 (row {k})" for k in range(1, 5)]
    panel.set_sample(3)
    assert "Sample 4 of 4 in this batch (data row 4): X1 = 1, X2 = 1, y = 0" in panel.plain_text()
    assert "W11 := W11 - alpha . mean(Z_X1 . delta_Z1) = 1 - 0.1 . 4 = 0.6" in panel.plain_text()


def test_online_preview_states_the_single_sample_update(qtbot):
    doc, panel = _document_panel(qtbot, _online_article())
    assert "Online mode: a step uses one sample (row 1); the update uses its gradient alone" in \
        panel.context.text()
    assert "V01 := V01 - alpha . Z_Z1 . delta_D0 = 1 - 0.1 . 1 . 4 = 0.6" in panel.plain_text()
    assert panel.sample_box.count() == 1


def test_preview_follows_edits_dataset_and_settings_but_not_training_write_back(qtbot):
    from bpstudio.core.dataset import truth_table

    doc, panel = _document_panel(qtbot, load_preset("article-xor"))
    g = doc.graph
    g.set_bias(g.find("Z1").id, 2.0)  # the weight W10 from the bias unit X0
    qtbot.waitUntil(lambda: "= 2 . 1 + 1 . 0 + 1 . 0 = 2" in panel.plain_text(), timeout=2000)
    doc.set_settings(replace(doc.settings, mode="online"))
    qtbot.waitUntil(lambda: "Online mode" in panel.context.text(), timeout=2000)
    doc.set_dataset(truth_table("and"))
    qtbot.waitUntil(lambda: "Sample: data row 1: X1 = 0, X2 = 0, y = 0" in panel.plain_text()
                    and panel.recalled.trace.n_samples == 1, timeout=2000)
    # a step shown, then training writes its weights back into the graph: the step stays
    run = DemoRun(doc.project.copy())
    run.step()
    snap = run.snapshot()
    panel.show_snapshot(snap)
    g.set_weights(dict(zip(snap.edge_keys, snap.weights)), dict(zip(snap.bias_ids, snap.biases)))
    qtbot.wait(50)
    assert panel.title.text().startswith("Preview of the next step")  # no previous state seen ...
    panel.show_snapshot(run.snapshot())  # ... (see test_without_the_previous_state_it_says_preview)
    run.step()
    snap = run.snapshot()
    panel.show_snapshot(snap)
    assert panel.title.text().startswith("Step 2")
    g.set_weights(dict(zip(snap.edge_keys, snap.weights)), dict(zip(snap.bias_ids, snap.biases)))
    qtbot.wait(50)
    assert panel.title.text().startswith("Step 2")
    # a running snapshot makes the preview stale: it goes
    panel.show_preview()
    assert panel.recalled.preview
    panel.show_snapshot(replace(snap, state="running"))
    assert panel.recalled is None and panel.plain_text() == ""


def test_long_lines_are_shown_from_their_start_after_a_phase_and_a_selection(qtbot):
    project = _online_article()
    run = DemoRun(project)
    panel = _panel(qtbot, project)
    panel.resize(260, 200)  # narrower than the arithmetic's long lines
    run.step()
    idx, X, Y = run.trainer.next_batch()
    run.trace = trace_step(run.engine, X, Y, idx, 0.1, "gd")
    panel.show_snapshot(run.snapshot(phase=Phase(BACKWARD, 1, "backward hidden")))
    bar = panel.text.horizontalScrollBar()
    assert bar.maximum() > 0  # the lines do not fit: there is a horizontal scroll to keep at 0
    assert bar.value() == 0
    panel.select(project.graph.find("Z2").id)
    assert panel.highlighted_text() and bar.value() == 0
