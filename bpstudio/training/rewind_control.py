"""Rewind on the GUI thread: ask the worker for past epochs (coalesced), branch and unbranch.

Scrubbing asks for many epochs a second; at most one view is on its way at a time, and the newest
wish is sent when it arrives, so the worker never queues up stale views. "Continue from here" is a
:class:`ContinueFromHereCommand` on the document's undo stack.
"""

from __future__ import annotations

import itertools
import weakref

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QUndoCommand

_tokens = itertools.count(1)


class RewindControl(QObject):
    """Between the timeline and the training controller's worker."""

    viewed = Signal(object)  # the snapshot of a past epoch (GUI thread)
    _view = Signal(int, int)
    _branch = Signal(int, int)
    _unbranch = Signal(int)

    def __init__(self, controller, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else controller)
        self.controller = controller
        self._worker = None
        self._asked: int | None = None  # the view on its way
        self._wanted: int | None = None  # the newest view the timeline wants
        self.views_sent = 0  # statistics (tests, benchmark)
        self.sample_of = lambda: -1  # the sample whose worked arithmetic the worker writes out
        self.gui_busy = lambda: False  # True while the GUI is still showing the last view
        controller.view_ready.connect(self._arrived)

    def _connect(self) -> bool:
        """Make sure the worker exists and our signals reach it (once per worker)."""
        c = self.controller
        c._sync()  # the worker, with the document's network (a pending edit goes first)
        w = c._worker
        if w is None:
            return False
        if w is not self._worker:
            self._view.connect(w.view)
            self._branch.connect(w.branch)
            self._unbranch.connect(w.unbranch)
            self._worker = w
            self._asked = None
        return True

    @Slot(int)
    def request_view(self, epoch: int) -> None:
        """Show ``epoch`` (coalesced: only the newest wish is sent, once the last view is back and
        shown)."""
        self._wanted = int(epoch)
        if self._asked is None and not self.gui_busy():
            self._send()

    def _send(self) -> None:
        if self._wanted is None or not self._connect():
            return
        self._asked, self._wanted = self._wanted, None
        self.views_sent += 1
        self._view.emit(self._asked, int(self.sample_of()))

    @Slot(object)
    def _arrived(self, snap) -> None:
        self._asked = None
        self.viewed.emit(snap)
        if self._wanted == snap.viewing_epoch:
            self._wanted = None
        if not self.gui_busy():
            self.flush()

    def flush(self) -> None:
        """Send the newest wish, if any (the GUI has shown the last view: no wasted views)."""
        if self._wanted is not None and self._asked is None:
            self._send()

    @property
    def busy(self) -> bool:
        """True while a view is on its way."""
        return self._asked is not None

    def cancel(self) -> None:
        """Forget the views not sent yet (back to the live state)."""
        self._wanted = None

    def branch(self, epoch: int, token: int) -> None:
        if self._connect():
            self.controller.pause()
            self._branch.emit(int(epoch), int(token))

    def unbranch(self, token: int) -> None:
        if self._connect():
            self.controller.pause()
            self._unbranch.emit(int(token))

    def __repr__(self) -> str:
        return f"RewindControl(asked={self._asked}, wanted={self._wanted}, sent={self.views_sent})"


class ContinueFromHereCommand(QUndoCommand):
    """Branch training from a past epoch; undo brings back the line it left, exactly."""

    def __init__(self, rewind: RewindControl, epoch: int) -> None:
        super().__init__(f"Continue from epoch {epoch}")
        self._rewind = weakref.ref(rewind)  # held weakly, like the document (see DEVELOPERS.md)
        self.epoch = int(epoch)
        self.token = next(_tokens)

    def redo(self) -> None:
        rewind = self._rewind()
        if rewind is not None:
            rewind.branch(self.epoch, self.token)

    def undo(self) -> None:
        rewind = self._rewind()
        if rewind is not None:
            rewind.unbranch(self.token)
