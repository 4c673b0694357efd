"""The step size and the speed are in the Train menu too, with keys (Ctrl+1..4, Ctrl+] / Ctrl+[)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from bpstudio.ui.train_controls import SPEEDS


def test_step_size_keys_and_menu_follow_the_toolbar(window):
    c, ctl = window.train_controls, window.controller
    menu = next(a.menu() for a in window.menus["Train"].actions() if a.menu() is not None)
    assert [a.text() for a in menu.actions()] == ["Step by epoch", "Step by batch", "Step by sample",
                                                  "Step by phase"]
    assert [a.shortcut().toString() for a in menu.actions()] == ["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"]
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_4, Qt.ControlModifier)
    assert ctl.granularity == "phase" and c.step_box.currentData() == "phase"
    assert c.size_actions["phase"].isChecked()
    QTest.keyClick(window.view, Qt.Key_1, Qt.ControlModifier)
    assert ctl.granularity == "epoch" and c.step_box.currentData() == "epoch"
    c.step_box.setCurrentIndex(c.step_box.findData("sample"))  # the toolbar's box: the menu follows
    c.step_box.activated.emit(c.step_box.currentIndex())
    assert ctl.granularity == "sample" and c.size_actions["sample"].isChecked()
    assert not c.size_actions["epoch"].isChecked()


def test_faster_and_slower_keys_move_the_speed_one_notch(window):
    c, ctl = window.train_controls, window.controller
    c.speed_slider.setValue(3)
    assert ctl.speed == SPEEDS[3] == 10
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_BracketRight, Qt.ControlModifier)
    assert ctl.speed == 20 and c.speed_label.text() == "20 steps/s"
    QTest.keyClick(window.view, Qt.Key_BracketLeft, Qt.ControlModifier)
    QTest.keyClick(window.view, Qt.Key_BracketLeft, Qt.ControlModifier)
    assert ctl.speed == 5
    c.speed_slider.setValue(c.speed_slider.maximum())
    c.faster_action.trigger()  # already as fast as possible: stays there
    assert ctl.speed == 0 and c.speed_label.text() == "max speed"
