"""The canvas view: zoom at the cursor, pan by dragging empty space, fit, inline weight editing, drops."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import QFrame, QGraphicsView, QLineEdit

from .palette import UNIT_MIME, Palette

MIN_SCALE, MAX_SCALE, FIT_MAX = 0.01, 4.0, 1.6


class GraphView(QGraphicsView):
    """Shows a GraphScene. Left-drag on empty space pans (Shift+drag selects), wheel zooms."""

    background_rgb: int | None = None  # the background brush's rgb, for the edges' opaque pens

    def setBackgroundBrush(self, brush) -> None:  # noqa: N802 - Qt's name
        super().setBackgroundBrush(brush)
        b = self.backgroundBrush()
        self.background_rgb = 0xFFFFFF if b.style() == Qt.NoBrush else b.color().rgb() & 0xFFFFFF

    def __init__(self, scene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.BoundingRectViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setDragMode(QGraphicsView.NoDrag)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # pan by dragging instead
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self._pan_from: QPoint | None = None
        self.auto_fit = True  # refit on resize until the user zooms or pans
        self._editor = QLineEdit(self.viewport())
        self._editor.hide()
        self._editor.setAlignment(Qt.AlignCenter)
        self._editor.returnPressed.connect(self._commit_editor)
        self._editor.editingFinished.connect(self._editor.hide)
        self._editing_key = None
        cancel = QShortcut(QKeySequence(Qt.Key_Escape), self._editor)
        cancel.setContext(Qt.WidgetShortcut)
        cancel.activated.connect(self._cancel_editor)
        self.palette_widget = Palette(self)  # bottom-right corner (banners top-left, legend bottom-left)
        scene.edit_label_requested.connect(self.open_label_editor)

    # ------------------------------------------------------------------ zoom and pan
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        s = self.zoom()
        factor = max(MIN_SCALE / s, min(MAX_SCALE / s, factor))
        self.scale(factor, factor)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.auto_fit = False
            self.zoom_at(1.15 ** steps, event.position().toPoint())
        event.accept()

    def zoom_at(self, factor: float, view_pos: QPoint) -> None:
        """Zoom keeping the scene point under ``view_pos`` (the cursor) where it is."""
        before = self.mapToScene(view_pos)
        self.zoom_by(factor)
        after = self.mapToScene(view_pos)
        s = self.zoom()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round((before.x() - after.x()) * s))
        v.setValue(v.value() + round((before.y() - after.y()) * s))

    def fit(self) -> None:
        """Fit every unit in the view (not larger than a comfortable reading size), below any
        banner laid over the top of the canvas."""
        self.auto_fit = True
        rect = self.scene().itemsBoundingRect()
        if rect.isEmpty():
            return
        rect = rect.adjusted(-40, -40, 40, 40)
        self.setSceneRect(rect.adjusted(-rect.width(), -rect.height(), rect.width(), rect.height()))
        top = self.overlay_top()
        w, h = self.viewport().width(), self.viewport().height() - top
        if w < 50 or h < 50:  # not laid out yet, or the banner fills the view: plain fit
            top, h = 0, self.viewport().height()
        s = min(w / rect.width(), max(h, 1) / rect.height(), FIT_MAX)
        self.resetTransform()
        self.scale(s, s)
        self.centerOn(rect.center() - QPointF(0, top / (2 * s)))

    def overlay_top(self) -> int:
        """Pixels at the top of the view covered by a wide overlay (e.g. the diagnostics banner)."""
        top = 0
        for w in self.findChildren(QFrame, options=Qt.FindDirectChildrenOnly):
            if w is self.palette_widget or not w.isVisible():
                continue
            g = w.geometry()
            if g.top() < 40 and g.width() > 0.3 * self.width() and g.bottom() < 0.6 * self.height():
                top = max(top, g.bottom() + 8)
        return top

    def childEvent(self, event) -> None:
        super().childEvent(event)
        # ChildPolished: by then a Python subclass (e.g. a banner) is fully built
        if (event.added() or event.polished()) and event.child().isWidgetType():
            event.child().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Show, QEvent.Hide, QEvent.Resize) and self.auto_fit \
                and obj is not self.palette_widget and isinstance(obj, QFrame):
            QTimer.singleShot(0, self._refit)
        return super().eventFilter(obj, event)

    def _refit(self) -> None:
        if self.auto_fit:
            self.fit()

    def mousePressEvent(self, event) -> None:
        empty = self.itemAt(event.position().toPoint()) is None
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and empty
                                                  and not event.modifiers() & Qt.ShiftModifier):
            self._pan_from = event.position().toPoint()
            self.auto_fit = False
            self.viewport().setCursor(Qt.ClosedHandCursor)
            if event.button() == Qt.LeftButton:
                self.scene().clearSelection()
            event.accept()
            return
        if event.button() == Qt.LeftButton and empty:
            self.setDragMode(QGraphicsView.RubberBandDrag)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            p = event.position().toPoint()
            d = p - self._pan_from
            self._pan_from = p
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self.setDragMode(QGraphicsView.NoDrag)

    def mouseDoubleClickEvent(self, event) -> None:
        self._pan_from = None
        self.viewport().unsetCursor()
        p = event.position().toPoint()
        if event.button() == Qt.LeftButton and self.itemAt(p) is None:
            self.scene().add_hidden_unit(self.mapToScene(p))  # double-click empty space: a new unit
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # ------------------------------------------------------------------ keys
    def event(self, event) -> bool:
        if event.type() == event.Type.ShortcutOverride and (
                event.matches(QKeySequence.Delete) or event.key() == Qt.Key_Backspace):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and not self._editor.isVisible():
            self.scene().delete_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ inline weight editor
    def open_label_editor(self, item) -> None:
        """Type a new weight (or bias) over an edge's label; Enter applies, Escape cancels."""
        self._editing_key = item.key
        p = self.mapFromScene(item.label_pos())
        self._editor.setText(repr(float(item.value)) if item.value != int(item.value)
                             else str(int(item.value)))
        self._editor.resize(90, self._editor.sizeHint().height())
        self._editor.move(p.x() - 45, p.y() - self._editor.height() // 2)
        self._editor.show()
        self._editor.selectAll()
        self._editor.setFocus()

    def _commit_editor(self) -> None:
        key, self._editing_key = self._editing_key, None
        text = self._editor.text()
        self._editor.hide()
        if key is not None:
            self.scene().commit_value(key, text)
        self.setFocus()

    def _cancel_editor(self) -> None:
        self._editing_key = None
        self._editor.hide()
        self.setFocus()

    @property
    def label_editor(self) -> QLineEdit:
        return self._editor

    # ------------------------------------------------------------------ palette drops
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(UNIT_MIME):
            event.acceptProposedAction()
        elif event.mimeData().hasUrls():
            event.ignore()  # a file: the window opens it (ui/file_drop.py)
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(UNIT_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if event.mimeData().hasFormat(UNIT_MIME):
            pos = self.mapToScene(event.position().toPoint())
            self.scene().add_hidden_unit(pos)
            event.acceptProposedAction()
            return
        super().dropEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        pal = self.palette_widget
        pal.move(max(10, self.width() - pal.width() - 10), max(10, self.height() - pal.height() - 10))
        if self.auto_fit:
            self.fit()

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()
