"""File → Open reads off the GUI thread: the window keeps answering, progress is reported, Cancel
stops the reader and leaves the open project as it was (issue 10)."""

from __future__ import annotations

import json
import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

import numpy as np
import pytest

from bpstudio.core import fileformat
from bpstudio.core.presets import load_preset
from bpstudio.core.progress import Cancelled, checkpoint, reporting
from bpstudio.ui import file_loader
from tests.ui import test_hostile_files
from tests.ui.test_files import state

studio = test_hostile_files.studio  # the fixture: a window, its file actions, prompts, settings
ROWS = 300_000  # a CSV big enough that parsing it takes far longer than one event-loop turn


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    """A project whose dataset is a 300,000-row CSV next to it."""
    folder = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (ROWS, 2))
    rows = "\n".join(f"{a},{b},{a ^ b}" for a, b in X)
    csv = folder / "rows.csv"
    csv.write_text("X1,X2,Y\n" + rows + "\n", encoding="utf-8")
    project = load_preset("xor")
    path = folder / "big.bpstudio"
    data = json.loads(fileformat.dumps(project))
    data["dataset"] = {"csv": "rows.csv", "input_columns": ["X1", "X2"], "target_columns": ["Y"]}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert fileformat.load(path).dataset.n_samples == ROWS  # a valid project
    return path


def test_the_window_answers_while_a_big_project_is_read_and_progress_is_shown(studio, big_project, monkeypatch):
    w, actions, prompts, _ = studio
    stages, values = [], []
    real_label, real_value = QProgressDialog.setLabelText, QProgressDialog.setValue

    def label(self, text):
        stages.append((text, threading.current_thread() is threading.main_thread()))
        real_label(self, text)

    def value(self, v):
        values.append((v, threading.current_thread() is threading.main_thread()))
        real_value(self, v)

    monkeypatch.setattr(QProgressDialog, "setLabelText", label)
    monkeypatch.setattr(QProgressDialog, "setValue", value)
    ticks = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.append(1))  # GUI-thread timer: runs only if the GUI is free
    timer.start()
    try:
        assert actions.load(str(big_project))
    finally:
        timer.stop()
    assert w.document.dataset.n_samples == ROWS
    assert len(ticks) > 1, "the GUI thread kept turning its event loop while the file was read"
    names = {s for s, _ in stages}
    assert "Reading big.bpstudio…" in names and "Reading the rows of rows.csv…" in names
    shown = [v for v, _ in values]
    assert max(shown) > 0 and max(shown) < file_loader.STEPS  # a measured stage moved the bar
    assert all(on_gui for _, on_gui in stages + values)  # the dialog is only touched by the GUI thread


def test_cancel_stops_the_reader_and_keeps_the_open_project(studio, big_project, monkeypatch):
    w, actions, prompts, _ = studio
    before = state(w.document)
    monkeypatch.setattr(file_loader, "SHOW_AFTER_MS", 0)
    pressed = []

    def press_cancel():
        dialogs = w.findChildren(QProgressDialog)
        if not dialogs:
            QTimer.singleShot(5, press_cancel)
            return
        pressed.append(dialogs[0].labelText())
        dialogs[0].findChild(QPushButton).click()  # the learner presses Cancel

    QTimer.singleShot(0, press_cancel)
    assert actions.load(str(big_project)) is False
    assert pressed and state(w.document) == before
    assert not prompts.errors  # a cancel is not an error
    assert "cancelled" in w.messages[-1] and "unchanged" in w.messages[-1]
    assert all(not d.isVisible() for d in w.findChildren(QProgressDialog))  # closed (deleted later)


def test_a_pre_set_cancel_raises_at_the_first_checkpoint(qtbot, big_project):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        file_loader.read_project(None, str(big_project), cancel)


def test_checkpoints_outside_a_worker_report_to_nobody():
    checkpoint("anything", 0.5)  # no reporting block: nothing happens
    seen = []
    with reporting(lambda s, f: seen.append((s, f)), lambda: False):
        checkpoint("a", 0.25)
    checkpoint("b", 1.0)
    assert seen == [("a", 0.25)]
