"""StepTrace: every number of one step, consistent with the engine and with the update applied."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core import optimizers
from bpstudio.core.engine import Engine
from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step
from bpstudio.core.trainer import Trainer


def skip_net(seed=4):
    g = layered_graph([2, 3, 2, 1], hidden="tanh", output="sigmoid")
    ids = {n.name: n.id for n in g}
    g.connect(ids["X2"], ids["D0"])
    g.disconnect(ids["X1"], ids["Z2"])
    initialise(g, TrainingSettings(init="uniform", init_scale=1.0, seed=seed))
    return g, ids


X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y4 = np.array([[0], [1], [1], [0]], dtype=float)


def test_trace_matches_the_engine():
    g, ids = skip_net()
    engine = Engine(g, "cross_entropy")
    trace = trace_step(engine, X4, Y4, learning_rate=0.3)
    fw = engine.forward(X4)
    np.testing.assert_array_equal(trace.yhat, fw.yhat)
    np.testing.assert_array_equal(trace.activation[:, :2], X4)  # inputs' values are the data
    assert np.isnan(trace.net_input[:, :2]).all() and np.isnan(trace.delta[:, :2]).all()
    assert np.isfinite(trace.delta[:, 2:]).all()
    assert trace.loss == pytest.approx(engine.loss_of(X4, Y4), rel=1e-14)
    assert trace.loss == pytest.approx(trace.loss_per_sample.mean(), rel=1e-15)
    np.testing.assert_array_equal(trace.weight_grad, engine.grad[engine.edge_slots])
    np.testing.assert_array_equal(trace.bias_grad, engine.grad[engine.bias_slots])
    assert trace.edge_keys == list(g.edges)  # the graph's own order
    assert trace.n_samples == 4 and trace.learning_rate == 0.3


def test_gradients_are_batch_means_of_value_times_delta():
    g, ids = skip_net()
    trace = trace_step(Engine(g, "cross_entropy"), X4, Y4)
    col = trace.column
    for (s, t), grad in zip(trace.edge_keys, trace.weight_grad):
        expected = np.mean(trace.activation[:, col[s]] * trace.delta[:, col[t]])
        assert grad == pytest.approx(expected, rel=1e-12, abs=1e-15)
    for nid, grad in zip(trace.bias_ids, trace.bias_grad):
        assert grad == pytest.approx(np.mean(trace.delta[:, col[nid]]), rel=1e-12, abs=1e-15)
    # the sigmoid + cross-entropy output delta is y_hat - y exactly
    np.testing.assert_allclose(trace.unit_delta(ids["D0"]), (trace.yhat - Y4)[:, 0], rtol=1e-12)


def test_deltas_agree_with_finite_differences_of_the_loss():
    g, ids = skip_net(seed=9)
    engine = Engine(g)
    trace = trace_step(engine, X4, Y4)
    h = 1e-6
    for nid in (ids["Z1"], ids["H2"], ids["D0"]):
        # the bias enters the net input with weight 1: dE/dbias = mean of delta over the batch
        i = engine.bias_slots[engine.bias_ids.index(nid)]
        old = engine.theta[i]
        engine.theta[i] = old + h
        up = engine.loss_of(X4, Y4)
        engine.theta[i] = old - h
        down = engine.loss_of(X4, Y4)
        engine.theta[i] = old
        assert (up - down) / (2 * h) == pytest.approx(trace.unit_delta(nid).mean(), rel=1e-6, abs=1e-9)


def test_update_recorded_only_after_the_optimiser():
    project = load_preset("article-xor")
    engine = Engine(project.graph)
    trace = trace_step(engine, X4, Y4, learning_rate=0.1)
    assert not trace.applied and np.isnan(trace.weight_new).all()
    theta_before = engine.theta.copy()
    np.testing.assert_array_equal(engine.theta, theta_before)  # tracing changes no weight
    optimizers.make(project.settings, engine.n_params).step(engine.theta, engine.grad)
    trace.record_update(engine)
    assert trace.applied
    np.testing.assert_allclose(trace.weight_new, trace.weight_old - 0.1 * trace.weight_grad,
                               rtol=1e-15)
    np.testing.assert_allclose(trace.bias_new, trace.bias_old - 0.1 * trace.bias_grad, rtol=1e-15)
    engine.theta[:] = 0.0  # the trace keeps its own copies
    assert trace.weight_old[0] == 1.0 and trace.weight_new[0] == pytest.approx(0.6)
    assert "applied=True" in repr(trace) and "4 samples" in repr(trace)


def test_phase_stepping_path_equals_a_plain_step():
    """Trace the trainer's next batch, update by hand, finish_step: the same as Trainer.step."""
    project = load_preset("xor")
    settings = TrainingSettings(**{**project.settings.to_dict(), "mode": "minibatch",
                                   "batch_size": 3, "shuffle": True, "seed": 5})
    traced = Trainer(Engine(project.graph.copy(), settings.loss), project.dataset, settings)
    plain = Trainer(Engine(project.graph.copy(), settings.loss), project.dataset, settings)
    for _ in range(5):
        idx, X, Y = traced.next_batch()
        trace = trace_step(traced.engine, X, Y, idx, settings.learning_rate, settings.optimizer)
        traced.optimizer.step(traced.engine.theta, traced.engine.grad)
        trace.record_update(traced.engine)
        traced.finish_step(trace.loss)
        loss = plain.step()
        assert trace.loss == pytest.approx(loss, rel=1e-14)
        np.testing.assert_array_equal(trace.sample_indices, idx)
        np.testing.assert_allclose(traced.engine.theta, plain.engine.theta, rtol=1e-14)
    assert (traced.epoch, traced.steps) == (plain.epoch, plain.steps) == (2, 5)
    assert traced.history == pytest.approx(plain.history, rel=1e-14)
