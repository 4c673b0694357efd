"""A small palette floating over the canvas: drag a new hidden unit onto the network."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QToolButton, QVBoxLayout

UNIT_MIME = "application/x-bpstudio-unit"


class UnitButton(QToolButton):
    """Starts a drag carrying a new hidden unit."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setText("◯  Hidden unit")
        self.setToolTip("Drag onto the canvas to add a hidden unit\n(connected to the columns on either side)")
        self.setCursor(Qt.OpenHandCursor)
        self._press: QPoint | None = None

    def mousePressEvent(self, event) -> None:
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._press is not None and (event.position().toPoint() - self._press).manhattanLength() \
                >= QApplication.startDragDistance():
            self._press = None
            mime = QMimeData()
            mime.setData(UNIT_MIME, b"hidden")
            drag = QDrag(self)
            drag.setMimeData(mime)
            drag.exec(Qt.CopyAction)
            self.setDown(False)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        self._press = None
        super().mouseReleaseEvent(event)


class Palette(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("canvasPalette")
        self.setStyleSheet(
            "#canvasPalette { background: rgba(255,255,255,230); border: 1px solid #c8ccd4;"
            " border-radius: 6px; } QLabel { color: #555; font-size: 9pt; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 8)
        lay.setSpacing(4)
        lay.addWidget(QLabel("Drag to add"))
        self.unit_button = UnitButton(self)
        lay.addWidget(self.unit_button)
        self.adjustSize()
