"""Trainer: batches per epoch in each mode, seeded shuffling, the capped history, stop conditions."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.dataset import Dataset
from bpstudio.core.engine import Engine
from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trainer import Trainer


def ten_rows() -> Dataset:
    X = np.column_stack([np.arange(10.0), np.arange(10.0) % 3])
    return Dataset(X / 10, (X[:, 0] > 4).astype(float), ["X1", "X2"], ["Y"])


def make(mode="batch", batch_size=4, shuffle=False, seed=0, data=None, cap=1_000_000, **kw):
    g = layered_graph([2, 3, 1], hidden="tanh")
    settings = TrainingSettings(mode=mode, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                init="xavier", **kw)
    initialise(g, settings)
    engine = Engine(g)
    return Trainer(engine, data or ten_rows(), settings, history_cap=cap)


def epoch_batches(trainer) -> list[list[int]]:
    """The row indices of every batch of the current epoch, stepping through it."""
    out = []
    start = trainer.epoch
    while trainer.epoch == start:
        idx, X, _ = trainer.next_batch()
        out.append(list(range(len(trainer.X))) if idx is None else [int(i) for i in idx])
        assert len(X) == len(out[-1])
        trainer.step()
    return out


@pytest.mark.parametrize("mode, size, steps, sizes", [
    ("batch", 4, 1, [10]),
    ("online", 4, 10, [1] * 10),
    ("minibatch", 4, 3, [4, 4, 2]),
    ("minibatch", 5, 2, [5, 5]),
    ("minibatch", 50, 1, [10]),
])
def test_steps_per_epoch(mode, size, steps, sizes):
    t = make(mode, size)
    assert t.position == (0, steps)
    batches = epoch_batches(t)
    assert [len(b) for b in batches] == sizes
    assert t.steps == steps and t.epoch == 1 and len(t.history) == 1
    assert sorted(i for b in batches for i in b) == list(range(10))  # every row once
    t.run_epoch()
    assert t.steps == 2 * steps and t.epoch == 2


def test_without_shuffle_rows_come_in_order():
    assert epoch_batches(make("online")) == [[i] for i in range(10)]
    assert epoch_batches(make("minibatch", 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_shuffle_is_seeded_and_deterministic():
    a, b, c = (make("minibatch", 3, shuffle=True, seed=s) for s in (11, 11, 12))
    orders_a = [epoch_batches(a) for _ in range(3)]
    orders_b = [epoch_batches(b) for _ in range(3)]
    orders_c = [epoch_batches(c) for _ in range(3)]
    assert orders_a == orders_b
    assert orders_a != orders_c
    assert orders_a[0] != orders_a[1]  # a new order each epoch
    for epoch in orders_a:
        assert sorted(i for batch in epoch for i in batch) == list(range(10))
    assert np.array_equal(a.engine.theta, b.engine.theta)  # same seed, same weights bit for bit
    assert a.history == b.history
    a.reset_state()
    assert epoch_batches(a) == orders_b[0]  # reset restarts the seeded sequence


def test_history_is_the_mean_of_the_epochs_batch_losses():
    t = make("minibatch", 4)
    twin = make("minibatch", 4)
    losses = [twin.step() for _ in range(3)]
    t.run_epoch()
    assert t.history == [pytest.approx(np.mean(losses), rel=1e-15)]
    assert t.history_epochs == [1]


def test_batch_history_starts_at_the_initial_dataset_loss():
    project = load_preset("article-xor")
    t = Trainer(Engine(project.graph), project.dataset, project.settings)
    assert t.dataset_loss() == 23.5
    t.run_epoch()
    assert t.history == [23.5]
    assert t.dataset_loss() < 23.5


def test_history_cap_keeps_memory_bounded():
    capped = make(cap=8)
    full = make()
    capped.train(100)
    full.train(100)
    assert len(full.history) == 100
    assert 4 <= len(capped.history) <= 8
    assert len(capped.history_epochs) == len(capped.history)
    assert capped.history_epochs[0] == 1 and capped.history_epochs[-1] == 100
    assert all(a < b for a, b in zip(capped.history_epochs, capped.history_epochs[1:]))
    # every kept point is the true loss of the epoch it is labelled with
    for e, loss in zip(capped.history_epochs, capped.history):
        assert loss == full.history[e - 1]
    capped.train(500)
    assert len(capped.history) <= 8 and capped.history_epochs[-1] == 600


def test_stop_at_max_epochs():
    t = make(max_epochs=7)
    t.train(100)
    assert t.epoch == 7 and len(t.history) == 7
    t.train(100)  # already at the limit: no further epoch
    assert t.epoch == 7
    t.settings.max_epochs = 0  # 0 = no limit
    t.train(3)
    assert t.epoch == 10


def test_stop_at_target_loss():
    project = load_preset("xor")
    t = Trainer(Engine(project.graph, project.settings.loss), project.dataset, project.settings)
    t.train(100_000)
    target = project.settings.target_loss
    assert 0 < t.epoch < project.settings.max_epochs
    assert t.history[-1] <= target < t.history[-2]


def test_stop_when_the_loss_is_no_longer_finite():
    project = load_preset("article-xor")
    settings = TrainingSettings(**{**project.settings.to_dict(), "learning_rate": 5.0})
    t = Trainer(Engine(project.graph), project.dataset, settings)
    with np.errstate(all="ignore"):  # divergence is the point
        t.train(500)
    assert t.epoch < 500
    assert not np.isfinite(t.history[-1]) and np.all(np.isfinite(t.history[:-1]))
    assert t.engine.first_non_finite() is not None


def test_online_step_uses_one_sample_at_a_time():
    project = load_preset("article-xor")
    settings = TrainingSettings(**{**project.settings.to_dict(), "mode": "online"})
    t = Trainer(Engine(project.graph), project.dataset, settings)
    # sample (0, 0): y_hat = 4, E = 8; after that step the net gives 1 + 0.6 + 3 . 0.6 . 1.6 on (0, 1)
    assert t.step() == 8.0
    assert t.step() == pytest.approx(0.5 * (0.6 + 3 * 0.6 * 1.6 - 1) ** 2, rel=1e-12)
    assert t.position == (2, 4)


def test_dataset_must_fit_the_network():
    g = layered_graph([3, 1])
    with pytest.raises(ValueError, match="2 inputs .* network has 3 inputs"):
        Trainer(Engine(g), ten_rows(), TrainingSettings())
    empty = Dataset(np.zeros((2, 2)), np.zeros(2), ["X1", "X2"], ["Y"], np.zeros(2, dtype=bool))
    with pytest.raises(ValueError, match="no training rows"):
        Trainer(Engine(layered_graph([2, 1])), empty, TrainingSettings())


def test_repr_says_where_training_is():
    t = make()
    t.run_epoch()
    assert repr(t).startswith("Trainer(epoch=1, steps=1, loss=")
