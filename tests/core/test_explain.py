"""Worked arithmetic: the article's lines (corrected), batch means, refs, Markdown, odd graphs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bpstudio.core import optimizers
from bpstudio.core.engine import Engine
from bpstudio.core.explain import (
    SECTIONS,
    bias_unit_name,
    explain_lines,
    explain_markdown,
    explain_text,
    weight_name,
)
from bpstudio.core.graph import OUTPUT
from bpstudio.core.notation import factor, num
from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step


def traced(project, rows, optimizer="gd", apply=True, lr=None):
    """One traced step of ``project`` on ``rows``, applied with the given optimiser."""
    settings = TrainingSettings(**{**project.settings.to_dict(), "optimizer": optimizer})
    if lr is not None:
        settings.learning_rate = lr
    engine = Engine(project.graph, settings.loss)
    X, Y = project.dataset.X[rows], project.dataset.Y[rows]
    trace = trace_step(engine, X, Y, sample_indices=rows, learning_rate=settings.learning_rate,
                       optimizer=optimizer)
    if apply:
        optimizers.make(settings, engine.n_params).step(engine.theta, engine.grad)
        trace.record_update(engine)
    return trace


@pytest.fixture
def article():
    return load_preset("article-xor")


def ids_of(graph):
    return {n.name: n.id for n in graph}


def test_number_format():
    assert num(0.1 * 6) == "0.6" and num(1 - 0.1 * 4) == "0.6"
    assert num(1.0) == "1" and num(-0.25) == "-0.25" and num(-0.0) == "0"
    assert num(2 / 3) == "0.666667" and num(1e-7) == "1e-7" and num(np.nan) == "NaN"
    assert factor(-4.0) == "(-4)" and factor(4.0) == "4"


def test_article_names(article):
    g = article.graph
    i = ids_of(g)
    assert weight_name(g, None, i["Z1"]) == "W10"
    assert weight_name(g, i["X1"], i["Z2"]) == "W21"
    assert weight_name(g, i["X2"], i["Z3"]) == "W32"
    assert weight_name(g, None, i["D0"]) == "V00"
    assert weight_name(g, i["Z1"], i["D0"]) == "V01"
    assert bias_unit_name(g, i["Z1"]) == "X0" and bias_unit_name(g, i["D0"]) == "Z0"
    g.rename(i["Z1"], "hidden")  # no number: fall back to a readable name
    assert weight_name(g, i["X1"], i["Z1"]) == "w(X1→hidden)"
    assert weight_name(g, i["Z2"], i["D0"]) == "V02"
    g.rename(i["Z3"], "Z2")  # two units called Z2: the id tells them apart
    assert weight_name(g, i["X1"], i["Z3"]) == f"w(X1→Z2[{i['Z3']}])"


def test_article_online_step_text_is_corrected(article):
    text = explain_text(traced(article, [0]), article.graph)
    assert "Unit Z1: h(x) = W0.X0 + W1.X1 + W2.X2 = 1 . 1 + 1 . 0 + 1 . 0 = 1\n" in text
    assert "Unit D0: h(x) = W0.Z0 + W1.Z1 + W2.Z2 + W3.Z3 = 1 . 1 + 1 . 1 + 1 . 1 + 1 . 1 = 4\n" in text
    assert "z = f(a) = a => z = f(4) = 4" in text
    assert "E = 1/2 . (y_hat - y)^2 = 1/2 . (4 - 0)^2 = 8\n" in text
    assert "delta_D0 = (y_hat - y) . f'(a) = (4 - 0) . 1 = 4\n" in text
    assert "delta_Z1 = V1 . delta_D0 . f'(a) = 1 . 4 . 1 = 4\n" in text
    assert "W10 := W10 - alpha . Z_X0 . delta_Z1 = 1 - 0.1 . 1 . 4 = 0.6\n" in text
    assert "W21 := W21 - alpha . Z_X1 . delta_Z2 = 1 - 0.1 . 0 . 4 = 1\n" in text
    assert "V00 := V00 - alpha . Z_Z0 . delta_D0 = 1 - 0.1 . 1 . 4 = 0.6\n" in text
    assert "V03 := V03 - alpha . Z_Z3 . delta_D0 = 1 - 0.1 . 1 . 4 = 0.6\n" in text
    assert "1.4" not in text and "-4" not in text
    assert "X0, Z0" in text and "no delta" in text and "corrected" in text
    # the article's order: forward, loss, deltas from the output back, updates W then V
    assert text.index("Unit Z1") < text.index("Unit D0") < text.index("\nE = ")
    assert text.index("delta_D0") < text.index("delta_Z1") < text.index("delta_Z3")
    assert text.index("W10 :=") < text.index("W30 :=") < text.index("W11 :=") < text.index("V00")
    assert text.count(":=") == 13 + 1  # every weight and bias, and the convention


def test_batch_explanation_uses_means(article):
    trace = traced(article, [0, 1, 2, 3])
    text = explain_text(trace, article.graph, sample=1)
    assert "Sample 2 of 4 in this batch (data row 2): X1 = 0, X2 = 1, y = 1" in text
    assert "Unit Z1: h(x) = W0.X0 + W1.X1 + W2.X2 = 1 . 1 + 1 . 0 + 1 . 1 = 2\n" in text
    assert "E = 1/2 . (y_hat - y)^2 = 1/2 . (7 - 1)^2 = 18\n" in text
    assert "Batch loss = mean of E over the 4 samples = (8 + 18 + 18 + 50) / 4 = 23.5" in text
    assert "mean over the 4 samples" in text
    assert "mean(Z_X0 . delta_Z1) = (1 . 4 + 1 . 6 + 1 . 6 + 1 . 10) / 4 = 6.5" in text
    assert "W10 := W10 - alpha . mean(Z_X0 . delta_Z1) = 1 - 0.1 . 6.5 = 0.35\n" in text
    assert "W11 := W11 - alpha . mean(Z_X1 . delta_Z1) = 1 - 0.1 . 4 = 0.6\n" in text
    assert "V01 := V01 - alpha . mean(Z_Z1 . delta_D0) = 1 - 0.1 . 14.5 = -0.45\n" in text
    with pytest.raises(ValueError, match="out of range"):
        explain_lines(trace, article.graph, sample=4)


def test_lines_carry_unit_and_edge_refs(article):
    g = article.graph
    i = ids_of(g)
    lines = explain_lines(traced(article, [0]), g)
    assert [s for s in SECTIONS if any(ln.section == s for ln in lines)] == list(SECTIONS)
    by_text = {ln.text.split(" =")[0].split(" :=")[0]: ln for ln in lines}
    assert by_text["Unit Z2: h(x)"].unit == i["Z2"] and by_text["Unit Z2: h(x)"].section == "forward"
    assert by_text["delta_Z3"].unit == i["Z3"] and by_text["delta_Z3"].section == "deltas"
    w10 = by_text["W10"]
    assert (w10.unit, w10.edge, w10.section) == (i["Z1"], None, "updates")  # a bias
    assert by_text["W21"].edge == (i["X1"], i["Z2"])
    assert by_text["V01"].edge == (i["Z1"], i["D0"]) and by_text["V01"].unit == i["D0"]
    assert all(ln.section == "conventions" and ln.unit is None for ln in lines[:3])


def test_markdown_renders(article):
    md = explain_markdown(traced(article, [0, 1, 2, 3]), article.graph)
    for title in ("## Conventions", "## Forward pass", "## Loss", "## Deltas", "## Updates"):
        assert title in md
    assert md.count("```") == 8  # four arithmetic sections, each one fenced block
    assert "- Loss of one sample: E = 1/2 . (y_hat - y)^2" in md
    assert "W10 := W10 - alpha . mean(Z_X0 . delta_Z1) = 1 - 0.1 . 6.5 = 0.35" in md


def test_not_applied_shows_gradients(article):
    trace = traced(article, [0], apply=False)
    assert not trace.applied
    text = explain_text(trace, article.graph)
    updates = [ln.text for ln in explain_lines(trace, article.graph) if ln.section == "updates"]
    assert "not applied yet" in text and not any(":=" in u for u in updates)
    assert "dE/dW10 = Z_X0 . delta_Z1 = 1 . 4 = 4 (not applied yet)" in text
    assert "dE/dV01 = Z_Z1 . delta_D0 = 1 . 4 = 4 (not applied yet)" in text


def test_adam_shows_gradient_and_new_value(article):
    trace = traced(article, [0], optimizer="adam")
    text = explain_text(trace, article.graph)
    # Adam's first step moves every weight with a non-zero gradient by alpha: 1 - 0.1 = 0.9
    assert "W10: dE/dW10 = Z_X0 . delta_Z1 = 1 . 4 = 4; Adam moves W10 from 1 to 0.9" in text
    assert "W11: dE/dW11 = Z_X1 . delta_Z1 = 0 . 4 = 0; Adam moves W11 from 1 to 1" in text


def test_graph_changed_after_the_trace(article):
    trace = traced(article, [0])
    g = article.graph
    g.disconnect(*next(iter(g.edges)))
    with pytest.raises(ValueError, match="changed"):
        explain_text(trace, g)


# ---------------------------------------------------------------- a net with a skip edge
def _products(expr: str) -> float:
    """Evaluate ``1 . 2 + (-3) . 4``: sums of products, as the explanation writes them."""
    total = 0.0
    for term in expr.split(" + "):
        p = 1.0
        for f in term.split(" . "):
            p *= float(f.strip("()"))
        total += p
    return total


def _skip_net():
    g = layered_graph([2, 2, 2, 1], hidden="tanh", output="sigmoid")
    i = ids_of(g)
    g.connect(i["X1"], i["D0"])  # a skip edge over two layers
    initialise(g, TrainingSettings(init="uniform", init_scale=1.0, seed=7))
    return g


def test_skip_net_numbers_equal_the_trace():
    project = load_preset("xor")
    project.graph = _skip_net()
    g = project.graph
    i = ids_of(g)
    trace = traced(project, [0, 1, 2, 3], lr=0.5)
    sample = 2
    lines = explain_lines(trace, g, sample=sample)
    col = trace.column
    checked = {"h": 0, "z": 0, "delta": 0, "update": 0}
    for ln in lines:
        parts = ln.text.strip().split(" = ")
        m = re.match(r"Unit (\w+): h\(x\)", ln.text)
        if m:
            a = trace.net_input[sample, col[i[m.group(1)]]]
            assert float(parts[-1]) == pytest.approx(a, rel=1e-5)
            assert _products(parts[-2]) == pytest.approx(a, rel=1e-4, abs=1e-6)
            checked["h"] += 1
        elif ln.text.strip().startswith("z = f(a)"):
            assert float(parts[-1]) == pytest.approx(trace.activation[sample, col[ln.unit]], rel=1e-5)
            checked["z"] += 1
        elif ln.text.startswith("delta_"):
            d = trace.delta[sample, col[ln.unit]]
            assert float(parts[-1]) == pytest.approx(d, rel=1e-5, abs=1e-12)
            if g.nodes[ln.unit].role != OUTPUT:
                assert _products(parts[-2]) == pytest.approx(d, rel=1e-4, abs=1e-6)
            checked["delta"] += 1
        elif ln.section == "updates" and ":=" in ln.text:
            if ln.edge is None:
                new = trace.bias_new[trace.bias_ids.index(ln.unit)]
            else:
                new = trace.weight_new[trace.edge_keys.index(ln.edge)]
            assert float(parts[-1]) == pytest.approx(new, rel=1e-5, abs=1e-12)
            checked["update"] += 1
    assert checked == {"h": 5, "z": 5, "delta": 5, "update": 5 + 11}  # 5 biases, 4 + 4 + 2 + 1 weights
    text = explain_text(trace, g, sample=sample)
    # the skip edge X1 → D0 has no layer name; D0's sources share numbers, so full names
    assert "w(X1→D0) := w(X1→D0) - alpha . mean(Z_X1 . delta_D0)" in text
    assert "Unit D0: h(x) = U00.H0 + w(X1→D0).X1 + U01.H1 + U02.H2 = " in text
    assert "delta_X1" not in text
    assert "z = f(a) = tanh(a) => z = tanh(" in text
    assert "where f'(a) = 1 - z^2 = " in text
    assert "-(y . ln(y_hat) + (1 - y) . ln(1 - y_hat))" in text
    assert "cross-entropy with a sigmoid output" in text
    assert "where f'(a) = z . (1 - z)" not in text  # it cancels: not shown
    assert "delta_Z1 = V11 . delta_H1 . f'(a) + V21 . delta_H2 . f'(a) = " in text


def test_multi_output_and_leaky_relu_explain():
    g = layered_graph([2, 3, 2], hidden="leaky_relu", output="identity")
    initialise(g, TrainingSettings(init="normal", seed=1))
    engine = Engine(g)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    trace = trace_step(engine, X, Y, learning_rate=0.1)
    text = explain_text(trace, g, sample=1)
    assert "E = 1/2 . (y_hat_D0 - y_D0)^2 + 1/2 . (y_hat_D1 - y_D1)^2 = " in text
    assert "delta_D1 = (y_hat_D1 - y_D1) . f'(a) = " in text
    assert "delta_Z1 = V01 . delta_D0 . f'(a) + V11 . delta_D1 . f'(a) = " in text
    assert "not applied yet" in text
    e = float(text.split("E = 1/2 . (y_hat_D0")[1].split("\n")[0].split(" = ")[-1])
    assert e == pytest.approx(trace.loss_per_sample[1], rel=1e-5)


def _random_graph(rng):
    """A small random network: skip edges, missing edges, odd names, every activation."""
    from bpstudio.core.activations import UNIT_ACTIVATIONS as ACTIVATIONS
    from bpstudio.core.graph import Graph

    g = Graph()
    acts = list(ACTIVATIONS)
    inputs = [g.add_node("input", f"X{k + 1}").id for k in range(rng.integers(1, 4))]
    units = list(inputs)
    for k in range(rng.integers(0, 5)):
        name = f"Z{k + 1}" if rng.random() < 0.7 else ("h" if k % 2 else f"Q{k % 2}")
        u = g.add_node("hidden", name, acts[rng.integers(len(acts))]).id
        for s in units:
            if rng.random() < 0.6:
                g.connect(s, u, float(rng.normal()))
        units.append(u)
    for k in range(rng.integers(1, 3)):
        o = g.add_node("output", f"D{k}", "sigmoid").id
        for s in units:
            if rng.random() < 0.7:
                g.connect(s, o, float(rng.normal()))
        units.append(o)  # an output may feed a later output
    for n in g:
        if n.role != "input":
            g.set_bias(n.id, float(rng.normal()))
    return g


@pytest.mark.parametrize("seed", range(25))
def test_random_graphs_explain_with_the_traces_numbers(seed):
    rng = np.random.default_rng(seed)
    g = _random_graph(rng)
    loss = "cross_entropy" if seed % 2 else "squared_error"
    engine = Engine(g, loss)
    n = int(rng.integers(1, 4))
    X = rng.normal(size=(n, len(g.inputs)))
    Y = rng.integers(0, 2, size=(n, len(g.outputs))).astype(float)
    trace = trace_step(engine, X, Y, learning_rate=0.2)
    if seed % 3:
        optimizers.make(TrainingSettings(learning_rate=0.2), engine.n_params).step(
            engine.theta, engine.grad)
        trace.record_update(engine)
    for sample in range(n):
        lines = explain_lines(trace, g, sample)
        units = [ln for ln in lines if ln.text.startswith("Unit ")]
        assert [ln.unit for ln in units] == [u for u in trace.unit_ids if g.nodes[u].role != "input"]
        for ln in units:
            a = trace.net_input[sample, trace.column[ln.unit]]
            assert float(ln.text.split(" = ")[-1]) == pytest.approx(a, rel=1e-5, abs=1e-12)
        deltas = [ln for ln in lines if ln.text.startswith("delta_")]
        assert len(deltas) == len(units)
        for ln in deltas:
            d = trace.delta[sample, trace.column[ln.unit]]
            value = ln.text.split(" = ")[-1].split(" (")[0]
            assert float(value) == pytest.approx(d, rel=1e-5, abs=1e-12)
        updates = [ln for ln in lines if ln.section == "updates" and (ln.text.startswith("dE/d")
                   or ":=" in ln.text)]
        assert len(updates) == len(trace.edge_keys) + len(trace.bias_ids)
        assert {ln.edge for ln in updates if ln.edge} == set(trace.edge_keys)
        assert explain_markdown(trace, g, sample).count("```") == 8


def test_a_diverged_step_still_explains(article):
    engine = Engine(article.graph)
    X, Y = np.array([[1e200, 1e200]]), np.array([[0.0]])
    with np.errstate(all="ignore"):  # overflow is the point
        trace = trace_step(engine, X, Y, learning_rate=0.1)
        optimizers.make(article.settings, engine.n_params).step(engine.theta, engine.grad)
    trace.record_update(engine)
    assert not trace.applied  # some new weights are infinite
    text = explain_text(trace, article.graph)
    # Z = 1 + 2e200, D0 = 1 + 3 . 2e200, delta = 6e200; Z_X1 . delta overflows
    assert "W11 := W11 - alpha . Z_X1 . delta_Z1 = 1 - 0.1 . 1e200 . 6e200 = -inf" in text
    assert "W10 := W10 - alpha . Z_X0 . delta_Z1 = 1 - 0.1 . 1 . 6e200 = -6e199" in text
    assert "not applied yet" not in text
