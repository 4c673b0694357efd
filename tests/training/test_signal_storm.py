"""Regression: 100,000 signals from a worker thread to the GUI thread arrive, every one.

PySide6 6.12.0 on Python 3.11 aborted ("Fatal Python error: bool_dealloc") after many emits;
pyproject.toml excludes that version there. If it comes back, this test crashes the run.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from bpstudio.training.worker import TrainingWorker

N = 100_000


class Storm(TrainingWorker):
    """The training worker, emitting its own ``snapshot`` signal in a burst from its thread."""

    @Slot(int)
    def burst(self, n: int) -> None:
        for i in range(n):
            self.snapshot.emit((i, i % 2 == 0))


class Counter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.total = 0
        self.flags = 0

    @Slot(object)
    def on_snapshot(self, payload) -> None:
        i, even = payload
        self.count += 1
        self.total += i
        self.flags += bool(even)


class Starter(QObject):
    go = Signal(int)


def test_a_hundred_thousand_cross_thread_signals_all_arrive(qtbot):
    thread = QThread()
    storm = Storm()
    storm.moveToThread(thread)
    counter = Counter()
    starter = Starter()
    storm.snapshot.connect(counter.on_snapshot)
    starter.go.connect(storm.burst)
    thread.start()
    try:
        starter.go.emit(N)
        qtbot.waitUntil(lambda: counter.count == N, timeout=120_000)
    finally:
        thread.quit()
        assert thread.wait(5000)
    assert counter.total == N * (N - 1) // 2 and counter.flags == N // 2

