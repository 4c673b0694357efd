"""The canvas legend for unit colours: the diverging delta map as a bar with its scale.

It sits over the canvas's bottom-left corner (a child of the view) and shows exactly
the scale :meth:`GraphScene.set_unit_values` uses (the largest |value| shown), so a colour on a
unit can be read off as a number. :class:`CanvasDeltas` feeds both from the snapshots.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Slot

import numpy as np

from bpstudio.training.snapshot import FORWARD, LOSS
from bpstudio.ui.panels.colormap import diverging_map

TITLES = {"delta": "δ = ∂E/∂net", "net_input": "net input a", "activation": "value z"}


def _fmt(v: float) -> str:
    return f"{v:.3g}"


class DeltaLegend(QtWidgets.QWidget):
    """A horizontal colour bar from −scale (left) through 0 to +scale (right)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.scale = 1.0
        self.kind = "delta"
        self.setAttribute(QtCore.Qt.WA_TransparentForMouseEvents)
        self.setFixedSize(210, 54)
        cmap = diverging_map()
        self._colours = [cmap.map(t, mode="qcolor") for t in np.linspace(0.0, 1.0, 64)]
        self.hide()

    def set_scale(self, scale: float, kind: str = "delta") -> None:
        self.scale = float(scale) if scale and math.isfinite(scale) and scale > 0 else 0.0
        self.kind = kind
        self.update()

    def labels(self) -> tuple[str, str, str]:
        s = self.scale
        return (_fmt(-s), "0", _fmt(s)) if s else ("", "0", "")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        p.setPen(QtCore.Qt.NoPen)
        pal = self.palette()  # the application's theme: a light or a dark card
        card = QtGui.QColor(pal.color(QtGui.QPalette.Base))
        card.setAlpha(230)
        ink = pal.color(QtGui.QPalette.Text)
        p.setBrush(card)
        p.drawRoundedRect(self.rect(), 5, 5)
        bar = QtCore.QRectF(10, 20, self.width() - 20, 12)
        grad = QtGui.QLinearGradient(bar.topLeft(), bar.topRight())
        for k, c in enumerate(self._colours):
            grad.setColorAt(k / (len(self._colours) - 1), c)
        p.setBrush(grad)
        p.setPen(QtGui.QPen(pal.color(QtGui.QPalette.Mid), 0.8))
        p.drawRect(bar)
        p.setPen(ink)
        f = p.font()
        f.setPointSizeF(8.0)
        p.setFont(f)
        p.drawText(QtCore.QRectF(10, 2, bar.width(), 16), QtCore.Qt.AlignLeft,
                   TITLES.get(self.kind, self.kind))
        lo, mid, hi = self.labels()
        y = bar.bottom() + 2
        p.drawText(QtCore.QRectF(bar.left(), y, 60, 16), QtCore.Qt.AlignLeft, lo)
        p.drawText(QtCore.QRectF(bar.center().x() - 30, y, 60, 16), QtCore.Qt.AlignHCenter, mid)
        p.drawText(QtCore.QRectF(bar.right() - 60, y, 60, 16), QtCore.Qt.AlignRight, hi)
        p.end()

    def place(self) -> None:
        """Bottom-left of the parent (the canvas view), above its scroll bar."""
        parent = self.parentWidget()
        if parent is not None:
            self.move(8, max(0, parent.height() - self.height() - 24))
            self.raise_()


class _Follow(QtCore.QObject):
    """Keeps the legend in the corner when the viewport is resized."""

    def __init__(self, legend: DeltaLegend) -> None:
        super().__init__(legend)
        self.legend = legend

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Resize:
            self.legend.place()
        return False


def attach_legend(view: QtWidgets.QWidget) -> DeltaLegend:
    """The legend over ``view`` (the canvas view itself: a child of its viewport would scroll away)."""
    legend = DeltaLegend(view)
    view.installEventFilter(_Follow(legend))
    legend.place()
    return legend


def unit_values(snap, sample: int, kind: str = "delta") -> dict[str, float] | None:
    """The deltas (or, with ``kind`` "activation" or "net_input", the values z or net inputs a) to
    paint on the canvas: non-input units only, NaN where the pass has not been."""
    from bpstudio.ui.panels.delta_values import snapshot_depths, unit_deltas, unit_row

    tables = {"activation": snap.activation, "net_input": snap.net_input}
    values = unit_row(tables[kind], sample) if kind in tables else unit_deltas(snap, sample)
    if values is None:
        return None
    depth = snapshot_depths(snap)
    return {u: float(v) for u, v in zip(snap.unit_ids, values) if depth[u] > 0}


class CanvasDeltas(QtCore.QObject):
    """Paints each snapshot's deltas on the canvas (diverging map) and keeps the legend's scale."""

    def __init__(self, scene, legend: DeltaLegend | None = None, sample_of=lambda: 0,
                 parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.legend = legend
        self.sample_of = sample_of  # the delta panel's chosen sample, so canvas and bars agree
        self.values: dict[str, float] | None = None
        self._last = None

    @Slot(object)
    def show_snapshot(self, snap) -> None:
        self._last = snap
        phase = snap.phase
        # the forward pass (and the loss) light each layer's values z; the backward pass its deltas
        kind = "activation" if phase is not None and phase.kind in (FORWARD, LOSS) else "delta"
        values = unit_values(snap, self.sample_of(), kind)
        if values is None:
            return
        self.values = values
        self.scene.set_unit_values(values, kind)
        nets = unit_values(snap, self.sample_of(), "net_input") if kind == "activation" else None
        for nid, item in self.scene.nodes.items():  # the net input goes beside z in the hover text
            a = nets.get(nid) if nets else None
            item.net_input = a if a is not None and math.isfinite(a) else None
        finite = [abs(v) for v in values.values() if math.isfinite(v)]
        if self.legend is not None:
            self.legend.set_scale(max(finite) if finite else 0.0, kind)
            self.legend.setVisible(bool(finite))
        if hasattr(self.scene, "highlight_depth"):
            # ring the layer the phase is on (forward or backward); none between steps
            self.scene.highlight_depth(phase.depth if phase is not None else None)

    @Slot(int)
    def refresh(self, *_args) -> None:
        """Repaint the last snapshot (after the chosen sample changed)."""
        if self._last is not None:
            self.show_snapshot(self._last)

    @Slot()
    def clear(self) -> None:
        self._last = None
        self.values = None
        self.scene.set_unit_values(None)
        if self.legend is not None:
            self.legend.hide()

    def __repr__(self) -> str:
        n = 0 if self.values is None else len(self.values)
        return f"CanvasDeltas({n} units painted)"


if __name__ == "__main__":
    import pyqtgraph as pg

    from bpstudio.ui.panels.demo import demo_run

    app = pg.mkQApp("Delta legend")
    run = demo_run("xor", 1)
    host = QtWidgets.QWidget()  # stands in for the canvas view
    host.setWindowTitle("Delta legend (the scale of one XOR step's deltas)")
    host.resize(360, 140)
    legend = attach_legend(host)
    found = [abs(v) for v in (unit_values(run.snapshot(), 0) or {}).values() if math.isfinite(v)]
    legend.set_scale(max(found) if found else 1.0)
    legend.show()
    host.show()
    app.exec()
