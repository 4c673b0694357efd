"""Decision boundary: the network's output over the input plane, with the data points.

The grid arrives ready in the snapshot (``boundary``, ``boundary_extent``), computed by the worker:
this panel only hands it to an ImageItem. ``grid[r, c]`` is the output at (x_c, y_r), the x_c and
y_r spanning the extent end to end, so each pixel is centred on its grid point. The 0.5 contour is
drawn when the output crosses it. Training rows are filled circles, test rows crosses, both coloured
by target. For one-hot targets (three classes or more) the worker sends a picture coloured by the
winning class, fading to white where the network is unsure, with the lines where the winner changes;
a key names the classes. A regression gets no 0.5 line. Small thumbnails show each hidden unit's
value over the same plane: in a column grid beside the plot when the panel is wide, in a strip under
it (at most a quarter of the height) when not, so the boundary plot keeps most of the room.
"""

from __future__ import annotations

import html

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Slot

import numpy as np
import pyqtgraph as pg

from bpstudio.core.boundary import class_colour
from bpstudio.core.contour import contour_segments  # noqa: F401 - also this panel's API
from bpstudio.ui.panels.colormap import output_map
from bpstudio.ui.panels.throttle import Redraw

MAX_THUMBNAILS = 32
THUMB_CELL = 64  # px a thumbnail with its name takes, at most, beside the plot


def pixel_rect(extent, shape) -> QtCore.QRectF:
    """The image rectangle that centres pixel (r, c) on grid point (x_c, y_r)."""
    x0, x1, y0, y1 = extent
    h, w = shape
    dx = (x1 - x0) / max(w - 1, 1)
    dy = (y1 - y0) / max(h - 1, 1)
    return QtCore.QRectF(x0 - dx / 2, y0 - dy / 2, w * dx, h * dy)


def output_levels(grid: np.ndarray) -> tuple[float, float]:
    """(0, 1) when the output stays in it (sigmoid, probabilities), else its own finite range."""
    g = grid[np.isfinite(grid)]
    if g.size == 0:
        return 0.0, 1.0
    lo, hi = float(g.min()), float(g.max())
    if lo >= 0.0 and hi <= 1.0:
        return 0.0, 1.0
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


class BoundaryPanel(QtWidgets.QWidget):
    """The output image, the 0.5 contour, the data points, and hidden-unit thumbnails."""

    def __init__(self, document=None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.cmap = output_map()
        self.grid: np.ndarray | None = None
        self.extent = None
        self._pending = None
        self._redraw = Redraw(self._draw, parent=self)
        self.note = QtWidgets.QLabel("The decision boundary appears after the first step "
                                     "(for networks with two inputs).")
        self.note.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(False)
        self.plot.setLabel("bottom", "input 1")
        self.plot.setLabel("left", "input 2")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(self.cmap.getLookupTable(nPts=256))
        self._thumb_lut = np.asarray(self.cmap.getLookupTable(nPts=256, alpha=False), dtype=np.uint8)[:, :3]
        self.plot.addItem(self.image)
        self.contour = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255), width=2), connect="pairs")
        self.contour.setParentItem(self.image)  # in pixel coordinates: it follows the image's rect
        self.contour.setZValue(1)
        self.train_points = pg.ScatterPlotItem(size=12, symbol="o", pen=pg.mkPen("w", width=2))
        self.test_points = pg.ScatterPlotItem(size=13, symbol="x", pen=pg.mkPen("w", width=1))
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.test_points)
        self.bar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False, width=12)
        self.bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.key = QtWidgets.QLabel()  # the class colours, for more than two classes
        self.key.setWordWrap(True)
        self.key.hide()
        self.task = "binary"
        # more than two classes: the worker's RGB picture, in an image of its own (the colour bar
        # sets the levels of the image it is linked to)
        self.class_image = pg.ImageItem(axisOrder="row-major")
        self.class_image.hide()
        self.class_image.setZValue(-1)  # under the data points
        self.plot.addItem(self.class_image)
        self.thumbs = pg.GraphicsLayoutWidget()
        self._thumb_items: dict[str, pg.ImageItem] = {}
        self._thumb_data: dict = {}
        self._thumb_cols = 0  # thumbnails per row as placed now (0: none placed)
        self.body = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.TopToBottom)
        self.body.addWidget(self.plot, 1)
        self.body.addWidget(self.thumbs)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.note)
        lay.addWidget(self.key)
        lay.addLayout(self.body, 1)
        self.thumbs.hide()
        if document is not None:
            sig = getattr(document, "dataset_changed", None)
            if sig is not None:
                sig.connect(self.show_data)
            self.show_data()

    # ------------------------------------------------------------------ data points
    @Slot()
    def show_data(self) -> None:
        """Scatter the dataset's rows (first two inputs), coloured by their target: by the colour of
        their class for one-hot targets, else on the output colour scale."""
        ds = getattr(self.document, "dataset", None)
        if ds is None or ds.n_inputs != 2:
            self.train_points.clear()
            self.test_points.clear()
            self.clear_picture()  # a plane of another dataset's inputs would mislead
            return
        self.task = ds.task
        if self.task == "multiclass":
            colours = [QtGui.QColor(*class_colour(j)) for j in np.argmax(ds.Y, axis=1)]
        else:
            lo, hi = output_levels(ds.Y[:, :1])
            t = np.clip((ds.Y[:, 0] - lo) / (hi - lo if hi > lo else 1.0), 0, 1)
            colours = self.cmap.map(t, mode="qcolor")
        m = ds.train_mask
        self.train_points.setData(pos=ds.X[m, :2], brush=[pg.mkBrush(c) for c, k in zip(colours, m) if k])
        test_colours = [pg.mkPen(c, width=3) for c, k in zip(colours, m) if not k]
        self.test_points.setData(pos=ds.X[~m, :2], pen=test_colours, brush=None)
        self._show_key(ds)

    def _show_key(self, ds) -> None:
        """The colour bar for one output; for classes, a line naming each class in its colour."""
        multi = self.task == "multiclass"
        self.bar.setVisible(not multi)
        self.key.setVisible(multi)
        if multi:
            self.key.setText("  ".join(
                f'<span style="color: rgb{class_colour(j)}">&#9632;</span> {html.escape(name)}'
                for j, name in enumerate(ds.target_names)))

    def clear_picture(self) -> None:
        """No image, contour or thumbnails; the note says when a picture comes."""
        self.grid, self.extent, self._pending = None, None, None
        self.image.clear()
        self.class_image.clear()
        self.class_image.hide()
        self.contour.setData([], [])
        self.contour.hide()
        self.thumbs.hide()
        self.note.show()

    # ------------------------------------------------------------------ snapshot
    @Slot(object)
    def show_snapshot(self, snap) -> None:
        grid, extent = snap.boundary, snap.boundary_extent
        if grid is None or extent is None:
            if len(snap.unit_ids) and self.grid is None:
                self.note.show()
            return
        self.note.hide()
        if grid is self.grid and extent == self.extent:
            return  # the same frozen grid again (the worker sends a new one only when it made one)
        self._pending = snap
        self._redraw.request(snap.state == "running" and snap.phase is None)

    def _draw(self) -> None:
        snap, self._pending = self._pending, None
        if snap is None:
            return
        grid, extent = snap.boundary, snap.boundary_extent
        self.grid, self.extent = grid, extent
        classes = snap.boundary_classes
        self.class_image.setVisible(classes is not None)
        self.image.setVisible(classes is None)
        if classes is not None:  # more than two classes: the worker coloured the plane
            self.class_image.setImage(classes.rgb, levels=(0, 255), autoLevels=False)
            self.class_image.setRect(pixel_rect(extent, grid.shape))
            self.image.setImage(grid, levels=(0, 1), autoLevels=False)  # hidden: the winner's share
            x, y = classes.lines
            self.contour.setParentItem(self.class_image)
            self.contour.setPen(pg.mkPen((40, 40, 40), width=1.5))
        else:
            self.contour.setParentItem(self.image)
            self.contour.setPen(pg.mkPen((255, 255, 255), width=2))
            levels = output_levels(grid)
            self.image.setImage(grid, levels=levels, autoLevels=False)
            self.bar.setLevels(levels)
            cut = self.task != "regression" and levels[0] < 0.5 < levels[1]  # no 0.5 line for a regression
            x, y = contour_segments(grid, 0.5) if cut else (np.zeros(0), np.zeros(0))
        self.image.setRect(pixel_rect(extent, grid.shape))
        self.contour.setData(x + 0.5, y + 0.5, connect="pairs")  # pixel centres
        self.contour.setVisible(len(x) > 0)
        if snap.hidden_thumbnails:
            self._show_thumbnails(snap.hidden_thumbnails)

    def _show_thumbnails(self, thumbs: dict) -> None:
        self._thumb_data = thumbs
        ids = list(thumbs)[:MAX_THUMBNAILS]
        cols = self._arrange(len(ids))
        if ids != list(self._thumb_items) or cols != self._thumb_cols:
            self._place_thumbnails(ids, cols)
        for nid in ids:
            self._thumb_items[nid].setImage(self._coloured(np.asarray(thumbs[nid])), levels=(0, 255),
                                            autoLevels=False)
        self.thumbs.setVisible(bool(ids))

    def _coloured(self, a: np.ndarray) -> np.ndarray:
        """A thumbnail as RGB through the colour map, on its own levels. (An 8-bit image with a
        lookup table makes pyqtgraph build a 256-entry colour table on every paint: 24 thumbnails
        cost a scrub 3 epochs a second.)"""
        lo, hi = output_levels(a)
        with np.errstate(invalid="ignore"):
            t = np.nan_to_num((a - lo) / (hi - lo if hi > lo else 1.0), nan=0.0)
        return self._thumb_lut[np.clip((t * 255).round(), 0, 255).astype(np.uint8)]

    def _place_thumbnails(self, ids: list[str], cols: int) -> None:
        """Thumbnail i (its name above it) at grid cell (i // cols, i % cols)."""
        self.thumbs.clear()
        self._thumb_items, self._thumb_cols = {}, cols
        g = getattr(self.document, "graph", None)
        for i, nid in enumerate(ids):
            name = g.nodes[nid].name if g is not None and nid in g.nodes else nid
            r, c = divmod(i, cols)
            self.thumbs.addLabel(name, row=2 * r, col=c, size="8pt")
            vb = self.thumbs.addViewBox(row=2 * r + 1, col=c, lockAspect=True, enableMouse=False)
            img = pg.ImageItem(axisOrder="row-major")
            vb.addItem(img)
            self._thumb_items[nid] = img

    def _arrange(self, n: int) -> int:
        """Thumbnails beside the plot in a wide panel, in a strip under it otherwise; returns how
        many go in a row. Either way they take at most a third of the width or a quarter of the
        height."""
        w, h = self.width(), self.height()
        if n and w >= 1.6 * h:
            per_col = max(1, h // THUMB_CELL)
            cols = -(-n // per_col)
            self.body.setDirection(QtWidgets.QBoxLayout.LeftToRight)
            self.thumbs.setMinimumHeight(0)
            self.thumbs.setMaximumHeight(16777215)
            self.thumbs.setFixedWidth(max(40, min(cols * THUMB_CELL, w // 3)))
            return cols
        self.body.setDirection(QtWidgets.QBoxLayout.TopToBottom)
        self.thumbs.setMinimumWidth(0)
        self.thumbs.setMaximumWidth(16777215)
        self.thumbs.setFixedHeight(max(40, min(110, h // 4)))
        return max(n, 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        cols = self._arrange(len(self._thumb_items))
        if self._thumb_items and cols != self._thumb_cols:
            self._show_thumbnails(self._thumb_data)  # placed again: the images are set anew

    def value_at(self, x: float, y: float) -> float:
        """The shown output at the grid point nearest (x, y) (NaN outside the image); for more than two
        classes, the winning class's share there."""
        if self.grid is None:
            return float("nan")
        x0, x1, y0, y1 = self.extent
        h, w = self.grid.shape
        c = int(round((x - x0) / (x1 - x0) * (w - 1)))
        r = int(round((y - y0) / (y1 - y0) * (h - 1)))
        if not (0 <= r < h and 0 <= c < w):
            return float("nan")
        return float(self.grid[r, c])

    def sizeHint(self):  # noqa: N802 - Qt's name
        """Modest: pyqtgraph's 600 × 500 hint would squeeze the canvas out of the window."""
        return QtCore.QSize(340, 260)

    def __repr__(self) -> str:
        shape = None if self.grid is None else self.grid.shape
        return f"BoundaryPanel(grid={shape}, thumbnails={len(self._thumb_items)})"


if __name__ == "__main__":
    from types import SimpleNamespace

    from bpstudio.ui.panels.demo import demo_run

    app = pg.mkQApp("Decision boundary")
    run = demo_run("xor", 600, resolution=150)
    panel = BoundaryPanel(SimpleNamespace(graph=run.project.graph, dataset=run.project.dataset))
    panel.show_snapshot(run.snapshot())
    panel.resize(560, 600)
    panel.show()
    app.exec()
