"""Redraw a panel at once for a quiet snapshot, at most every ``interval`` while training runs.

Snapshots arrive up to 30 times a second; a panel takes every one of them into its data at once
(cheap numpy work) but repaints at most ten times a second while training runs. A paused, stepped
or finished state is drawn straight away, so what the learner stops on is always exact.
"""

from __future__ import annotations

from typing import Callable

from PySide6 import QtCore

REDRAW_MS = 100


class Redraw(QtCore.QObject):
    """``request(running)`` → ``draw()`` now (quiet) or once the interval has passed (running)."""

    def __init__(self, draw: Callable[[], None], interval_ms: int = REDRAW_MS,
                 parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.draw = draw
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._fire)
        self.pending = False

    def request(self, running: bool) -> None:
        if running:
            self.pending = True
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.timer.stop()
            self.pending = False
            self.draw()

    @QtCore.Slot()
    def _fire(self) -> None:
        if self.pending:
            self.pending = False
            self.draw()

    def flush(self) -> None:
        """Draw now what is waiting (tests, and a panel that becomes visible)."""
        if self.pending:
            self.timer.stop()
            self._fire()

    def __repr__(self) -> str:
        return f"Redraw(pending={self.pending}, every {self.timer.interval()} ms)"
