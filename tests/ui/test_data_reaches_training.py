"""A cell edited in the Data dock is what the real training (controller → worker thread) uses next,
and a row marked as test leaves the training batch."""

from PySide6.QtCore import Qt

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.presets import load_preset
from bpstudio.training.controller import TrainingController
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow

WAIT = 10_000  # ms, generous on a loaded machine; nothing is timed


@pytest.fixture
def studio(qtbot):
    window = MainWindow(Document(load_preset("article-xor")))
    qtbot.addWidget(window)
    ctl = getattr(window, "controller", None) or TrainingController(window.document, window)
    window.panels.connect_controller(ctl)
    window.show()
    qtbot.waitExposed(window)
    yield window, ctl
    assert ctl.shutdown(), "the training thread did not stop"


def _step(qtbot, ctl):
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.steps >= 1 and s.delta is not None) as blocker:
        ctl.step("batch")
    return blocker.args[0]


def test_an_edited_target_is_what_the_next_step_trains_on(studio, qtbot):
    window, ctl = studio
    model = window.data_panel.model
    assert model.setData(model.index(0, 2), "2", Qt.EditRole)  # y of (0, 0): 0 -> 2
    snap = _step(qtbot, ctl)
    d0 = snap.unit_ids.index(window.document.graph.find("D0").id)
    # the article's first step: y_hat = 4, 7, 7, 10; delta = y_hat - y with the edited y = 2
    assert snap.delta[:, d0].tolist() == [2.0, 6.0, 6.0, 10.0]


def test_a_row_marked_as_test_leaves_the_training_batch(studio, qtbot):
    window, ctl = studio
    panel = window.data_panel
    panel.table.selectRow(3)
    panel.mark_test()
    assert window.document.dataset.train_mask.tolist() == [True, True, True, False]
    snap = _step(qtbot, ctl)
    d0 = snap.unit_ids.index(window.document.graph.find("D0").id)
    assert snap.delta[:, d0].tolist() == [4.0, 6.0, 6.0]  # rows 1-3 only
    assert np.asarray(snap.sample_indices).tolist() == [0, 1, 2]
