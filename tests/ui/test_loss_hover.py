"""Moving the mouse over the loss plot reads out the nearest epoch and its values, in log y too."""

from PySide6 import QtCore
from PySide6.QtTest import QTest

import numpy as np
import pyqtgraph as pg  # noqa: F401

from bpstudio.training.snapshot import Snapshot, frozen
from bpstudio.ui.panels.loss import LossPanel


def _snapshot(epochs, losses):
    e = np.asarray(epochs, dtype=float)
    return Snapshot(epoch=int(e[-1]), steps=0, loss=0.0, state="paused", unit_ids=(), edge_keys=(),
                    weights=frozen(np.zeros(0)), bias_ids=(), biases=frozen(np.zeros(0)),
                    new_epochs=frozen(e), new_losses=frozen(np.asarray(losses, dtype=float)),
                    history_len=len(e))


def _hover(qtbot, panel, epoch, loss):
    view = panel.layout_widget
    scene_pt = panel.plot.vb.mapViewToScene(QtCore.QPointF(epoch, loss))
    QTest.mouseMove(view.viewport(), view.mapFromScene(scene_pt))


def test_hovering_reads_out_the_nearest_epoch(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_snapshot(_snapshot(range(1, 11), [1.0 / k for k in range(1, 11)]))
    panel.plot.vb.setRange(xRange=(1, 10), yRange=(0, 1), padding=0)
    _hover(qtbot, panel, 4.2, 0.5)
    qtbot.waitUntil(lambda: panel.readout.text() == "epoch 4  train 0.25", timeout=3000)
    assert panel.cursor.isVisible() and panel.cursor.value() == 4.0
    panel.set_log_y(True)  # the y axis in decades; the readout still gives the loss itself
    panel.plot.vb.setRange(xRange=(1, 10), yRange=(-1, 0), padding=0)
    _hover(qtbot, panel, 8.4, -0.5)
    qtbot.waitUntil(lambda: panel.readout.text() == "epoch 8  train 0.125", timeout=3000)
