"""Put the training panels into the main window and wire them: one call, ``install_panels``.

Docks (each in the View menu, its place remembered by the window's saved state): on a roomy screen
(≥ 1400 × 1000) along the bottom, side by side, Loss | Gradient health, Deltas, and Worked
arithmetic | Decision boundary | Regression fit (in front when the targets are numbers); on a
smaller one, all of them as tabs of one bottom dock, so the canvas keeps its width. The diagnostics
are a banner over the top of the canvas, shown while there is something to say. Every panel's
``show_snapshot`` slot is connected to the controller's ``snapshot_ready`` (a GUI-thread signal);
the canvas gets the deltas and its colour legend. Selections flow both ways: canvas → panels, and a
clicked bar or a diagnostic → canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt

from bpstudio.ui.panels.boundary import BoundaryPanel
from bpstudio.ui.panels.deltas import DeltaPanel
from bpstudio.ui.panels.diagnostics import DiagnosticsBanner, DiagnosticsPanel
from bpstudio.ui.panels.explain import ArithmeticPanel
from bpstudio.ui.panels.gradients import GradientPanel
from bpstudio.ui.panels.legend import CanvasDeltas, DeltaLegend, attach_legend
from bpstudio.ui.panels.loss import LossPanel
from bpstudio.ui.panels.regression import RegressionPanel


@dataclass
class Panels:
    """Everything :func:`install_panels` made (tests and the window reach the panels here)."""

    loss: LossPanel
    deltas: DeltaPanel
    arithmetic: ArithmeticPanel
    gradients: GradientPanel
    boundary: BoundaryPanel
    diagnostics: DiagnosticsPanel
    canvas: CanvasDeltas
    legend: DeltaLegend | None
    banner: DiagnosticsBanner | None = None
    controllers: list = field(default_factory=list)
    regression: RegressionPanel | None = None

    def all(self) -> list:
        extra = [self.regression] if self.regression is not None else []
        return [self.diagnostics, self.canvas, self.loss, self.deltas, self.arithmetic,
                self.gradients, self.boundary, *extra]

    def connect_controller(self, controller) -> None:
        """Feed every panel from ``controller.snapshot_ready`` (once per controller)."""
        if controller is None or controller in self.controllers:
            return
        self.controllers.append(controller)
        for p in self.all():
            controller.snapshot_ready.connect(p.show_snapshot)
        if hasattr(controller, "boundary_wanted"):
            controller.boundary_wanted = self.boundary_wanted

    def boundary_wanted(self) -> bool:
        """False while the window is shown but the decision boundary is not (a tab behind another,
        a closed dock): the training worker then makes no grids for running snapshots."""
        b = self.boundary
        return not (b.window().isVisible() and not b.isVisible())

    def show_snapshot(self, snap) -> None:
        """Hand one snapshot to every panel (what ``snapshot_ready`` does; for tests and benches)."""
        for p in self.all():
            p.show_snapshot(snap)

    def __repr__(self) -> str:
        return "Panels(loss, deltas, arithmetic, gradients, boundary, diagnostics, canvas legend)"


def _roomy(window) -> bool:
    """A screen with room for the panels side by side along the bottom."""
    screen = window.screen()
    if screen is None:
        return True
    avail = screen.availableGeometry()
    return avail.width() >= 1400 and avail.height() >= 1000


def install_panels(window, controller=None) -> Panels:
    """Create the panel docks in ``window`` and connect them to ``controller.snapshot_ready``
    (default: ``window.controller`` when it exists); also kept as ``window.panels``."""
    doc = window.document
    loss = LossPanel()
    deltas = DeltaPanel(doc.graph)
    arithmetic = ArithmeticPanel(doc)
    gradients = GradientPanel(doc)
    boundary = BoundaryPanel(doc)
    regression = RegressionPanel(doc)
    diagnostics = DiagnosticsPanel(doc)
    view = getattr(window, "view", None)
    # overlays are children of the view, not of its viewport: the view scrolls its viewport's
    # children along with the scene
    legend = attach_legend(view) if view is not None else None
    canvas = CanvasDeltas(window.scene, legend, lambda: deltas.sample, parent=window)

    # the diagnostics over the canvas, where the learner looks (a dock when there is no canvas)
    banner = None
    if view is not None:
        banner = DiagnosticsBanner(diagnostics, view)
    else:
        window.add_dock("diagnostics", "Diagnostics", diagnostics, Qt.TopDockWidgetArea)
    d_loss = window.add_dock("loss", "Loss", loss, Qt.BottomDockWidgetArea)
    d_grad = window.add_dock("gradients", "Gradient health", gradients, Qt.BottomDockWidgetArea)
    d_deltas = window.add_dock("deltas", "Deltas", deltas, Qt.BottomDockWidgetArea)
    d_arith = window.add_dock("arithmetic", "Worked arithmetic", arithmetic, Qt.BottomDockWidgetArea)
    d_bound = window.add_dock("boundary", "Decision boundary", boundary, Qt.BottomDockWidgetArea)
    d_fit = window.add_dock("regression", "Regression fit", regression, Qt.BottomDockWidgetArea)
    if _roomy(window):
        # one row along the bottom, side by side: Loss | Gradient health, Deltas, Arithmetic | Boundary
        window.splitDockWidget(d_loss, d_deltas, Qt.Horizontal)
        window.splitDockWidget(d_deltas, d_arith, Qt.Horizontal)
        window.tabifyDockWidget(d_loss, d_grad)
        window.tabifyDockWidget(d_arith, d_bound)
        window.tabifyDockWidget(d_bound, d_fit)
        d_loss.raise_()
    elif window.docks.get("data") is not None:
        # a small screen: tabs beside the Data dock, so the window stays within the screen
        data = window.docks["data"]
        width = data.sizeHint().width()
        for d in (d_deltas, d_arith, d_bound, d_fit, d_loss, d_grad):
            window.tabifyDockWidget(data, d)
        # the tab bar of six docks would widen the column at the canvas's expense: keep its width
        window.resizeDocks([data], [width], Qt.Horizontal)
    else:
        for d in (d_deltas, d_arith, d_bound, d_fit, d_grad):
            window.tabifyDockWidget(d_loss, d)
    d_arith.raise_()

    panels = Panels(loss, deltas, arithmetic, gradients, boundary, diagnostics, canvas, legend, banner,
                    regression=regression)
    # the controller may be made before or after the panels: window.panels.connect_controller(c)
    panels.connect_controller(controller if controller is not None else getattr(window, "controller", None))

    # selection: canvas → panels, panels → canvas
    window.selection_changed.connect(deltas.select)
    window.selection_changed.connect(arithmetic.select)
    window.selection_changed.connect(gradients.select)
    for source in (deltas.unit_clicked, diagnostics.unit_clicked):
        source.connect(window.scene.select)
    # one chosen sample for the bars, the canvas and the arithmetic
    deltas.sample_changed.connect(arithmetic.set_sample)
    deltas.sample_changed.connect(canvas.refresh)
    arithmetic.sample_changed.connect(deltas.set_sample)

    # a new project starts every history afresh
    def restart() -> None:
        loss.clear()
        arithmetic.recall.forget()  # the arithmetic previews the new project's first step itself
        deltas.clear()  # the new units in place, "no step yet"
        canvas.clear()

    doc.project_replaced.connect(restart)

    # numeric targets: the regression fit in front of the decision boundary, and back for classes
    def show_task() -> None:
        front = d_fit if doc.dataset.task == "regression" else d_bound
        if not front.isHidden():
            front.raise_()

    doc.dataset_changed.connect(show_task)
    doc.project_replaced.connect(show_task)
    window.panels = panels  # the window keeps them (and a later controller can be connected)
    return panels
