"""After a real step, the canvas and the delta bars show the engine's deltas."""

from PySide6 import QtCore
from PySide6.QtTest import QTest

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.presets import load_preset
from bpstudio.training.snapshot import BACKWARD, Phase
from bpstudio.ui.canvas import style
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow
from bpstudio.ui.panels.deltas import MEAN, DeltaPanel, snapshot_depths, unit_deltas
from bpstudio.ui.panels.demo import DemoRun


@pytest.fixture
def studio(qtbot):
    def make(preset):
        project = load_preset(preset)
        window = MainWindow(Document(project.copy()))
        qtbot.addWidget(window)
        panels = window.panels  # installed by the window itself
        run = DemoRun(window.document.project.copy())
        return window, panels, run
    return make


@pytest.mark.parametrize("preset", ["article-xor", "xor"])
def test_canvas_and_bars_equal_engine_deltas(studio, preset):
    window, panels, run = studio(preset)
    run.run(3)
    trace = run.trace
    panels.show_snapshot(run.snapshot())
    g = window.document.graph
    hidden_and_out = [n.id for n in g if n.role != "input"]
    expected = {u: trace.delta[0, trace.column[u]] for u in hidden_and_out}
    bars = panels.deltas.bar_values()
    assert set(bars) == set(expected)
    for u, v in expected.items():
        assert bars[u] == pytest.approx(v, rel=1e-12, abs=1e-15)
        item = window.scene.nodes[u]
        assert item.value == pytest.approx(v, rel=1e-12, abs=1e-15)
        assert float(item.value_text.split()[-1]) == pytest.approx(v, rel=5e-3)  # the number drawn
    scale = max(abs(v) for v in expected.values())
    for u, v in expected.items():
        assert window.scene.nodes[u].bucket == style.bucket(v, scale)
    # inputs have no delta and show none
    for n in g.inputs:
        assert window.scene.nodes[n.id].value is None
    # the legend reads the same scale as the canvas
    assert panels.legend.scale == pytest.approx(scale)
    assert panels.legend.labels()[2] == f"{scale:.3g}"


def test_article_first_step_deltas_are_4_6_6_10(studio):
    window, panels, run = studio("article-xor")
    run.run(1)
    snap = run.snapshot()
    panels.show_snapshot(snap)
    d0 = window.document.graph.find("D0").id
    means = unit_deltas(snap, MEAN)
    assert snap.delta[:, snap.unit_ids.index(d0)].tolist() == [4.0, 6.0, 6.0, 10.0]
    panels.deltas.set_sample(3)
    assert panels.deltas.bar_values()[d0] == 10.0
    assert window.scene.nodes[d0].value == 10.0  # canvas follows the chosen sample
    assert panels.arithmetic.sample == 3
    panels.deltas.set_sample(MEAN)
    assert panels.deltas.bar_values()[d0] == pytest.approx(means[snap.unit_ids.index(d0)]) == 6.5


def test_backward_phase_lights_its_layer_and_hides_unreached(studio):
    window, panels, run = studio("xor")
    run.run(1)
    depth = snapshot_depths(run.snapshot())
    partial = np.array(run.trace.delta)
    hidden_cols = [i for i, u in enumerate(run.trace.unit_ids) if depth[u] == 1]
    partial[:, hidden_cols] = np.nan  # the backward pass has only reached the output
    snap = run.snapshot(phase=Phase(BACKWARD, 2, "backward output"), delta=partial)
    panels.show_snapshot(snap)
    bars = panels.deltas.bar_values()
    for u, d in depth.items():
        if d == 1:
            assert np.isnan(bars[u])
            assert window.scene.nodes[u].value is None
        elif d == 2:
            assert np.isfinite(bars[u])
    assert panels.deltas.region.isVisible()
    lo, hi = panels.deltas.region.getRegion()
    out_x = [x for x, u in zip(panels.deltas.x, panels.deltas.ids) if depth[u] == 2]
    assert lo < min(out_x) and max(out_x) < hi
    hid_x = [x for x, u in zip(panels.deltas.x, panels.deltas.ids) if depth[u] == 1]
    assert all(not lo < x < hi for x in hid_x)
    assert window.scene.highlighted_depth == 2


def test_heatmap_keeps_one_column_per_new_step(qtbot):
    run = DemoRun(load_preset("xor"))
    panel = DeltaPanel(run.project.graph, history=5)
    qtbot.addWidget(panel)
    for _ in range(8):
        run.run(1)
        panel.show_snapshot(run.snapshot())
        panel.show_snapshot(run.snapshot())  # the same step again adds nothing
    assert panel._heat.shape == (4, 5)
    assert panel._heat_steps == [4, 5, 6, 7, 8]
    assert np.allclose(panel._heat[:, -1], [run.trace.delta[0, run.trace.column[u]] for u in panel.ids])


def test_clicking_a_bar_selects_the_unit_on_the_canvas(studio, qtbot):
    window, panels, run = studio("xor")
    window.show()
    run.run(1)
    panels.show_snapshot(run.snapshot())
    dock = window.docks["deltas"]
    dock.show()
    dock.raise_()
    qtbot.waitExposed(panels.deltas)
    target = panels.deltas.ids[1]
    x = panels.deltas.x[1]
    vb = panels.deltas.bar_plot.vb
    scene_pt = vb.mapViewToScene(QtCore.QPointF(x, panels.deltas.values[1] / 2))
    view_pt = panels.deltas.plots.mapFromScene(scene_pt)
    with qtbot.waitSignal(window.selection_changed, timeout=2000) as blocker:
        QTest.mouseClick(panels.deltas.plots.viewport(), QtCore.Qt.LeftButton, pos=view_pt)
    assert blocker.args == [target]
    assert window.scene.selection() == target
    assert panels.deltas.selected == target


def test_before_any_step_the_units_are_in_place_with_a_hint(qtbot):
    project = load_preset("article-xor")
    panel = DeltaPanel(project.graph)
    qtbot.addWidget(panel)
    panel.resize(390, 190)  # about the dock's size at start
    panel.show()
    qtbot.waitExposed(panel)
    g = project.graph
    names = [g.nodes[u].name for u in panel.ids]
    assert names == ["Z1", "Z2", "Z3", "D0"]
    assert all(np.isnan(v) for v in panel.bar_values().values())  # no bar yet
    assert [s for _, s in panel.bar_plot.getAxis("bottom")._tickLevels[0]] == names
    assert [s for _, s in panel.heat_plot.getAxis("left")._tickLevels[0]] == names
    assert panel.hint.isVisible() and "Press Step" in panel.hint.text()
    for plot in (panel.bar_plot, panel.heat_plot):
        for side in ("left", "bottom"):
            ax = plot.getAxis(side)
            assert not ax.autoSIPrefix and "x0." not in ax.labelString()
    assert panel.bar_plot.viewRange()[1] == [-1.0, 1.0]
    # wide dock: side by side, nothing overlaps
    assert panel.plots.ci.items[panel.heat_plot] == [(0, 1)]
    assert not panel.bar_plot.sceneBoundingRect().intersects(panel.heat_plot.sceneBoundingRect())
    panel.resize(300, 520)  # a tall dock: one above the other
    qtbot.waitUntil(lambda: panel.plots.ci.items[panel.heat_plot] == [(1, 0)], timeout=2000)
    qtbot.wait(20)
    assert not panel.bar_plot.sceneBoundingRect().intersects(panel.heat_plot.sceneBoundingRect())
    # the places follow the graph until the first step
    z = g.add_node("hidden", name="Z4", activation="identity")
    g.connect(g.find("X1").id, z.id, 1.0)
    g.connect(z.id, g.find("D0").id, 1.0)
    qtbot.waitUntil(lambda: "Z4" in [g.nodes[u].name for u in panel.ids], timeout=2000)


def test_a_preview_is_shown_as_one_but_not_kept_as_a_step(qtbot):
    from dataclasses import replace as dc_replace

    from bpstudio.core.trace import trace_step

    run = DemoRun(load_preset("article-xor"))
    panel = DeltaPanel(run.project.graph)
    qtbot.addWidget(panel)
    idx, X, Y = run.trainer.next_batch()
    preview = trace_step(run.engine, X, Y, np.arange(len(X)), 0.1, "gd")  # not applied
    snap = dc_replace(run.snapshot(state="idle"), delta=preview.delta, trace=preview,
                      sample_indices=np.arange(len(X)), batch_label="all 4 samples")
    panel.show_snapshot(snap)
    assert panel.bar_values()[run.project.graph.find("D0").id] == 4.0
    assert panel.status.text().startswith("next step (preview)") and panel.hint.isHidden()
    assert panel._heat_steps == []
    run.run(1)
    panel.show_snapshot(run.snapshot())
    assert panel._heat_steps == [1] and panel.status.text().startswith("step 1")
    assert [s for _, s in panel.heat_plot.getAxis("bottom")._tickLevels[0]] == ["1"]
    assert [panel.sample_box.itemText(i) for i in range(panel.sample_box.count())] == [
        "mean over the batch"] + [f"sample {k} (row {k})" for k in range(1, 5)]
    panel.clear()
    assert not panel.hint.isHidden() and panel._heat_steps == [] and panel.sample_box.count() == 1


def test_bars_are_grouped_by_layer_with_a_gap_and_named_by_unit(qtbot):
    from bpstudio.core.presets import layered_graph

    g = layered_graph([2, 3, 2, 1], "tanh", "sigmoid")
    panel = DeltaPanel(g)
    qtbot.addWidget(panel)
    names = [g.nodes[u].name for u in panel.ids]
    depth = g.depths()
    assert [depth[u] for u in panel.ids] == [1, 1, 1, 2, 2, 3]  # layer by layer, inputs have no bar
    assert panel.x.tolist() == [0, 1, 2, 4, 5, 7]  # one empty slot between layers
    ticks = panel.bar_plot.getAxis("bottom")._tickLevels[0]
    assert [t for _, t in ticks] == names and [x for x, _ in ticks] == [0, 1, 2, 4, 5, 7]


def test_a_long_header_is_cut_with_an_ellipsis_and_whole_in_its_tooltip(qtbot):
    run = DemoRun(load_preset("article-xor"))
    run.run(1)
    panel = DeltaPanel(run.project.graph)
    qtbot.addWidget(panel)
    panel.resize(380, 260)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_snapshot(run.snapshot(phase=Phase(BACKWARD, 1, "backward hidden")))
    whole = panel.status.text()
    assert whole.endswith("— backward hidden") and panel.status.toolTip() == whole
    assert panel.status.geometry().right() <= panel.width()
    shown = panel.status.shown_text()
    assert shown.endswith("…") and whole.startswith(shown[:-1])
    panel.resize(1200, 260)
    qtbot.wait(10)
    assert panel.status.shown_text() == whole  # wide enough: nothing cut


def test_numbers_over_the_bars_only_when_the_widest_one_fits_its_bar(qtbot):
    run = DemoRun(load_preset("xor"))
    run.run(3)
    panel = DeltaPanel(run.project.graph)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    snap = run.snapshot()
    texts = [f"{v:.3g}" for v in unit_deltas(snap, 0)[[snap.unit_ids.index(u) for u in panel.ids]]]
    widest = max(panel.fontMetrics().horizontalAdvance(t) for t in texts)
    assert widest > panel.fontMetrics().horizontalAdvance("-0.000")  # e.g. "-0.0741"
    short = panel.fontMetrics().horizontalAdvance("-0.000")
    between = 0  # widths where a short number would fit a bar but the widest would not
    for width in [1000] + list(range(200, 600, 10)):  # tall panels: the bar plot spans the width
        panel.resize(width, 2 * width)
        qtbot.wait(10)
        panel.show_snapshot(snap)
        per_bar = panel.bar_plot.vb.width() / (panel.x[-1] - panel.x[0] + 1.4)
        shown = [t.toPlainText() for t in panel._labels]
        assert shown == (texts if per_bar >= widest + 6 else [""] * len(texts)), width
        between += short <= per_bar < widest
    assert between > 0
