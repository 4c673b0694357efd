"""Put the training panels into the main window and wire them: one call, ``install_panels``.

Docks (each in the View menu, its place remembered by the window's saved state): Diagnostics on
top of the canvas, Deltas / Worked arithmetic / Decision boundary on the right, Loss / Gradient
health at the bottom. Every panel's ``show_snapshot`` slot is connected to the controller's
``snapshot_ready`` (a GUI-thread signal); the canvas gets the deltas and its colour legend.
Selections flow both ways: canvas → panels, and a clicked bar or a diagnostic → canvas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt

from bpstudio.ui.panels.boundary import BoundaryPanel
from bpstudio.ui.panels.deltas import DeltaPanel
from bpstudio.ui.panels.diagnostics import DiagnosticsPanel
from bpstudio.ui.panels.explain import ArithmeticPanel
from bpstudio.ui.panels.gradients import GradientPanel
from bpstudio.ui.panels.legend import CanvasDeltas, DeltaLegend, attach_legend
from bpstudio.ui.panels.loss import LossPanel


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
    controllers: list = field(default_factory=list)

    def all(self) -> list:
        return [self.diagnostics, self.canvas, self.loss, self.deltas, self.arithmetic,
                self.gradients, self.boundary]

    def connect_controller(self, controller) -> None:
        """Feed every panel from ``controller.snapshot_ready`` (once per controller)."""
        if controller is None or controller in self.controllers:
            return
        self.controllers.append(controller)
        for p in self.all():
            controller.snapshot_ready.connect(p.show_snapshot)

    def show_snapshot(self, snap) -> None:
        """Hand one snapshot to every panel (what ``snapshot_ready`` does; for tests and benches)."""
        for p in self.all():
            p.show_snapshot(snap)

    def __repr__(self) -> str:
        return "Panels(loss, deltas, arithmetic, gradients, boundary, diagnostics, canvas legend)"


def install_panels(window, controller=None) -> Panels:
    """Create the panel docks in ``window`` and connect them to ``controller.snapshot_ready``
    (default: ``window.controller`` when it exists); also kept as ``window.panels``."""
    doc = window.document
    loss = LossPanel()
    deltas = DeltaPanel(doc.graph)
    arithmetic = ArithmeticPanel(doc)
    gradients = GradientPanel(doc)
    boundary = BoundaryPanel(doc)
    diagnostics = DiagnosticsPanel(doc)
    view = getattr(window, "view", None)
    legend = attach_legend(view.viewport()) if view is not None else None
    canvas = CanvasDeltas(window.scene, legend, lambda: deltas.sample, parent=window)

    d_diag = window.add_dock("diagnostics", "Diagnostics", diagnostics, Qt.TopDockWidgetArea)
    d_diag.setMaximumHeight(220)
    window.add_dock("deltas", "Deltas", deltas, Qt.RightDockWidgetArea)
    d_arith = window.add_dock("arithmetic", "Worked arithmetic", arithmetic, Qt.RightDockWidgetArea)
    d_bound = window.add_dock("boundary", "Decision boundary", boundary, Qt.RightDockWidgetArea)
    d_loss = window.add_dock("loss", "Loss", loss, Qt.BottomDockWidgetArea)
    d_grad = window.add_dock("gradients", "Gradient health", gradients, Qt.BottomDockWidgetArea)
    window.tabifyDockWidget(d_arith, d_bound)
    window.tabifyDockWidget(d_loss, d_grad)
    d_arith.raise_()
    d_loss.raise_()

    panels = Panels(loss, deltas, arithmetic, gradients, boundary, diagnostics, canvas, legend)
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
        arithmetic.recall.forget()
        canvas.clear()

    doc.project_replaced.connect(restart)
    window.panels = panels  # the window keeps them (and a later controller can be connected)
    return panels
