"""Rewind in the Qt-free session: checkpoints while training, viewing a past epoch, branching."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step
from bpstudio.core.trainer import Trainer
from bpstudio.training import rewind
from bpstudio.training.compose import make_snapshot
from bpstudio.training.session import SessionError, TrainingSession

from .helpers import deep_project

SETTINGS = dict(optimizer="adam", mode="minibatch", batch_size=8, shuffle=True, learning_rate=0.05)


def project():
    return deep_project(n=40, **SETTINGS)


def session_of(p) -> TrainingSession:
    return TrainingSession(p.graph.copy(), p.dataset, p.settings)


def reference(p, epochs: int) -> Trainer:
    """An independent trainer run straight to ``epochs``."""
    s = TrainingSettings(**p.settings.to_dict())
    t = Trainer(Engine(p.graph.copy(), s.loss), p.dataset, s)
    for _ in range(epochs):
        t.run_epoch()
    return t


def trained(p, epochs: int) -> TrainingSession:
    s = session_of(p)
    s.play()
    s.run(budget=60.0, until_epoch=epochs)
    s.pause()
    return s


def test_training_records_every_recent_epoch_with_the_weights_it_had():
    p = project()
    s = trained(p, 25)
    assert s.checkpoints.epochs() == list(range(26))  # 26 < the ladder's 32 per level: all
    for epoch in (0, 7, 25):
        cp = s.checkpoints.get(epoch)
        ref = reference(p, epoch)
        np.testing.assert_array_equal(cp.theta, ref.engine.theta)
        np.testing.assert_array_equal(dict(cp.optimizer_arrays)["m"], ref.optimizer.m)
        assert cp.steps == ref.steps == 5 * epoch


def test_viewing_a_past_epoch_shows_its_weights_and_a_fresh_step_from_them():
    p = project()
    s = trained(p, 20)
    live = s.engine.theta.copy()
    snap = rewind.view_snapshot(s, 12)
    ref = reference(p, 12)
    e = ref.engine
    assert snap.viewing_epoch == 12 and snap.epoch == 12
    np.testing.assert_array_equal(snap.weights, e.theta[e.edge_slots])
    np.testing.assert_array_equal(snap.biases, e.theta[e.bias_slots])
    # the next step from epoch 12, computed by a fresh engine: its deltas and its update
    idx, X, Y = ref.next_batch()
    tr = trace_step(e, X, Y, idx, p.settings.learning_rate, "adam")
    np.testing.assert_array_equal(snap.sample_indices, idx)
    np.testing.assert_allclose(snap.delta, tr.delta, rtol=0, atol=0, equal_nan=True)
    np.testing.assert_array_equal(snap.weight_grad, tr.weight_grad)
    before = e.theta.copy()
    ref.optimizer.step(e.theta, e.grad)
    np.testing.assert_array_equal(snap.weight_change, (e.theta - before)[e.edge_slots])
    # the live session is untouched
    np.testing.assert_array_equal(s.engine.theta, live)
    assert s.trainer.epoch == 20


def test_continue_from_here_trains_on_as_the_original_run_did_and_undo_restores_exactly():
    p = project()
    s = trained(p, 20)
    live, history = s.engine.theta.copy(), list(s.trainer.history)
    rewind.branch_to(s, 8, token=1)
    assert s.trainer.epoch == 8 and s.checkpoints.latest == 8
    assert s.trainer.history_epochs == list(range(1, 9))
    fields = rewind.timeline_fields(s)
    assert fields["branch_epoch"] == 8
    assert [cp.epoch for cp in fields["later_checkpoints"]] == list(range(9, 21))  # kept, dimmed
    np.testing.assert_array_equal(fields["later_losses"], history[8:])
    # training from the branch repeats the original run exactly (same optimiser state, order)
    rewind.confirm(s)
    s.play()
    s.run(budget=60.0, until_epoch=14)
    s.pause()
    np.testing.assert_array_equal(s.engine.theta, reference(p, 14).engine.theta)
    assert "later_checkpoints" not in rewind.timeline_fields(s)  # confirmed: no later history
    rewind.unbranch(s, 1)
    np.testing.assert_array_equal(s.engine.theta, live)
    assert s.trainer.epoch == 20 and s.trainer.history == history
    assert s.checkpoints.latest == 20 and s.branch is None
    # and it goes on exactly like the run that was never branched
    s.play()
    s.run(budget=60.0, until_epoch=22)
    np.testing.assert_array_equal(s.engine.theta, reference(p, 22).engine.theta)


def test_a_later_epoch_of_a_pending_branch_can_be_viewed_and_branched_to():
    p = project()
    s = trained(p, 20)
    rewind.branch_to(s, 5, token=1)
    snap = rewind.view_snapshot(s, 15)  # in the dimmed later history
    ref = reference(p, 15).engine
    np.testing.assert_array_equal(snap.weights, ref.theta[ref.edge_slots])
    rewind.branch_to(s, 15, token=2)
    assert s.trainer.epoch == 15
    np.testing.assert_array_equal(s.engine.theta, ref.theta)
    rewind.unbranch(s, 2)
    assert s.trainer.epoch == 5 and s.branch.epoch == 5  # back on the first branch
    rewind.unbranch(s, 1)
    assert s.trainer.epoch == 20 and s.branch is None


def test_snapshots_carry_the_timeline_and_a_rebuild_starts_it_afresh():
    p = project()
    s = trained(p, 6)
    snap = make_snapshot(s, final=True)
    assert [cp.epoch for cp in snap.checkpoints] == list(range(7))
    assert snap.branch_epoch is None and snap.viewing_epoch is None
    with pytest.raises(SessionError, match="no checkpoint"):
        rewind.view_snapshot(s, 99)
    s.set_dataset(deep_project(n=30).dataset)
    assert s.checkpoints.epochs() == [6]


def test_stepping_back_over_an_epoch_end_drops_its_checkpoint():
    p = deep_project(n=8, mode="batch")
    s = session_of(p)
    for _ in range(len(s.plan)):  # one whole step, phase by phase: the update ends epoch 1
        s.step_phase()
    assert s.trainer.epoch == 1 and 1 in s.checkpoints
    s.step_back()
    assert s.trainer.epoch == 0 and s.checkpoints.epochs() == [0]


def test_free_running_play_of_a_tiny_network_records_sparser_but_the_pause_epoch_always():
    from bpstudio.core.presets import load_preset

    p = load_preset("article-xor")
    p.settings.max_epochs = 0
    s = TrainingSession(p.graph.copy(), p.dataset, p.settings)
    s.play()
    for _ in range(40):  # 5 ms chunks, as the worker runs them
        s.run(budget=0.005)
    s.pause()
    assert s.checkpoint_every >= 2  # a 30 µs epoch: recording every one would cost a third
    assert s.checkpoints.latest == s.trainer.epoch
    e = s.checkpoints.epochs()[-2]
    np.testing.assert_array_equal(s.checkpoints.get(e).theta, reference(p, e).engine.theta)


def test_the_worked_arithmetic_of_a_view_is_written_out_in_the_worker_as_the_panel_would():
    from bpstudio.core.explain import explain_lines

    p = project()
    s = trained(p, 6)
    snap = rewind.view_snapshot(s, 4, sample=2)
    sample, lines = snap.explained
    assert sample == 2
    assert [ln.text for ln in lines] == [ln.text for ln in explain_lines(snap.trace, p.graph, 2)]
    assert rewind.view_snapshot(s, 4).explained is None  # no sample asked for


def test_a_view_seen_again_comes_from_the_cache_with_the_same_numbers_and_a_fresh_timeline():
    p = project()
    s = trained(p, 20)
    first = rewind.view_snapshot(s, 12, sample=0)
    calls = []
    real = rewind._compute_view
    rewind._compute_view = lambda *a, **k: calls.append(1) or real(*a, **k)
    try:
        again = rewind.view_snapshot(s, 12, sample=0)
        assert calls == []  # not computed again
        for name in ("weights", "biases", "delta", "weight_grad", "weight_change", "boundary"):
            a, b = getattr(first, name), getattr(again, name)
            assert (a is None and b is None) or np.array_equal(a, b, equal_nan=True), name
        assert again.explained == first.explained and again.viewing_epoch == 12
        # training goes on: the cached view carries the longer timeline
        s.play()
        s.run(budget=60.0, until_epoch=24)
        s.pause()
        later = rewind.view_snapshot(s, 12, sample=0)
        assert calls == [] and len(later.checkpoints) > len(first.checkpoints)
        # another sample, or new settings (another viewer session), is computed afresh
        rewind.view_snapshot(s, 12, sample=1)
        assert calls == [1]
        s.configure(TrainingSettings(**{**s.settings.to_dict(), "learning_rate": 0.01}))
        fresh = rewind.view_snapshot(s, 12, sample=0)
        assert calls == [1, 1]
        assert not np.array_equal(fresh.weight_change, first.weight_change)  # α changed the update
    finally:
        rewind._compute_view = real


def test_the_view_cache_is_bounded():
    p = project()
    s = trained(p, 20)
    for epoch in range(21):
        for sample in range(4):
            rewind.view_snapshot(s, epoch, sample=sample)
    assert len(s._view_cache[1]) == rewind.VIEW_CACHE
