"""Initialisation: the article's constant 1.0, seeded determinism, and the scale of each scheme."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.init import INITS, draw, initial_values
from bpstudio.core.presets import layered_graph


@pytest.fixture(scope="module")
def wide():
    """100 inputs → 100 hidden → 1 output: 10,100 weights."""
    return layered_graph([100, 100, 1], "tanh", "identity")


def split(graph, weights):
    """The input → hidden weights and the hidden → output ones."""
    out = graph.outputs[0].id
    first = np.array([w for (s, t), w in weights.items() if t != out])
    last = np.array([w for (s, t), w in weights.items() if t == out])
    return first, last


def test_constant_is_the_articles_one():
    g = layered_graph([2, 3, 1])
    w, b = initial_values(g, "constant", seed=7)
    assert set(w.values()) == {1.0} and set(b.values()) == {1.0}
    assert list(w) == list(g.edges) and len(b) == 4
    w, b = initial_values(g, "constant", value=0.25)
    assert set(w.values()) == {0.25} and set(b.values()) == {0.25}


@pytest.mark.parametrize("scheme", [s for s in INITS if s != "constant"])
def test_seeded_and_deterministic(scheme):
    g = layered_graph([2, 4, 1])
    assert initial_values(g, scheme, seed=3) == initial_values(g, scheme, seed=3)
    assert initial_values(g, scheme, seed=3)[0] != initial_values(g, scheme, seed=4)[0]


def test_xavier_scale(wide):
    w, b = initial_values(wide, "xavier", seed=0)
    first, last = split(wide, w)
    # X_i → Z_j: fan_in(Z_j) = 100, fan_out(X_i) = 100  →  U(±sqrt(6/200)), variance 2/200
    assert np.abs(first).max() <= np.sqrt(6 / 200)
    assert first.var() == pytest.approx(2 / 200, rel=0.05)
    assert abs(first.mean()) < 0.003
    # Z_j → D0: fan_in(D0) = 100, fan_out(Z_j) = 1  →  U(±sqrt(6/101))
    assert np.abs(last).max() <= np.sqrt(6 / 101)
    assert last.var() > 0.5 * (2 / 101)  # drawn with the wider limit, not the first layer's
    assert set(b.values()) == {0.0}


def test_he_scale(wide):
    w, b = initial_values(wide, "he", seed=0)
    first, _ = split(wide, w)
    assert first.var() == pytest.approx(2 / 100, rel=0.07)  # N(0, 2 / fan_in)
    assert abs(first.mean()) < 0.005
    assert set(b.values()) == {0.0}


def test_uniform_and_normal_use_the_scale(wide):
    w, b = initial_values(wide, "uniform", seed=1, scale=0.3)
    vals = np.array(list(w.values()) + list(b.values()))
    assert np.abs(vals).max() <= 0.3 and vals.var() == pytest.approx(0.09 / 3, rel=0.05)
    w, b = initial_values(wide, "normal", seed=1, scale=0.3)
    assert np.array(list(w.values())).std() == pytest.approx(0.3, rel=0.03)
    assert len(set(b.values())) == len(b)  # biases drawn too, not all equal


def test_draw_handles_zero_fans_and_refuses_unknown_schemes():
    rng = np.random.default_rng(0)
    vals = draw("he", np.zeros(3), np.zeros(3), rng)
    assert np.all(np.isfinite(vals))
    with pytest.raises(ValueError, match="unknown initialisation 'glorot'; use one of constant"):
        draw("glorot", np.ones(1), np.ones(1), rng)
