"""Help menu of the real window: the tour, the shortcuts (F1) and About, each reachable and working."""

from PySide6.QtWidgets import QMessageBox

import pyqtgraph as pg  # noqa: F401

from bpstudio import __version__
from bpstudio.ui.main_window import MainWindow


def _help_actions(window):
    return {a.text(): a for a in window.menus["Help"].actions() if not a.isSeparator()}


def test_help_menu_lists_the_tour_the_shortcuts_and_about(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    actions = _help_actions(w)
    assert list(actions) == ["Guided &tour…", "&Keyboard shortcuts", "&About Backprop Studio"]
    assert actions["&Keyboard shortcuts"].shortcut().toString() == "F1"
    w.file_actions.autosaver.stop()


def test_about_shows_the_version_and_the_conventions(qtbot, monkeypatch):
    w = MainWindow()
    qtbot.addWidget(w)
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append(
        (parent, title, text))))
    _help_actions(w)["&About Backprop Studio"].trigger()
    assert len(shown) == 1  # once: the window's short text was replaced, not shown as well
    parent, title, text = shown[0]
    assert parent is w and title == "About Backprop Studio"
    assert f"Backprop Studio {__version__}" in text and "E = ½(ŷ − y)²" in text and "W := W − α·∂E/∂W" in text
    w.file_actions.autosaver.stop()


def test_keyboard_shortcuts_opens_a_table_of_the_windows_keys(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    _help_actions(w)["&Keyboard shortcuts"].trigger()
    dialog = w.file_actions.help["state"]["keys"]
    qtbot.addWidget(dialog)
    rows = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
            for r in range(dialog.table.rowCount())}
    assert rows["Save"] == "Ctrl+S" and rows["Undo"] == "Ctrl+Z" and rows["Drag a unit"].startswith("Move")
    dialog.close()
    w.file_actions.autosaver.stop()
