"""Grids over the input plane: the output image and each unit's thumbnail hold the network's own
values at the right (x, y); the plane covers the data with a margin; other networks are refused."""

import math

import numpy as np
import pytest

from bpstudio.core.boundary import boundary_grid, plane_extent, plane_points, unit_grids
from bpstudio.core.engine import Engine
from bpstudio.core.presets import layered_graph, load_preset


def _by_hand(graph, x, y):
    """Every unit's value at input (x, y), straight from the graph's weights (tanh/sigmoid XOR net)."""
    z = {graph.find("X1").id: x, graph.find("X2").id: y}
    for nid in graph.topological_order():
        node = graph.nodes[nid]
        if nid in z:
            continue
        a = node.bias + sum(e.weight * z[s] for (s, t), e in graph.edges.items() if t == nid)
        z[nid] = math.tanh(a) if node.activation == "tanh" else 1.0 / (1.0 + math.exp(-a))
    return z


def test_extent_covers_the_data_with_a_quarter_margin():
    X = np.array([[0.0, -2.0], [4.0, 2.0], [1.0, 0.0]])
    assert plane_extent(X) == (-1.0, 5.0, -3.0, 3.0)
    assert plane_extent(X, margin=0.0) == (0.0, 4.0, -2.0, 2.0)
    pts = plane_points((0.0, 1.0, 10.0, 12.0), 3)
    assert pts[:3].tolist() == [[0.0, 10.0], [0.5, 10.0], [1.0, 10.0]]  # row 0: y0, x left to right
    assert pts[3].tolist() == [0.0, 11.0]


def test_output_and_unit_grids_are_the_networks_values_at_each_point():
    project = load_preset("xor")
    g = project.graph
    engine = Engine(g.copy(), project.settings.loss)
    extent = (-0.5, 1.5, -1.0, 2.0)
    grid = boundary_grid(engine, extent, resolution=9)
    thumbs = unit_grids(engine, extent, resolution=9)
    assert grid.shape == (9, 9)
    assert set(thumbs) == {n.id for n in g if n.role != "input"}
    xs, ys = np.linspace(-0.5, 1.5, 9), np.linspace(-1.0, 2.0, 9)
    for r, c in [(0, 0), (0, 8), (8, 0), (4, 6), (7, 2)]:
        want = _by_hand(g, xs[c], ys[r])
        d0 = g.find("D0").id
        assert grid[r, c] == pytest.approx(want[d0], rel=1e-12)
        assert thumbs[d0][r, c] == pytest.approx(want[d0], rel=1e-12)
        for name in ("Z1", "Z2", "Z3"):
            assert thumbs[g.find(name).id][r, c] == pytest.approx(want[g.find(name).id], rel=1e-12)


def test_networks_without_two_inputs_are_refused_in_words():
    engine = Engine(layered_graph([1, 2, 1], "tanh", "sigmoid"))
    with pytest.raises(ValueError, match="exactly two inputs"):
        boundary_grid(engine, (0, 1, 0, 1), 5)
    with pytest.raises(ValueError, match="exactly two inputs"):
        unit_grids(engine, (0, 1, 0, 1), 5)
