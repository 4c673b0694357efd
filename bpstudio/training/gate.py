"""GUI first: the training thread steps aside while the GUI thread handles events (Qt-free).

Python runs one thread at a time (the GIL). A worker that trains non-stop makes every Python call
of the GUI thread wait for the GIL, and a repaint makes hundreds of them (one per edge item):
measured, a 300-edge canvas repaint took ~100 ms instead of a few. So the GUI thread marks itself
busy (:meth:`GuiGate.enter`, e.g. when an event arrives) and idle (:meth:`GuiGate.leave`, when its
event loop is about to wait); the worker asks :meth:`GuiGate.should_yield` between training steps
and, while the GUI is busy, waits (:meth:`GuiGate.wait`) without holding the GIL. A GUI that stays
busy longer than ``max_wait`` cannot starve training: the worker then trains ``grace`` seconds
before it steps aside again.
"""

from __future__ import annotations

import threading
import time

MAX_WAIT = 0.030  # the longest the worker waits for a busy GUI ...
GRACE = 0.005  # ... before it trains this long regardless


class GuiGate:
    """A flag the GUI thread raises while it works; the worker waits while it is raised."""

    def __init__(self, max_wait: float = MAX_WAIT, grace: float = GRACE) -> None:
        self.max_wait = max_wait
        self.grace = grace
        self.busy = False  # plain attribute: one read per training step
        self._idle = threading.Event()
        self._idle.set()
        self._grace_until = 0.0
        self.waits = 0  # statistics for the benchmark: how often and how long the worker waited
        self.waited = 0.0

    # ------------------------------------------------------------------ GUI thread
    def enter(self) -> None:
        """The GUI thread starts handling something."""
        if not self.busy:
            self._idle.clear()
            self.busy = True

    def leave(self) -> None:
        """The GUI thread has nothing more to do for now."""
        if self.busy:
            self.busy = False
            self._idle.set()

    # ------------------------------------------------------------------ worker thread
    def should_yield(self) -> bool:
        """True when the worker should wait for the GUI (busy, and not in a grace period)."""
        return self.busy and time.perf_counter() >= self._grace_until

    def wait(self) -> None:
        """Wait (GIL released) until the GUI is idle, at most ``max_wait``; after a timeout the
        worker gets ``grace`` seconds in which :meth:`should_yield` says no."""
        start = time.perf_counter()
        idle = self._idle.wait(self.max_wait)
        now = time.perf_counter()
        self.waits += 1
        self.waited += now - start
        if not idle:
            self._grace_until = now + self.grace

    def __repr__(self) -> str:
        return (f"GuiGate({'busy' if self.busy else 'idle'}, waited {self.waits} times, "
                f"{self.waited:.3f} s)")
