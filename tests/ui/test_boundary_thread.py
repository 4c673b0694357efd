"""The decision-boundary grids are made in the training worker's thread, never in the GUI thread."""

import threading

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core import boundary
from bpstudio.core.presets import load_preset
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow

WAIT = 10_000  # ms, generous on a loaded machine; nothing is timed


@pytest.mark.parametrize("preset,spied", [("xor", ("boundary_grid", "unit_grids")),
                                          ("spiral3", ("output_grids", "class_picture", "unit_grids"))])
def test_grids_are_made_off_the_gui_thread(qtbot, monkeypatch, preset, spied):
    threads = []
    for name in spied:
        real = getattr(boundary, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            threads.append((_name, threading.current_thread()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(boundary, name, spy)
    window = MainWindow(Document(load_preset(preset)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    ctl = window.controller
    try:
        for _ in range(3):
            with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                                  check_params_cb=lambda s: s.boundary is not None and s.steps >= 1):
                ctl.step("batch")
        panel = window.panels.boundary
        qtbot.waitUntil(lambda: panel.grid is not None, timeout=WAIT)
        assert {name for name, _ in threads} == set(spied), "every grid was made"
        assert all(t is not threading.main_thread() for _, t in threads)
        assert np.isfinite(panel.grid).all()
    finally:
        assert ctl.shutdown()
