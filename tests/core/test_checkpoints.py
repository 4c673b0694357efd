"""The checkpoint ladder: bounded in count and bytes, first and latest kept, sparse with age; and
capture/restore continue training exactly."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.checkpoints import CheckpointLadder, TrainingCheckpoint, capture, count_bound, restore
from bpstudio.core.engine import Engine
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trainer import Trainer
from tests.training.helpers import deep_project


def fake(epoch: int, n: int = 10) -> TrainingCheckpoint:
    return TrainingCheckpoint(epoch, epoch, np.full(n, float(epoch)), "gd", epoch, (), 0.0)


def test_count_stays_within_the_bound_and_first_and_latest_are_kept():
    ladder = CheckpointLadder(per_level=8)
    worst = 0
    for e in range(20_000):
        ladder.record(fake(e))
        assert ladder.first == 0 and ladder.latest == e
        assert 0 in ladder and e in ladder
        assert len(ladder) <= count_bound(e, 8)
        worst = max(worst, len(ladder))
    # a log-sized ladder: 20,000 epochs in well under a hundred checkpoints
    assert worst <= 1 + 8 * 15
    assert len(ladder) < 100


def test_recent_epochs_are_dense_and_old_ones_sparse():
    ladder = CheckpointLadder(per_level=8)
    for e in range(1, 5001):
        ladder.record(fake(e))
    epochs = ladder.epochs()
    assert epochs[-8:] == list(range(4993, 5001))  # the newest 8 epochs, every one
    gaps = np.diff(epochs)
    # gaps never shrink going back in time (older = sparser), and the oldest are wide
    assert all(a >= b for a, b in zip(gaps[:-1], gaps[1:]))
    assert gaps[1] >= 256


def test_the_byte_budget_holds_for_big_checkpoints():
    one = fake(0, n=10_000).nbytes
    ladder = CheckpointLadder(per_level=32, max_bytes=20 * one)
    for e in range(3000):
        ladder.record(fake(e, n=10_000))
        assert ladder.nbytes <= 20 * one
        assert 0 in ladder and e in ladder
    assert ladder.nbytes == sum(cp.nbytes for cp in ladder.checkpoints())


def test_drop_after_and_records_must_go_forward():
    ladder = CheckpointLadder(per_level=4)
    for e in range(100):
        ladder.record(fake(e))
    kept = ladder.epochs()
    cut = kept[len(kept) // 2]
    ladder.drop_after(cut)
    assert ladder.latest == cut and ladder.epochs() == [e for e in kept if e <= cut]
    with pytest.raises(ValueError):
        ladder.record(fake(cut - 1))
    ladder.record(fake(cut + 1))
    assert ladder.latest == cut + 1


@pytest.mark.parametrize("optimizer,mode", [("adam", "minibatch"), ("momentum", "online"), ("gd", "batch")])
def test_restore_continues_exactly_as_training_did(optimizer, mode):
    project = deep_project(n=40, optimizer=optimizer, mode=mode, batch_size=8, shuffle=True)
    s = project.settings

    def trainer():
        return Trainer(Engine(project.graph.copy(), s.loss), project.dataset, s)

    a = trainer()
    a.train(3)
    cp = capture(a)
    a.train(4)  # the reference: 7 epochs straight
    b = trainer()
    b.train(1)  # another state entirely, then put back at epoch 3
    restore(b, cp)
    assert b.epoch == 3 and b.optimizer.t == cp.optimizer_t
    b.train(4)
    assert b.epoch == a.epoch == 7 and b.steps == a.steps
    np.testing.assert_array_equal(b.engine.theta, a.engine.theta)
    np.testing.assert_array_equal(b.history[-4:], a.history[-4:])


def test_checkpoints_are_frozen_copies():
    project = deep_project(n=20, optimizer="adam")
    t = Trainer(Engine(project.graph.copy(), "cross_entropy"), project.dataset, project.settings)
    t.train(2)
    cp = capture(t)
    t.train(1)
    assert not np.array_equal(cp.theta, t.engine.theta)
    with pytest.raises(ValueError):
        cp.theta[0] = 1.0
    assert dict(cp.optimizer_arrays).keys() == {"m", "v"}


def test_restore_refuses_another_network():
    project = deep_project(n=20)
    t = Trainer(Engine(project.graph.copy(), "cross_entropy"), project.dataset, TrainingSettings(
        **project.settings.to_dict()))
    with pytest.raises(ValueError, match="parameters"):
        restore(t, fake(0, n=3))


@pytest.mark.parametrize("capture_s,epoch_s", [(10e-6, 30e-6), (10e-6, 1e-3), (1e-5, 1e-7)])
def test_the_recording_stride_keeps_recording_within_five_percent(capture_s, epoch_s):
    from bpstudio.core.checkpoints import stride_for

    k = stride_for(capture_s, epoch_s)
    assert k & (k - 1) == 0 and 1 <= k <= 1024  # a power of two: the ladder's levels stay aligned
    if k < 1024:
        assert capture_s <= 0.05 * epoch_s * k
    if k > 1:
        assert capture_s > 0.05 * epoch_s * (k // 2)  # no sparser than needed
