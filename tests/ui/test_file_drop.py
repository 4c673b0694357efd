"""Dropping a file on the window (issue 10): a project opens, a CSV opens the import dialog, and a
hostile drop gets one plain message with the open project unchanged."""

from __future__ import annotations

import os

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

import pytest

from bpstudio.core import fileformat
from bpstudio.core.presets import load_preset
from bpstudio.ui import csv_dialog
from tests.ui.test_files import Prompts, state


def mime(*paths) -> QMimeData:
    m = QMimeData()
    m.setUrls([p if isinstance(p, QUrl) else QUrl.fromLocalFile(str(p)) for p in paths])
    return m


def drop_on(widget, data: QMimeData) -> QDropEvent:
    """A real drag-enter then drop event, delivered through Qt's event system."""
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    try:  # PySide6 6.12 takes a QPointF (its QPoint form is deprecated); 6.11 only a QPoint
        enter = QDragEnterEvent(pos, Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    except TypeError:
        enter = QDragEnterEvent(pos.toPoint(), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the window takes file drags"
    event = QDropEvent(pos, Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, event)
    return event


@pytest.fixture
def prompts(monkeypatch):
    return Prompts(monkeypatch)


def test_a_dropped_project_opens(window, prompts, tmp_path):
    path = tmp_path / "dropped.bpstudio"
    fileformat.save(load_preset("iris"), path)
    drop_on(window, mime(path))
    assert window.document.path == path and window.document.dataset.n_samples == 150
    assert not prompts.errors


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_hostile_drops_get_one_message_and_change_nothing(window, prompts, tmp_path):
    fifo = tmp_path / "pipe.bpstudio"
    os.mkfifo(fifo)
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(bytes(range(256)) * 10)
    before = state(window.document)
    for path, reason in ((fifo, "named pipe"), (garbage, "not UTF-8"), ("/dev/zero", "device")):
        prompts.errors.clear()
        drop_on(window, mime(path))
        assert len(prompts.errors) == 1 and reason in prompts.errors[0][1]
        assert state(window.document) == before


def test_two_files_or_a_web_address_are_refused_on_the_status_bar(window, prompts, tmp_path):
    before = state(window.document)
    a, b = tmp_path / "a.bpstudio", tmp_path / "b.bpstudio"
    drop_on(window, mime(a, b))
    assert "2 files were dropped" in window.statusBar().currentMessage()
    drop_on(window, mime(QUrl("https://example.org/net.bpstudio")))
    assert "not a file on this computer" in window.statusBar().currentMessage()
    assert state(window.document) == before and not prompts.errors


def test_a_dropped_csv_opens_the_import_dialog_on_it(window, prompts, tmp_path, monkeypatch):
    path = tmp_path / "rows.csv"
    path.write_text("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
    shown = []

    def exec_(dialog):
        shown.append((dialog.path_edit.text(), dialog.status.text()))
        return 0  # the learner closes it: nothing changes

    monkeypatch.setattr(csv_dialog.CsvImportDialog, "exec", exec_)
    before = state(window.document)
    drop_on(window, mime(path))
    assert shown and shown[0][0] == str(path) and "rows.csv" in shown[0][1]
    assert state(window.document) == before


def test_a_file_dragged_over_the_canvas_reaches_the_window(window, prompts, tmp_path):
    path = tmp_path / "over-canvas.bpstudio"
    fileformat.save(load_preset("xor"), path)
    drop_on(window.view.viewport(), mime(path))
    assert window.document.path == path
