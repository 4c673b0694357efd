"""The controller and its worker thread, driven through real queued signals (pytest-qt)."""

from __future__ import annotations

from PySide6.QtCore import QThread, qInstallMessageHandler

import numpy as np
import pytest

from bpstudio.core import trainer as trainer_module
from bpstudio.core.presets import load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.training.controller import TrainingController
from bpstudio.training.session import DIVERGED, FINISHED, PAUSED, RUNNING
from bpstudio.ui.canvas.commands import AddNodeCommand, SetWeightCommand
from bpstudio.ui.document import Document

WAIT = 10_000  # ms; generous for a loaded 2-core machine (no timing is asserted)


@pytest.fixture
def qt_messages():
    """Qt's warnings during the test (e.g. 'QThread: Destroyed while thread is still running')."""
    seen: list[str] = []
    previous = qInstallMessageHandler(lambda mode, ctx, msg: seen.append(msg))
    yield seen
    qInstallMessageHandler(previous)


@pytest.fixture
def make(qtbot):
    made = []

    def build(preset: str = "article-xor", **settings):
        project = load_preset(preset)
        if settings:
            project.settings = TrainingSettings(**{**project.settings.to_dict(), **settings})
        doc = Document(project)
        ctl = TrainingController(doc)
        made.append(ctl)
        return doc, ctl

    yield build
    for ctl in made:
        assert ctl.shutdown(), "the training thread did not stop"


def wait_snapshot(qtbot, ctl, pred=lambda s: True, timeout=WAIT):
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=timeout, check_params_cb=pred) as blocker:
        pass
    return blocker.args[0]


def wait_for(qtbot, ctl, action, pred=lambda s: True, timeout=WAIT):
    """Run ``action`` and wait for the first snapshot that satisfies ``pred``."""
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=timeout, check_params_cb=pred) as blocker:
        action()
    return blocker.args[0]


def test_play_then_pause_writes_the_trained_weights_back(qtbot, make):
    doc, ctl = make(max_epochs=0)
    running = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and s.epoch > 3)
    assert ctl.running and running.trace is None  # full speed: no trace
    final = wait_for(qtbot, ctl, ctl.pause, lambda s: s.state == PAUSED)
    assert final.epoch >= running.epoch and final.delta is not None  # the pause shows deltas
    got = {k: doc.graph.edges[k].weight for k in final.edge_keys}
    assert got == dict(zip(final.edge_keys, final.weights.tolist()))
    assert not ctl.running and ctl.state == PAUSED


def test_step_by_batch_gives_the_articles_corrected_update(qtbot, make):
    doc, ctl = make()
    snap = wait_for(qtbot, ctl, lambda: ctl.step("batch"), lambda s: s.steps > 0)
    assert (snap.epoch, snap.steps, snap.state) == (1, 1, PAUSED)
    out = doc.graph.outputs[0].id
    z1 = doc.graph.find("Z1").id
    # E = ½(ŷ−y)²: the output delta is +4.. and weights fall; mean over the batch (the article: 1.4)
    assert doc.graph.edge(z1, out).weight == pytest.approx(1.0 - 0.1 * np.mean([4 * 1, 6 * 2, 6 * 2, 10 * 3]))
    assert snap.weight_change is not None and snap.batch_label == "all 4 samples"


def test_step_by_phase_walks_the_articles_order_and_back(qtbot, make):
    doc, ctl = make()
    ctl.set_granularity("phase")
    has_phase = lambda s: s.phase is not None  # noqa: E731 (the first snapshot is the load's)
    labels = [wait_for(qtbot, ctl, ctl.step, has_phase).phase.label for _ in range(6)]
    assert labels == ["forward hidden", "forward output", "loss", "backward output",
                      "backward hidden", "update"]
    trained = doc.graph.snapshot()
    back = wait_for(qtbot, ctl, ctl.step_back)
    assert back.phase.label == "backward hidden" and back.epoch == 0
    assert doc.graph.snapshot() != trained and all(e.weight == 1.0 for e in doc.graph.edges.values())
    again = wait_for(qtbot, ctl, ctl.step)
    assert again.phase.label == "update" and doc.graph.snapshot() == trained


def test_reset_weights_restarts_from_epoch_zero_and_is_undoable(qtbot, make):
    doc, ctl = make()
    wait_for(qtbot, ctl, lambda: ctl.step("epoch"), lambda s: s.epoch == 1)
    trained = doc.graph.snapshot()
    snap = wait_for(qtbot, ctl, ctl.reset_weights, lambda s: s.history_reset)
    assert snap.epoch == 0 and snap.history_reset and snap.history_len == 0
    assert all(e.weight == 1.0 for e in doc.graph.edges.values())
    doc.undo_stack.undo()
    assert doc.graph.snapshot() == trained


def test_max_epochs_stops_training(qtbot, make):
    doc, ctl = make(max_epochs=25)
    snap = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == FINISHED)
    assert snap.epoch == 25 and snap.message == "Reached the maximum of 25 epochs."
    assert ctl.state == FINISHED


def test_huge_learning_rate_pauses_as_diverged(qtbot, make):
    doc, ctl = make(learning_rate=10.0)
    errors = []
    ctl.error_occurred.connect(errors.append)
    snap = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == DIVERGED)
    assert "too large" in snap.message and snap.non_finite
    assert not errors and ctl.state == DIVERGED
    assert all(np.isfinite(e.weight) for e in doc.graph.edges.values())


def test_an_exception_in_the_worker_reaches_the_gui(qtbot, make, monkeypatch):
    doc, ctl = make(max_epochs=0)

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(trainer_module.Trainer, "step", broken)
    with qtbot.waitSignal(ctl.error_occurred, timeout=WAIT) as blocker:
        ctl.play()
    assert "internal error" in blocker.args[0] and "boom" in blocker.args[0]
    assert not ctl.running
    monkeypatch.undo()  # the app lives: training works again
    snap = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and s.epoch > 0)
    assert snap.epoch > 0


def test_a_typed_weight_while_running_pauses_and_counts_from_the_next_step(qtbot, make):
    doc, ctl = make(max_epochs=0)
    wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and s.epoch > 2)
    key = next(iter(doc.graph.edges))
    with qtbot.waitSignal(ctl.state_changed, timeout=WAIT, check_params_cb=lambda s: s == PAUSED):
        doc.undo_stack.push(SetWeightCommand(doc.graph, *key, 0.25))
    assert doc.graph.edges[key].weight == 0.25  # the final write-back left the typed value alone
    snap = wait_for(qtbot, ctl, lambda: ctl.step("batch"), lambda s: s.trace is not None)
    assert snap.trace.weight_old[snap.trace.edge_keys.index(key)] == 0.25
    others = [k for k in snap.edge_keys if k != key]
    assert all(snap.trace.weight_old[snap.trace.edge_keys.index(k)] != 1.0 for k in others)


def test_a_topology_edit_pauses_and_play_goes_on_with_the_edited_network(qtbot, make):
    doc, ctl = make(max_epochs=0)
    before = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and s.epoch > 2)
    with qtbot.waitSignal(ctl.state_changed, timeout=WAIT, check_params_cb=lambda s: s == PAUSED):
        doc.undo_stack.push(AddNodeCommand(doc.graph, "hidden", "Z4", "identity"))
    new_id = doc.graph.find("Z4").id
    snap = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and new_id in s.unit_ids)
    assert snap.epoch >= before.epoch  # progress kept
    wait_for(qtbot, ctl, ctl.pause, lambda s: s.state == PAUSED)


def test_a_replaced_project_starts_a_fresh_session(qtbot, make):
    doc, ctl = make()
    wait_for(qtbot, ctl, lambda: ctl.step("epoch"), lambda s: s.epoch == 1)
    doc.replace_project(load_preset("xor"))
    snap = wait_for(qtbot, ctl, lambda: ctl.step("batch"), lambda s: s.steps > 0)
    assert snap.epoch == 1 and snap.steps == 1 and snap.history_len == 1
    assert snap.trace.loss_name == "cross_entropy"


def test_paced_play_walks_phases(qtbot, make):
    doc, ctl = make()
    ctl.set_granularity("phase")
    ctl.set_speed(20)
    seen = []
    ctl.snapshot_ready.connect(lambda s: seen.append(s))
    # until the update of a later step is shown, and six phases in all: under load a phase may be
    # skipped, even an update (a late tick runs the phases due and shows the last)
    def updated(s) -> bool:
        return (s.epoch >= 2 and s.phase is not None and s.phase == s.phases[-1]
                and sum(x.phase is not None for x in seen) >= 6)

    wait_for(qtbot, ctl, ctl.play, updated, timeout=20_000)
    ctl.pause()
    order = [p.label for p in seen[-1].phases]
    shown = [order.index(s.phase.label) for s in seen if s.phase is not None]
    assert len(shown) >= 6 and 5 in shown  # it updated
    # each shown phase follows the one before it in the plan, never reordered within one step (some
    # may be skipped — under load even a step's first ones — and a tick with no phase due re-sends
    # the one shown); ``steps`` counts the update (the plan's last phase) as done, so that snapshot
    # belongs to step ``steps - 1``
    last = len(order) - 1
    step_of = [s.steps - (order.index(s.phase.label) == last) for s in seen if s.phase is not None]
    assert step_of == sorted(step_of)
    pairs = list(zip(zip(step_of, shown), zip(step_of[1:], shown[1:])))
    assert all(b >= a for (sa, a), (sb, b) in pairs if sa == sb), list(zip(step_of, shown))
    assert any(b > a for (sa, a), (sb, b) in pairs if sa == sb)  # it walked forward within a step


def test_closing_mid_training_stops_the_thread(qtbot, make, qt_messages):
    doc, ctl = make(max_epochs=0)
    wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING)
    thread = ctl.thread
    assert thread.isRunning()
    assert ctl.shutdown(1000)
    assert thread.isFinished() and ctl.thread is None
    assert not any("Destroyed while thread" in m for m in qt_messages)


def test_no_training_runs_on_the_gui_thread(qtbot, make, monkeypatch):
    doc, ctl = make(max_epochs=0)
    threads = set()
    real = trainer_module.Trainer.step

    def spy(self):
        threads.add(QThread.currentThread())
        return real(self)

    monkeypatch.setattr(trainer_module.Trainer, "step", spy)
    wait_for(qtbot, ctl, ctl.play, lambda s: s.epoch > 5)
    wait_for(qtbot, ctl, ctl.pause, lambda s: s.state == PAUSED)
    assert threads == {ctl.thread}


def test_weights_reach_the_document_on_request_while_running(qtbot, make):
    doc, ctl = make(max_epochs=0)
    start = doc.graph.snapshot()
    snap = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and s.epoch > 5)
    assert doc.graph.snapshot() == start  # no write-back while running (observers stay quiet)
    ctl.write_back_now()
    latest = ctl.latest
    assert latest.epoch >= snap.epoch
    assert {k: doc.graph.edges[k].weight for k in latest.edge_keys} == dict(
        zip(latest.edge_keys, latest.weights.tolist()))
    assert ctl._need is None  # our own write-back is not mistaken for a user edit
    wait_for(qtbot, ctl, ctl.pause, lambda s: s.state == PAUSED)


def test_a_step_while_running_pauses_after_that_step(qtbot, make):
    doc, ctl = make(max_epochs=0)
    wait_for(qtbot, ctl, ctl.play, lambda s: s.state == RUNNING and s.epoch > 2)
    snap = wait_for(qtbot, ctl, lambda: ctl.step("batch"), lambda s: s.trace is not None)
    assert snap.state == PAUSED and snap.weight_change is not None
    qtbot.wait(300)  # the worker must stay still now
    assert ctl.latest.steps == snap.steps and ctl.state == PAUSED
