"""Issue 15: cross-entropy from the net input, exact however saturated the output (sigmoid, gaussian)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpstudio import cli
from bpstudio.core import fileformat
from bpstudio.core.activations import ACTIVATIONS
from bpstudio.core.dataset import Dataset
from bpstudio.core.engine import Engine
from bpstudio.core.explain import explain_text
from bpstudio.core.gradcheck import gradient_check
from bpstudio.core.graph import INPUT, OUTPUT, Graph
from bpstudio.core.losses import LOSSES, LossError, check_output_activations
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step
from bpstudio.core.trainer import Trainer


def one_weight(act: str, w: float, bias: float = 0.0) -> Graph:
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    d = g.add_node(OUTPUT, "D0", act, bias=bias).id
    g.connect(x, d, w)
    return g


def test_sigmoid_at_40_with_target_0_costs_40_not_the_clipped_36_74():
    e = Engine(one_weight("sigmoid", 40.0), "cross_entropy")
    assert e.loss_of([[1.0]], [[0.0]]) == 40.0
    assert e.gradient(np.array([[1.0]]), np.array([[0.0]])) == 40.0
    assert e.grad[0] == 1.0  # σ(40) − 0 = 1 in float64


@pytest.mark.parametrize("w, mean", [(40.0, 20.0), (800.0, 400.0)])
def test_four_saturated_samples_have_the_exact_mean(w, mean):
    e = Engine(one_weight("sigmoid", w), "cross_entropy")
    X, Y = np.array([[1.0], [1.0], [-1.0], [-1.0]]), np.array([[0.0], [1.0], [1.0], [0.0]])
    # losses w, ~e^-w, w, ~e^-w: the mean is w/2 (the old clip gave 19.18 and 186.3)
    assert e.loss_of(X, Y) == mean
    assert e.gradient(X, Y) == mean
    assert gradient_check(e, X, Y).ok


@pytest.mark.parametrize("a, y, loss", [(40.0, 0.0, 40.0), (-40.0, 1.0, 40.0), (800.0, 0.0, 800.0),
                                        (-800.0, 1.0, 800.0), (800.0, 1.0, 0.0), (-800.0, 0.0, 0.0)])
def test_sigmoid_at_plus_minus_40_and_800(a, y, loss):
    e = Engine(one_weight("sigmoid", a), "cross_entropy")
    assert e.loss_of([[1.0]], [[y]]) == loss
    e.gradient(np.array([[1.0]]), np.array([[y]]))
    assert e.grad[0] == (1.0 if a > 0 else 0.0) - y  # δ = σ(a) − y, exactly ±1 or 0 here


@pytest.mark.parametrize("w", [27.0, 30.0])
def test_gaussian_with_target_1_costs_a_squared_with_gradient_2a(w):
    e = Engine(one_weight("gaussian", w), "cross_entropy")
    X, Y = np.array([[1.0]]), np.array([[1.0]])
    assert e.loss_of(X, Y) == w * w  # 729, 900 (the old clip: 708.4)
    assert e.gradient(X, Y) == w * w
    assert e.grad[0] == 2 * w  # 54, 60 (the old clip: 0)
    result = gradient_check(e, X, Y)
    assert result.ok, result.table()
    assert result.rows[0].numeric == pytest.approx(2 * w, rel=1e-6)


def test_gaussian_with_target_0_near_the_peak_is_exact():
    # ŷ = e^(−a²) near 1: ln(1 − ŷ) = ln(−expm1(−a²)); a = 1e-5 → ln(1e-10 − 5e-21) ≈ −23.0259
    e = Engine(one_weight("gaussian", 1e-5), "cross_entropy")
    assert e.loss_of([[1.0]], [[0.0]]) == pytest.approx(-math.log(-math.expm1(-1e-10)), rel=1e-15)
    result = gradient_check(e, np.array([[1.0]]), np.array([[0.0]]), eps=1e-9)
    assert result.ok, result.table()


def math_sigmoid_ce(a: float, y: float) -> float:
    """softplus(a) − y.a with Python's math, split so neither term cancels."""
    sp = (a + math.log1p(math.exp(-a))) if a > 0 else math.log1p(math.exp(a))
    sp_neg = sp - a if a <= 0 else math.log1p(math.exp(-a))  # softplus(−a)
    return y * sp_neg + (1 - y) * sp


def math_gaussian_ce(a: float, y: float) -> float:
    rest = 0.0 if y == 1 else (1 - y) * math.log(-math.expm1(-a * a))
    return y * a * a - rest


def math_sigmoid_delta(a: float, y: float) -> float:
    s = 1 / (1 + math.exp(-a)) if a > 0 else math.exp(a) / (1 + math.exp(a))
    return s - y


def math_gaussian_delta(a: float, y: float) -> float:
    rest = 0.0 if a * a > 700 else 2 * a / math.expm1(a * a)  # 2a/(e^(a²) − 1) is 0 in float64 beyond
    return 2 * a * y - (1 - y) * rest


@settings(max_examples=150, deadline=None)
@given(a=st.one_of(st.floats(20, 1e6), st.floats(-1e6, -20)), y=st.floats(0, 1))
def test_deep_saturation_matches_math_closed_forms(a, y):
    for act, exact, delta in (
        ("sigmoid", math_sigmoid_ce, math_sigmoid_delta),
        ("gaussian", math_gaussian_ce, math_gaussian_delta),
    ):
        e = Engine(one_weight(act, a), "cross_entropy")
        X, Y = np.array([[1.0]]), np.array([[y]])
        expected = exact(a, y)
        assert e.loss_of(X, Y) == pytest.approx(expected, rel=1e-14, abs=1e-300)
        e.gradient(X, Y)
        assert e.grad[0] == pytest.approx(delta(a, y), rel=1e-12, abs=1e-12)


def saturated_project() -> Project:
    g = one_weight("sigmoid", 40.0)
    data = Dataset(np.array([[1.0], [1.0], [-1.0], [-1.0]]), np.array([[0.0], [1.0], [1.0], [0.0]]),
                   ["X1"], ["D0"])
    return Project(g, data, TrainingSettings(loss="cross_entropy", learning_rate=1.0, max_epochs=50,
                                             target_loss=19.0))


def test_loss_curve_and_target_loss_stop_on_a_saturated_network():
    p = saturated_project()
    t = Trainer(Engine(p.graph, "cross_entropy"), p.dataset, p.settings)
    first = t.run_epoch()
    assert first == 20.0  # the exact dataset loss, not the clipped 19.18 that would already stop
    assert not t.should_stop()
    t.run_epoch()
    # batch GD: dE/dw = mean of (σ(a) − y).x = (1 + 0 + 1 + 0)/4 = 0.5, two steps of α = 1: w = 39
    assert t.engine.theta[t.engine.edge_slots[0]] == 39.0
    assert t.history == [20.0, 19.75]
    assert not t.should_stop()
    t.train(10)
    assert t.history[:4] == [20.0, 19.75, 19.5, 19.25] and t.history[-1] <= 19.0
    assert len(t.history) == 5 and t.should_stop()  # stopped at the epoch that reached 19.0


def test_gradcheck_command_is_ok_on_the_saturated_network(tmp_path, capsys):
    path = tmp_path / "saturated.json"
    fileformat.save(saturated_project(), path)
    assert cli.main(["gradcheck", str(path)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("OK: largest relative error")


def test_worked_arithmetic_keeps_the_formula_and_says_how_large_values_are_handled():
    e = Engine(one_weight("sigmoid", 40.0), "cross_entropy")
    trace = trace_step(e, np.array([[1.0]]), np.array([[0.0]]))
    assert trace.loss_per_sample[0] == 40.0
    text = explain_text(trace, one_weight("sigmoid", 40.0))
    assert "E = -(y . ln(y_hat) + (1 - y) . ln(1 - y_hat))" in text
    assert "ln(1 + e^a) - y . a" in text and "= 40" in text


def test_cross_entropy_refuses_outputs_without_a_closed_form_log():
    ce = LOSSES["cross_entropy"]
    check_output_activations(ce, ["D0", "D1"], [ACTIVATIONS["sigmoid"], ACTIVATIONS["gaussian"]])
    with pytest.raises(LossError, match="output D0 uses tanh"):
        check_output_activations(ce, ["D0"], [ACTIVATIONS["tanh"]])
