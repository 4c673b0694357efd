"""File → Open / Open Recent and CSV import on hostile paths (issue 10): one plain message, the open
project unchanged."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

import pytest

from bpstudio.ui import file_actions as fa
from bpstudio.ui.csv_dialog import CsvImportDialog
from bpstudio.ui.settings import StudioSettings
from tests.ui.test_files import Prompts, Window, state

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch):
    prompts = Prompts(monkeypatch)
    w = Window()
    qtbot.addWidget(w)
    settings = StudioSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    actions = fa.FileActions(w, settings, recovery_dir=tmp_path / "recovery")
    actions.build_menu(w.menuBar().addMenu("&File"))
    yield w, actions, prompts, settings
    actions.autosaver.stop()
    w.document.set_modified(False)


def hostile_paths(tmp_path):
    fifo = tmp_path / "pipe.bpstudio"
    os.mkfifo(fifo)
    garbage = tmp_path / "garbage.bpstudio"
    garbage.write_bytes(bytes(range(256)) * 40)
    return {fifo: "it is a named pipe (FIFO), not a project file",
            garbage: "the file is not UTF-8 text, so it is not a project file",
            "/dev/zero": "it is a device, not a project file"}


def test_open_and_open_recent_refuse_a_fifo_and_garbage_in_one_message(studio, tmp_path):
    w, actions, prompts, settings = studio
    before = state(w.document)
    for path, reason in hostile_paths(tmp_path).items():
        prompts.errors.clear()
        prompts.open_path = str(path)
        assert actions.open() is False  # File → Open…
        assert actions.open(str(path)) is False  # Open Recent calls open(path)
        assert len(prompts.errors) == 2
        for title, text in prompts.errors:
            assert title == "Cannot open project" and reason in text and "Traceback" not in text
        assert state(w.document) == before


def test_csv_import_dialog_shows_why_a_fifo_or_garbage_cannot_be_imported(qtbot, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"a,b\n" + bytes(range(128, 256)) * 10)
    for path, reason in ((fifo, "it is a named pipe (FIFO), not a CSV file"),
                         ("/dev/urandom", "it is a device, not a CSV file"),
                         (garbage, "is not text (the studio reads UTF-8 CSV files)")):
        dialog = CsvImportDialog(path=str(path))
        qtbot.addWidget(dialog)
        dialog.load_preview()
        assert reason in dialog.status.text() and dialog.status.text().endswith("Nothing was changed.")
        assert not dialog.import_button.isEnabled()
