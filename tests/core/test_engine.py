"""The compiled engine against hand-worked numbers and a slow per-node reference implementation.

The reference below loops over units in topological order, one sample at a time, with the
``math`` module's functions: obviously correct, independent of the engine's arrays, blocks and
masks. Random graphs (skip connections, missing edges, mixed activations in one layer, outputs at
different depths, outputs feeding outputs, dangling units) must give the same net inputs,
activations, outputs, deltas and gradients.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpstudio.core.activations import ACTIVATIONS, LEAKY_SLOPE, UNIT_ACTIVATIONS
from bpstudio.core.engine import Engine
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph


# ---------------------------------------------------------------------------- the reference
def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


REFERENCE_ACTIVATIONS = {  # f(a), f'(a), written independently of bpstudio.core.activations
    "identity": (lambda a: a, lambda a: 1.0),
    "sigmoid": (_sigmoid, lambda a: _sigmoid(a) * (1.0 - _sigmoid(a))),
    "tanh": (math.tanh, lambda a: 1.0 - math.tanh(a) ** 2),
    "relu": (lambda a: max(a, 0.0), lambda a: 1.0 if a > 0 else 0.0),
    "leaky_relu": (lambda a: a if a > 0 else LEAKY_SLOPE * a,
                   lambda a: 1.0 if a > 0 else LEAKY_SLOPE),
    "softplus": (lambda a: max(a, 0.0) + math.log1p(math.exp(-abs(a))), _sigmoid),
    "sin": (math.sin, math.cos),
    "gaussian": (lambda a: math.exp(-a * a), lambda a: -2.0 * a * math.exp(-a * a)),
}

REFERENCE_LOSSES = {  # E(ŷ, y) of one output, dE/dŷ
    "squared_error": (lambda p, y: 0.5 * (p - y) ** 2, lambda p, y: p - y),
    "cross_entropy": (lambda p, y: -(y * math.log(p) + (1 - y) * math.log(1 - p)),
                      lambda p, y: (p - y) / (p * (1 - p))),
}


def reference(graph: Graph, X, Y, loss: str = "squared_error"):
    """Per-unit dicts: net input, activation and delta per sample; mean loss; mean gradients."""
    order = graph.topological_order()
    outputs = [n.id for n in graph.outputs]
    inputs = [n.id for n in graph.inputs]
    E, dE = REFERENCE_LOSSES[loss]
    nets = {u: [] for u in order}
    acts = {u: [] for u in order}
    deltas = {u: [] for u in order}
    w_grad = dict.fromkeys(graph.edges, 0.0)
    b_grad = {n.id: 0.0 for n in graph if n.role != INPUT}
    total = 0.0
    for x, y in zip(X, Y):
        net, z = {}, {}
        for u in order:
            node = graph.nodes[u]
            if node.role == INPUT:
                z[u] = float(x[inputs.index(u)])
                continue
            net[u] = node.bias + sum(e.weight * z[e.source] for e in graph.incoming(u))
            z[u] = REFERENCE_ACTIVATIONS[node.activation][0](net[u])
        total += sum(E(z[o], float(y[k])) for k, o in enumerate(outputs))
        delta = {}
        for u in reversed(order):
            node = graph.nodes[u]
            if node.role == INPUT:
                continue
            dz = sum(e.weight * delta[e.target] for e in graph.outgoing(u))
            if node.role == OUTPUT:
                dz += dE(z[u], float(y[outputs.index(u)]))
            delta[u] = dz * REFERENCE_ACTIVATIONS[node.activation][1](net[u])
            b_grad[u] += delta[u]
            for e in graph.incoming(u):
                w_grad[e.key] += z[e.source] * delta[u]
        for u in order:
            nets[u].append(net.get(u, math.nan))
            acts[u].append(z[u])
            deltas[u].append(delta.get(u, math.nan))
    n = len(X)
    return (nets, acts, deltas, total / n, {k: v / n for k, v in w_grad.items()},
            {k: v / n for k, v in b_grad.items()})


def random_graph(rng: np.random.Generator, activations=tuple(REFERENCE_ACTIVATIONS),
                 output_acts=None) -> Graph:
    """1-3 inputs, 0-6 hidden, 1-3 outputs; edges forward in a random order, some left out."""
    g = Graph()
    n_in, n_hid, n_out = rng.integers(1, 4), rng.integers(0, 7), rng.integers(1, 4)
    ids = [g.add_node(INPUT, f"X{i + 1}").id for i in range(n_in)]
    middle = [(HIDDEN, f"Z{i + 1}") for i in range(n_hid)] + [(OUTPUT, f"D{i}") for i in range(n_out)]
    rng.shuffle(middle)  # outputs may sit at any depth, and feed later units
    for role, name in middle:
        pool = output_acts if (role == OUTPUT and output_acts) else activations
        act = pool[rng.integers(len(pool))]
        nid = g.add_node(role, name, act, bias=float(rng.normal(0, 0.5))).id
        for src in ids:
            if rng.random() < 0.6:
                g.connect(src, nid, float(rng.normal(0, 1)))
        ids.append(nid)
    return g


def assert_engine_matches_reference(g: Graph, X, Y, loss="squared_error") -> None:
    nets, acts, deltas, ref_loss, ref_w, ref_b = reference(g, X, Y, loss)
    engine = Engine(g, loss)
    fw = engine.forward(X)
    per_depth = engine.backward(fw, Y)
    got_net, got_act = engine.per_unit(fw.net), engine.per_unit(fw.act)
    got_delta = engine.per_unit(per_depth)
    for c, u in enumerate(engine.unit_ids):
        np.testing.assert_allclose(got_net[:, c], nets[u], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(got_act[:, c], acts[u], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(got_delta[:, c], deltas[u], rtol=1e-10, atol=1e-12)
    yhat = np.column_stack([acts[o.id] for o in g.outputs])
    np.testing.assert_allclose(fw.yhat, yhat, rtol=1e-12, atol=1e-13)
    assert engine.gradient(X, Y) == pytest.approx(ref_loss, rel=1e-12, abs=1e-13)
    got_w = engine.theta[engine.edge_slots] * 0 + engine.grad[engine.edge_slots]
    assert engine.edge_keys == list(g.edges)
    np.testing.assert_allclose(got_w, [ref_w[k] for k in engine.edge_keys], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(engine.grad[engine.bias_slots], [ref_b[u] for u in engine.bias_ids],
                               rtol=1e-10, atol=1e-12)


def test_reference_covers_every_activation():
    assert set(REFERENCE_ACTIVATIONS) == set(UNIT_ACTIVATIONS)  # softmax: tests/core/test_softmax.py
    for name, (f, fp) in REFERENCE_ACTIVATIONS.items():
        a = np.array([-2.5, -0.3, 0.7, 3.0])
        np.testing.assert_allclose(ACTIVATIONS[name].f(a), [f(v) for v in a], rtol=1e-14)
        np.testing.assert_allclose(ACTIVATIONS[name].prime(a), [fp(v) for v in a], rtol=1e-14)


# ---------------------------------------------------------------------------- hand-worked nets
def one_unit(activation="sigmoid", w=0.5, b=-1.0) -> tuple[Graph, str, str]:
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    d = g.add_node(OUTPUT, "D0", activation, bias=b).id
    g.connect(x, d, w)
    return g, x, d


def test_single_sigmoid_unit_by_hand():
    g, x, d = one_unit()
    e = Engine(g)
    X, Y = np.array([[2.0]]), np.array([[1.0]])
    fw = e.forward(X)
    # a = 0.5 . 2 + (-1) = 0, z = sigmoid(0) = 0.5
    assert fw.net[1][0, 0] == 0.0 and fw.yhat[0, 0] == 0.5
    # E = 1/2 . (0.5 - 1)^2 = 0.125; delta = (0.5 - 1) . 0.5 . (1 - 0.5) = -0.125
    assert e.gradient(X, Y) == 0.125
    deltas = e.backward(fw, Y)
    assert deltas[1][0, 0] == -0.125
    assert e.grad[e.edge_slots[0]] == -0.25  # X . delta = 2 . -0.125
    assert e.grad[e.bias_slots[0]] == -0.125


def test_two_samples_average_the_gradient():
    g, x, d = one_unit("identity", w=1.0, b=0.0)
    e = Engine(g)
    # ŷ = x; deltas ŷ - y = (1 - 0, 3 - 1) = (1, 2); dW = mean(1 . 1, 3 . 2) = 3.5; db = 1.5
    loss = e.gradient(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]))
    assert loss == 1.25  # mean(1/2 . 1, 1/2 . 4)
    assert e.grad[e.edge_slots[0]] == 3.5 and e.grad[e.bias_slots[0]] == 1.5


def test_tanh_hidden_layer_by_hand():
    # X1 → H1 (tanh, w=1, b=0), X1 → H2 (tanh, w=-1, b=0), H1, H2 → D0 (identity, v=1, 2, b=0)
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    h1 = g.add_node(HIDDEN, "H1", "tanh").id
    h2 = g.add_node(HIDDEN, "H2", "tanh").id
    d = g.add_node(OUTPUT, "D0", "identity").id
    g.connect(x, h1, 1.0)
    g.connect(x, h2, -1.0)
    g.connect(h1, d, 1.0)
    g.connect(h2, d, 2.0)
    e = Engine(g)
    X, Y = np.array([[0.5]]), np.array([[0.0]])
    t = math.tanh(0.5)
    # ŷ = t + 2 . tanh(-0.5) = -t; delta_D0 = -t; delta_H1 = 1 . -t . (1 - t²); delta_H2 = 2 . -t . (1 - t²)
    fw = e.forward(X)
    assert fw.yhat[0, 0] == pytest.approx(-t, rel=1e-15)
    deltas = e.per_unit(e.backward(fw, Y))
    col = {u: i for i, u in enumerate(e.unit_ids)}
    assert deltas[0, col[h1]] == pytest.approx(-t * (1 - t * t), rel=1e-15)
    assert deltas[0, col[h2]] == pytest.approx(-2 * t * (1 - t * t), rel=1e-15)
    w = dict(zip(e.edge_keys, e.grad[e.edge_slots]))
    assert w[(h1, d)] == pytest.approx(t * -t, rel=1e-15)  # z_H1 . delta_D0
    assert w[(x, h2)] == pytest.approx(0.5 * -2 * t * (1 - t * t), rel=1e-15)


def test_cross_entropy_with_sigmoid_output_has_delta_yhat_minus_y():
    g, x, d = one_unit("sigmoid", w=3.0, b=0.0)
    e = Engine(g, "cross_entropy")
    X, Y = np.array([[1.0]]), np.array([[0.0]])
    fw = e.forward(X)
    p = 1 / (1 + math.exp(-3))
    assert e.backward(fw, Y)[1][0, 0] == pytest.approx(p, rel=1e-15)
    assert e.gradient(X, Y) == pytest.approx(-math.log(1 - p), rel=1e-14)


def test_saturated_sigmoid_cross_entropy_stays_finite():
    g, x, d = one_unit("sigmoid", w=60.0, b=0.0)
    e = Engine(g, "cross_entropy")
    e.gradient(np.array([[1.0]]), np.array([[0.0]]))
    assert e.grad[e.edge_slots[0]] == pytest.approx(1.0, rel=1e-12)  # ŷ − y with ŷ ≈ 1


# ---------------------------------------------------------------------------- against the reference
def test_layered_net_matches_reference():
    rng = np.random.default_rng(0)
    from bpstudio.core.presets import layered_graph

    g = layered_graph([3, 4, 3, 2], "tanh", "sigmoid")
    for e in g.edges.values():
        e.weight = float(rng.normal())
    for n in g:
        if n.role != INPUT:
            n.bias = float(rng.normal())
    X, Y = rng.normal(size=(5, 3)), rng.random((5, 2))
    assert_engine_matches_reference(g, X, Y)
    assert_engine_matches_reference(g, X, Y, "cross_entropy")


def test_skip_connections_missing_edges_and_mixed_layers_match_reference():
    g = Graph()
    x1, x2 = g.add_node(INPUT, "X1").id, g.add_node(INPUT, "X2").id
    h1 = g.add_node(HIDDEN, "Z1", "tanh", 0.1).id
    h2 = g.add_node(HIDDEN, "Z2", "relu", -0.2).id  # mixed activations at depth 1
    h3 = g.add_node(HIDDEN, "Z3", "sigmoid", 0.3).id
    d0 = g.add_node(OUTPUT, "D0", "identity", 0.5).id
    d1 = g.add_node(OUTPUT, "D1", "sin", -0.5).id
    g.connect(x1, h1, 0.7)
    g.connect(x2, h2, -1.3)  # X1 → Z2 and X2 → Z1 missing: masked block
    g.connect(x2, h3, 0.4)
    g.connect(h1, d0, 1.1)
    g.connect(x1, d0, -0.6)  # skip over the hidden layer
    g.connect(h2, d0, 0.9)
    g.connect(h3, d1, 2.0)
    g.connect(d1, d0, 0.25)  # an output feeding a deeper output
    e = Engine(g)
    assert any(blk.mask is not None for L in e.layers for blk in L.blocks)
    assert len(e.layers[0].groups) == 3
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    assert_engine_matches_reference(g, X, Y)


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_match_reference(seed):
    rng = np.random.default_rng(seed)
    g = random_graph(rng)
    n = int(rng.integers(1, 6))
    X = rng.normal(size=(n, len(g.inputs)))
    Y = rng.normal(size=(n, len(g.outputs)))
    assert_engine_matches_reference(g, X, Y)


@pytest.mark.parametrize("seed", range(15))
def test_random_graphs_match_reference_cross_entropy(seed):
    rng = np.random.default_rng(100 + seed)
    g = random_graph(rng, output_acts=("sigmoid", "gaussian"))
    X = rng.normal(size=(4, len(g.inputs)))
    Y = rng.random((4, len(g.outputs)))
    assert_engine_matches_reference(g, X, Y, "cross_entropy")


def test_unit_without_incoming_edges_outputs_its_bias():
    g = Graph()
    g.add_node(INPUT, "X1")
    d = g.add_node(OUTPUT, "D0", "tanh", bias=0.5).id
    e = Engine(g)
    np.testing.assert_array_equal(e.predict([[1.0], [2.0], [3.0]]), np.tanh(0.5) * np.ones((3, 1)))
    assert_engine_matches_reference(g, np.ones((3, 1)), np.zeros((3, 1)))
    assert e.bias_ids == [d]


def test_hidden_unit_feeding_nothing_has_zero_delta():
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    h = g.add_node(HIDDEN, "Z1", "tanh").id
    d = g.add_node(OUTPUT, "D0", "identity").id
    g.connect(x, h, 1.0)
    g.connect(x, d, 1.0)
    e = Engine(g)
    X, Y = np.array([[1.0], [2.0]]), np.array([[0.0], [0.0]])
    deltas = e.per_unit(e.backward(e.forward(X), Y))
    assert deltas[:, e.unit_ids.index(h)].tolist() == [0.0, 0.0]
    assert_engine_matches_reference(g, X, Y)


def test_forward_returns_new_arrays_each_time():
    g, _, _ = one_unit("identity", 1.0, 0.0)
    e = Engine(g)
    first = e.forward(np.array([[1.0]])).yhat
    e.forward(np.array([[5.0]]))
    assert first[0, 0] == 1.0


def test_missing_edges_get_no_gradient_and_stay_zero_in_training():
    from bpstudio.core import optimizers
    from bpstudio.core.settings import TrainingSettings

    g = Graph()
    xs = [g.add_node(INPUT, f"X{i}").id for i in range(3)]
    hs = [g.add_node(HIDDEN, f"Z{i}", "tanh").id for i in range(3)]
    d = g.add_node(OUTPUT, "D0", "sigmoid").id
    for i, x in enumerate(xs):
        for j, h in enumerate(hs):
            if i != j:  # the diagonal is missing
                g.connect(x, h, 0.3 * (i - j))
    for h in hs:
        g.connect(h, d, 0.5)
    e = Engine(g)
    real = np.zeros(e.n_params, dtype=bool)
    real[e.edge_slots] = real[e.bias_slots] = True
    assert (~real).sum() == 3
    opt = optimizers.make(TrainingSettings(optimizer="adam", learning_rate=0.1), e.n_params)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 3)), rng.random((8, 1))
    for _ in range(20):
        e.gradient(X, Y)
        assert np.all(e.grad[~real] == 0.0)
        opt.step(e.theta, e.grad)
    assert np.all(e.theta[~real] == 0.0)
    e.write_to(g)
    assert_engine_matches_reference(g, X, Y)


@pytest.mark.parametrize("seed", range(12))
def test_training_step_in_reused_buffers_gives_the_same_bits(seed, monkeypatch):
    rng = np.random.default_rng(200 + seed)
    g = random_graph(rng)
    e = Engine(g)
    for n in (3, 5, 3, 1, 5, 7, 3):  # batch sizes come and go (mini-batches end short)
        X, Y = rng.normal(size=(n, len(g.inputs))), rng.normal(size=(n, len(g.outputs)))
        fw = e.forward(X)
        kept = [a.copy() for a in fw.act[1:]]
        e.backward(fw, Y)
        fresh = e.grad.copy()
        assert e.gradient(X, Y) == e.loss.mean(fw.yhat, Y)
        np.testing.assert_array_equal(e.grad, fresh)
        e.gradient(rng.normal(size=X.shape), Y)  # the buffers are rewritten...
        for a, b in zip(fw.act[1:], kept):  # ...but what forward() handed out is untouched
            np.testing.assert_array_equal(a, b)
    monkeypatch.setattr("bpstudio.core.engine.WORKSPACE_LIMIT", 0)  # a batch too big for buffers
    e.gradient(X, Y)
    no_buffers = e.grad.copy()
    monkeypatch.undo()
    e.gradient(X, Y)
    np.testing.assert_array_equal(e.grad, no_buffers)
