"""The oracle: backprop's gradients against central finite differences on random networks.

Hypothesis draws feed-forward graphs (1-3 inputs, 0-6 hidden, 1-2 outputs, in any depth order,
with random skip and missing edges and a random activation per unit from every activation the
studio has), random weights and small random batches, for both losses. ReLU and leaky ReLU have
a kink at 0, where the derivative is not defined: examples with a net input within 1e-3 of 0 at
such a unit are rejected. Cross-entropy examples keep the sigmoid outputs out of saturation
(|a| < 15), where ŷ or 1 − ŷ loses its digits and the loss itself is no longer resolvable.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bpstudio.core.activations import UNIT_ACTIVATIONS as ACTIVATIONS  # softmax: its own test
from bpstudio.core.engine import Engine
from bpstudio.core.gradcheck import FLOOR, GradCheck, GradRow, auto_floor, gradient_check, relative_error
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph
from bpstudio.core.presets import load_preset

KINKED = {"relu", "leaky_relu"}
weights = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw, loss: str):
    """(graph, X, Y) for a random feed-forward network and batch."""
    g = Graph()
    ids = [g.add_node(INPUT, f"X{i + 1}").id for i in range(draw(st.integers(1, 3)))]
    n_hidden = draw(st.integers(0, 6))
    n_out = draw(st.integers(1, 2))
    roles = draw(st.permutations([HIDDEN] * n_hidden + [OUTPUT] * n_out))
    names = {HIDDEN: iter(f"Z{i + 1}" for i in range(n_hidden)),
             OUTPUT: iter(f"D{i}" for i in range(n_out))}
    for role in roles:
        if role == OUTPUT and loss == "cross_entropy":
            act = "sigmoid"
        else:
            act = draw(st.sampled_from(sorted(ACTIVATIONS)))
        nid = g.add_node(role, next(names[role]), act, bias=draw(weights)).id
        for src in ids:  # any earlier unit may feed this one: skip and missing edges included
            if draw(st.booleans()):
                g.connect(src, nid, draw(weights))
        ids.append(nid)
    n = draw(st.integers(1, 4))
    X = np.array([[draw(st.floats(-2, 2)) for _ in g.inputs] for _ in range(n)])
    lo = 0.0 if loss == "cross_entropy" else -1.0
    Y = np.array([[draw(st.floats(lo, 1.0)) for _ in g.outputs] for _ in range(n)])
    return g, X, Y


def usable(engine: Engine, graph: Graph, X: np.ndarray) -> bool:
    """False near a ReLU kink or a saturated cross-entropy output (see the module docstring)."""
    fw = engine.forward(X)
    for depth, ids in enumerate(engine.layer_ids[1:], start=1):
        for c, nid in enumerate(ids):
            a = fw.net[depth][:, c]
            if graph.nodes[nid].activation in KINKED and np.any(np.abs(a) < 1e-3):
                return False
            if (engine.loss.name == "cross_entropy" and graph.nodes[nid].role == OUTPUT
                    and np.any(np.abs(a) > 15)):
                return False
    return bool(np.all(np.isfinite(fw.yhat))) and bool(np.all(np.abs(fw.yhat) < 1e6))


def check_network(graph: Graph, X: np.ndarray, Y: np.ndarray, loss: str, reg: tuple = ("none", 0.0)
                  ) -> GradCheck:
    engine = Engine(graph, loss)
    engine.set_regularization(*reg)
    assume(usable(engine, graph, X))
    theta, grad = engine.theta.copy(), engine.grad.copy()
    result = gradient_check(engine, X, Y, eps=1e-6, tolerance=1e-6)
    np.testing.assert_array_equal(engine.theta, theta)  # restored exactly
    np.testing.assert_array_equal(engine.grad, grad)
    assert len(result.rows) == len(graph.edges) + len(graph) - len(graph.inputs)
    assert result.ok, result.table()
    return result


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks("squared_error"))
def test_backprop_matches_finite_differences_squared_error(case):
    check_network(*case, "squared_error")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks("cross_entropy"))
def test_backprop_matches_finite_differences_cross_entropy(case):
    check_network(*case, "cross_entropy")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks("squared_error"), st.sampled_from(["l1", "l2"]), st.floats(0.001, 2.0))
def test_backprop_matches_finite_differences_with_regularisation(case, kind, rate):
    graph = case[0]
    # L1's |W| has a kink at 0, where its derivative is not defined
    assume(kind == "l2" or all(abs(e.weight) > 1e-3 for e in graph.edges.values()))
    check_network(*case, "squared_error", (kind, rate))


def test_article_preset_passes():
    p = load_preset("article-xor")
    result = gradient_check(Engine(p.graph, p.settings.loss), p.dataset.X, p.dataset.Y)
    assert result.ok and result.max_rel_error < 1e-8
    rows = {r.name: r for r in result.rows}
    # the hand-worked batch gradients of the article's network (see test_article.py)
    assert rows["w(Z1→D0)"].backprop == 14.5 and rows["w(X1→Z2)"].backprop == 4.0
    assert rows["bias(Z3)"].backprop == 6.5 and rows["bias(D0)"].backprop == 6.5
    assert rows["w(Z1→D0)"].numeric == pytest.approx(14.5, rel=1e-8)
    assert rows["w(X2→Z3)"].key == (p.graph.find("X2").id, p.graph.find("Z3").id)
    assert rows["bias(Z1)"].key == p.graph.find("Z1").id


@pytest.mark.parametrize("name", ["xor", "and", "or", "nand"])
def test_other_presets_pass(name):
    p = load_preset(name)
    assert gradient_check(Engine(p.graph, p.settings.loss), p.dataset.X, p.dataset.Y).ok


def test_trained_network_with_tiny_gradients_passes():
    # near a minimum the gradients sink into the finite differences' rounding noise: the floor
    # keeps a correct backprop from being reported as wrong
    from bpstudio.core.trainer import Trainer

    p = load_preset("article-xor")
    engine = Engine(p.graph, p.settings.loss)
    Trainer(engine, p.dataset, p.settings).train(1000)
    result = gradient_check(engine, p.dataset.X, p.dataset.Y)
    assert max(abs(r.backprop) for r in result.rows) < 1e-5
    assert result.ok, result.table()
    bare = gradient_check(engine, p.dataset.X, p.dataset.Y, floor=FLOOR)
    assert bare.floor == FLOOR and bare.max_rel_error > result.max_rel_error


def test_a_wrong_gradient_is_caught_and_named():
    p = load_preset("xor")
    engine = Engine(p.graph, p.settings.loss)
    honest = engine.gradient
    target = engine.bias_slots[1]

    def broken(X, Y):  # backprop off by 1 % in one bias
        value = honest(X, Y)
        engine.grad[target] *= 1.01
        return value

    engine.gradient = broken
    result = gradient_check(engine, p.dataset.X, p.dataset.Y)
    assert not result.ok
    assert result.worst.key == engine.bias_ids[1]
    assert result.max_rel_error == pytest.approx(0.01 / 1.01, rel=1e-4)
    assert "MISMATCH" in result.table().splitlines()[-1]


def test_table_is_aligned_with_a_summary():
    p = load_preset("article-xor")
    result = gradient_check(Engine(p.graph), p.dataset.X, p.dataset.Y)
    lines = result.table().splitlines()
    assert lines[0].split() == ["parameter", "backprop", "numeric", "rel.", "error"]
    assert len(lines) == 2 + 13 + 1
    body = lines[2:-1]
    assert body[0].startswith("w(X1→Z1)") and body[-1].startswith("bias(D0)")
    assert len({len(line) for line in body}) == 1  # right-aligned columns end together
    assert lines[-1].startswith("OK: largest relative error") and "w(" in lines[-1]
    assert "max(|backprop|, |numeric|," in lines[-1]


def test_relative_error_formula():
    assert relative_error(4.0, 4.000004) == pytest.approx(4e-6 / 4.000004, rel=1e-6)
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(0.0, 1e-12) == pytest.approx(1e-4)  # |b - n| / 1e-8
    assert relative_error(0.0, 1e-12, floor=1e-3) == pytest.approx(1e-9)
    assert relative_error(float("nan"), 1.0) == float("inf")
    assert auto_floor(0.0, 1e-6, 1e-6) == FLOOR
    assert auto_floor(1.0, 1e-6, 1e-6) == pytest.approx(32 * np.finfo(float).eps / 1e-12)


def test_no_parameters_and_bad_step():
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    d = g.add_node(OUTPUT, "D0").id
    g.connect(x, d, 2.0)
    e = Engine(g)
    with pytest.raises(ValueError, match="positive"):
        gradient_check(e, [[1.0]], [[0.0]], eps=0.0)
    with pytest.raises(ValueError, match="1 input and 1 output, but the data has 2 input columns"):
        gradient_check(e, [[1.0, 2.0]], [[0.0]])
    result = gradient_check(e, [[1.0]], [0.0])  # 1-D targets are one column
    assert [r.name for r in result.rows] == ["w(X1→D0)", "bias(D0)"]
    assert isinstance(result.rows[0], GradRow) and result.ok
    assert repr(result).startswith("GradCheck(2 rows")
