"""A session built from a saved project continues at its epoch with its loss history (Qt-free)."""

from __future__ import annotations

import numpy as np

from bpstudio.core.engine import Engine
from bpstudio.core.presets import load_preset
from bpstudio.core.trainer import Trainer
from bpstudio.training.compose import make_snapshot
from bpstudio.training.resume import resume, saved_progress
from bpstudio.training.session import TrainingSession


def test_history_epochs_are_the_last_epochs_up_to_the_saved_epoch():
    p = load_preset("xor")
    assert p.history_epochs() == [] and saved_progress(p) == (0, range(1, 1), ())
    p.loss_history, p.epoch = [0.7, 0.6, 0.5], 3
    assert p.history_epochs() == [1, 2, 3]
    p.epoch = 10  # a shorter history than the epoch count: its points are the last epochs
    assert p.history_epochs() == [8, 9, 10]
    p.epoch = 0  # a history without an epoch count: one point per epoch from 1
    assert p.history_epochs() == [1, 2, 3] and saved_progress(p) == (3, range(1, 4), (0.7, 0.6, 0.5))
    p.epoch = 10
    assert list(saved_progress(p)[1]) == p.history_epochs() == [8, 9, 10]


def test_a_resumed_session_sends_the_saved_history_then_appends_epoch_n_plus_one():
    p = load_preset("xor")
    first = Trainer(Engine(p.graph, p.settings.loss), p.dataset, p.settings)
    first.train(4)
    first.engine.write_to(p.graph)
    p.epoch, p.loss_history = first.epoch, list(first.history)

    s = TrainingSession(p.graph.copy(), p.dataset, p.settings)
    resume(s, *saved_progress(p))
    snap = make_snapshot(s, final=True)
    assert snap.history_reset and snap.epoch == 4 and snap.history_len == 4
    assert snap.new_epochs.tolist() == [1, 2, 3, 4] and snap.new_losses.tolist() == first.history

    s.run(budget=10.0, until_epoch=5)
    expected = first.run_epoch()  # the same weights, batch GD: the 5th epoch's loss
    nxt = make_snapshot(s)
    assert nxt.epoch == 5 and not nxt.history_reset
    assert nxt.new_epochs.tolist() == [5] and nxt.new_losses[0] == expected
    assert s.trainer.history_epochs == [1, 2, 3, 4, 5]
    assert np.array_equal(s.engine.theta, first.engine.theta)


def test_a_project_without_history_starts_at_epoch_zero():
    p = load_preset("xor")
    s = TrainingSession(p.graph.copy(), p.dataset, p.settings)
    resume(s, *saved_progress(p))
    assert s.trainer.epoch == 0 and make_snapshot(s).new_epochs.tolist() == []
    s.run(budget=10.0, until_epoch=1)
    assert make_snapshot(s).new_epochs.tolist() == [1]
