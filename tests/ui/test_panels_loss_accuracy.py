"""The loss panel shows accuracy for classification and none for regression, fed by the real
training session's snapshots."""

import numpy as np
import pyqtgraph as pg  # noqa: F401

from bpstudio.core.generators import generate
from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.training.compose import make_snapshot
from bpstudio.training.session import TrainingSession
from bpstudio.ui.panels.loss import LossPanel


def _feed(panel, graph, dataset, settings, steps=6):
    s = TrainingSession(graph, dataset, settings)
    panel.show_snapshot(make_snapshot(s, final=True))
    s.play()
    s.run(budget=5.0, max_steps=steps)
    s.pause()  # a quiet snapshot: the panel redraws at once
    snap = make_snapshot(s, final=True)
    panel.show_snapshot(snap)
    return snap


def test_regression_has_a_loss_curve_and_no_accuracy(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    settings = TrainingSettings(loss="squared_error", learning_rate=0.05, init="xavier", seed=2,
                                max_epochs=0).validate()
    g = layered_graph([1, 4, 1], "tanh", "identity")
    initialise(g, settings)
    snap = _feed(panel, g, generate("sine", 50, 0.0, 0.2, 1), settings)
    assert snap.new_accuracy is None or np.isnan(snap.new_accuracy).all()
    assert panel.train_curve.xData.tolist() == [1, 2, 3, 4, 5, 6]
    assert panel.test_curve.xData.tolist() == [6]  # measured on the held-out rows at the snapshot
    assert not panel.acc_plot.isVisible() and len(panel.acc_curve.xData or []) == 0


def test_classification_shows_accuracy_beside_the_loss(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    p = load_preset("article-xor")
    snap = _feed(panel, p.graph.copy(), p.dataset, p.settings, steps=1)
    assert snap.new_accuracy.tolist() == [0.5]  # after one step the outputs still all say "1"
    assert panel.acc_plot.isVisible()
    assert panel.acc_curve.yData.tolist() == [0.5] and panel.acc_curve.xData.tolist() == [1]
