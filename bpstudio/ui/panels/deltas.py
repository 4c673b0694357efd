"""The delta panel: one bar per unit grouped by layer, and a unit × step heatmap of recent deltas.

A unit's delta is ∂E/∂(its net input). The bars show the deltas of one chosen sample of the
traced batch (or their mean over the batch, which is the bias gradient); the layer the backward
pass has just reached is highlighted, layers it has not reached yet show no bar. Inputs have no
delta and get no bar. Colours follow the diverging map, symmetric around zero. Clicking a bar
emits :attr:`DeltaPanel.unit_clicked` with the unit's id.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Signal, Slot
import pyqtgraph as pg

from bpstudio.training.snapshot import BACKWARD
from bpstudio.ui.panels.colormap import colours_of, diverging_map, symmetric_scale
from bpstudio.ui.panels.throttle import Redraw

MEAN = -1  # the "sample" meaning the mean over the batch
MAX_VALUE_LABELS = 12  # numbers over the bars for small networks (text items cost ~0.3 ms each)


def snapshot_depths(snap) -> dict[str, int]:
    """Depth of every unit from the snapshot alone: inputs (units without a bias) are 0, others
    1 + the deepest source (the engine's longest-path rule)."""
    has_bias = set(snap.bias_ids)
    sources: dict[str, list[str]] = {u: [] for u in snap.unit_ids}
    for s, t in snap.edge_keys:
        sources[t].append(s)
    depth: dict[str, int] = {}
    for u in snap.unit_ids:  # unit_ids are ordered by depth, so sources come first
        depth[u] = 0 if u not in has_bias else 1 + max((depth.get(s, 0) for s in sources[u]), default=0)
    return depth


def unit_deltas(snap, sample: int = 0) -> np.ndarray | None:
    """Per unit (``snap.unit_ids`` order) the delta of row ``sample`` of the batch, or the batch mean
    (``MEAN``); NaN for inputs and unreached layers. None when the snapshot has no deltas."""
    d = snap.delta
    if d is None or len(d) == 0:
        return None
    if sample == MEAN:
        out = np.full(d.shape[1], np.nan)
        cols = ~np.all(np.isnan(d), axis=0)
        out[cols] = d[:, cols].mean(axis=0)
        return out
    return np.array(d[min(max(sample, 0), len(d) - 1)], dtype=float)


class DeltaPanel(QtWidgets.QWidget):
    """Bars of the current deltas and a heatmap of the last ``history`` steps."""

    unit_clicked = Signal(str)
    sample_changed = Signal(int)

    def __init__(self, graph=None, history: int = 100, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = graph  # for the units' names (optional)
        self.history = history
        self.cmap = diverging_map()
        self.sample = 0
        self.selected: str | None = None
        self.ids: list[str] = []  # non-input units shown, in bar order
        self.x: np.ndarray = np.zeros(0)
        self.values: np.ndarray = np.zeros(0)
        self.depth_of: dict[str, int] = {}
        self.lit_depth: int | None = None
        self._y_half = 0.0
        self._topology: tuple = ()
        self._heat = np.zeros((0, 0))
        self._heat_steps: list[int] = []
        self._last = None
        self._redraw = Redraw(self._draw, parent=self)

        self.sample_box = QtWidgets.QComboBox()
        self.sample_box.currentIndexChanged.connect(self._sample_picked)
        self.status = QtWidgets.QLabel("No step yet: press Step to see the deltas.")
        self.status.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.sample_box.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.sample_box.setMinimumContentsLength(10)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("Deltas of"))
        top.addWidget(self.sample_box)
        top.addWidget(self.status, 1)

        self.plots = pg.GraphicsLayoutWidget()
        self.bar_plot = self.plots.addPlot(row=0, col=0)
        self.bar_plot.setLabel("left", "δ = ∂E/∂net")
        self.bar_plot.getAxis("left").enableAutoSIPrefix(False)
        self.bar_plot.setMouseEnabled(x=False, y=True)
        self.bar_plot.showGrid(y=True, alpha=0.2)
        self.bar_plot.addLine(y=0, pen=pg.mkPen((150, 150, 150)))
        self.region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(255, 215, 0, 60),
                                          pen=pg.mkPen(None))
        self.region.setZValue(-10)
        self.region.hide()
        self.bar_plot.addItem(self.region, ignoreBounds=True)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.bar_plot.addItem(self.bars)
        self._labels: list[pg.TextItem] = []
        self.heat_plot = self.plots.addPlot(row=1, col=0)
        self.heat_plot.setLabel("bottom", "recent steps (0 = newest)")
        self.heat_plot.setLabel("left", "unit")
        self.heat_plot.setMaximumHeight(170)
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(self.cmap.getLookupTable(nPts=256))
        self.heat_plot.addItem(self.heat)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.plots, 1)
        self.plots.scene().sigMouseClicked.connect(self._on_click)

    # ------------------------------------------------------------------ data in
    def _name(self, nid: str) -> str:
        g = self.graph
        if g is not None and nid in g.nodes:
            return g.nodes[nid].name
        return nid

    @Slot(object)
    def show_snapshot(self, snap) -> None:
        values = unit_deltas(snap, self.sample)
        if values is None:
            return
        self._last = snap
        topology = (snap.unit_ids, snap.edge_keys)
        if topology != self._topology:
            self._relayout(snap)
            self._topology = topology
        self._fill_samples(len(snap.delta), snap)
        col = {u: i for i, u in enumerate(snap.unit_ids)}
        self.values = values[[col[u] for u in self.ids]]
        phase = snap.phase
        self.lit_depth = phase.depth if phase is not None and phase.kind == BACKWARD else None
        all_deltas = unit_deltas(snap, MEAN)[[col[u] for u in self.ids]]
        if np.all(np.isfinite(all_deltas)) and (not self._heat_steps or snap.steps > self._heat_steps[-1]):
            self._push_heat(snap.steps, self.values)
        reached = "" if phase is None else f" — {phase.label}"
        self.status.setText(f"step {snap.steps}, {snap.batch_label or 'batch'}{reached}")
        self._redraw.request(snap.state == "running" and phase is None)

    def _draw(self) -> None:
        self._draw_bars()
        self._draw_heat()

    def _relayout(self, snap) -> None:
        self.depth_of = snapshot_depths(snap)
        self.ids = [u for u in snap.unit_ids if self.depth_of[u] > 0]
        xs, x, prev = [], 0.0, None
        for u in self.ids:
            if prev is not None and self.depth_of[u] != prev:
                x += 1.0  # a gap between layers
            xs.append(x)
            x += 1.0
            prev = self.depth_of[u]
        self.x = np.array(xs)
        self.bar_plot.getAxis("bottom").setTicks([[(xi, self._name(u)) for xi, u in zip(self.x, self.ids)]])
        for t in self._labels:
            self.bar_plot.removeItem(t)
        self._labels = []
        if len(self.ids) <= MAX_VALUE_LABELS:
            for _ in self.ids:
                t = pg.TextItem("", anchor=(0.5, 1.0), color=(90, 90, 90))
                self.bar_plot.addItem(t, ignoreBounds=True)
                self._labels.append(t)
        self._heat = np.zeros((len(self.ids), 0))
        self._heat_steps = []
        self.heat.clear()
        self.heat_plot.getAxis("left").setTicks(
            [[(i + 0.5, self._name(u)) for i, u in enumerate(self.ids)]] if len(self.ids) <= 30 else None)

    def _fill_samples(self, n: int, snap) -> None:
        if self.sample_box.count() == n + 1:
            return
        self.sample_box.blockSignals(True)
        self.sample_box.clear()
        self.sample_box.addItem("mean over the batch", MEAN)
        rows = snap.sample_indices if snap.sample_indices is not None else range(n)
        for k, r in enumerate(rows):
            self.sample_box.addItem(f"sample {k + 1} (row {int(r) + 1})", k)
        self.sample_box.setCurrentIndex(0 if self.sample == MEAN else min(self.sample, n - 1) + 1)
        self.sample_box.blockSignals(False)

    def _draw_bars(self) -> None:
        v = self.values
        scale = symmetric_scale(v)
        heights = np.where(np.isfinite(v), v, 0.0)
        brushes = [pg.mkBrush(c) for c in colours_of(v, scale, self.cmap)]
        pens = [pg.mkPen((255, 255, 255), width=3) if u == self.selected else pg.mkPen((80, 80, 80))
                for u in self.ids]
        self.bars.setOpts(x=self.x, height=heights, width=0.8, brushes=brushes, pens=pens)
        for t, xi, val in zip(self._labels, self.x, v):
            text = "" if not np.isfinite(val) else f"{val:.4g}"
            if t.toPlainText() != text:
                t.setText(text)
            t.setPos(xi, max(val, 0.0) if np.isfinite(val) else 0.0)
        lit = [xi for xi, u in zip(self.x, self.ids) if self.depth_of[u] == self.lit_depth]
        if lit:
            self.region.setRegion((min(lit) - 0.5, max(lit) + 0.5))
            self.region.show()
        else:
            self.region.hide()
        # grow the y range at once, shrink it only when the bars fill less than a third of it
        # (every range change re-lays the axis: the costliest part of a frame)
        if not (scale * 1.15 <= self._y_half <= scale * 3.5):
            self._y_half = scale * 1.15
            self.bar_plot.setYRange(-self._y_half, self._y_half, padding=0)
        if len(self.x):
            self.bar_plot.setXRange(self.x[0] - 0.7, self.x[-1] + 0.7, padding=0)

    def _push_heat(self, step: int, values: np.ndarray) -> None:
        self._heat = np.hstack([self._heat, values[:, None]])[:, -self.history:]
        self._heat_steps = (self._heat_steps + [step])[-self.history:]

    def _draw_heat(self) -> None:
        if not self._heat_steps:
            return
        scale = symmetric_scale(self._heat)
        self.heat.setImage(self._heat, levels=(-scale, scale), autoLevels=False)
        n = len(self._heat_steps)
        self.heat.setRect(QtCore.QRectF(-n + 0.5, 0, n, len(self.ids)))

    # ------------------------------------------------------------------ selection
    @Slot(int)
    def set_sample(self, sample: int) -> None:
        """Show row ``sample`` of the batch (``MEAN`` = the batch mean)."""
        if sample == self.sample:
            return
        self.sample = sample
        i = self.sample_box.findData(sample)
        if i >= 0:
            self.sample_box.setCurrentIndex(i)
        self._reshow()
        self.sample_changed.emit(sample)

    def _reshow(self) -> None:
        if self._last is not None:
            self.show_snapshot(self._last)

    def _sample_picked(self, index: int) -> None:
        data = self.sample_box.itemData(index)
        if data is not None and data != self.sample:
            self.sample = int(data)
            self._reshow()
            self.sample_changed.emit(self.sample)

    @Slot(object)
    def select(self, item) -> None:
        """Highlight a unit (its id); an edge key or None clears the highlight."""
        self.selected = item if isinstance(item, str) else None
        if len(self.ids):
            self._draw_bars()

    def unit_at(self, x: float) -> str | None:
        """The unit whose bar covers data coordinate ``x``."""
        if not len(self.x):
            return None
        i = int(np.argmin(np.abs(self.x - x)))
        return self.ids[i] if abs(self.x[i] - x) <= 0.45 else None

    def _on_click(self, event) -> None:
        vb = self.bar_plot.vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        unit = self.unit_at(vb.mapSceneToView(event.scenePos()).x())
        if unit is not None:
            self.select(unit)
            self.unit_clicked.emit(unit)

    def bar_values(self) -> dict[str, float]:
        """What the bars show now, by unit id (NaN = no bar)."""
        return {u: float(v) for u, v in zip(self.ids, self.values)}

    def sizeHint(self):  # noqa: N802 - Qt's name
        """Modest: pyqtgraph's 600 × 500 hint would squeeze the canvas out of the window."""
        return QtCore.QSize(340, 260)

    def __repr__(self) -> str:
        return f"DeltaPanel({len(self.ids)} units, sample={self.sample}, {len(self._heat_steps)} steps kept)"


if __name__ == "__main__":
    from bpstudio.training.snapshot import Phase
    from bpstudio.ui.panels.demo import demo_run

    app = pg.mkQApp("Delta panel")
    run = demo_run("xor", 1)
    panel = DeltaPanel(run.project.graph)
    for _ in range(60):
        run.run(5)
        panel.show_snapshot(run.snapshot())
    panel.show_snapshot(run.snapshot(phase=Phase(BACKWARD, 1, "backward hidden")))
    panel.resize(600, 500)
    panel.show()
    app.exec()
