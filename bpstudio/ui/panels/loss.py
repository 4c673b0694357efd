"""The loss panel: train and test loss per epoch (and accuracy for classification).

Snapshots bring only the new history points; the panel keeps them in one growing table (epoch,
train, test, accuracy), so a million epochs cost one append per snapshot. The curves downsample
(peak mode) and clip to the view, so they stay smooth at 10⁶ points. Log y, a hover readout of
epoch and value, and export to PNG, SVG (pyqtgraph exporters) and CSV.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Slot
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers the PNG and SVG exporters)

from bpstudio.ui.panels.throttle import Redraw

COLUMNS = ("epoch", "train_loss", "test_loss", "accuracy")


class HistoryTable:
    """Rows of (epoch, train, test, accuracy) in a doubling buffer; NaN where a value is missing."""

    def __init__(self, capacity: int = 1024, cap: int = 2_000_000) -> None:
        self._data = np.full((capacity, len(COLUMNS)), np.nan)
        self.n = 0
        self.cap = cap
        self._finite = np.ones(len(COLUMNS), dtype=bool)  # per column: no NaN/inf among the rows
        self._nan = np.ones(len(COLUMNS), dtype=bool)  # per column: nothing but NaN

    def column(self, name: str) -> np.ndarray:
        return self._data[:self.n, COLUMNS.index(name)]

    def rows(self) -> np.ndarray:
        return self._data[:self.n]

    def clear(self) -> None:
        self.n = 0
        self._finite[:] = True
        self._nan[:] = True

    def all_nan(self, name: str) -> bool:
        """True when the column has no value at all (no test rows, no accuracy)."""
        return bool(self._nan[COLUMNS.index(name)])

    def all_finite(self, name: str) -> bool:
        """True when the column has no NaN or inf (kept up to date at each append)."""
        return bool(self._finite[COLUMNS.index(name)])

    def append(self, epochs, train, test=None, accuracy=None) -> None:
        """Add rows; rows whose epoch is not after the last kept one replace the old ones (a restart)."""
        epochs = np.asarray(epochs, dtype=float)
        k = len(epochs)
        if k == 0:
            return
        if self.n and epochs[0] <= self._data[self.n - 1, 0]:
            self.n = int(np.searchsorted(self._data[:self.n, 0], epochs[0], side="left"))
            self._finite = np.isfinite(self._data[:self.n]).all(axis=0)
            self._nan = np.isnan(self._data[:self.n]).all(axis=0)
        need = self.n + k
        if need > len(self._data):
            size = max(need, 2 * len(self._data))
            grown = np.full((size, len(COLUMNS)), np.nan)
            grown[:self.n] = self._data[:self.n]
            self._data = grown
        block = self._data[self.n:need]
        block[:, 0] = epochs
        block[:, 1] = train
        block[:, 2] = np.nan if test is None else test
        block[:, 3] = np.nan if accuracy is None else accuracy
        self._finite &= np.isfinite(block).all(axis=0)
        self._nan &= np.isnan(block).all(axis=0)
        self.n = need
        if self.n > self.cap:  # thin the older half, like the trainer's history
            half = self.n // 2
            kept = np.vstack([self._data[:half:2], self._data[half:self.n]])
            self.n = len(kept)
            self._data[:self.n] = kept

    def nearest(self, epoch: float) -> int | None:
        """Row index of the recorded epoch nearest to ``epoch``."""
        if self.n == 0 or not math.isfinite(epoch):
            return None
        e = self.column("epoch")
        i = int(np.clip(np.searchsorted(e, epoch), 1, self.n - 1)) if self.n > 1 else 0
        if i > 0 and abs(e[i - 1] - epoch) <= abs(e[i] - epoch):
            i -= 1
        return i

    def to_csv(self, path: str) -> None:
        np.savetxt(path, self.rows(), delimiter=",", header=",".join(COLUMNS), comments="",
                   fmt="%.10g")

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"HistoryTable({self.n} epochs)"


def peak_decimate(x: np.ndarray, ys: list[np.ndarray], lo: float, hi: float, width: int
                  ) -> tuple[np.ndarray, list[np.ndarray]]:
    """The rows of sorted ``x`` within [lo, hi] (plus one either side), at most ~2·``width`` of them:
    beyond that, each bucket of k rows becomes two points, its min and its max ("peak" mode),
    so every spike stays visible. NaN rows stay NaN (gaps)."""
    n = len(x)
    i0 = max(int(np.searchsorted(x, lo, side="left")) - 1, 0)
    i1 = min(int(np.searchsorted(x, hi, side="right")) + 1, n)
    count = i1 - i0
    width = max(int(width), 16)
    if count <= 2 * width:
        return x[i0:i1], [y[i0:i1] for y in ys]
    k = -(-count // width)
    m = count // k
    end = i0 + m * k
    xb = x[i0:end:k]
    x2 = np.repeat(xb, 2)
    out = []
    for y in ys:
        blocks = y[i0:end].reshape(m, k)
        pair = np.empty((m, 2))
        if np.isfinite(blocks[:, 0]).all() and np.isfinite(y[end - 1]):
            blocks.min(axis=1, out=pair[:, 0])  # the fast (SIMD) reductions
            blocks.max(axis=1, out=pair[:, 1])
            if np.isnan(pair).any():  # a NaN inside a block: redo those NaN-aware
                pair[:, 0] = np.fmin.reduce(blocks, axis=1)
                pair[:, 1] = np.fmax.reduce(blocks, axis=1)
        else:
            pair[:, 0] = np.fmin.reduce(blocks, axis=1)
            pair[:, 1] = np.fmax.reduce(blocks, axis=1)
        out.append(np.concatenate([pair.ravel(), y[end:i1]]))
    return np.concatenate([x2, x[end:i1]]), out


def render_svg(item: QtWidgets.QGraphicsItem, path: str) -> None:
    """Draw ``item``'s part of its scene into an SVG file with QSvgGenerator."""
    from PySide6.QtSvg import QSvgGenerator

    rect = item.sceneBoundingRect()
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(rect.size().toSize())
    gen.setViewBox(QtCore.QRectF(0, 0, rect.width(), rect.height()))
    gen.setTitle("Backprop Studio loss")
    painter = QtGui.QPainter(gen)
    try:
        item.scene().render(painter, QtCore.QRectF(0, 0, rect.width(), rect.height()), rect)
    finally:
        painter.end()


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
        self.plot.addLegend(offset=(-10, 10))  # no grid: its lines cost a third of a frame
        self.train_curve = self._curve(self.plot, "train", (31, 119, 180))
        self.test_curve = self._curve(self.plot, "test", (255, 127, 14))
        self.acc_plot = self.layout_widget.addPlot(row=1, col=0)
        self.acc_plot.setLabel("left", "accuracy")
        self.acc_plot.setYRange(0, 1.02)
        self.acc_plot.setXLink(self.plot)
        self.acc_plot.setMaximumHeight(120)
        self.acc_curve = self._curve(self.acc_plot, "accuracy", (44, 160, 44))
        self.acc_plot.hide()
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen((120, 120, 120), style=QtCore.Qt.DashLine))
        self.cursor.hide()
        self.plot.addItem(self.cursor, ignoreBounds=True)

        self.readout = QtWidgets.QLabel("")
        self.readout.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.log_y = QtWidgets.QCheckBox("log y")
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
        self.drawn = self._draw(self.train_curve, e, t.column("train_loss"), "train_loss", lo, hi, width)
        if has_test:
            self._draw(self.test_curve, e, t.column("test_loss"), "test_loss", lo, hi, width)
        else:
            self.test_curve.setData([], [])
        self.acc_plot.setVisible(has_acc)
        if has_acc:
            self._draw(self.acc_curve, e, t.column("accuracy"), "accuracy", lo, hi, width, log=False)

    def _draw(self, curve, x, y, name, lo, hi, width, log=True) -> int:
        """One curve: the train loss keeps its gaps (a diverged epoch); test loss and accuracy are
        measured only now and then (NaN in between), so their measured points are joined."""
        connect = self._connect(name)
        if name != "train_loss" and connect == "finite":
            keep = np.isfinite(y)
            x, y = x[keep], y[keep]
            connect = "all"
        if len(x):
            x, (y,) = peak_decimate(x, [y], lo, hi, width)
        curve.setData(x, self._plottable(y) if log else y, connect=connect)
        return len(x)

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
        row = self.table.rows()[i]
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
        self.cursor.setPos(self.table.rows()[i][0])
        self.cursor.show()
        self.readout.setText(self.readout_at(x))

    # ------------------------------------------------------------------ export
    def export_png(self, path: str, width: int = 1200) -> None:
        ex = pg.exporters.ImageExporter(self.plot)
        ex.parameters()["width"] = width
        ex.export(path)

    def export_svg(self, path: str) -> None:
        """pyqtgraph's SVG exporter; Qt's own SVG generator when it fails (its path parser trips
        on the path syntax of recent Qt releases)."""
        try:
            pg.exporters.SVGExporter(self.plot).export(path)
        except ValueError:
            render_svg(self.plot, path)

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
