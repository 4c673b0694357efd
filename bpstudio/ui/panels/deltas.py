"""The delta panel: one bar per unit grouped by layer, and a unit × step heatmap of recent deltas.

A unit's delta is ∂E/∂(its net input). The bars show the deltas of one chosen sample of the
traced batch (or their mean over the batch, which is the bias gradient); the layer the backward
pass has just reached is highlighted, layers it has not reached yet show no bar. Inputs have no
delta and get no bar. Colours follow the diverging map, symmetric around zero. Clicking a bar
emits :attr:`DeltaPanel.unit_clicked` with the unit's id.

Before the first step the bars' places are already there, named after the graph's units, with a
hint; the heatmap has steps on x (their numbers) and unit names on y. The two plots sit side by
side in a wide dock and one above the other in a tall one, so their labels never collide.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Signal, Slot

import numpy as np
import pyqtgraph as pg

from bpstudio.training.snapshot import BACKWARD
from bpstudio.ui.panels.colormap import colours_of, diverging_map, symmetric_scale
from bpstudio.ui.panels.delta_values import MEAN, graph_depths, snapshot_depths, unit_deltas  # noqa: F401
from bpstudio.ui.panels.finding_rows import ElidedLine
from bpstudio.ui.panels.throttle import Redraw
from bpstudio.weak_events import follow

MAX_VALUE_LABELS = 12  # numbers over the bars for small networks (text items cost ~0.3 ms each)
MAX_UNIT_TICKS = 30  # unit names on the heatmap's y axis (beyond, every k-th name)
HINT = "No step yet. Press Step: each unit's δ = ∂E/∂net appears here as the error flows back."


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
        self._samples_key: tuple | None = None
        self._step_ticks: list = []  # the step numbers on the heatmap's x axis now
        self._side_by_side: bool | None = None
        self._graph_due = False
        self._redraw = Redraw(self._draw, parent=self)

        self.sample_box = QtWidgets.QComboBox()
        self.sample_box.setToolTip("Whose deltas the bars show: one sample of the step, or their mean "
                                   "(the bias gradient of a batch)")
        self.sample_box.currentIndexChanged.connect(self._sample_picked)
        self.status = ElidedLine("")  # cut with "…" when narrow; the whole text in its tooltip
        self.sample_box.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.sample_box.setMinimumContentsLength(16)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("Deltas of"))
        top.addWidget(self.sample_box)
        top.addWidget(self.status, 1)

        self.plots = pg.GraphicsLayoutWidget()
        self.bar_plot = self.plots.addPlot(row=0, col=0)
        self.bar_plot.setLabel("left", "δ")
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
        self.heat_plot.setLabel("bottom", "step")
        self.heat_plot.setMouseEnabled(x=False, y=False)
        self.heat_plot.hideButtons()
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(self.cmap.getLookupTable(nPts=256))
        self.heat_plot.addItem(self.heat)
        for plot in (self.bar_plot, self.heat_plot):
            for side in ("left", "bottom"):
                plot.getAxis(side).enableAutoSIPrefix(False)  # no "(x0.001)" on names or steps
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        self.hint = QtWidgets.QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        lay.addWidget(self.hint)
        lay.addWidget(self.plots, 1)
        self.plots.scene().sigMouseClicked.connect(self._on_click)
        if graph is not None:
            follow(graph.events.structure_changed, self, "_graph_changed")  # weakly: see weak_events
        self.clear()

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
        self.hint.hide()
        col = {u: i for i, u in enumerate(snap.unit_ids)}
        self.values = values[[col[u] for u in self.ids]]
        phase = snap.phase
        self.lit_depth = phase.depth if phase is not None and phase.kind == BACKWARD else None
        all_deltas = unit_deltas(snap, MEAN)[[col[u] for u in self.ids]]
        trace = getattr(snap, "trace", None)
        preview = trace is not None and hasattr(trace, "applied") and not trace.applied
        if (not preview and np.all(np.isfinite(all_deltas))
                and (not self._heat_steps or snap.steps > self._heat_steps[-1])):
            self._push_heat(snap.steps, self.values)  # a step taken (a preview is not one)
        reached = "" if phase is None else f" — {phase.label}"
        what = "next step (preview)" if preview and phase is None else f"step {snap.steps}"
        self.status.set_text(f"{what}, {snap.batch_label or 'batch'}{reached}")
        self._redraw.request(snap.state == "running" and phase is None)

    def _draw(self) -> None:
        self._draw_bars()
        self._draw_heat()

    def _relayout(self, snap) -> None:
        depth = snapshot_depths(snap)
        self._place_units([u for u in snap.unit_ids if depth[u] > 0], depth)

    def _place_units(self, ids: list[str], depth_of: dict[str, int]) -> None:
        """Bars' places (a gap between layers), their names, and an empty heatmap for ``ids``."""
        self.depth_of = depth_of
        self.ids = list(ids)
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
        every = max(1, -(-len(self.ids) // MAX_UNIT_TICKS))
        self.heat_plot.getAxis("left").setTicks(
            [[(i + 0.5, self._name(u)) for i, u in enumerate(self.ids) if i % every == 0]])
        self.heat_plot.getAxis("bottom").setTicks([[]])
        self._step_ticks = []
        self.heat_plot.setYRange(0, max(len(self.ids), 1), padding=0)
        self.heat_plot.setXRange(-0.5, 0.5, padding=0)
        self.values = np.full(len(self.ids), np.nan)
        if len(self.x):
            self.bar_plot.setXRange(self.x[0] - 0.7, self.x[-1] + 0.7, padding=0)

    # ------------------------------------------------------------------ before any step
    def clear(self) -> None:
        """Back to "no step yet": the graph's units in place, no bars, the hint."""
        self._last = None
        self._topology = ()
        self._samples_key = None
        self.lit_depth = None
        if self.graph is not None:
            try:
                ids, depth = graph_depths(self.graph)
            except Exception:  # a graph being edited (e.g. a cycle refused half-way): no layout
                ids, depth = [], {}
            self._place_units(ids, depth)
        self.sample_box.blockSignals(True)
        self.sample_box.clear()
        self.sample_box.addItem("mean over the batch" if self.sample == MEAN else f"sample {self.sample + 1}",
                                self.sample)
        self.sample_box.blockSignals(False)
        self.status.set_text("")  # the hint below says it
        self._y_half = 1.0
        self.bar_plot.setYRange(-1.0, 1.0, padding=0)
        self.hint.show()
        self._draw_bars()

    def _graph_changed(self, *_args) -> None:
        """Before the first step, the bars' places follow the graph (coalesced)."""
        if self._last is None and not self._graph_due:
            self._graph_due = True
            QtCore.QTimer.singleShot(0, self._graph_settled)

    @Slot()
    def _graph_settled(self) -> None:
        self._graph_due = False
        if self._last is None:
            self.clear()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.arrange()

    def arrange(self) -> None:
        """Bars and heatmap side by side in a wide panel, one above the other in a tall one."""
        side = self.width() >= 1.5 * self.height()
        if side == self._side_by_side:
            return
        self._side_by_side = side
        ci, grid = self.plots.ci, self.plots.ci.layout
        ci.removeItem(self.heat_plot)
        ci.addItem(self.heat_plot, row=0 if side else 1, col=1 if side else 0)
        grid.setRowStretchFactor(0, 3)
        grid.setRowStretchFactor(1, 0 if side else 2)
        grid.setColumnStretchFactor(0, 3 if side else 1)
        grid.setColumnStretchFactor(1, 2 if side else 0)

    def _fill_samples(self, n: int, snap) -> None:
        rows = snap.sample_indices if snap.sample_indices is not None else range(n)
        key = (n, tuple(int(r) for r in rows))
        if key == self._samples_key:
            return
        self._samples_key = key
        self.sample_box.blockSignals(True)
        self.sample_box.clear()
        self.sample_box.addItem("mean over the batch", MEAN)
        for k, r in enumerate(rows):
            self.sample_box.addItem(f"sample {k + 1} (row {int(r) + 1})" if n > 1
                                    else f"the sample (row {int(r) + 1})", k)
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
        # numbers over the bars only where a bar is wide enough for one (they would overlap)
        span = (self.x[-1] - self.x[0] + 1.4) if len(self.x) else 1.0
        room = self.bar_plot.vb.width() / span
        texts = [f"{val:.3g}" if np.isfinite(val) else "" for val in v[:len(self._labels)]]
        fm = self.fontMetrics()
        need = max((fm.horizontalAdvance(t) for t in texts), default=0) + 6  # a gap between numbers
        wide = room >= need or self.bar_plot.vb.width() <= 1
        for t, xi, val, text in zip(self._labels, self.x, v, texts):
            text = text if wide else ""
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
        if np.isfinite(v).any() and not (scale * 1.15 <= self._y_half <= scale * 3.5):
            self._y_half = scale * 1.15
            self.bar_plot.setYRange(-self._y_half, self._y_half, padding=0)
        if len(self.x):
            self.bar_plot.setXRange(self.x[0] - 0.7, self.x[-1] + 0.7, padding=0)

    def _push_heat(self, step: int, values: np.ndarray) -> None:
        self._heat = np.hstack([self._heat, values[:, None]])[:, -self.history:]
        self._heat_steps = (self._heat_steps + [step])[-self.history:]

    def _draw_heat(self) -> None:
        """Column i is the i-th step kept (oldest left); x ticks name a few of their step numbers."""
        if not self._heat_steps:
            return
        scale = symmetric_scale(self._heat)
        self.heat.setImage(self._heat, levels=(-scale, scale), autoLevels=False)
        n = len(self._heat_steps)
        self.heat.setRect(QtCore.QRectF(-0.5, 0, n, len(self.ids)))
        fit = max(2, int(self.heat_plot.vb.width() // 45))  # step numbers ~45 px apart
        cols = sorted({int(round(c)) for c in np.linspace(0, n - 1, min(n, fit))})
        ticks = [(c, str(self._heat_steps[c])) for c in cols]
        if ticks != self._step_ticks:  # each change re-lays the axis out
            self.heat_plot.getAxis("bottom").setTicks([ticks])
            self._step_ticks = ticks
        if self.heat_plot.viewRange()[0] != [-0.5, n - 0.5]:
            self.heat_plot.setXRange(-0.5, n - 0.5, padding=0)

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
