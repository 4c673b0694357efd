"""The Qt-free training session: phases, stepping, edits, divergence, stop conditions, snapshots."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.graph import HIDDEN
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trainer import Trainer
from bpstudio.training.compose import make_snapshot
from bpstudio.training.phases import phase_plan, reveal
from bpstudio.training.session import DIVERGED, FINISHED, IDLE, PAUSED, RUNNING, TrainingSession

from .helpers import deep_project

ARTICLE_ORDER = ["forward hidden", "forward output", "loss", "backward output",
                 "backward hidden", "update"]


def session_of(project, **changes) -> TrainingSession:
    s = TrainingSettings(**{**project.settings.to_dict(), **changes})
    return TrainingSession(project.graph.copy(), project.dataset, s)


def reference_trainer(project, **changes) -> Trainer:
    s = TrainingSettings(**{**project.settings.to_dict(), **changes})
    return Trainer(Engine(project.graph.copy(), s.loss), project.dataset, s)


def test_phase_order_for_the_article(article):
    s = session_of(article)
    assert [p.label for p in s.plan] == ARTICLE_ORDER
    shown = [s.step_phase().label for _ in range(6)]
    assert shown == ARTICLE_ORDER


def test_phase_order_for_two_hidden_layers():
    labels = [p.label for p in phase_plan(3)]
    assert labels == ["forward hidden 1", "forward hidden 2", "forward output", "loss",
                      "backward output", "backward hidden 2", "backward hidden 1", "update"]
    assert [p.label for p in phase_plan(1)] == ["forward output", "loss", "backward output", "update"]


def test_phases_reveal_layer_by_layer_with_the_articles_numbers(article):
    s = session_of(article)
    out = s.engine.unit_index[s.engine.output_ids[0]]
    hidden = [s.engine.unit_index[n.id] for n in s.graph.hidden]
    s.step_phase()  # forward hidden
    snap = make_snapshot(s, final=True)
    # every weight 1, bias 1, identity: a hidden unit's net input is 1 + X1 + X2
    np.testing.assert_array_equal(snap.activation[:, hidden[0]], [1, 2, 2, 3])
    assert np.isnan(snap.activation[:, out]).all() and np.isnan(snap.delta).all()
    assert snap.batch_loss is None
    s.step_phase()  # forward output: 3·hidden + 1
    s.step_phase()  # loss
    snap = make_snapshot(s, final=True)
    np.testing.assert_array_equal(snap.activation[:, out], [4, 7, 7, 10])
    assert snap.batch_loss == pytest.approx(np.mean(0.5 * np.array([4, 6, 6, 10]) ** 2))
    s.step_phase()  # backward output: delta = ŷ − y (the article has the sign wrong)
    snap = make_snapshot(s, final=True)
    np.testing.assert_array_equal(snap.delta[:, out], [4, 6, 6, 10])
    assert np.isnan(snap.delta[:, hidden]).all()
    s.step_phase()  # backward hidden: delta_z = delta_out · w = delta_out
    snap = make_snapshot(s, final=True)
    np.testing.assert_array_equal(snap.delta[:, hidden[1]], [4, 6, 6, 10])
    assert snap.weight_change is None and snap.epoch == 0
    s.step_phase()  # update: batch gradient descent must equal Trainer.step exactly
    snap = make_snapshot(s, final=True)
    ref = reference_trainer(article)
    ref.step()
    np.testing.assert_array_equal(s.engine.theta, ref.engine.theta)
    assert snap.epoch == 1 and list(snap.new_losses) == ref.history
    np.testing.assert_allclose(snap.weight_change, snap.weights - 1.0)


def test_reveal_masks_gradients_of_layers_not_reached(article):
    s = session_of(article)
    s.step_phase()
    tr = s.trace
    r = reveal(tr, 2, 3)  # backward output
    out_edges = [i for i, (_, t) in enumerate(tr.edge_keys) if tr.depth_of[t] == 2]
    in_edges = [i for i, (_, t) in enumerate(tr.edge_keys) if tr.depth_of[t] == 1]
    assert np.isfinite(r.weight_grad[out_edges]).all() and np.isnan(r.weight_grad[in_edges]).all()
    assert r.backward_depth == 2 and r.forward_depth == 2 and r.loss_known


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_phase_walks_equal_plain_steps_and_step_back_is_exact(article, optimizer):
    s = session_of(article, optimizer=optimizer, mode="online", learning_rate=0.01)
    ref = reference_trainer(article, optimizer=optimizer, mode="online", learning_rate=0.01)
    for _ in range(5):  # one epoch and a bit, phase by phase, with a step back over each update
        for _ in range(6):
            s.step_phase()
        before = s.engine.theta.copy()
        s.step_back()
        assert s.plan[s.phase_index].label == "backward hidden"
        s.step_phase()
        np.testing.assert_array_equal(s.engine.theta, before)
        ref.step()
        np.testing.assert_array_equal(s.engine.theta, ref.engine.theta)
        assert (s.trainer.epoch, s.trainer.steps, s.trainer.history) == (ref.epoch, ref.steps, ref.history)


def test_step_back_over_an_epoch_end_resends_the_history(article):
    s = session_of(article)
    make_snapshot(s)
    for _ in range(6):
        s.step_phase()
    assert list(make_snapshot(s).new_losses) == [23.5]
    s.step_back()
    snap = make_snapshot(s)
    assert snap.history_reset and snap.epoch == 0 and len(snap.new_losses) == 0
    labels = [s.step_back().label for _ in range(4)]
    assert labels == ["backward output", "loss", "forward output", "forward hidden"]
    assert s.step_back() is None and not s.walking


def test_online_batch_label_names_the_sample(article):
    s = session_of(article, mode="online")
    s.step_traced()
    s.step_phase()
    snap = make_snapshot(s)
    assert snap.batch_label == "sample 2 of 4: X1 = 0, X2 = 1"
    assert list(snap.sample_indices) == [1]
    s2 = session_of(article, mode="minibatch", batch_size=3)
    s2.step_phase()
    assert s2.batch_label == "mini-batch 1 of 2 (3 samples)"
    assert session_of(article).preview() is not None


def test_huge_learning_rate_diverges_with_a_plain_message(article):
    s = session_of(article, learning_rate=10.0)
    assert s.play()
    s.run(budget=1.0)
    assert s.state == DIVERGED
    assert "learning rate 10 is too large" in s.message and "try 1" in s.message
    assert s.non_finite and "weight" in s.non_finite
    snap = make_snapshot(s, final=True)
    assert snap.state == DIVERGED and snap.message == s.message


def test_overflow_to_infinity_names_the_first_bad_value(article):
    s = session_of(article, learning_rate=1e300)
    s.play()
    with np.errstate(all="ignore"):
        s.run(budget=1.0)
    assert s.state == DIVERGED and s.non_finite
    assert make_snapshot(s, final=True).boundary is None  # no grid of NaNs


def test_max_epochs_finishes_and_refuses_to_play_on(article):
    s = session_of(article, max_epochs=5)
    s.play()
    s.run(budget=5.0)
    assert (s.state, s.trainer.epoch) == (FINISHED, 5)
    assert s.message == "Reached the maximum of 5 epochs."
    assert not s.play() and s.state == FINISHED and "Raise the limit" in s.message
    s.configure(TrainingSettings(**{**s.settings.to_dict(), "max_epochs": 8}))
    assert s.state == PAUSED and s.play()
    s.run(budget=5.0)
    assert s.trainer.epoch == 8


def test_target_loss_finishes(xor):
    s = session_of(xor, target_loss=0.05)
    s.play()
    while s.state == RUNNING:
        s.run(budget=0.5)
    assert s.state == FINISHED and s.trainer.history[-1] <= 0.05 < s.trainer.history[-2]
    assert s.message.startswith("Reached the target loss 0.05")


def test_a_typed_weight_counts_from_the_next_step(article):
    s = session_of(article)
    s.step_traced()
    g = s.graph.copy()
    key = next(iter(g.edges))
    g.set_weight(*key, 7.5)
    assert s.apply_graph(g) is False  # same topology: no recompile
    trace = s.step_traced()
    assert trace.weight_old[trace.edge_keys.index(key)] == 7.5
    assert s.trainer.epoch == 2


def test_a_topology_edit_recompiles_keeping_epoch_and_history(article):
    s = session_of(article)
    s.play()
    s.run(budget=1.0, max_steps=10)
    history = list(s.trainer.history)
    g = s.graph.copy()
    z = g.add_node(HIDDEN, "Z4")
    for x in g.inputs:
        g.connect(x.id, z.id, 0.5)
    g.connect(z.id, g.outputs[0].id, 0.5)
    assert s.apply_graph(g) is True
    assert s.trainer.epoch == 10 and s.trainer.history == history
    assert len(s.engine.unit_ids) == 7 and s.engine.weights()[(z.id, g.outputs[0].id)] == 0.5


def test_a_broken_edit_is_refused_and_the_old_network_kept(article):
    s = session_of(article)
    g = s.graph.copy()
    g.remove_node(g.outputs[0].id)
    with pytest.raises(ValueError, match="no output units"):
        s.apply_graph(g)
    assert len(s.graph.outputs) == 1


def test_snapshots_carry_only_new_history_and_measurements():
    p = deep_project(200)
    p.dataset.train_mask[::4] = False  # a quarter of the rows for testing
    s = session_of(p)
    first = make_snapshot(s, final=True)
    assert first.history_reset and first.state == IDLE and len(first.new_losses) == 0
    assert first.boundary.shape == (100, 100) and len(first.hidden_thumbnails) == 33
    s.play()
    s.run(budget=5.0, max_steps=3)
    snap = make_snapshot(s)
    assert list(snap.new_epochs) == [1, 2, 3] and not snap.history_reset
    assert np.isnan(snap.new_test_losses[:2]).all()
    assert snap.new_test_losses[-1] == pytest.approx(
        s.engine.loss_of(*p.dataset.test()))
    assert 0.0 <= snap.new_accuracy[-1] <= 1.0 and 0.0 <= snap.new_test_accuracy[-1] <= 1.0
    s.run(budget=5.0, max_steps=2)
    snap = make_snapshot(s)
    assert list(snap.new_epochs) == [4, 5] and snap.history_len == 5
    assert snap.layer_grad_norms.shape == (3,) and (snap.layer_weight_norms > 0).all()
    assert not snap.weights.flags.writeable


def test_settings_change_live_and_by_rebuild(article):
    s = session_of(article, optimizer="momentum")
    s.step_traced()
    opt = s.trainer.optimizer
    s.configure(TrainingSettings(**{**s.settings.to_dict(), "learning_rate": 0.01}))
    assert s.trainer.optimizer is opt and opt.settings.learning_rate == 0.01
    s.configure(TrainingSettings(**{**s.settings.to_dict(), "mode": "online"}))
    assert s.trainer.epoch == 1 and s.trainer.batch_size() == 1 and s.trainer.optimizer is opt
    s.configure(TrainingSettings(**{**s.settings.to_dict(), "optimizer": "adam"}))
    assert s.trainer.optimizer.name == "adam" and s.trainer.epoch == 1


def test_history_stays_bounded_and_new_points_still_arrive(article, monkeypatch):
    import bpstudio.training.session as session_module

    monkeypatch.setattr(session_module, "HISTORY_CAP", 100)
    s = session_of(article, max_epochs=0)
    make_snapshot(s)
    s.play()
    s.run(budget=10.0, max_steps=250)
    snap = make_snapshot(s)
    assert len(s.trainer.history) <= 101 and s.trainer.history_epochs[-1] == 250
    assert list(snap.new_epochs) == s.trainer.history_epochs  # all that is kept, oldest thinned
    s.run(budget=10.0, max_steps=3)
    assert list(make_snapshot(s).new_epochs) == [251, 252, 253]
