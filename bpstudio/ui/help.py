"""Help: the keyboard shortcuts (read from the window's real actions) and About."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import bpstudio

# mouse and canvas gestures that are not menu actions
GESTURES: tuple[tuple[str, str], ...] = (
    ("Drag a unit", "Move it (edges follow)"),
    ("Drag from a unit to a deeper unit", "Connect them"),
    ("Double-click a weight or bias", "Edit its value"),
    ("Mouse wheel on the canvas", "Zoom"),
)

ABOUT_HTML = (
    "<h3>Backprop Studio {version}</h3>"
    "<p>Build a small neural network, press Step, and watch the error flow backward, node by "
    "node, with the real arithmetic beside it.</p>"
    "<p>Conventions: E = ½(ŷ − y)² summed over outputs (or binary cross-entropy); the delta of "
    "a unit is ∂E/∂(its net input); a batch's loss and gradients are means over the batch; "
    "W := W − α·∂E/∂W.</p>"
    "<p>The worked example follows the seed article, corrected: its delta had the wrong sign, "
    "so its updates climbed the loss.</p>"
    "<p>Built with PySide6 (Qt {qt}), pyqtgraph and numpy. MIT licence.</p>"
)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("...", "…")


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(action, key sequence) for every action of ``window`` that has a shortcut, sorted by name."""
    rows: dict[str, str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        keys = [k for k in keys if k]
        name = _plain(action.text()).strip()
        if keys and name:
            rows.setdefault(name, ", ".join(keys))
    return sorted(rows.items(), key=lambda r: r[0].lower())


class ShortcutsDialog(QDialog):
    """A two-column table: what, then how."""

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window) + list(GESTURES)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys / gesture"])
        for r, (name, keys) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(name))
            self.table.setItem(r, 1, QTableWidgetItem(keys))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(480, 420)


def about_html() -> str:
    from PySide6 import __version__ as qt_version

    return ABOUT_HTML.format(version=bpstudio.__version__, qt=qt_version)


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About Backprop Studio", about_html())


def show_shortcuts(window: QWidget) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.show()
    return dialog


def install_help_menu(window, menu, driver) -> dict:
    """Help → Guided tour, Keyboard shortcuts (above the window's About, which shows ours)."""
    from .tour import TourDialog

    first = menu.actions()[0] if menu.actions() else None
    tour = QAction("Guided &tour…", window)
    keys = QAction("&Keyboard shortcuts", window)
    keys.setShortcut(QKeySequence("F1"))
    state: dict = {}

    def open_tour() -> None:
        dialog = state.get("tour")
        if dialog is None:
            dialog = state["tour"] = TourDialog(driver, window)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    tour.triggered.connect(open_tour)
    keys.triggered.connect(lambda: state.__setitem__("keys", show_shortcuts(window)))
    for action in (tour, keys):
        menu.insertAction(first, action) if first is not None else menu.addAction(action)
    about = getattr(window, "act", {}).get("about")
    if about is not None:  # the window's own About: show the fuller text
        about.triggered.disconnect()
        about.triggered.connect(lambda: show_about(window))
    else:
        menu.addAction("&About Backprop Studio", lambda: show_about(window))
    return {"tour": tour, "shortcuts": keys, "state": state, "open_tour": open_tour}
