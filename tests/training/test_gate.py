"""GUI first: the worker waits (without the GIL) while the GUI thread handles events."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QAbstractEventDispatcher, QTimer

from bpstudio.training.gate import GuiGate
from bpstudio.training.gate_hooks import GateHooks
from bpstudio.training.session import RUNNING, TrainingSession

from .test_controller import make, wait_for  # noqa: F401  (fixtures and helpers)


def test_an_idle_gate_never_asks_the_worker_to_wait():
    gate = GuiGate()
    assert not gate.busy and not gate.should_yield()
    gate.wait()  # returns at once
    assert gate.waits == 1 and gate.waited < 0.02


def test_the_worker_waits_until_the_gui_leaves():
    gate = GuiGate(max_wait=5.0)
    gate.enter()
    assert gate.should_yield()
    done = []
    worker = threading.Thread(target=lambda: (gate.wait(), done.append(time.perf_counter())))
    worker.start()
    time.sleep(0.05)
    assert not done  # still waiting for the GUI
    left = time.perf_counter()
    gate.leave()
    worker.join(5.0)
    assert done and done[0] >= left and not gate.busy


def test_a_gui_busy_for_too_long_gets_a_grace_period_of_training():
    gate = GuiGate(max_wait=0.01, grace=60.0)
    gate.enter()
    gate.wait()  # times out: the GUI stayed busy
    assert gate.busy and not gate.should_yield()  # the worker trains during the grace period


class _Counting(GuiGate):
    """A gate that says "busy" every ``every`` steps (and counts the waits)."""

    def __init__(self, every: int) -> None:
        super().__init__()
        self.every, self.asked = every, 0
        self.busy = True

    def should_yield(self) -> bool:
        self.asked += 1
        return self.asked % self.every == 0


def test_an_untraced_run_asks_the_gate_between_steps(article):
    s = TrainingSession(article.graph.copy(), article.dataset, article.settings)
    s.play()
    gate = _Counting(every=5)
    n = s.run(budget=10.0, max_steps=50, gate=gate)
    assert n == 50 and gate.asked == 50 and gate.waits == 10
    plain = TrainingSession(article.graph.copy(), article.dataset, article.settings)
    plain.play()
    plain.run(budget=10.0, max_steps=50)
    assert (s.engine.theta == plain.engine.theta).all()  # waiting changes no number


def test_hooks_raise_the_gate_on_events_and_lower_it_when_the_loop_waits(qtbot):
    gate = GuiGate()
    hooks = GateHooks()
    hooks.install(gate)
    at_block = []  # connected after the hooks: sees the gate just after they lowered it
    back = []  # ... and whether the filter is watching for the next round's first event
    def spy() -> None:
        at_block.append(gate.busy)
        back.append(hooks._filtering)

    QAbstractEventDispatcher.instance().aboutToBlock.connect(spy)
    seen = []
    timer = QTimer()
    timer.setSingleShot(True)
    filtering = []
    timer.timeout.connect(lambda: seen.append(gate.busy))  # runs inside an event
    timer.timeout.connect(lambda: filtering.append(hooks._filtering))
    timer.start(0)
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    qtbot.wait(30)
    assert seen == [True] and at_block and not any(at_block)
    # one raise per round: the filter stepped aside for the rest of the round, and came back
    assert filtering == [False] and back and all(back)
    hooks.remove()
    assert not hooks.installed and not gate.busy
    seen.clear()
    timer.start(0)
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    assert seen == [False]  # no longer hooked
    QAbstractEventDispatcher.instance().aboutToBlock.disconnect(spy)


def test_the_controller_hooks_the_gate_only_while_running(qtbot, make):  # noqa: F811
    doc, ctl = make(max_epochs=0)
    assert not ctl.gate_hooks.installed
    wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and s.epoch > 2)
    assert ctl.gate_hooks.installed and ctl.gate_hooks.gate is ctl._worker.gate
    wait_for(qtbot, ctl, ctl.pause, lambda s: s.state != RUNNING)
    assert not ctl.gate_hooks.installed and not ctl._worker.gate.busy
