"""The engine's plumbing: refusals with reasons, numbers in and out of the graph, naming."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.graph import INPUT, OUTPUT, Graph, GraphError
from bpstudio.core.losses import LossError
from bpstudio.core.presets import layered_graph


def one_unit(activation="sigmoid", w=0.5, b=-1.0) -> tuple[Graph, str, str]:
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    d = g.add_node(OUTPUT, "D0", activation, bias=b).id
    g.connect(x, d, w)
    return g, x, d


@pytest.mark.parametrize("act", ["identity", "tanh", "relu", "leaky_relu", "softplus", "sin"])
def test_cross_entropy_refused_for_outputs_outside_0_1(act):
    g, _, _ = one_unit(act)
    with pytest.raises(LossError) as err:
        Engine(g, "cross_entropy")
    msg = str(err.value)
    assert "D0" in msg and act in msg and "(0, 1)" in msg and "sigmoid" in msg


def test_cross_entropy_accepted_for_sigmoid_and_gaussian_outputs():
    for act in ("sigmoid", "gaussian"):
        g, _, _ = one_unit(act)
        assert Engine(g, "cross_entropy").loss.name == "cross_entropy"


def test_missing_inputs_or_outputs_are_refused():
    g = Graph()
    g.add_node(OUTPUT, "D0")
    with pytest.raises(GraphError, match="no input units"):
        Engine(g)
    g = Graph()
    g.add_node(INPUT, "X1")
    with pytest.raises(GraphError, match="no output units"):
        Engine(g)


def test_unknown_loss_is_refused():
    g, _, _ = one_unit()
    with pytest.raises(LossError, match="unknown loss 'hinge'"):
        Engine(g, "hinge")


def test_write_to_and_read_from_round_trip():
    rng = np.random.default_rng(5)
    g = layered_graph([3, 4, 2], "tanh", "sigmoid")
    g.disconnect(*list(g.edges)[2])  # a missing edge too
    e = Engine(g)
    e.theta[:] = rng.normal(size=e.n_params)
    e.write_to(g)
    assert {k: g.edges[k].weight for k in g.edges} == e.weights()
    assert {u: g.nodes[u].bias for u in e.bias_ids} == e.biases()
    other = Engine(g)
    np.testing.assert_array_equal(other.theta[other.edge_slots], e.theta[e.edge_slots])
    g.set_weight(*e.edge_keys[0], 42.0)
    g.set_bias(e.bias_ids[-1], -7.0)
    e.read_from(g)
    assert e.weights()[e.edge_keys[0]] == 42.0 and e.biases()[e.bias_ids[-1]] == -7.0


def test_write_to_emits_events_only_for_changes():
    g, x, d = one_unit()
    e = Engine(g)
    changed = []
    g.events.edge_changed.connect(changed.append)
    e.write_to(g)
    assert changed == []
    e.theta[e.edge_slots[0]] = 0.75
    e.write_to(g)
    assert [c.weight for c in changed] == [0.75]


def test_first_non_finite_names_the_parameter():
    g, x, d = one_unit()
    e = Engine(g)
    assert e.first_non_finite() is None
    e.theta[e.bias_slots[0]] = np.inf
    assert e.first_non_finite() == "the bias of D0"
    e.theta[e.edge_slots[0]] = np.nan
    assert e.first_non_finite() == "the weight X1 → D0"


def test_repr_shows_the_shape():
    assert repr(Engine(layered_graph([2, 3, 1]))) == "Engine(2-3-1, 9 weights, loss=squared_error)"


def test_a_missing_edge_stays_missing_whatever_theta_holds():
    g = layered_graph([2, 2, 1], "tanh", "identity")
    x1, z2 = g.find("X1").id, g.find("Z2").id
    g.disconnect(x1, z2)
    e = Engine(g)
    X, Y = np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([[0.3], [0.1]])
    before = e.predict(X)
    e.gradient(X, Y)
    grad = e.grad.copy()
    real = np.zeros(e.n_params, dtype=bool)
    real[e.edge_slots] = real[e.bias_slots] = True
    e.theta[~real] = 123.0  # e.g. someone filled theta wholesale
    np.testing.assert_array_equal(e.predict(X), before)
    e.gradient(X, Y)
    np.testing.assert_array_equal(e.grad, grad)


def test_plain_lists_are_accepted():
    g, _, _ = one_unit("identity", 2.0, 1.0)
    e = Engine(g)
    fw = e.forward([[1], [2]])
    assert fw.yhat.tolist() == [[3.0], [5.0]]
    e.backward(fw, [[0], [0]])
    assert e.gradient([[1], [2]], [[0], [0]]) == 8.5  # mean(½ . 9, ½ . 25)
    assert e.grad[e.edge_slots[0]] == 6.5  # mean(1 . 3, 2 . 5)
