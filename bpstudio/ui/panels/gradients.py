"""Gradient health: per-layer gradient norm and weight norm over time (log y), and a gradient check.

Each snapshot brings ``layer_grad_norms`` and ``layer_weight_norms`` (one value per target depth);
the panel keeps them against the step count, so vanishing gradients in a deep sigmoid network show
as the first layers' curves sinking decades below the last ones. "Check gradients" compares the
backprop gradient of every weight with central finite differences
(:func:`bpstudio.core.gradcheck.gradient_check`) on the document's network and training rows.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Slot

import numpy as np
import pyqtgraph as pg

from bpstudio.core.engine import Engine
from bpstudio.ui.panels.throttle import Redraw
from bpstudio.weak_events import follow

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
MAX_CHECK_PARAMS = 20_000  # beyond this a gradient check would freeze the window for long


def _gradient_check():
    try:
        from bpstudio.core.gradcheck import gradient_check
    except ImportError:
        return None
    return gradient_check


class NormHistory:
    """(step, grad norm per layer, weight norm per layer) rows in a doubling buffer."""

    def __init__(self) -> None:
        self.layers = 0
        self.steps = np.zeros(0)
        self.grad = np.zeros((0, 0))
        self.weight = np.zeros((0, 0))
        self.n = 0

    def reset(self, layers: int) -> None:
        self.layers, self.n = layers, 0
        self.steps = np.zeros(256)
        self.grad = np.zeros((256, layers))
        self.weight = np.zeros((256, layers))

    def add(self, step: int, grad: np.ndarray, weight: np.ndarray) -> None:
        if len(grad) != self.layers:
            self.reset(len(grad))
        if self.n and step <= self.steps[self.n - 1]:
            self.n = int(np.searchsorted(self.steps[:self.n], step, side="left"))  # a restart
        if self.n == len(self.steps):
            self.steps = np.concatenate([self.steps, np.zeros(self.n)])
            self.grad = np.vstack([self.grad, np.zeros_like(self.grad)])
            self.weight = np.vstack([self.weight, np.zeros_like(self.weight)])
        self.steps[self.n] = step
        self.grad[self.n] = grad
        self.weight[self.n] = weight
        self.n += 1

    def __repr__(self) -> str:
        return f"NormHistory({self.layers} layers, {self.n} points)"


def layer_label(depth: int, layers: int) -> str:
    return "output" if depth == layers else f"hidden {depth}" if layers > 2 else "hidden"


class GradientPanel(QtWidgets.QWidget):
    """Norms over time plus the gradient-check table."""

    def __init__(self, document, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.history = NormHistory()
        self.result = None
        self._redraw = Redraw(self.refresh, parent=self)
        self.plot = pg.PlotWidget()
        self.plot.setLogMode(y=True)
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "norm per layer")  # short: the legend names each curve
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.grad_curves: list[pg.PlotDataItem] = []
        self.weight_curves: list[pg.PlotDataItem] = []
        self.check_button = QtWidgets.QPushButton("Check gradients")
        self.check_button.setToolTip("Compare backprop with finite differences, weight by weight")
        self.check_button.clicked.connect(self.check_gradients)
        self.verdict = QtWidgets.QLabel("")
        self.verdict.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["weight", "backprop", "finite differences", "relative error"])
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.Stretch)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.hide()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.check_button)
        row.addWidget(self.verdict, 1)
        split = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(row)
        lay.addWidget(split, 1)
        events = getattr(getattr(document, "graph", None), "events", None)
        if events is not None:  # a check of another network must not stay on view (weakly: see weak_events)
            follow(events.reset, self, "forget_check")
            follow(events.structure_changed, self, "forget_check_if_gone")

    # ------------------------------------------------------------------ norms
    @Slot(object)
    def show_snapshot(self, snap) -> None:
        g, w = snap.layer_grad_norms, snap.layer_weight_norms
        if g is None or w is None or len(g) == 0:
            return
        if len(g) != self.history.layers:
            self.history.reset(len(g))
            self._make_curves(len(g))
        self.history.add(snap.steps, np.asarray(g, dtype=float), np.asarray(w, dtype=float))
        self._redraw.request(snap.state == "running" and snap.phase is None)

    def _make_curves(self, layers: int) -> None:
        for c in self.grad_curves + self.weight_curves:
            self.plot.removeItem(c)
        self.legend.clear()
        self.grad_curves, self.weight_curves = [], []
        for d in range(1, layers + 1):
            colour = PALETTE[(d - 1) % len(PALETTE)]
            name = layer_label(d, layers)
            gc = self.plot.plot([], [], name=f"‖∂E/∂W‖ {name}", pen=pg.mkPen(colour, width=2))
            wc = self.plot.plot([], [], name=f"‖W‖ {name}",
                                pen=pg.mkPen(colour, width=1, style=QtCore.Qt.DashLine))
            for c in (gc, wc):
                c.setDownsampling(auto=True, method="peak")
                c.setClipToView(True)
            self.grad_curves.append(gc)
            self.weight_curves.append(wc)

    def refresh(self) -> None:
        h = self.history
        x = h.steps[:h.n]
        tiny = np.finfo(float).tiny  # a zero norm sits at the bottom of the log axis
        for k, (gc, wc) in enumerate(zip(self.grad_curves, self.weight_curves)):
            gc.setData(x, np.maximum(h.grad[:h.n, k], tiny), connect="finite")
            wc.setData(x, np.maximum(h.weight[:h.n, k], tiny), connect="finite")

    def curve_data(self, depth: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, gradient norms, weight norms) of the weights into ``depth`` (1-based)."""
        h = self.history
        return h.steps[:h.n].copy(), h.grad[:h.n, depth - 1].copy(), h.weight[:h.n, depth - 1].copy()

    # ------------------------------------------------------------------ gradient check
    @Slot()
    def check_gradients(self) -> None:
        """Run the core's gradient check on a copy of the network (errors are said, never raised)."""
        check = _gradient_check()
        if check is None:
            self.verdict.setText("The gradient check is not available in this build.")
            return
        doc = self.document
        try:
            engine = Engine(doc.graph.copy(), doc.settings.loss)
            X, Y = doc.dataset.train()
            if len(X) == 0:
                raise ValueError("the dataset has no training rows")
            if engine.n_params > MAX_CHECK_PARAMS:
                raise ValueError(f"the network has {engine.n_params} weights and biases; the check "
                                 f"is offered up to {MAX_CHECK_PARAMS}")
            QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.WaitCursor)
            try:
                self.result = check(engine, X, Y)
            finally:
                QtWidgets.QApplication.restoreOverrideCursor()
        except Exception as exc:  # plain words, no crash
            self.result = None
            self.verdict.setText(f"Cannot check the gradients: {exc}")
            self.table.hide()
            return
        self._show_result(self.result)

    def _show_result(self, res) -> None:
        rows = list(res.rows)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, v in enumerate((r.name, r.backprop, r.numeric, r.rel_error)):
                text = v if isinstance(v, str) else f"{v:.6g}" if j < 3 else f"{v:.2e}"
                item = QtWidgets.QTableWidgetItem(text)
                if j == 3 and not isinstance(v, str) and not res.ok and v == res.max_rel_error:
                    item.setBackground(QtCore.Qt.red)
                self.table.setItem(i, j, item)
        self.table.show()
        word = "agree" if res.ok else "DISAGREE"
        summary = res.summary() if hasattr(res, "summary") else f"largest relative error {res.max_rel_error:.2e}"
        self.verdict.setText(f"Backprop and finite differences {word}. {summary}")

    def forget_check(self, *_args) -> None:
        """Drop the gradient-check table: the network it was made on was replaced."""
        if self.result is None:
            return
        self.result = None
        self.table.setRowCount(0)
        self.table.hide()
        self.verdict.setText("The network was replaced: press Check gradients to check this one.")

    def forget_check_if_gone(self, *_args) -> None:
        """Drop the table once a weight or unit it lists is no longer in the network."""
        g = self.document.graph
        if self.result is not None and not all(
                (r.key in g.edges) if isinstance(r.key, tuple) else (r.key in g.nodes)
                for r in self.result.rows):
            self.forget_check()
            self.verdict.setText("The network changed: press Check gradients to check it as it is.")

    @Slot(object)
    def select(self, item) -> None:
        """Select the check-table row of an edge (its key) or a unit's bias (its id)."""
        if self.result is None:
            return
        for i, r in enumerate(self.result.rows):
            if r.key == item:
                self.table.selectRow(i)
                self.table.scrollToItem(self.table.item(i, 0))
                return
        self.table.clearSelection()

    def sizeHint(self):  # noqa: N802 - Qt's name
        """Modest: pyqtgraph's 600 × 500 hint would squeeze the canvas out of the window."""
        return QtCore.QSize(340, 260)

    def __repr__(self) -> str:
        return f"GradientPanel({self.history!r})"


if __name__ == "__main__":
    from types import SimpleNamespace

    from bpstudio.core.dataset import truth_table
    from bpstudio.core.presets import initialise, layered_graph
    from bpstudio.core.project import Project
    from bpstudio.core.settings import TrainingSettings
    from bpstudio.ui.panels.demo import DemoRun

    app = pg.mkQApp("Gradient health")
    s = TrainingSettings(init="xavier", seed=1, learning_rate=0.5, loss="squared_error").validate()
    g = layered_graph([2, 6, 6, 6, 6, 1], "sigmoid", "sigmoid")  # deep sigmoid: gradients vanish
    initialise(g, s)
    project = Project(g, truth_table("xor"), s)
    run = DemoRun(project)
    panel = GradientPanel(SimpleNamespace(graph=g, dataset=project.dataset, settings=s))
    for _ in range(100):
        run.run(5)
        panel.show_snapshot(run.snapshot())
    panel.resize(700, 500)
    panel.show()
    app.exec()
