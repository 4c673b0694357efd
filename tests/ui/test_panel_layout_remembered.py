"""The panel docks' layout (which are shown, which float) comes back at the next start."""

import pyqtgraph as pg  # noqa: F401

from bpstudio.ui.main_window import MainWindow


def test_hidden_and_floating_panels_come_back_as_they_were(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("BPSTUDIO_SETTINGS", str(tmp_path / "studio.ini"))  # not the shared store
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.docks["gradients"].close()  # the dock's own close button
    first.docks["boundary"].setFloating(True)
    assert first.close()
    second = MainWindow()  # the same settings file
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    assert second.docks["gradients"].isHidden()
    assert not second.docks["gradients"].toggleViewAction().isChecked()  # View menu agrees
    assert second.docks["boundary"].isFloating()
    assert not second.docks["loss"].isHidden() and not second.docks["loss"].isFloating()
    second.docks["boundary"].setFloating(False)
    second.file_actions.autosaver.stop()
    second.controller.shutdown()
