"""Ctrl+Z undoes and Ctrl+Shift+Z redoes the last canvas edit, from the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo_an_edit(window):
    g, view = window.document.graph, window.view
    x1, d0 = g.find("X1").id, g.find("D0").id
    before = g.snapshot()
    window.scene.connect_units(x1, d0)
    after = g.snapshot()
    assert g.has_edge(x1, d0)
    view.setFocus()
    QTest.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert not g.has_edge(x1, d0) and g.snapshot() == before
    assert (x1, d0) not in window.scene.edges
    QTest.keyClick(view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert g.has_edge(x1, d0) and g.snapshot() == after
    assert (x1, d0) in window.scene.edges
    assert window.undo_stack.index() == 1 and not window.undo_stack.canRedo()
