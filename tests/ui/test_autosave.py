"""Autosave: a recovery file while modified, none when clean, offered back only after a crash."""

from __future__ import annotations

import json
import os
import subprocess

from bpstudio.ui.autosave import INTERVAL_MS, Autosaver, find_recoveries, pid_alive, write_recovery


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert not pid_alive(proc.pid)
    return proc.pid


class FakeDocument:
    def __init__(self):
        self.modified = False
        self.text = '{"project": 1}'

    def snapshot(self):
        return (self.text, "mine", "/home/me/mine.json") if self.modified else None


def test_writes_only_while_modified_and_discard_removes(qtbot, tmp_path):
    doc = FakeDocument()
    saver = Autosaver(doc.snapshot, directory=tmp_path)
    assert saver.timer.interval() == INTERVAL_MS == 60_000
    assert saver.tick() is False and not saver.file.exists()
    doc.modified = True
    assert saver.tick() is True
    record = json.loads(saver.file.read_text())
    assert record["project"] == doc.text and record["name"] == "mine"
    assert record["original_path"] == "/home/me/mine.json" and record["pid"] == os.getpid()
    doc.text = '{"project": 2}'
    saver.tick()
    assert json.loads(saver.file.read_text())["project"] == '{"project": 2}'
    assert [p.name for p in tmp_path.iterdir()] == [saver.file.name]  # no temporary left
    saver.discard()
    assert not saver.file.exists()
    saver.discard()  # twice is fine


def test_timer_fires_the_write(qtbot, tmp_path):
    doc = FakeDocument()
    doc.modified = True
    saver = Autosaver(doc.snapshot, interval_ms=20, directory=tmp_path)
    with qtbot.waitSignal(saver.saved, timeout=5000) as blocker:
        saver.start()
    saver.stop()
    assert blocker.args == [str(saver.file)] and saver.file.exists()


def test_a_failing_snapshot_is_reported_not_raised(qtbot, tmp_path):
    def broken():
        raise RuntimeError("disk on fire")

    saver = Autosaver(broken, directory=tmp_path)
    with qtbot.waitSignal(saver.failed, timeout=1000) as blocker:
        assert saver.tick() is False
    assert "disk on fire" in blocker.args[0]


def test_only_files_of_dead_processes_are_offered(tmp_path):
    mine = write_recovery(tmp_path, "{}", "running", None)  # this process: still running
    old = write_recovery(tmp_path, '{"a": 1}', "crashed", "/x/y.json", pid=dead_pid())
    (tmp_path / "recovery-999.json").write_text("{half a file")
    found = find_recoveries(tmp_path)
    assert [r.file for r in found] == [old]
    assert found[0].name == "crashed" and found[0].original_path == "/x/y.json"
    assert found[0].text == '{"a": 1}' and "crashed" in found[0].describe()
    assert mine.exists() and not (tmp_path / "recovery-999.json").exists()  # damaged one removed
    found[0].discard()
    assert find_recoveries(tmp_path) == []
    assert find_recoveries(tmp_path / "missing") == []


def test_hostile_recovery_files_never_hang_and_damaged_ones_go(tmp_path, monkeypatch):
    """Recovery files are read like project files: a FIFO is skipped (not opened, not removed),
    an oversized, foreign or absurd record is dropped, a good one is still offered."""
    import bpstudio.ui.autosave as autosave

    good = write_recovery(tmp_path, "{}", "good", None, pid=dead_pid())
    fifo = tmp_path / "recovery-1001.json"
    os.mkfifo(fifo)  # opening it for reading would block until a writer came
    monkeypatch.setattr(autosave, "MAX_RECOVERY_BYTES", 2000)
    big = tmp_path / "recovery-1002.json"
    big.write_text(json.dumps({"pid": dead_pid(), "saved_at": 1.0, "name": "x", "project": "y" * 5000}))
    huge_int = tmp_path / "recovery-1003.json"
    huge_int.write_text('{"pid": ' + "9" * 400 + ', "saved_at": 1, "name": "x", "project": "{}"}')
    listed = tmp_path / "recovery-1004.json"
    listed.write_text("[1, 2, 3]")
    found = find_recoveries(tmp_path)
    assert [r.file for r in found] == [good]
    assert fifo.exists() and not big.exists() and not huge_int.exists() and not listed.exists()


def test_a_recovered_csv_reference_is_read_beside_the_original_project(tmp_path):
    from bpstudio.core import fileformat
    from bpstudio.core.presets import load_preset

    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "rows.csv").write_text("X1,X2,Y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
    data = json.loads(fileformat.dumps(load_preset("xor")))
    data["dataset"] = {"csv": "rows.csv", "input_columns": ["X1", "X2"], "target_columns": ["Y"]}
    write_recovery(tmp_path, json.dumps(data), "mine", str(folder / "mine.bpstudio"), pid=dead_pid())
    (rec,) = find_recoveries(tmp_path)
    project = rec.project()  # the test runs from the checkout, not from `folder`
    assert project.dataset.source["csv"] == str(folder / "rows.csv")
    assert project.dataset.Y[:, 0].tolist() == [0, 1, 1, 0]


def test_newest_recovery_first(tmp_path):
    a = write_recovery(tmp_path, "{}", "a", None, pid=dead_pid())
    b = write_recovery(tmp_path, "{}", "b", None, pid=dead_pid())
    rec = json.loads(a.read_text())
    rec["saved_at"] -= 100
    a.write_text(json.dumps(rec))
    assert [r.name for r in find_recoveries(tmp_path)] == ["b", "a"]
    assert b.exists()


CRASHING_STUDIO = r'''
import os, signal, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
import pyqtgraph  # noqa: F401
from bpstudio.ui.main_window import MainWindow
from bpstudio.ui.canvas.commands import SetBiasCommand
w = MainWindow()
g = w.document.graph
w.document.undo_stack.push(SetBiasCommand(g, g.find("D0").id, -3.5))
assert w.file_actions.autosaver.tick()
print(w.file_actions.autosaver.file, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # a crash: no clean exit, no chance to tidy up
'''


def test_a_killed_studio_leaves_work_that_the_next_start_recovers(qtbot, tmp_path, monkeypatch):
    import sys

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMainWindow

    from bpstudio.core.presets import load_preset
    from bpstudio.ui import file_actions as fa
    from bpstudio.ui.document import Document
    from bpstudio.ui.settings import StudioSettings

    env = dict(os.environ, BPSTUDIO_RECOVERY_DIR=str(tmp_path), BPSTUDIO_SETTINGS=str(tmp_path / "s.ini"))
    proc = subprocess.run([sys.executable, "-c", CRASHING_STUDIO], env=env, capture_output=True,
                          text=True, timeout=120, cwd=os.getcwd())
    assert proc.returncode == -9, proc.stderr[-2000:]
    left = tmp_path / os.path.basename(proc.stdout.strip())
    assert left.exists()

    window = QMainWindow()
    window.document = Document(load_preset("article-xor"))
    qtbot.addWidget(window)
    asked = []
    monkeypatch.setattr(fa, "ask_recover", lambda parent, text: asked.append(text) or True)
    actions = fa.FileActions(window, StudioSettings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat)),
                             recovery_dir=tmp_path)
    assert actions.offer_recovery()
    assert window.document.graph.find("D0").bias == -3.5 and window.document.modified
    assert not left.exists() and len(asked) == 1
    actions.autosaver.stop()
    actions.autosaver.discard()
