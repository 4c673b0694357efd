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


def _green_pixels(panel) -> int:
    """Pixels of the accuracy plot painted in the accuracy curve's green."""
    img = panel.layout_widget.grab().toImage()
    rect = panel.acc_plot.vb.sceneBoundingRect().toRect()
    green = 0
    for x in range(max(rect.left(), 0), min(rect.right(), img.width())):
        for y in range(max(rect.top(), 0), min(rect.bottom() + 1, img.height())):
            c = img.pixelColor(x, y)
            green += abs(c.red() - 44) < 40 and abs(c.green() - 160) < 40 and abs(c.blue() - 44) < 40
    return green


def test_a_run_that_ends_within_one_snapshot_still_draws_its_accuracy(qtbot):
    """xor trains to its target loss (epoch 1156) before the worker's next snapshot: accuracy is
    measured once, at the last epoch, and a single point must still be drawn (a line alone is not)."""
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 320)
    panel.show()
    qtbot.waitExposed(panel)
    p = load_preset("xor")
    s = TrainingSession(p.graph.copy(), p.dataset, p.settings)
    panel.show_snapshot(make_snapshot(s, final=True))
    s.play()
    s.run(budget=30.0, max_steps=5000)
    snap = make_snapshot(s, final=True)
    assert snap.state == "finished" and len(snap.new_epochs) == snap.epoch > 100
    panel.show_snapshot(snap)
    assert panel.acc_plot.isVisible()
    assert panel.acc_curve.xData.tolist() == [snap.epoch] and panel.acc_curve.yData.tolist() == [1.0]
    qtbot.wait(50)
    assert _green_pixels(panel) >= 9  # the point is painted


def test_the_loss_axes_show_plain_numbers_not_si_prefixes(qtbot):
    """A loss of 0.005 reads as 0.005 on the axis, not as 5 under a "(x0.001)" label."""
    from bpstudio.ui.panels.loss import LossPanel

    panel = LossPanel()
    qtbot.addWidget(panel)
    for axis in ("left", "bottom"):
        ax = panel.plot.getAxis(axis)
        ax.setRange(0.0, 0.008)
        assert ax.autoSIPrefixScale == 1.0 and "x0.001" not in ax.labelString()


def test_a_short_dock_draws_the_loss_alone_and_a_tall_one_adds_accuracy(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 200)  # the default window's bottom dock: two plots would crush both axes
    panel.show()
    qtbot.waitExposed(panel)
    p = load_preset("article-xor")
    _feed(panel, p.graph.copy(), p.dataset, p.settings, steps=1)
    assert panel.has_accuracy and not panel.acc_plot.isVisible()
    assert panel.plot.getAxis("bottom").style["showValues"]  # the loss plot keeps its epoch axis
    panel.resize(420, 420)
    qtbot.waitUntil(lambda: panel.acc_plot.isVisible(), timeout=2000)
    assert not panel.plot.getAxis("bottom").style["showValues"]  # drawn once, under the accuracy
    assert panel.acc_plot.maximumHeight() <= panel.layout_widget.height() // 3 + 1
