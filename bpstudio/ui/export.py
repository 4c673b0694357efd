"""Export: the canvas as PNG or SVG, any plot, the loss history as CSV, the worked arithmetic as
Markdown, and the trained network as a project file.

The functions take plain objects (a scene, a plot widget, a project) so tests can call them
directly; :func:`install_export_menu` adds File → Export to a window and asks for paths with
:func:`ask_save_path` (tests replace it). Every failure reaches the user as a plain message.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QGraphicsScene, QWidget

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pyqtgraph's exporters)

from bpstudio.core import fileformat, optimizers
from bpstudio.core.engine import Engine
from bpstudio.core.explain import explain_markdown
from bpstudio.core.project import Project
from bpstudio.core.trace import trace_step

MARGIN = 20.0


class ExportError(Exception):
    """An export that could not be written; the message says why in plain words."""


def _target_rect(scene: QGraphicsScene) -> QRectF:
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        raise ExportError("the canvas is empty: there is nothing to export")
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def scene_to_image(scene: QGraphicsScene, scale: float = 2.0, background: QColor | None = None) -> QImage:
    """The whole network drawn into an image at ``scale`` pixels per scene unit."""
    rect = _target_rect(scene)
    size = QSize(max(1, math.ceil(rect.width() * scale)), max(1, math.ceil(rect.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(background if background is not None else scene.backgroundBrush().color()
               if scene.backgroundBrush().style() != Qt.BrushStyle.NoBrush else QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), rect)
    finally:
        painter.end()
    return image


def export_scene_png(scene: QGraphicsScene, path, scale: float = 2.0) -> QImage:
    image = scene_to_image(scene, scale)
    if not image.save(str(path), "PNG"):
        raise ExportError(f"could not write the image {path}")
    return image


def export_scene_svg(scene: QGraphicsScene, path, title: str = "Backprop Studio network") -> None:
    """The network as an SVG drawing (vector: text stays text, lines stay lines)."""
    rect = _target_rect(scene)
    _check_writable(path)
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(QSize(math.ceil(rect.width()), math.ceil(rect.height())))
    gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    gen.setTitle(title)
    gen.setDescription("Exported from Backprop Studio")
    painter = QPainter(gen)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    finally:
        painter.end()
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise ExportError(f"could not write the drawing {path}")


def _check_writable(path) -> None:
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise ExportError(f"the folder {folder} does not exist")


def _plot_item(plot):
    """What to export of a plot: a PlotWidget's plot, a layout widget's whole layout, or the item."""
    if isinstance(plot, pg.PlotWidget):
        return plot.getPlotItem()
    if isinstance(plot, pg.GraphicsLayoutWidget):
        return plot.ci
    return plot


def _check_written(path) -> None:
    if not Path(path).is_file() or Path(path).stat().st_size == 0:
        raise ExportError("nothing was drawn: show the plot's panel on screen, then export again")


def export_plot_png(plot, path, width: int = 1200) -> None:
    """A pyqtgraph plot (PlotWidget or PlotItem) through pyqtgraph's image exporter."""
    _check_writable(path)
    Path(path).unlink(missing_ok=True)
    ex = pg.exporters.ImageExporter(_plot_item(plot))
    ex.parameters()["width"] = int(width)
    ex.export(str(path))
    _check_written(path)


def export_plot_svg(plot, path, title: str = "Backprop Studio plot") -> None:
    """A pyqtgraph plot (PlotWidget or PlotItem) drawn by Qt's own SVG generator.

    Not pyqtgraph's SVGExporter: on Qt 6.11+ its path parser raises midway through every export
    (``x,y = c.split(',')``), and on Python 3.13 with PySide6 6.12 two such failed exports made the
    next paint of any plot segfault (tests/ui/test_plot_svg_crash.py keeps that sequence)."""
    _check_writable(path)
    item = _plot_item(plot)
    rect = item.sceneBoundingRect()
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(rect.size().toSize())
    gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    gen.setTitle(title)
    gen.setDescription("Exported from Backprop Studio")
    painter = QPainter(gen)
    try:
        item.scene().render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    finally:
        painter.end()
    _check_written(path)


def loss_history_csv(epochs, train, test=None, accuracy=None) -> str:
    """CSV text: epoch,train_loss[,test_loss][,accuracy]; empty cells where a value is missing."""
    epochs = np.asarray(epochs, dtype=float)
    cols = [("epoch", epochs), ("train_loss", np.asarray(train, dtype=float))]
    for name, values in (("test_loss", test), ("accuracy", accuracy)):
        if values is not None and np.isfinite(np.asarray(values, dtype=float)).any():
            cols.append((name, np.asarray(values, dtype=float)))
    if any(len(c) != len(epochs) for _, c in cols):
        raise ExportError("the loss history columns have different lengths")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in cols])
    for i in range(len(epochs)):
        row = []
        for name, c in cols:
            v = c[i]
            row.append("" if not math.isfinite(v) else (str(int(v)) if name == "epoch" else repr(float(v))))
        writer.writerow(row)
    return out.getvalue()


def project_history(project: Project) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, losses) of a project's stored history (the last epochs up to ``project.epoch``)."""
    losses = np.asarray(project.loss_history, dtype=float)
    return np.asarray(project.history_epochs(), dtype=float), losses


def next_step_trace(project: Project):
    """A traced step of the project's next batch on a compiled copy (the graph is not touched).

    Used for the Markdown export when no step has been traced yet: the arithmetic of the step
    that Step would take now.
    """
    engine = Engine(project.graph, project.settings.loss)
    X, Y = project.dataset.train()
    if project.settings.mode == "online":
        X, Y, idx = X[:1], Y[:1], np.array([0])
    elif project.settings.mode == "minibatch":
        k = min(project.settings.batch_size, len(X))
        X, Y, idx = X[:k], Y[:k], np.arange(k)
    else:
        idx = np.arange(len(X))
    trace = trace_step(engine, X, Y, idx, project.settings.learning_rate, project.settings.optimizer)
    optimizers.make(project.settings, engine.n_params).step(engine.theta, engine.grad)
    trace.record_update(engine)
    return trace


def export_markdown(project: Project, path, trace=None, sample: int = 0) -> str:
    """The worked arithmetic of ``trace`` (default: the next step) as a Markdown file."""
    trace = trace if trace is not None else next_step_trace(project)
    text = explain_markdown(trace, project.graph, sample)
    _write_text(path, text)
    return text


def export_loss_csv(path, epochs, train, test=None, accuracy=None) -> str:
    text = loss_history_csv(epochs, train, test, accuracy)
    _write_text(path, text)
    return text


def export_trained_project(project: Project, path) -> None:
    """The network with its current (trained) weights, as a project file anyone can open."""
    try:
        fileformat.save(project, path)
    except fileformat.ProjectFileError as exc:
        raise ExportError(str(exc)) from None


def export_script(project: Project, path, torch: bool = False) -> None:
    """The network with its current weights as a runnable Python script (numpy, or a PyTorch module)."""
    from bpstudio.core.export_code import ExportError as CodeError
    from bpstudio.core.export_code import numpy_script, torch_script

    try:
        text = (torch_script if torch else numpy_script)(project.graph, project.dataset.train()[0], project.name)
    except CodeError as exc:
        raise ExportError(str(exc)) from None
    _write_text(path, text)


def _write_text(path, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------- the menu
def ask_save_path(parent: QWidget, title: str, suggestion: str, pattern: str) -> str:
    """The file dialog (a module function so tests can replace it); '' when cancelled or headless."""
    from .settings import headless

    if headless():
        return ""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggestion, pattern)
    return path


def run_export(parent: QWidget, title: str, suggestion: str, pattern: str,
               write: Callable[[str], object]) -> str | None:
    """Ask for a path and write; a failure becomes a warning box, never an exception."""
    path = ask_save_path(parent, title, suggestion, pattern)
    if not path:
        return None
    if not Path(path).suffix:  # "loss" means "loss.png" when a PNG was asked for
        path += Path(suggestion).suffix
    try:
        write(path)
    except Exception as exc:  # noqa: BLE001 - a full disk or a read-only folder must not crash
        from .file_actions import show_error

        show_error(parent, "Export failed", f"Could not export to {path}:\n{exc}")
        return None
    message = getattr(parent, "show_message", None)
    if callable(message):
        message(f"Exported {path}")
    return path


def add_export_action(menu, parent: QWidget, text: str, title: str, suggestion: str, pattern: str,
                      write: Callable[[str], object]) -> QAction:
    action = QAction(text, parent)
    action.triggered.connect(lambda: run_export(parent, title, suggestion, pattern, write))
    menu.addAction(action)
    return action


# ---------------------------------------------------------------------------- the window's menu
def _plots(window) -> list[tuple[str, pg.GraphicsView]]:
    """(title, view) of every pyqtgraph view holding a plot in the window's docks, titled by dock."""
    found = []
    for dock in getattr(window, "docks", {}).values():
        plots = [v for v in dock.findChildren(pg.GraphicsView)
                 if any(isinstance(i, pg.PlotItem) for i in v.scene().items())]
        for i, plot in enumerate(plots):
            title = dock.windowTitle() + (f" ({i + 1})" if len(plots) > 1 else "")
            found.append((title, plot))
    return found


def _panel(window, class_name: str):
    for w in window.findChildren(QWidget):
        if type(w).__name__ == class_name:
            return w
    return None


def window_loss_history(window) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The loss panel's table when there is one (train, test, accuracy), else the project's history."""
    panel = _panel(window, "LossPanel")
    table = getattr(panel, "table", None)
    if table is not None and len(table):
        return (table.column("epoch"), table.column("train_loss"), table.column("test_loss"),
                table.column("accuracy"))
    epochs, losses = project_history(window.document.project)
    return epochs, losses, None, None


def window_markdown(window, path) -> str:
    """The explain panel's current step when it has one, else the next step of the project."""
    panel = getattr(getattr(window, "panels", None), "arithmetic", None) or _panel(window, "ArithmeticPanel")
    text = panel.markdown() if panel is not None and hasattr(panel, "markdown") else ""
    if text:
        _write_text(path, text)
        return text
    return export_markdown(window.document.project, path)


def fill_export_menu(window, menu, flush: Callable[[], None] = lambda: None) -> None:
    """(Re)build File → Export: canvas, every plot, loss CSV, arithmetic, trained network."""
    menu.clear()
    stem = window.document.name
    add = lambda *a: add_export_action(menu, window, *a)  # noqa: E731
    add("Canvas as &PNG…", "Export the canvas as PNG", f"{stem}.png", "PNG image (*.png)",
        lambda p: export_scene_png(window.scene, p))
    add("Canvas as &SVG…", "Export the canvas as SVG", f"{stem}.svg", "SVG drawing (*.svg)",
        lambda p: export_scene_svg(window.scene, p))
    plots = _plots(window)
    if plots:
        menu.addSeparator()
    for title, plot in plots:
        slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
        add(f"{title} plot as PNG…", f"Export {title} as PNG", f"{stem}-{slug}.png", "PNG image (*.png)",
            lambda p, plot=plot: export_plot_png(plot, p))
        add(f"{title} plot as SVG…", f"Export {title} as SVG", f"{stem}-{slug}.svg", "SVG drawing (*.svg)",
            lambda p, plot=plot: export_plot_svg(plot, p))
    menu.addSeparator()
    add("Loss history as &CSV…", "Export the loss history", f"{stem}-loss.csv", "CSV table (*.csv)",
        lambda p: export_loss_csv(p, *window_loss_history(window)))
    add("Worked arithmetic as &Markdown…", "Export the worked arithmetic", f"{stem}-step.md",
        "Markdown (*.md)", lambda p: window_markdown(window, p))

    def trained(p):
        flush()
        export_trained_project(window.document.project, p)

    add("&Trained network as project…", "Export the trained network", f"{stem}-trained.bpstudio",
        "Backprop Studio project (*.bpstudio *.json)", trained)
    menu.addSeparator()

    def script(torch: bool):
        def write(p):
            flush()  # the weights training reached, not the ones last drawn
            export_script(window.document.project, p, torch)
        return write

    add("Network as &numpy script…", "Export the network as a numpy script", f"{stem}_numpy.py",
        "Python script (*.py)", script(False))
    add("Network as P&yTorch script…", "Export the network as a PyTorch module", f"{stem}_torch.py",
        "Python script (*.py)", script(True))

    def sequential(p):
        from bpstudio.ui.sequential_actions import export_sequential

        flush()
        export_sequential(window, p)

    add("Network as Se&quential weights…", "Export the network as nn.Sequential weights", f"{stem}-sequential.json",
        "Sequential weights (*.json *.npz)", sequential)


def history_into_project(window) -> None:
    """Before saving: the loss history shown in the loss panel goes into the project."""
    table = getattr(_panel(window, "LossPanel"), "table", None)
    project = window.document.project
    if table is not None and len(table):
        project.loss_history = [float(v) for v in table.column("train_loss")]
    elif project.epoch == 0:  # nothing trained (e.g. after Reset weights): no history either
        project.loss_history = []
