"""The regression view: how well a network with numeric targets fits them (instead of a boundary).

The fit arrives ready in the snapshot (``fit``, a :class:`~bpstudio.core.fit_view.FitView` made by the
worker). A network with one input shows its curve through the data points (train rows filled,
test rows crosses); with more inputs, each row's prediction against its target, beside the line
predicted = target where a perfect fit would put every point. The title gives R² over the rows shown.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Slot

import numpy as np
import pyqtgraph as pg

from bpstudio.ui.panels.throttle import Redraw

POINT = (31, 119, 180)
CURVE = (214, 39, 40)


class RegressionPanel(QtWidgets.QWidget):
    """The fitted curve (one input) or predicted against target (more inputs), with R²."""

    def __init__(self, document=None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.fit = None
        self._pending = None
        self._redraw = Redraw(self._draw, parent=self)
        self.note = QtWidgets.QLabel("The regression view shows the fit once the dataset has numeric "
                                     "targets (not 0 / 1 classes) and training has taken a step.")
        self.note.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.train_points = pg.ScatterPlotItem(size=8, symbol="o", pen=pg.mkPen("w", width=1),
                                               brush=pg.mkBrush(*POINT))
        self.test_points = pg.ScatterPlotItem(size=10, symbol="x", pen=pg.mkPen(*POINT, width=2), brush=None)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(*CURVE, width=3))
        self.diagonal = pg.PlotCurveItem(pen=pg.mkPen((160, 160, 160), width=1, style=QtCore.Qt.DashLine))
        for item in (self.diagonal, self.curve, self.train_points, self.test_points):
            self.plot.addItem(item)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.note)
        lay.addWidget(self.plot, 1)
        if document is not None and getattr(document, "dataset_changed", None) is not None:
            document.dataset_changed.connect(self.forget)

    @Slot()
    def forget(self) -> None:
        """Another dataset: the old fit says nothing about it."""
        self.fit, self._pending = None, None
        for item in (self.train_points, self.test_points):
            item.clear()
        self.curve.setData([], [])
        self.diagonal.setData([], [])
        self.plot.setTitle(None)
        self.note.show()

    @Slot(object)
    def show_snapshot(self, snap) -> None:
        fit = getattr(snap, "fit", None)
        if fit is None or fit is self.fit:
            return
        self._pending = fit
        self._redraw.request(snap.state == "running" and snap.phase is None)

    def _draw(self) -> None:
        fit, self._pending = self._pending, None
        if fit is None:
            return
        self.fit = fit
        self.note.hide()
        n = fit.n_train
        one_input = len(fit.curve_x) > 0
        x = fit.x if one_input else fit.target
        y = fit.target if one_input else fit.predicted
        self.train_points.setData(x[:n], y[:n])
        self.test_points.setData(x[n:], y[n:])
        if one_input:
            self.curve.setData(fit.curve_x, fit.curve_y)
            self.diagonal.setData([], [])
            self.plot.setLabel("bottom", "input 1")
            self.plot.setLabel("left", "target (points) · network (line)")
        else:
            self.curve.setData([], [])
            both = np.concatenate([fit.target, fit.predicted])
            both = both[np.isfinite(both)]
            if both.size:
                lo, hi = float(both.min()), float(both.max())
                self.diagonal.setData([lo, hi], [lo, hi])
            self.plot.setLabel("bottom", "target")
            self.plot.setLabel("left", "network's output")
        r2 = fit.r_squared
        self.plot.setTitle(f"R² = {r2:.4f}" if np.isfinite(r2) else "R² undefined (the targets do not vary)")

    def sizeHint(self):  # noqa: N802 - Qt's name
        return QtCore.QSize(340, 260)

    def __repr__(self) -> str:
        return f"RegressionPanel({self.fit!r})"


if __name__ == "__main__":
    import sys
    from types import SimpleNamespace

    from bpstudio.ui.panels.demo import demo_run

    app = pg.mkQApp("Regression view")
    run = demo_run(sys.argv[1] if len(sys.argv) > 1 else "sine", 400)
    panel = RegressionPanel(SimpleNamespace(graph=run.project.graph, dataset=run.project.dataset))
    panel.show_snapshot(run.snapshot())
    panel.resize(560, 480)
    panel.show()
    app.exec()
