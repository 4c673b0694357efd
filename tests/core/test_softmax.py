"""Softmax output groups with categorical cross-entropy (issue 12)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.core import fileformat
from bpstudio.core.dataset import Dataset
from bpstudio.core.engine import Engine
from bpstudio.core.explain import explain_text
from bpstudio.core.gradcheck import gradient_check
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph, GraphError
from bpstudio.core.losses import LossError
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step

CCE = "categorical_cross_entropy"


def softmax_net(weights, n_hidden: int = 0, out_act: str = "softmax") -> Graph:
    """2 inputs → (tanh hidden) → 3 softmax outputs, weights drawn in order from ``weights``."""
    w = iter(weights)
    g = Graph()
    xs = [g.add_node(INPUT, f"X{i + 1}").id for i in range(2)]
    hs = [g.add_node(HIDDEN, f"Z{i + 1}", "tanh", bias=next(w)).id for i in range(n_hidden)]
    outs = [g.add_node(OUTPUT, f"D{i}", out_act, bias=next(w)).id for i in range(3)]
    for t in hs:
        for s in xs:
            g.connect(s, t, next(w))
    for t in outs:
        for s in hs or xs:
            g.connect(s, t, next(w))
    return g


def test_probabilities_loss_and_deltas_by_hand():
    g = softmax_net([0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0])  # a = (x1, x2, 0)
    e = Engine(g, CCE)
    X, Y = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0, 0.0]])
    s = math.e + math.e ** 2 + 1.0
    p = [math.e / s, math.e ** 2 / s, 1 / s]
    np.testing.assert_allclose(e.predict(X), [p], rtol=1e-15)
    assert e.loss_of(X, Y) == pytest.approx(-math.log(p[1]), rel=1e-15)
    deltas = e.backward(e.forward(X), Y)
    np.testing.assert_allclose(deltas[1], [[p[0], p[1] - 1, p[2]]], rtol=1e-14)  # δ = p − y


def test_huge_logits_do_not_overflow():
    g = softmax_net([0.0, 0.0, 0.0, 1000.0, 0.0, 0.0, 1000.0, 0.0, 0.0])
    e = Engine(g, CCE)
    X, Y = np.array([[1.0, 0.0]]), np.array([[0.0, 0.0, 1.0]])  # a = (1000, 0, 0)
    np.testing.assert_array_equal(e.predict(X), [[1.0, 0.0, 0.0]])
    assert e.loss_of(X, Y) == 1000.0  # ln p_3 = 0 − lse = −1000, exactly
    assert gradient_check(e, X, Y).ok


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(-2, 2), min_size=9 + 12, max_size=9 + 12), st.integers(0, 2),
       st.sampled_from([CCE, "squared_error"]), st.sampled_from([("none", 0.0), ("l2", 0.1), ("l1", 0.05)]))
def test_random_softmax_networks_pass_the_gradient_check(ws, n_hidden, loss, reg):
    g = softmax_net(ws, n_hidden)
    e = Engine(g, loss)
    if reg[0] == "l1" and any(abs(ed.weight) < 1e-3 for ed in g.edges.values()):
        reg = ("l2", 0.1)
    e.set_regularization(*reg)
    rng = np.random.default_rng(len(ws))
    X = rng.uniform(-2, 2, (4, 2))
    Y = np.eye(3)[rng.integers(0, 3, 4)]
    result = gradient_check(e, X, Y)
    assert result.ok, result.table()


def test_misplaced_softmax_and_wrong_losses_are_refused():
    g = softmax_net([0.1] * 9)
    with pytest.raises(LossError, match="use categorical cross-entropy"):
        Engine(g, "cross_entropy")
    with pytest.raises(LossError, match="output D0 uses sigmoid: give it the softmax"):
        Engine(softmax_net([0.1] * 9, out_act="sigmoid"), CCE)
    g.set_activation(g.outputs[0].id, "sigmoid")
    g.set_activation(g.outputs[1].id, "sigmoid")  # one softmax unit alone is no group
    with pytest.raises(GraphError, match="at least 2 units"):
        Engine(g)
    h = softmax_net([0.1] * 21, n_hidden=2)
    h.set_activation(next(n.id for n in h if n.name == "Z1"), "softmax")
    with pytest.raises(GraphError, match="output units only"):
        Engine(h)


def test_project_file_round_trip_keeps_the_group_and_the_loss(tmp_path):
    g = softmax_net([0.0, 0.1, 0.2, 1.0, 0.0, 0.0, 1.0, 0.5, -0.5])
    data = Dataset(np.array([[1.0, 0.0], [0.0, 1.0]]), np.eye(3)[[0, 2]], ["X1", "X2"], ["c0", "c1", "c2"])
    path = tmp_path / "three.json"
    fileformat.save(Project(g, data, TrainingSettings(loss=CCE)), path)
    back = fileformat.load(path)
    assert back.settings.loss == CCE
    assert [n.activation for n in back.graph.outputs] == ["softmax"] * 3
    X, Y = data.train()
    assert Engine(back.graph, CCE).loss_of(X, Y) == Engine(g, CCE).loss_of(X, Y)


def test_worked_arithmetic_explains_the_jacobian():
    g = softmax_net([0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    text = explain_text(trace_step(Engine(g, CCE), np.array([[1.0, 2.0]]), np.array([[0.0, 1.0, 0.0]])), g)
    assert "dp_i/da_j = p_i . (delta_ij - p_j)" in text
    assert "delta_j = p_j - y_j" in text
    assert "log-sum-exp" in text
    assert "delta_D1 = (y_hat_D1 - y_D1)" in text
    # a = (1, 2, 0): p_D1 = e^2 / (e^1 + e^2 + e^0)
    assert "e^2 / (e^1 + e^2 + e^0) = 0.665241" in text


def test_softmax_helpers():
    from bpstudio.core.softmax import predicted_class, softmax

    p = softmax([[1000.0, 0.0, 1000.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(p[0], [0.5, 0.0, 0.5])
    assert p[1, 1] == pytest.approx(math.e / (2 + math.e), rel=1e-15)
    np.testing.assert_array_equal(predicted_class(p), [0, 1])
