"""Redraw a panel at once for a quiet snapshot, and sparingly while training runs.

Snapshots arrive up to 30 times a second; a panel takes every one of them into its data at once
(cheap numpy work) but, while training runs, redraws only after ``max(interval, BUDGET × the cost
of its last draw)``: at most 10 times a second, and never more than ~1/BUDGET of the GUI thread
(a 10⁶-epoch loss curve that takes 25 ms to draw is redrawn about twice a second). A paused,
stepped or finished state is drawn straight away, so what the learner stops on is always exact.
A running redraw of a panel the learner cannot see (a dock behind another tab, a closed dock, while
its window is shown) waits until the panel is shown again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6 import QtCore

REDRAW_MS = 100
BUDGET = 20.0  # while running, wait at least 20 × a draw's own cost: ≤ 5 % of the GUI per panel


class Redraw(QtCore.QObject):
    """``request(running)`` → ``draw()`` now (quiet) or once the interval has passed (running)."""

    def __init__(self, draw: Callable[[], None], interval_ms: int = REDRAW_MS,
                 parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._draw = draw
        self.min_interval = interval_ms
        self.cost = 0.0  # seconds the last draws took (smoothed)
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._fire)
        self.pending = False
        self.draws = 0  # statistics (benchmark): how many draws, and their total time
        self.draw_time = 0.0
        self.skipped = 0  # running redraws put off because the panel was hidden
        self._watching = None
        if isinstance(parent, QtCore.QObject) and hasattr(parent, "isVisible"):
            parent.installEventFilter(self)  # a Show draws what waited while hidden
            self._watching = parent

    def draw(self) -> None:
        t0 = time.perf_counter()
        self._draw()
        took = time.perf_counter() - t0
        self.draws += 1
        self.draw_time += took
        self.cost = took if self.cost == 0.0 else 0.7 * self.cost + 0.3 * took
        self.timer.setInterval(max(self.min_interval, int(BUDGET * self.cost * 1000)))

    def request(self, running: bool) -> None:
        if running:
            self.pending = True
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.timer.stop()
            self.pending = False
            self.draw()

    def hidden(self) -> bool:
        """True when the panel's window is shown but the panel is not (a hidden tab or dock)."""
        w = self._watching
        if w is None:
            return False
        try:
            return w.window().isVisible() and not w.isVisible()
        except RuntimeError:  # the widget is gone
            return False

    @QtCore.Slot()
    def _fire(self) -> None:
        if self.pending:
            if self.hidden():
                self.skipped += 1  # stays pending: drawn when shown
                return
            self.pending = False
            self.draw()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self._watching and event.type() == QtCore.QEvent.Type.Show and self.pending:
            self.timer.start(0)  # after the show has settled
        return False

    def flush(self) -> None:
        """Draw now what is waiting (tests, and a panel that becomes visible)."""
        if self.pending:
            self.timer.stop()
            self._fire()

    def __repr__(self) -> str:
        return f"Redraw(pending={self.pending}, every {self.timer.interval()} ms)"
