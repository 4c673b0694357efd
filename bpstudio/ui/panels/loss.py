"""The loss panel: train and test loss per epoch (and accuracy for classification).

Snapshots bring only the new history points; the panel keeps them in a compact, bounded table
(:mod:`.loss_history`: ≤ 250,000 rows, thinned like the trainer's history), so a million epochs cost
one append per snapshot and a few MB. The curves downsample (peak mode) and clip to the view, so
they stay smooth at 10⁶ points. Log y, a hover readout of epoch and value, and export to PNG, SVG
(pyqtgraph exporters) and CSV.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Slot

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers the PNG and SVG exporters)

from bpstudio.ui.export import export_plot_svg
from bpstudio.ui.panels.loss_history import COLUMNS, HistoryTable, peak_decimate  # noqa: F401
from bpstudio.ui.panels.throttle import Redraw

MAX_MARKED = 300  # measured points (test loss, accuracy) drawn with a dot up to this many


ACC_MIN_HEIGHT = 230  # px of plot area below which the accuracy strip is left out


def _fmt(v: float) -> str:
    return "–" if not math.isfinite(v) else f"{v:.6g}"


class LossPanel(QtWidgets.QWidget):
    """Loss per epoch; ``show_snapshot`` is the slot the controller's ``snapshot_ready`` feeds."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = HistoryTable()
        self._redraw = Redraw(self.refresh, parent=self)
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plot = self.layout_widget.addPlot(row=0, col=0)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        for axis in ("left", "bottom"):  # plain numbers: "loss (x0.001)" over 0..800 misleads
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.legend = self.plot.addLegend(offset=(-10, 10))  # no grid: its lines cost a third of a frame
        self.train_curve = self._curve(self.plot, "train", (31, 119, 180))
        self.test_curve = self._curve(self.plot, "test", (255, 127, 14))
        self._legend_entry(self.test_curve, "test", False)  # named once it has points
        self.acc_plot = self.layout_widget.addPlot(row=1, col=0)
        self.acc_plot.setLabel("left", "accuracy")
        self.acc_plot.setYRange(0, 1.02)
        self.acc_plot.setXLink(self.plot)
        self.acc_plot.setMaximumHeight(120)
        self.acc_curve = self._curve(self.acc_plot, "accuracy", (44, 160, 44))
        self.acc_plot.hide()
        self.has_accuracy = False  # a classification run: accuracy recorded (drawn when there is room)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen((120, 120, 120), style=QtCore.Qt.DashLine))
        self.cursor.hide()
        self.plot.addItem(self.cursor, ignoreBounds=True)

        self.readout = QtWidgets.QLabel("")
        self.readout.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.log_y = QtWidgets.QCheckBox("log y")
        self.log_y.setToolTip("A logarithmic loss axis: the small losses late in training stay readable")
        self.log_y.toggled.connect(self.set_log_y)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.log_y)
        buttons.addWidget(self.readout, 1)
        for text, slot in (("PNG…", self._ask_png), ("SVG…", self._ask_svg), ("CSV…", self._ask_csv)):
            b = QtWidgets.QToolButton()
            b.setText(text)
            b.setToolTip(f"Export the loss history as {text[:-1]}")
            b.clicked.connect(slot)
            buttons.addWidget(b)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(buttons)
        lay.addWidget(self.layout_widget, 1)
        self.drawn = 0  # points handed to the train curve at the last redraw
        self.plot.vb.sigXRangeChanged.connect(self._range_changed)
        self._proxy = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse)

    @staticmethod
    def _curve(plot: pg.PlotItem, name: str, colour) -> pg.PlotDataItem:
        c = plot.plot([], [], name=name, pen=pg.mkPen(colour, width=1.5))
        c.setDownsampling(auto=True, method="peak")
        c.setClipToView(True)
        return c

    # ------------------------------------------------------------------ data in
    @Slot(object)
    def show_snapshot(self, snap) -> None:
        """Append the snapshot's new history points (a history that restarted replaces the old).

        While training runs the curves are redrawn sparingly (:mod:`.throttle`; the table takes
        every point at once); a quiet snapshot (pause, step) redraws now."""
        if (snap.history_len == 0 or getattr(snap, "history_reset", False)) and len(self.table):
            self.clear()
        if len(snap.new_epochs) == 0:
            return
        self.table.append(snap.new_epochs, snap.new_losses, snap.new_test_losses, snap.new_accuracy)
        self._redraw.request(snap.state == "running")

    def clear(self) -> None:
        self.table.clear()
        self.refresh()

    def refresh(self) -> None:
        """Hand the curves the visible rows, peak-decimated to about two points per pixel.

        pyqtgraph's own downsampling and clipping stay on, but they would still scan every row
        (bounds, finiteness) at each redraw: ~100 ms for 10⁶ rows; this keeps a redraw to a few ms.
        """
        t = self.table
        e = t.column("epoch")
        has_test = bool(t.n) and not t.all_nan("test_loss")
        has_acc = bool(t.n) and not t.all_nan("accuracy")
        lo, hi = self._visible_x(e) if t.n else (0.0, 0.0)
        width = int(self.plot.vb.width()) or 1000
        self.drawn = self._draw(self.train_curve, "train_loss", lo, hi, width)
        if has_test:
            self._draw(self.test_curve, "test_loss", lo, hi, width)
        else:
            self.test_curve.setData([], [])
        self._legend_entry(self.test_curve, "test", has_test)
        if self.has_accuracy != has_acc:
            self.has_accuracy = has_acc
            self._share_height()
        if has_acc:
            self._draw(self.acc_curve, "accuracy", lo, hi, width, log=False)

    def _share_height(self) -> None:
        """The accuracy strip takes at most a third of the plots' height, with the epoch axis drawn
        once (under it); in a dock too short for two readable plots only the loss is drawn."""
        acc = self.has_accuracy and self.layout_widget.height() >= ACC_MIN_HEIGHT
        self.acc_plot.setVisible(acc)
        self.plot.getAxis("bottom").setStyle(showValues=not acc)
        self.plot.setLabel("bottom", "" if acc else "epoch")
        self.acc_plot.setLabel("bottom", "epoch" if acc else "")
        self.acc_plot.setMaximumHeight(max(48, min(120, self.layout_widget.height() // 3)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._share_height()

    def _legend_entry(self, curve, name: str, shown: bool) -> None:
        """A curve is named in the legend only once it has points (no "test" without test rows)."""
        listed = any(getattr(sample, "item", None) is curve for sample, _ in self.legend.items)
        if shown and not listed:
            self.legend.addItem(curve, name)
        elif listed and not shown:
            self.legend.removeItem(curve)

    def _draw(self, curve, name, lo, hi, width, log=True) -> int:
        """One curve: the train loss keeps its gaps (a diverged epoch); test loss and accuracy are
        measured only now and then, so their measured points are joined."""
        x, y = self.table.points(name)
        connect = self._connect(name)
        if name != "train_loss":
            keep = np.isfinite(y)
            if not keep.all():
                x, y = x[keep], y[keep]
            connect = "all"
        if len(x):
            x, (y,) = peak_decimate(x, [y], lo, hi, width)
        if name != "train_loss":
            self._mark_points(curve, len(x) <= MAX_MARKED)
        curve.setData(x, self._plottable(y) if log else y, connect=connect)
        return len(x)

    @staticmethod
    def _mark_points(curve, on: bool) -> None:
        """A dot on each measured point: one measurement per snapshot, so a run that ends within
        one snapshot has a single point, which a line alone does not draw."""
        if (curve.opts["symbol"] is not None) != on:
            colour = curve.opts["pen"].color()
            curve.setSymbol("o" if on else None)
            curve.setSymbolSize(6)
            curve.setSymbolPen(colour)
            curve.setSymbolBrush(colour)

    def _visible_x(self, e: np.ndarray) -> tuple[float, float]:
        """The whole history while the view follows it, else the x range the user zoomed to."""
        if self.plot.vb.state["autoRange"][0]:
            return float(e[0]), float(e[-1])
        lo, hi = self.plot.vb.viewRange()[0]
        return lo, hi

    def _range_changed(self, *_args) -> None:
        if not self.plot.vb.state["autoRange"][0]:
            self._redraw.request(True)  # the user zoomed or panned: bring the detail of the new range

    def _connect(self, column: str) -> str:
        """"all" (the fast path) unless a gap (NaN, inf) needs "finite"."""
        return "all" if self.table.all_finite(column) else "finite"

    def _plottable(self, y: np.ndarray) -> np.ndarray:
        """Under log y a zero loss cannot be drawn: show it at the smallest positive double."""
        if self.log_y.isChecked():
            return np.where(y > 0, y, np.finfo(float).tiny)
        return y

    @Slot(bool)
    def set_log_y(self, on: bool) -> None:
        if self.log_y.isChecked() != on:
            self.log_y.setChecked(on)
            return
        self.plot.setLogMode(y=on)
        self.refresh()

    # ------------------------------------------------------------------ hover readout
    def readout_at(self, epoch: float) -> str:
        """The text shown when the mouse is at ``epoch``: nearest recorded epoch and its values."""
        i = self.table.nearest(epoch)
        if i is None:
            return ""
        row = self.table.row(i)
        parts = [f"epoch {int(row[0])}", f"train {_fmt(row[1])}"]
        if math.isfinite(row[2]):
            parts.append(f"test {_fmt(row[2])}")
        if math.isfinite(row[3]):
            parts.append(f"accuracy {row[3]:.1%}")
        return "  ".join(parts)

    def _on_mouse(self, event) -> None:
        pos = event[0]
        if not self.plot.sceneBoundingRect().contains(pos) or not len(self.table):
            self.cursor.hide()
            return
        x = self.plot.vb.mapSceneToView(pos).x()
        i = self.table.nearest(x)
        self.cursor.setPos(float(self.table.column("epoch")[i]))
        self.cursor.show()
        self.readout.setText(self.readout_at(x))

    # ------------------------------------------------------------------ export
    def export_png(self, path: str, width: int = 1200) -> None:
        ex = pg.exporters.ImageExporter(self.plot)
        ex.parameters()["width"] = width
        ex.export(path)

    def export_svg(self, path: str) -> None:
        """The plot as SVG through Qt's generator (see export.export_plot_svg for why not pyqtgraph's)."""
        export_plot_svg(self.plot, path, title="Backprop Studio loss")

    def export_csv(self, path: str) -> None:
        self.table.to_csv(path)

    def _ask(self, kind: str, pattern: str, export) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, f"Export loss as {kind}", f"loss.{kind.lower()}",
                                                        pattern)
        if not path:
            return
        try:
            export(path)
        except Exception as exc:  # a full disk or a read-only folder must not crash the app
            QtWidgets.QMessageBox.warning(self, "Export failed", f"Could not write {path}: {exc}")

    def _ask_png(self) -> None:
        self._ask("PNG", "PNG image (*.png)", self.export_png)

    def _ask_svg(self) -> None:
        self._ask("SVG", "SVG drawing (*.svg)", self.export_svg)

    def _ask_csv(self) -> None:
        self._ask("CSV", "CSV table (*.csv)", self.export_csv)

    def sizeHint(self):  # noqa: N802 - Qt's name
        """Modest: pyqtgraph's 600 × 500 hint would squeeze the canvas out of the window."""
        return QtCore.QSize(340, 260)

    def __repr__(self) -> str:
        return f"LossPanel({self.table!r}, log_y={self.log_y.isChecked()})"


if __name__ == "__main__":
    from bpstudio.ui.panels.demo import demo_run

    app = pg.mkQApp("Loss panel")
    run = demo_run("xor", 1)
    panel = LossPanel()
    panel.show_snapshot(run.snapshot())
    for _ in range(20):
        run.run(100)
        panel.show_snapshot(run.snapshot())
    panel.resize(700, 450)
    panel.show()
    app.exec()
