"""Running snapshots go out at most ~30 times a second (on a fake clock), each one the latest
state; a pause or a step always sends its final state, even right after another snapshot."""

from __future__ import annotations

import pytest

from bpstudio.training import worker as worker_module
from bpstudio.training.session import PAUSED, RUNNING
from bpstudio.training.worker import LoadRequest, TrainingWorker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def worker(qtbot, article, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(worker_module.time, "perf_counter", clock)
    w = TrainingWorker()  # not moved to a thread: its slots run here, one at a time
    sent = []
    w.snapshot.connect(sent.append)
    w.load(LoadRequest(article.graph.copy(), article.dataset, article.settings))
    assert len(sent) == 1 and sent[0].steps == 0  # a load always sends its state
    w.acknowledge()
    w.clock, w.sent = clock, sent
    yield w
    w.deleteLater()


def test_running_snapshots_are_capped_at_30_a_second(worker):
    s = worker.session
    assert s.play()
    worker.sent.clear()
    for _ in range(1000):  # one simulated second in 1 ms chunks, one training step per chunk
        worker.clock.now += 0.001
        s.run(1.0, max_steps=1)
        worker._emit(final=False)
        worker.acknowledge()  # the GUI keeps up
    assert 29 <= len(worker.sent) <= 31
    steps = [snap.steps for snap in worker.sent]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert all(snap.state == RUNNING for snap in worker.sent)
    assert steps[-1] >= 1000 - 34  # the latest state, not one queued long ago


def test_a_busy_gui_gets_no_pile_of_snapshots(worker):
    assert worker.session.play()
    worker.sent.clear()
    for _ in range(200):  # the GUI acknowledges nothing: at most one running snapshot in flight
        worker.clock.now += 0.05
        worker._emit(final=False)
    assert len(worker.sent) == 1
    worker.acknowledge()
    worker.clock.now += 0.05
    worker.session.run(1.0, max_steps=3)
    worker._emit(final=False)
    assert len(worker.sent) == 2 and worker.sent[1].steps == worker.session.trainer.steps


def test_a_pause_and_a_step_always_send_their_final_state(worker):
    worker.play()  # sends its running state at once; the GUI has not acknowledged it
    assert [s.state for s in worker.sent[-1:]] == [RUNNING]
    worker.session.run(1.0, max_steps=2)
    worker.sent.clear()
    worker._emit(final=False)  # a running snapshot inside the 1/30 s interval is held back ...
    assert worker.sent == []
    worker.pause()  # ... but the pause is sent all the same, straight away
    assert [s.state for s in worker.sent] == [PAUSED]
    assert worker.sent[-1].steps == worker.session.trainer.steps == 2
    worker.step("batch")  # so is a step, with nothing acknowledged
    assert len(worker.sent) == 2 and worker.sent[-1].state == PAUSED and worker.sent[-1].steps == 3
