"""Gradient health: the curves are the snapshots' norms; the check button shows the table."""

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.dataset import truth_table
from bpstudio.core.engine import Engine
from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings
from bpstudio.ui.panels.demo import DemoRun
from bpstudio.ui.panels.gradients import GradientPanel


def _doc(project):
    return SimpleNamespace(graph=project.graph, dataset=project.dataset, settings=project.settings)


def test_deep_sigmoid_network_shows_vanishing_gradients(qtbot):
    s = TrainingSettings(init="xavier", seed=1, learning_rate=0.5).validate()
    g = layered_graph([2, 6, 6, 6, 6, 1], "sigmoid", "sigmoid")
    initialise(g, s)
    project = Project(g, truth_table("xor"), s)
    run = DemoRun(project)
    panel = GradientPanel(_doc(project))
    qtbot.addWidget(panel)
    for _ in range(10):
        run.run(3)
        panel.show_snapshot(run.snapshot())
    assert len(panel.grad_curves) == 5
    steps, grad, weight = panel.curve_data(1)
    assert steps.tolist() == [3.0 * k for k in range(1, 11)]
    engine_grad = np.sqrt(sum(np.sum(b.dW ** 2) for b in run.engine.layers[0].blocks))
    assert grad[-1] == pytest.approx(engine_grad)
    # the first layer's gradient is far smaller than the last one's: it vanishes on the way back
    assert panel.curve_data(1)[1][-1] < panel.curve_data(5)[1][-1] / 10 or \
        panel.curve_data(1)[1][-1] < 1e-3
    assert panel.plot.getPlotItem().ctrl.logYCheck.isChecked()


def test_check_gradients_fills_the_table(qtbot):
    project = load_preset("xor")
    panel = GradientPanel(_doc(project))
    qtbot.addWidget(panel)
    panel.check_gradients()
    n = Engine(project.graph).n_params
    assert panel.table.rowCount() == n == 13
    assert panel.result.ok and "agree" in panel.verdict.text()
    names = {panel.table.item(i, 0).text() for i in range(n)}
    assert "bias(D0)" in names
    row = next(r for r in panel.result.rows if r.name == "bias(D0)")
    assert float(panel.table.item(0, 1).text()) == pytest.approx(panel.result.rows[0].backprop, rel=1e-5)
    assert row.rel_error < 1e-6
    panel.select(row.key)  # a unit picked on the canvas: its bias row
    assert panel.table.currentRow() == panel.result.rows.index(row)


def test_check_gradients_says_why_it_cannot(qtbot):
    project = load_preset("xor")
    project.graph.disconnect(*[k for k in project.graph.edges if project.graph.nodes[k[1]].role == "output"][0])
    for n in project.graph.outputs:
        project.graph.remove_node(n.id)
    panel = GradientPanel(_doc(project))
    qtbot.addWidget(panel)
    panel.check_gradients()
    assert panel.verdict.text().startswith("Cannot check the gradients: the network has no output units")
    assert panel.table.isHidden()


def test_a_check_of_a_replaced_or_reshaped_network_is_dropped_not_shown_stale(qtbot):
    project = load_preset("xor")
    g = project.graph
    panel = GradientPanel(_doc(project))
    qtbot.addWidget(panel)
    panel.check_gradients()
    assert panel.table.rowCount() == 13 and not panel.table.isHidden()
    # a new weight value keeps the table (the same weights are listed; the check was of backprop)
    src, tgt = next(iter(g.edges))
    g.set_weight(src, tgt, 0.75)
    assert panel.result is not None and panel.table.rowCount() == 13
    # an edge removed: its row would name a weight that is gone
    g.disconnect(src, tgt)
    assert panel.result is None and panel.table.isHidden() and panel.table.rowCount() == 0
    assert panel.verdict.text().startswith("The network changed: press Check gradients")
    panel.check_gradients()
    assert panel.table.rowCount() == 12
    # the whole network replaced (a new project, a new network): the old table goes
    g.replace_with(load_preset("and").graph)
    assert panel.result is None and panel.table.isHidden()
    assert panel.verdict.text().startswith("The network was replaced")
    panel.select(g.find("D0").id)  # nothing to select, nothing raised
    panel.check_gradients()
    assert panel.result.ok and panel.table.rowCount() == Engine(g).n_params


def test_opening_another_project_in_the_window_drops_the_old_check(qtbot):
    from bpstudio.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    panel = window.panels.gradients
    panel.check_gradients()
    assert panel.result is not None
    window.document.replace_project(load_preset("and"))
    assert panel.result is None and panel.table.isHidden()
    window.file_actions.autosaver.stop()
