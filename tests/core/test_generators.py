"""Generators: shapes, labels, determinism, splits; check_match and the network adjustment."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpstudio.core.dataset import DatasetError
from bpstudio.core.engine import Engine
from bpstudio.core.generators import GENERATORS, generate, split_mask
from bpstudio.core.graph import INPUT, OUTPUT
from bpstudio.core.match import check_match, plan_adjustment
from bpstudio.core.presets import layered_graph, load_preset

CLOUDS = ["circle", "gaussians", "spiral", "moons", "checkerboard", "plane", "sine", "gaussian"]
TABLES = ["xor", "and", "or", "nand", "xnor"]
MULTI = {"spiral3": 3, "blobs3": 3, "blobs4": 4}


def test_every_issue_dataset_is_offered():
    assert set(CLOUDS + TABLES + list(MULTI) + ["iris"]) == set(GENERATORS)


@pytest.mark.parametrize("kind,k", MULTI.items())
def test_multi_class_sets_are_one_hot_balanced_and_deterministic(kind, k):
    ds = generate(kind, 301, noise=0.05, test_fraction=0.2, seed=3)
    assert ds.Y.shape == (301, k) and ds.target_names == [f"C{j + 1}" for j in range(k)]
    assert set(np.unique(ds.Y)) == {0.0, 1.0} and np.all(ds.Y.sum(axis=1) == 1)
    counts = ds.Y.sum(axis=0)
    assert counts.max() - counts.min() <= 1  # every class within one row of the others
    assert ds.task == "multiclass"
    assert generate(kind, 301, noise=0.05, test_fraction=0.2, seed=3).equals(ds)
    assert GENERATORS[kind].n_classes == k


def test_spiral_arms_are_turned_copies_of_each_other():
    """Arm j is arm 0 turned by j·120°: the radius of a point fixes its angle up to that turn."""
    ds = generate("spiral3", 600, seed=0)
    label = np.argmax(ds.Y, axis=1)
    r = np.hypot(ds.X[:, 0], ds.X[:, 1])
    angle = np.arctan2(ds.X[:, 0], ds.X[:, 1])  # the generator puts sin on x, cos on y
    t = (r - 0.05) / 0.9
    want = 1.25 * 2 * np.pi * t + label * 2 * np.pi / 3
    assert np.allclose(np.angle(np.exp(1j * (angle - want))), 0.0, atol=1e-9)


def test_blob_centres_sit_on_a_circle():
    ds = generate("blobs4", 4000, seed=2)
    label = np.argmax(ds.Y, axis=1)
    centres = np.array([ds.X[label == j].mean(axis=0) for j in range(4)])
    assert np.allclose(np.hypot(*centres.T), 0.6, atol=0.02)
    assert np.allclose(centres[0], [0.0, 0.6], atol=0.02)  # the first one at the top


def test_gaussian_regression_matches_tf_playground_at_its_bump_centres_and_between():
    from bpstudio.core.generators import _BUMPS, _gaussian_regression

    X = np.array([[cx, cy] for cx, cy, _ in _BUMPS] + [[-1.0, 0.0], [1.0, 0.0]])
    rng = np.random.default_rng(0)
    # the generator draws its own inputs: evaluate the label rule through a fixed draw instead
    Xg, y = _gaussian_regression(2000, rng)
    assert np.all(np.abs(y) <= 1.0) and y.min() < -0.8 and y.max() > 0.8
    # a point at a bump's centre has the bump's sign and height 1; far from all bumps, 0
    d = np.hypot(Xg[:, None, 0] - X[None, :6, 0], Xg[:, None, 1] - X[None, :6, 1])
    near = d.min(axis=1) < 0.02
    signs = np.array([s for *_, s in _BUMPS])[d.argmin(axis=1)]
    assert np.all(np.sign(y[near]) == signs[near]) and np.all(np.abs(y[near]) > 0.9)
    assert np.all(y[d.min(axis=1) > 1 / 3] == 0.0)


def test_iris_is_fishers_table():
    ds = generate("iris")
    assert ds.X.shape == (150, 4) and ds.Y.shape == (150, 3)
    assert ds.target_names == ["setosa", "versicolor", "virginica"]
    assert ds.Y.sum(axis=0).tolist() == [50, 50, 50]
    # well-known column means (cm), with rows 35 and 38 as in Fisher's paper
    assert np.round(ds.X.mean(axis=0), 4).tolist() == [5.8433, 3.0573, 3.758, 1.1993]
    assert ds.X[34].tolist() == [4.9, 3.1, 1.5, 0.2] and ds.X[37].tolist() == [4.9, 3.6, 1.4, 0.1]
    held = generate("iris", test_fraction=0.2, seed=1)
    assert int((~held.train_mask).sum()) == 30


@pytest.mark.parametrize("op,y", [("xor", [0, 1, 1, 0]), ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]),
                                  ("nand", [1, 1, 1, 0]), ("xnor", [1, 0, 0, 1])])
def test_truth_tables_are_exact_and_ignore_n(op, y):
    ds = generate(op, n=500)
    assert ds.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert ds.Y[:, 0].tolist() == y
    assert ds.train_mask.all()
    assert ds.input_names == ["X1", "X2"] and ds.target_names == ["Y"]


@pytest.mark.parametrize("kind", CLOUDS)
def test_shapes_names_and_split(kind):
    ds = generate(kind, n=201, noise=0.1, test_fraction=0.25, seed=4)
    n_in = 1 if kind == "sine" else 2
    assert ds.X.shape == (201, n_in) and ds.Y.shape == (201, 1)
    assert ds.input_names == [f"X{i + 1}" for i in range(n_in)]
    assert int((~ds.train_mask).sum()) == 50  # round(201 * 0.25)
    assert np.isfinite(ds.X).all() and np.isfinite(ds.Y).all()


@pytest.mark.parametrize("kind", CLOUDS + TABLES)
def test_same_seed_same_numbers_other_seed_other_numbers(kind):
    a = generate(kind, 100, noise=0.2, test_fraction=0.3, seed=7)
    b = generate(kind, 100, noise=0.2, test_fraction=0.3, seed=7)
    c = generate(kind, 100, noise=0.2, test_fraction=0.3, seed=8)
    assert a.equals(b)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("kind", ["circle", "gaussians", "spiral", "moons", "checkerboard"])
def test_classification_sets_are_balanced_zero_one(kind):
    ds = generate(kind, 400, seed=1)
    assert set(np.unique(ds.Y)) == {0.0, 1.0}
    share = ds.Y.mean()
    assert 0.4 <= share <= 0.6
    if kind != "gaussians":  # Gaussian tails reach past the square
        assert np.abs(ds.X).max() <= 1.0 + 1e-12  # noiseless sets live in [-1, 1]²


def test_circle_labels_follow_the_radius():
    ds = generate("circle", 300, seed=2)
    r = np.hypot(ds.X[:, 0], ds.X[:, 1])
    assert (r[ds.Y[:, 0] == 1] <= 0.5).all()
    assert (r[ds.Y[:, 0] == 0] >= 0.7).all()


def test_checkerboard_labels_follow_the_cells():
    ds = generate("checkerboard", 300, seed=3)
    cell = np.floor((ds.X + 1) * 2).clip(0, 3)
    assert np.array_equal(ds.Y[:, 0], ((cell.sum(axis=1) % 2) == 0).astype(float))


def test_regression_targets_without_noise_are_the_formulas():
    plane = generate("plane", 50, seed=0)
    assert np.allclose(plane.Y[:, 0], 0.6 * plane.X[:, 0] - 0.4 * plane.X[:, 1] + 0.2)
    sine = generate("sine", 50, seed=0)
    assert np.allclose(sine.Y[:, 0], np.sin(np.pi * sine.X[:, 0]))


def test_regression_noise_goes_to_the_target_only():
    clean = generate("plane", 500, seed=5)
    noisy = generate("plane", 500, noise=0.1, seed=5)
    assert np.array_equal(clean.X, noisy.X)
    resid = noisy.Y[:, 0] - clean.Y[:, 0]
    assert 0.08 < resid.std() < 0.12


@pytest.mark.parametrize("args,words", [
    (("spiral", 1), "between 2 and"), (("spiral", 10**6), "between 2 and"),
    (("circle", 10, -0.1), "noise"), (("circle", 10, 0.0, 1.0), "test fraction"),
    (("banana",), "unknown dataset"),
])
def test_bad_requests_are_refused_in_plain_words(args, words):
    with pytest.raises(DatasetError, match=words):
        generate(*args)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 300), frac=st.floats(0, 0.99))
def test_split_keeps_a_training_row(n, frac):
    mask = split_mask(n, frac, np.random.default_rng(0))
    assert mask.shape == (n,) and mask.any()
    assert int((~mask).sum()) == min(int(round(n * frac)), n - 1)


# ---------------------------------------------------------------- check_match
def test_article_network_fits_xor_and_not_the_sine():
    g = load_preset("article-xor").graph
    assert check_match(g, generate("xor")) is None
    msg = check_match(g, generate("sine", 20))
    assert msg == ("The network has 2 input units (X1, X2) but the dataset has 1 input column (X1).")


def test_check_match_names_outputs_empty_and_all_test():
    g = layered_graph([2, 1])
    ds = generate("xor")
    ds2 = ds.copy()
    ds2.Y = np.hstack([ds.Y, ds.Y])
    ds2.target_names = ["A", "B"]
    assert "1 output unit (D0) but the dataset has 2 target columns (A, B)" in check_match(g, ds2)
    ds3 = ds.copy()
    ds3.train_mask[:] = False
    assert "marked as test" in check_match(g, ds3)
    empty = generate("xor")
    empty.X, empty.Y, empty.train_mask = empty.X[:0], empty.Y[:0], empty.train_mask[:0]
    assert "no rows" in check_match(g, empty)


# ---------------------------------------------------------------- adjustment
def test_adjust_adds_wired_units_and_undo_restores_exactly():
    g = load_preset("article-xor").graph
    before = g.snapshot()
    adj = plan_adjustment(g, 3, 2, seed=1)
    assert g.snapshot() == before  # planning changes nothing
    adj.apply(g)
    assert [n.name for n in g.inputs] == ["X1", "X2", "X3"]
    assert [n.name for n in g.outputs] == ["D0", "D1"]
    x3, d1 = g.find("X3"), g.find("D1")
    z_ids = [g.find(z).id for z in ("Z1", "Z2", "Z3")]
    assert sorted(e.target for e in g.outgoing(x3.id)) == sorted(z_ids)
    assert sorted(e.source for e in g.incoming(d1.id)) == sorted(z_ids)
    assert d1.activation == g.find("D0").activation
    ws = [e.weight for e in g.outgoing(x3.id)]
    assert len(set(ws)) == 3 and all(abs(w) <= 0.5 for w in ws)  # not symmetric
    after = g.snapshot()
    Engine(g).predict(np.zeros((1, 3)))  # compiles and runs
    adj.undo(g)
    assert g.snapshot() == before
    adj.apply(g)
    assert g.snapshot() == after  # redo gives the same ids and weights


def _same_network(g, snapshot, role_names):
    assert g.snapshot() == snapshot  # nodes back in their old order, every edge back
    # the order of inputs and outputs is the order of the data columns: it must come back
    assert ([n.name for n in g.inputs], [n.name for n in g.outputs]) == role_names


def test_adjust_removes_extra_units_and_their_edges():
    g = layered_graph([3, 2, 2])
    g.connect(g.find("D0").id, g.find("D1").id, 0.25)  # an edge between two removed... and kept
    before = g.snapshot()
    adj = plan_adjustment(g, 1, 1)
    adj.apply(g)
    assert (len(g.inputs), len(g.outputs)) == (1, 1)
    assert len(g.edges) == 2 + 2  # X1→Z1, X1→Z2, Z1→D0, Z2→D0
    adj.undo(g)
    _same_network(g, before, (["X1", "X2", "X3"], ["D0", "D1"]))
    Engine(g).predict(np.ones((2, 3)))


def test_adjust_undo_puts_back_edges_between_removed_units():
    g = layered_graph([4, 3])
    g.connect(g.find("D1").id, g.find("D2").id, -0.5)
    before = g.snapshot()
    adj = plan_adjustment(g, 2, 1)
    adj.apply(g)
    assert len(g.edges) == 2
    adj.undo(g)
    _same_network(g, before, (["X1", "X2", "X3", "X4"], ["D0", "D1", "D2"]))


def test_adjust_without_hidden_layer_wires_new_units_to_each_other():
    g = load_preset("and").graph  # X1, X2 → D0 (sigmoid)
    adj = plan_adjustment(g, 3, 2)
    adj.apply(g)
    d1 = g.find("D1")
    assert d1.activation == "sigmoid"
    assert {g.nodes[e.source].name for e in g.incoming(d1.id)} == {"X1", "X2", "X3"}
    assert {g.nodes[e.target].name for e in g.outgoing(g.find("X3").id)} == {"D0", "D1"}
    assert all(n.role in (INPUT, OUTPUT) for n in g)


def test_adjust_to_the_same_counts_is_empty():
    g = layered_graph([2, 3, 1])
    assert plan_adjustment(g, 2, 1).is_empty
    with pytest.raises(ValueError):
        plan_adjustment(g, 0, 1)
