"""Never lose work: a recovery file written every minute while the project has unsaved changes.

Each running studio writes ``recovery-<pid>.json`` in the recovery folder (atomic: a temporary file,
then ``os.replace``). A clean save or a clean exit removes it. At the next start, recovery files left
by processes that are no longer running are work a crash would have lost: the studio offers them
back. Files of another studio still running are left alone.

``BPSTUDIO_RECOVERY_DIR`` chooses the folder (tests); otherwise Qt's per-user application data folder.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal, Slot

from bpstudio.core.fileformat_checks import MAX_BYTES as MAX_PROJECT_BYTES
from bpstudio.core.safe_read import UnsafeFile, check_regular, json_loads, read_text

RECOVERY_FORMAT = 1
INTERVAL_MS = 60_000
PREFIX = "recovery-"
MAX_RECOVERY_BYTES = 2 * MAX_PROJECT_BYTES + 4096  # a project, JSON-escaped inside the record


def recovery_dir() -> Path:
    """``BPSTUDIO_RECOVERY_DIR`` if set; a private folder when headless; else the user's data folder."""
    from .settings import headless, private_dir

    env = os.environ.get("BPSTUDIO_RECOVERY_DIR")
    if env:
        return Path(env)
    if headless():
        return private_dir() / "recovery"
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".bpstudio") / "recovery"


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: alive
        return True
    except OSError:
        return False
    return True


@dataclass
class Recovery:
    """One recovery file found at start-up."""

    file: Path
    pid: int
    saved_at: float
    original_path: str | None
    name: str
    text: str  # the project, in the project-file format

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        where = f" (from {self.original_path})" if self.original_path else " (never saved)"
        return f"“{self.name}”{where}, autosaved {when}"

    def project(self):
        """The recovered project; raises ``ProjectFileError`` when the file was damaged."""
        from bpstudio.core import fileformat

        base = Path(self.original_path).parent if self.original_path else None
        return fileformat.loads(self.text, base, check_widths=False)  # a CSV beside the original

    def discard(self) -> None:
        try:
            self.file.unlink()
        except FileNotFoundError:
            pass

    def __repr__(self) -> str:
        return f"Recovery({self.file.name}, pid={self.pid}, {self.name!r})"


def write_recovery(directory: Path, project_text: str, name: str, original_path: str | None,
                   pid: int | None = None) -> Path:
    """Write one recovery file atomically; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    pid = os.getpid() if pid is None else pid
    target = directory / f"{PREFIX}{pid}.json"
    record = {"bpstudio_recovery": RECOVERY_FORMAT, "pid": pid, "saved_at": time.time(),
              "original_path": original_path, "name": name, "project": project_text}
    tmp = target.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def find_recoveries(directory: Path | None = None) -> list[Recovery]:
    """Recovery files whose studio is no longer running, newest first (damaged ones are removed)."""
    directory = directory or recovery_dir()
    found: list[Recovery] = []
    if not directory.is_dir():
        return found
    for file in directory.glob(f"{PREFIX}*.json"):
        try:
            check_regular(file, "recovery file")
        except (UnsafeFile, OSError):
            continue  # a pipe, a device or a folder by that name: never read, never removed
        try:
            record = json_loads(read_text(file, MAX_RECOVERY_BYTES, "recovery file"))
            if not isinstance(record, dict):
                raise TypeError("not a recovery record")
            pid = int(record["pid"])
            rec = Recovery(file, pid, float(record["saved_at"]), record.get("original_path"),
                           str(record.get("name") or "untitled"), str(record["project"]))
        except (OSError, ValueError, KeyError, TypeError):
            file.unlink(missing_ok=True)  # half-written or foreign: nothing to offer
            continue
        if not pid_alive(rec.pid):
            found.append(rec)
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found


class Autosaver(QObject):
    """Every ``interval_ms``, writes the project to this process's recovery file if it is modified.

    ``snapshot`` returns ``(project_text, name, original_path)`` or None when there is nothing
    unsaved; the window wires it to its document. Call :meth:`discard` after a clean save or exit.
    """

    saved = Signal(str)  # the recovery file written
    failed = Signal(str)  # a plain-words reason

    def __init__(self, snapshot: Callable[[], tuple[str, str, str | None] | None],
                 interval_ms: int = INTERVAL_MS, directory: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshot = snapshot
        self.directory = Path(directory) if directory is not None else recovery_dir()
        self.file = self.directory / f"{PREFIX}{os.getpid()}.json"
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.writes = 0

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @Slot()
    def tick(self) -> bool:
        """Write the recovery file now if there are unsaved changes; True when written."""
        try:
            snap = self._snapshot()
            if snap is None:
                return False
            text, name, original = snap
            write_recovery(self.directory, text, name, original)
        except Exception as exc:  # noqa: BLE001 - autosave must never take the studio down
            self.failed.emit(f"Autosave failed: {exc}")
            return False
        self.writes += 1
        self.saved.emit(str(self.file))
        return True

    @Slot()
    def discard(self) -> None:
        """Remove this process's recovery file (after a save or a clean exit)."""
        self.file.unlink(missing_ok=True)
        self.file.with_suffix(".json.tmp").unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"Autosaver({self.file}, every {self.timer.interval() // 1000} s, writes={self.writes})"
