"""The regression view shows the worker's fit: a curve for one input, predicted vs target otherwise."""

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.presets import load_preset
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow
from bpstudio.ui.panels.demo import DemoRun
from bpstudio.ui.panels.regression import RegressionPanel

WAIT = 10_000


def _panel(qtbot, project):
    panel = RegressionPanel(SimpleNamespace(graph=project.graph, dataset=project.dataset))
    qtbot.addWidget(panel)
    return panel


def test_one_input_draws_the_networks_curve_through_the_points(qtbot):
    project = load_preset("sine")
    run = DemoRun(project).run(300)
    panel = _panel(qtbot, project)
    snap = run.snapshot()
    panel.show_snapshot(snap)
    x, y = panel.curve.getData()
    assert np.array_equal(y, run.engine.predict(x[:, None])[:, 0])
    px, py = panel.train_points.getData()
    assert np.array_equal(px, project.dataset.X[:, 0]) and np.array_equal(py, project.dataset.Y[:, 0])
    assert "R² = " in panel.plot.getPlotItem().titleLabel.text
    assert f"{snap.fit.r_squared:.4f}" in panel.plot.getPlotItem().titleLabel.text


def test_two_inputs_plot_predicted_against_target(qtbot):
    project = load_preset("gaussian-regression")
    run = DemoRun(project).run(100)
    panel = _panel(qtbot, project)
    panel.show_snapshot(run.snapshot())
    x, y = panel.curve.getData()
    assert x is None or len(x) == 0
    tx, ty = panel.train_points.getData()
    X, Y = project.dataset.train()
    assert np.array_equal(tx, Y[:, 0]) and np.allclose(ty, run.engine.predict(X)[:, 0], rtol=0, atol=0)
    cx, cy = panel.test_points.getData()
    assert len(cx) == int((~project.dataset.train_mask).sum())
    dx, dy = panel.diagonal.getData()
    assert np.array_equal(dx, dy)  # the line predicted = target


def test_the_window_puts_the_fit_in_front_for_numbers_and_makes_it_in_the_worker(qtbot):
    window = MainWindow(Document(load_preset("xor")))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    ctl = window.controller
    try:
        fit_dock, bound_dock = window.docks["regression"], window.docks["boundary"]
        assert window.tabifiedDockWidgets(bound_dock) and fit_dock in window.tabifiedDockWidgets(bound_dock)
        window.document.replace_project(load_preset("sine"))
        qtbot.waitUntil(lambda: not fit_dock.visibleRegion().isEmpty(), timeout=WAIT)
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT, check_params_cb=lambda s: s.fit is not None):
            ctl.step("batch")
        panel = window.panels.regression
        qtbot.waitUntil(lambda: panel.fit is not None, timeout=WAIT)
        assert not panel.note.isVisible()
        window.document.replace_project(load_preset("iris"))
        assert panel.fit is None  # another dataset: the old fit is gone
        qtbot.waitUntil(lambda: not bound_dock.visibleRegion().isEmpty(), timeout=WAIT)
    finally:
        assert ctl.shutdown()


@pytest.mark.parametrize("name", ["spiral3", "iris", "gaussian-regression", "sine"])
def test_the_new_presets_train_in_the_window(qtbot, name):
    window = MainWindow(Document(load_preset(name)))
    qtbot.addWidget(window)
    ctl = window.controller
    try:
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT, check_params_cb=lambda s: s.steps >= 1):
            ctl.step("batch")
    finally:
        assert ctl.shutdown()
