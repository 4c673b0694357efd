"""Arrows and Space stay with a focused table, slider or button; elsewhere they play and step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QTableView

from bpstudio.ui.key_guard import KeyGuard, claimed_keys


def spy(window, monkeypatch) -> list[str]:
    calls: list[str] = []
    ctl = window.controller
    monkeypatch.setattr(ctl, "step", lambda *a, **k: calls.append("step"))
    monkeypatch.setattr(ctl, "step_back", lambda *a, **k: calls.append("back"))
    monkeypatch.setattr(ctl, "play", lambda *a, **k: calls.append("play"))
    return calls


def focus(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def test_arrows_and_space_in_the_data_table_stay_in_the_table(window, qtbot, monkeypatch):
    calls = spy(window, monkeypatch)
    window.docks["data"].raise_()
    table = next(t for t in window.docks["data"].findChildren(QTableView) if t.isVisible())
    focus(qtbot, table)
    table.setCurrentIndex(table.model().index(0, 0))
    QTest.keyClick(table, Qt.Key_Right)
    assert table.currentIndex().column() == 1  # the cell cursor moved ...
    QTest.keyClick(table, Qt.Key_Left)
    assert table.currentIndex().column() == 0
    QTest.keyClick(table, Qt.Key_Space)
    assert calls == []  # ... and training did not step, step back or play


def test_the_speed_slider_keeps_its_arrows(window, qtbot, monkeypatch):
    calls = spy(window, monkeypatch)
    slider = window.train_controls.speed_slider
    slider.setValue(3)
    focus(qtbot, slider)
    QTest.keyClick(slider, Qt.Key_Right)
    assert slider.value() == 4 and window.controller.speed == 20 and calls == []


def test_space_presses_a_focused_button(window, qtbot, monkeypatch):
    calls = spy(window, monkeypatch)
    window.docks["data"].raise_()
    button = next(b for b in window.docks["data"].findChildren(QPushButton) if b.isVisible())
    clicked = []
    button.clicked.connect(lambda: clicked.append(True))
    focus(qtbot, button)
    QTest.keyClick(button, Qt.Key_Space)
    assert clicked == [True] and calls == []


def test_on_the_canvas_the_keys_still_play_and_step(window, qtbot, monkeypatch):
    calls = spy(window, monkeypatch)
    focus(qtbot, window.view)
    QTest.keyClick(window.view, Qt.Key_Right)
    QTest.keyClick(window.view, Qt.Key_Left)
    QTest.keyClick(window.view, Qt.Key_Space)
    assert calls == ["step", "back", "play"]
    assert claimed_keys(window.view) == frozenset()
    assert isinstance(window.key_guard, KeyGuard) and window.key_guard.guarded == 0
