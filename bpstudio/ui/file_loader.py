"""Read a project file off the GUI thread, with a progress dialog and Cancel.

``read_project(parent, path)`` returns the Project, or raises ProjectFileError (a bad file) or
Cancelled (the user pressed Cancel). The reading runs in a worker thread; the GUI thread waits in
a local event loop, so the window repaints and the dialog answers meanwhile. The dialog appears only
when reading takes longer than ``SHOW_AFTER_MS`` (most projects open at once). Cancel stops the
reader at its next chunk (:mod:`bpstudio.core.progress`); nothing it read is used.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from bpstudio.core import fileformat
from bpstudio.core.progress import Cancelled, reporting

SHOW_AFTER_MS = 400
STEPS = 1000  # the dialog's range: fractions are shown to 0.1 %


class _ReadJob(QObject):
    """Lives in the reading thread: reads once, reports progress, then says it is done."""

    progressed = Signal(str, float)  # stage, fraction (−1: not known)
    done = Signal()

    def __init__(self, path: str, cancel: threading.Event) -> None:
        super().__init__()
        self.path, self.cancel = path, cancel
        self.project = None
        self.error: BaseException | None = None

    @Slot()
    def run(self) -> None:
        try:
            with reporting(self._progress, self.cancel.is_set):
                self.project = fileformat.load(self.path, check_widths=False)
        except BaseException as exc:  # handed to the GUI thread, raised there
            self.error = exc
        self.done.emit()

    def _progress(self, stage: str, fraction: float | None) -> None:
        self.progressed.emit(stage, -1.0 if fraction is None else float(fraction))


class _Waiter(QObject):
    """GUI-thread end of the job: moves the dialog and ends the local loop (slots, not lambdas)."""

    def __init__(self, dialog: QProgressDialog, loop: QEventLoop, cancel: threading.Event) -> None:
        super().__init__()
        self.dialog, self.loop, self.cancel = dialog, loop, cancel

    @Slot(str, float)
    def show_progress(self, stage: str, fraction: float) -> None:
        self.dialog.setLabelText(stage[:1].upper() + stage[1:] + "…")
        if fraction < 0:
            self.dialog.setRange(0, 0)  # busy: the stage has no measure
        else:
            self.dialog.setRange(0, STEPS)
            self.dialog.setValue(min(int(fraction * STEPS), STEPS - 1))

    @Slot()
    def cancelled(self) -> None:
        self.cancel.set()
        self.dialog.setLabelText("Cancelling…")

    @Slot()
    def finished(self) -> None:
        self.loop.quit()


def read_project(parent: QWidget | None, path: str, cancel: threading.Event | None = None):
    """The project at ``path``, read in a worker thread while the GUI stays live (see module doc)."""
    cancel = cancel or threading.Event()
    dialog = QProgressDialog(f"Opening {path}…", "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Opening project")
    dialog.setWindowModality(Qt.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    dialog.setValue(0)  # starts the minimum-duration clock
    loop = QEventLoop()
    waiter = _Waiter(dialog, loop, cancel)
    job = _ReadJob(str(path), cancel)
    thread = QThread()
    thread.setObjectName("project-reader")
    job.moveToThread(thread)
    thread.started.connect(job.run)
    job.progressed.connect(waiter.show_progress)
    job.done.connect(waiter.finished)
    dialog.canceled.connect(waiter.cancelled)
    thread.start()
    loop.exec()  # returns when the job is done (its `done` is queued to this thread)
    thread.quit()
    thread.wait()
    dialog.canceled.disconnect(waiter.cancelled)  # closing a QProgressDialog emits `canceled`
    dialog.close()
    dialog.deleteLater()
    job.deleteLater()
    if job.error is not None:
        raise job.error
    if cancel.is_set():  # cancelled after the last checkpoint: still not used
        raise Cancelled(str(path))
    return job.project
