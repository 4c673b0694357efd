"""Frame times while scrubbing the timeline, against the 16 ms frame budget (≥ 30 fps target).

The real main window (offscreen) with every panel visible (each dock floated, 520 × 360), a
2-16-16-1 tanh/sigmoid network on 200 samples trained 400 epochs in the real worker thread. Then
for 4 s a simulated drag: a mouse-move with the left button held, every 16 ms, sweeping the
timeline back and forth. A "frame" is one busy stretch of the GUI thread's event loop (events, slots,
paints), seen as the gap between two ticks of a 1 ms probe timer; printed: their p50 / p99 / max against
16 ms,
and how many past epochs per second reached the canvas and the last panel. Reference measured in
the same run: the same past-epoch snapshot handed to every panel at once (what a pause does today).
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

import pyqtgraph as pg

BUDGET_MS = 16.0
SECONDS = 4.0
# one sweep across the strip in this many seconds: 0.5 s asks for ~100 different epochs a second,
# more than can be shown, so the figure is the studio's capacity (a 2 s sweep asked for only 30/s)
SWEEP = float(os.environ.get("BENCH_SWEEP_SECONDS", "0.5"))


class FrameClock(QtCore.QObject):
    """The GUI thread's frames, seen by a 1 ms probe timer: the gap between two of its ticks is
    the longest stretch the event loop was busy then (events, slots, paints) plus ≤ 1 ms."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[float] = []
        self._last = None
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start(1)

    @QtCore.Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.frames.append((now - self._last) * 1e3)
        self._last = now


def _pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def _wait(app, cond, timeout=60.0):
    t0 = time.perf_counter()
    while not cond():
        app.processEvents(QtCore.QEventLoop.AllEvents, 20)
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError("the window did not get there in time")


def main() -> None:
    from bpstudio.core.settings import TrainingSettings
    from bpstudio.ui.document import Document
    from bpstudio.ui.main_window import MainWindow
    from tests.training.helpers import deep_project

    app = pg.mkQApp("bench scrub")
    project = deep_project(n=200, mode="minibatch", batch_size=20, shuffle=True, optimizer="adam",
                           learning_rate=0.01)
    project.settings = TrainingSettings(**{**project.settings.to_dict(), "max_epochs": 400})
    window = MainWindow(Document(project))
    window.resize(1600, 1000)
    window.show()
    for k, key in enumerate(("loss", "deltas", "boundary", "gradients", "arithmetic")):
        dock = window.docks[key]
        dock.setFloating(True)
        dock.resize(520, 360)
        dock.move(40 * k, 40 * k)
        dock.show()
    app.processEvents()
    try:
        _measure(app, window)
    finally:
        assert window.controller.shutdown()
        window.close()


def _measure(app, window) -> None:
    ctl, rewind = window.controller, window.rewind
    ctl.play()
    _wait(app, lambda: ctl.latest is not None and ctl.latest.epoch >= 400 and ctl.state != "running")
    strip = rewind.timeline.strip
    print(f"2-16-16-1, 200 samples, Adam: trained {ctl.latest.epoch} epochs; {len(strip.epochs)} "
          f"checkpoints on the timeline")

    # reference: one past epoch handed to every panel at once (the old pause path)
    strip._scrub_to(strip.epochs[len(strip.epochs) // 2])
    _wait(app, lambda: rewind.feed.snap is not None)
    snap = rewind.feed.snap
    _wait(app, lambda: not rewind.feed.pending)
    at_once = []
    for _ in range(10):
        t0 = time.perf_counter()
        for receive in rewind.feed.receivers:
            receive(snap)
        app.processEvents()
        at_once.append((time.perf_counter() - t0) * 1e3)
    ref = statistics.median(at_once)

    # the drag: a mouse move with the left button held every 16 ms, back and forth
    clock = FrameClock()
    rewind.feed.turns.clear()
    rewind.feed.turn_of.clear()
    canvas_epochs, last_epochs = [], []
    receivers = list(rewind.feed.receivers)
    first, last = receivers[0], receivers[-1]

    def spy(receive, seen):
        def wrapped(s):
            seen.append(s.viewing_epoch)
            receive(s)
        return wrapped

    rewind.feed.receivers[0] = spy(first, canvas_epochs)
    rewind.feed.receivers[-1] = spy(last, last_epochs)
    y = strip.height() // 2
    press = QtGui.QMouseEvent(QtCore.QEvent.MouseButtonPress, QtCore.QPointF(strip.width() - 10, y),
                              strip.mapToGlobal(QtCore.QPointF(strip.width() - 10, y)), Qt.LeftButton,
                              Qt.LeftButton, Qt.NoModifier)
    QtWidgets.QApplication.sendEvent(strip, press)
    t0 = time.perf_counter()
    moves = [0]
    wished: list[int] = []  # the different epochs the drag asked for, in order

    def move():
        t = time.perf_counter() - t0
        phase = (t / SWEEP) % 2.0  # a sweep across the strip every SWEEP s, there and back
        frac = phase if phase <= 1.0 else 2.0 - phase
        x = 10 + frac * (strip.width() - 20)
        ev = QtGui.QMouseEvent(QtCore.QEvent.MouseMove, QtCore.QPointF(x, y),
                               strip.mapToGlobal(QtCore.QPointF(x, y)), Qt.NoButton, Qt.LeftButton,
                               Qt.NoModifier)
        QtWidgets.QApplication.sendEvent(strip, ev)
        moves[0] += 1
        if strip.viewing is not None and (not wished or wished[-1] != strip.viewing):
            wished.append(strip.viewing)

    timer = QtCore.QTimer()
    timer.setTimerType(Qt.PreciseTimer)
    timer.timeout.connect(move)
    timer.start(16)
    clock.frames.clear()
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(SECONDS * 1000), loop.quit)
    loop.exec()  # the real event loop: it sleeps between events, so its busy stretches are frames
    timer.stop()
    frames = list(clock.frames)
    turns = [x * 1e3 for x in rewind.feed.turns]
    dt = time.perf_counter() - t0

    def changes(seq):
        return sum(1 for a, b in zip([None] + seq, seq) if a != b)

    print(f"reference: one past epoch to every panel at once = {ref:.1f} ms "
          f"({ref / BUDGET_MS:.1f} × the 16 ms frame)")
    print(f"scrubbing {SECONDS:.0f} s, {moves[0]} drag moves, {rewind.control.views_sent} views computed "
          f"in the worker")
    print(f"GUI frames: {len(frames)}; p50 {_pct(frames, 0.5):.2f} ms, p99 {_pct(frames, 0.99):.2f} ms, "
          f"max {max(frames):.2f} ms (p99 {_pct(frames, 0.99) / BUDGET_MS:.0%} of 16 ms; "
          f"{sum(f > BUDGET_MS for f in frames)} frames over 16 ms); "
          f"p99 = {_pct(frames, 0.99) / ref:.2f} × ref")
    print(f"one panel per turn: p50 {_pct(turns, 0.5):.2f} ms, p99 {_pct(turns, 0.99):.2f} ms, "
          f"max {max(turns):.2f} ms")
    names = [getattr(getattr(r, "__self__", None), "__class__", type(r)).__name__ for r in receivers]
    for i, name in enumerate(names):
        mine = [t for t, j in zip(turns, rewind.feed.turn_of) if j == i]
        if mine:
            print(f"  {name:22s} {len(mine):4d} turns, p50 {_pct(mine, 0.5):6.2f} ms, "
                  f"max {max(mine):6.2f} ms")
    print(f"past epochs shown per second: canvas {changes(canvas_epochs) / dt:.1f}, every panel "
          f"(the last one) {changes(last_epochs) / dt:.1f}  (target ≥ 30); the drag asked for "
          f"{len(wished) / dt:.1f} different epochs a second (a sweep every {SWEEP:g} s)")


if __name__ == "__main__":
    main()
