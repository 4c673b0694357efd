"""The File menu's commands say what they do in the status bar."""

import pyqtgraph as pg  # noqa: F401

from bpstudio.ui.file_tips import tip_for
from bpstudio.ui.main_window import MainWindow


def test_every_file_command_has_a_status_tip(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    actions = w.file_actions
    tips = {key: a.statusTip() for key, a in actions.actions.items()}
    assert {"new", "open", "save", "save_as", "revert", "preset:xor"} <= set(tips)
    assert [k for k, t in tips.items() if len(t) < 15] == []
    assert "unsaved" in tips["open"] and "xor preset" in tips["preset:xor"]
    file_menu = {a.text(): a.statusTip() for a in w.menus["File"].actions()}
    assert file_menu["&Save"] == tips["save"] and file_menu["Re&vert to Saved"] == tips["revert"]
    actions.autosaver.stop()


def test_an_unknown_command_has_no_tip():
    assert tip_for("nothing") == ""
