"""Diagnostics: a linear network, symmetric hidden units, the first non-finite number."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.dataset import Dataset, truth_table
from bpstudio.core.diagnostics import (
    best_linear_loss,
    diagnose,
    first_non_finite,
    is_linear,
    symmetric_groups,
)
from bpstudio.core.engine import Engine
from bpstudio.core.presets import initialise, layered_graph, load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step


def kinds(found):
    return [d.kind for d in found]


def ids_of(graph):
    return {n.name: n.id for n in graph}


# ---------------------------------------------------------------- linear
def test_linear_note_for_identity_net_on_xor():
    project = load_preset("article-xor")
    assert is_linear(project.graph)
    found = diagnose(project.graph, dataset=project.dataset)
    lin = [d for d in found if d.kind == "linear"]
    assert len(lin) == 1 and lin[0].severity == "note"
    msg = lin[0].message
    assert msg.startswith("The network is linear")
    assert "XOR is not linearly separable" in msg and "0.125" in msg and "0.5 everywhere" in msg
    assert set(lin[0].units) == {n.id for n in project.graph if n.role != "input"}


def test_linear_note_without_a_dataset_or_on_other_data():
    g = layered_graph([2, 3, 1])
    assert "The network is linear" in diagnose(g)[-1].message
    # AND: the best plane leaves squared-error loss 1/32 (least squares: y = -0.25 + 0.5 x1 + 0.5 x2)
    assert best_linear_loss(truth_table("and")) == pytest.approx(1 / 32)
    assert best_linear_loss(truth_table("xor")) == pytest.approx(0.125)
    msg = [d for d in diagnose(g, dataset=truth_table("and")) if d.kind == "linear"][0].message
    assert "XOR" not in msg and "0.03125" in msg
    X = np.array([[0, 0], [1, 0], [0, 1], [2, 3]], dtype=float)
    plane = Dataset(X, 1 + 2 * X[:, 0] - X[:, 1], ["X1", "X2"], ["Y"])
    msg = [d for d in diagnose(g, dataset=plane) if d.kind == "linear"][0].message
    assert "fits this data exactly" in msg


def test_no_linear_note_with_tanh():
    project = load_preset("xor")
    assert not is_linear(project.graph)
    assert "linear" not in kinds(diagnose(project.graph, dataset=project.dataset))
    # a single sigmoid unit (AND) is not flagged either: it has no hidden layer to waste
    gate = load_preset("and")
    assert diagnose(gate.graph, dataset=gate.dataset) == []


def test_identity_hidden_layer_under_a_sigmoid_output_is_noted():
    g = layered_graph([2, 3, 1], hidden="identity", output="sigmoid")
    initialise(g, TrainingSettings(init="xavier", seed=2))
    assert not is_linear(g)
    lin = [d for d in diagnose(g) if d.kind == "linear"]
    assert len(lin) == 1 and "straight line" in lin[0].message
    assert len(lin[0].units) == 3


# ---------------------------------------------------------------- symmetry
def test_symmetry_warning_for_constant_init_and_not_after_random_init():
    g = layered_graph([2, 3, 2, 1], hidden="tanh")
    initialise(g, TrainingSettings(init="constant", init_value=0.5))
    i = ids_of(g)
    groups = symmetric_groups(g)
    assert groups == [[i["Z1"], i["Z2"], i["Z3"]], [i["H1"], i["H2"]]]
    warnings = [d for d in diagnose(g) if d.kind == "symmetric"]
    assert [d.severity for d in warnings] == ["warning", "warning"]
    assert warnings[0].message.startswith("Z1, Z2 and Z3 are symmetric")
    assert "three units doing the work of one" in warnings[0].message
    assert warnings[1].message.startswith("H1 and H2 are symmetric")
    assert (i["X1"], i["Z1"]) in warnings[0].edges
    initialise(g, TrainingSettings(init="xavier", seed=5))
    assert symmetric_groups(g) == []
    assert "symmetric" not in kinds(diagnose(g))


def test_symmetry_needs_every_weight_equal_and_respects_tol():
    g = layered_graph([2, 3, 1], hidden="tanh")
    initialise(g, TrainingSettings(init="constant"))
    i = ids_of(g)
    g.set_weight(i["Z3"], i["D0"], 1.0 + 1e-9)  # outgoing weight differs a hair
    assert symmetric_groups(g) == [[i["Z1"], i["Z2"]]]
    assert symmetric_groups(g, tol=1e-6) == [[i["Z1"], i["Z2"], i["Z3"]]]
    g.set_bias(i["Z2"], 0.5)
    assert symmetric_groups(g) == []  # Z1 alone, Z3 alone, Z2 alone
    g.set_bias(i["Z2"], 1.0)
    g.set_activation(i["Z1"], "sigmoid")
    assert symmetric_groups(g) == []
    g.set_activation(i["Z1"], "tanh")
    g.disconnect(i["X2"], i["Z1"])  # a missing edge is not a weight of 1
    assert symmetric_groups(g) == []


def test_unconnected_units_are_not_called_symmetric():
    g = layered_graph([2, 1])
    g.add_node("hidden", "Z1")
    g.add_node("hidden", "Z2")
    assert symmetric_groups(g) == []


# ---------------------------------------------------------------- non-finite
def test_clean_network_has_no_non_finite():
    project = load_preset("article-xor")
    engine = Engine(project.graph)
    trace = trace_step(engine, project.dataset.X, project.dataset.Y)
    assert first_non_finite(project.graph) is None
    assert first_non_finite(project.graph, trace) is None


def test_non_finite_names_the_first_bad_weight_in_depth_order():
    g = load_preset("article-xor").graph
    i = ids_of(g)
    # set_weights writes trained values as they are (this is how a diverged run reaches the graph)
    g.set_weights({(i["Z2"], i["D0"]): np.nan, (i["X2"], i["Z3"]): np.inf}, {})
    bad = first_non_finite(g)
    assert bad.kind == "non_finite" and bad.severity == "error"
    assert bad.message.startswith("The weight X2 → Z3 is infinite")  # depth 1 before depth 2
    assert "learning rate" in bad.message
    assert bad.edges == ((i["X2"], i["Z3"]),) and bad.units == (i["X2"], i["Z3"])
    g.set_weights({(i["X2"], i["Z3"]): 1.0}, {i["Z1"]: np.nan})
    assert first_non_finite(g).message.startswith("The bias of Z1 is not a number (NaN)")
    g.set_weights({}, {i["Z1"]: 1.0})
    assert first_non_finite(g).message.startswith("The weight Z2 → D0 is not a number (NaN)")
    assert kinds(diagnose(g))[0] == "non_finite"


def test_non_finite_from_a_trace_names_the_first_unit():
    project = load_preset("article-xor")
    g = project.graph
    i = ids_of(g)
    engine = Engine(g)
    X = np.array([[0.0, 0.0], [1e308, 1e308]])
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point
        trace = trace_step(engine, X, np.array([[0.0], [1.0]]))
    bad = first_non_finite(g, trace)
    # Z1's net input 1 + 1e308 + 1e308 overflows first, on the second sample
    assert bad.message.startswith("The net input of unit Z1 is infinite on sample 2 of 2")
    assert bad.units == (i["Z1"],)


def test_diagnose_checks_unit_values_given_by_the_caller():
    project = load_preset("xor")
    g = project.graph
    i = ids_of(g)
    assert diagnose(g, values={i["Z1"]: 0.5}) == []
    found = diagnose(g, values={i["Z2"]: np.array([0.1, np.nan]), i["D0"]: np.inf})
    assert kinds(found) == ["non_finite"]
    assert "unit Z2" in found[0].message
