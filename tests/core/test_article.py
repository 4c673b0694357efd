"""The seed article's example, checked against numbers worked out by hand (with its signs corrected).

Network: inputs X1, X2 and bias unit X0; hidden Z1..Z3 and bias unit Z0; output D0; identity
activations; every weight 1; alpha = 0.1; squared error E = 1/2 . (y_hat - y)^2.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core import optimizers
from bpstudio.core.diagnostics import diagnose, symmetric_groups
from bpstudio.core.engine import Engine
from bpstudio.core.presets import load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trace import trace_step
from bpstudio.core.trainer import Trainer


@pytest.fixture
def article():
    project = load_preset("article-xor")
    g = project.graph
    ids = {n.name: n.id for n in g}
    return project, g, ids


def test_preset_is_the_articles_network(article):
    project, g, ids = article
    assert sorted(ids) == ["D0", "X1", "X2", "Z1", "Z2", "Z3"]
    assert all(e.weight == 1.0 for e in g.edges.values())
    assert len(g.edges) == 9  # X1, X2 → Z1..Z3 and Z1..Z3 → D0
    assert all(n.bias == 1.0 and n.activation == "identity" for n in g if n.role != "input")
    s = project.settings
    assert (s.learning_rate, s.mode, s.optimizer, s.loss) == (0.1, "batch", "gd", "squared_error")
    assert project.dataset.Y[:, 0].tolist() == [0, 1, 1, 0]


def test_forward_on_sample_00(article):
    project, g, ids = article
    engine = Engine(g)
    trace = trace_step(engine, project.dataset.X[:1], project.dataset.Y[:1], learning_rate=0.1)
    z = {name: trace.activation[0, trace.column[nid]] for name, nid in ids.items()}
    a = {name: trace.net_input[0, trace.column[nid]] for name, nid in ids.items()}
    # Z_k = 1 . X0 + 1 . X1 + 1 . X2 = 1 . 1 + 1 . 0 + 1 . 0 = 1; D0 = 1 . Z0 + 1 + 1 + 1 = 4
    assert z["Z1"] == z["Z2"] == z["Z3"] == 1.0
    assert a["Z1"] == a["Z2"] == a["Z3"] == 1.0
    assert z["D0"] == a["D0"] == 4.0
    assert trace.loss == 8.0  # 1/2 . (4 - 0)^2


def test_deltas_on_sample_00(article):
    project, g, ids = article
    trace = trace_step(Engine(g), project.dataset.X[:1], project.dataset.Y[:1])
    d = {name: trace.unit_delta(nid)[0] for name, nid in ids.items()}
    assert d["D0"] == 4.0  # y_hat - y = 4 - 0 (the article's -4 has the wrong sign)
    assert d["Z1"] == d["Z2"] == d["Z3"] == 4.0  # V . delta_D0 . f'(a) = 1 . 4 . 1
    # inputs have no delta (NaN in the trace); bias units are not units at all
    assert np.isnan(d["X1"]) and np.isnan(d["X2"])
    assert not {"X0", "Z0"} & set(trace.names.values())
    assert len(trace.unit_ids) == 6


def test_one_online_step_on_sample_00(article):
    project, g, ids = article
    settings = TrainingSettings(**{**project.settings.to_dict(), "mode": "online"})
    engine = Engine(g)
    trainer = Trainer(engine, project.dataset, settings)
    loss = trainer.step()
    assert loss == 8.0
    engine.write_to(g)
    # W := W - alpha . Z . delta = 1 - 0.1 . 1 . 4 = 0.6 for the bias weights and Z → D0
    for k in (1, 2, 3):
        z = ids[f"Z{k}"]
        assert g.edge(z, ids["D0"]).weight == pytest.approx(0.6, abs=1e-15)  # V0k
        assert g.nodes[z].bias == pytest.approx(0.6, abs=1e-15)  # Wk0, from X0
        # X1 = X2 = 0 on this sample: zero gradient, weight exactly unchanged
        assert g.edge(ids["X1"], z).weight == 1.0
        assert g.edge(ids["X2"], z).weight == 1.0
    assert g.nodes[ids["D0"]].bias == pytest.approx(0.6, abs=1e-15)  # V00, from Z0


def test_one_batch_step_on_all_four_samples(article):
    project, g, ids = article
    engine = Engine(g)
    X, Y = project.dataset.X, project.dataset.Y
    trace = trace_step(engine, X, Y, learning_rate=0.1)
    optimizers.make(project.settings, engine.n_params).step(engine.theta, engine.grad)
    trace.record_update(engine)
    # By hand, every weight 1 (so Z1 = Z2 = Z3 = Z):
    #   (X1, X2)  y | Z = 1 + X1 + X2 | D0 = 1 + 3Z | delta_D0 = D0 - y | delta_Z = 1 . delta_D0 . 1
    #   (0, 0)    0 |       1         |     4       |        4         |       4
    #   (0, 1)    1 |       2         |     7       |        6         |       6
    #   (1, 0)    1 |       2         |     7       |        6         |       6
    #   (1, 1)    0 |       3         |    10       |       10         |      10
    # loss = mean(1/2 . (16, 36, 36, 100)) = mean(8, 18, 18, 50) = 23.5
    # gradients (means over the 4 samples):
    #   bias of Z_k (X0 = 1):  (4 + 6 + 6 + 10) / 4             = 6.5   → 1 - 0.65 = 0.35
    #   X1 → Z_k:              (0 . 4 + 0 . 6 + 1 . 6 + 1 . 10) / 4      = 4     → 1 - 0.4 = 0.6
    #   X2 → Z_k:              (0 . 4 + 1 . 6 + 0 . 6 + 1 . 10) / 4      = 4     → 0.6
    #   bias of D0 (Z0 = 1):   6.5                                          → 0.35
    #   Z_k → D0:              (1 . 4 + 2 . 6 + 2 . 6 + 3 . 10) / 4 = 58 / 4 = 14.5 → 1 - 1.45 = -0.45
    col = trace.column
    assert trace.activation[:, col[ids["Z1"]]].tolist() == [1, 2, 2, 3]
    assert trace.activation[:, col[ids["D0"]]].tolist() == [4, 7, 7, 10]
    assert trace.unit_delta(ids["D0"]).tolist() == [4, 6, 6, 10]
    assert trace.unit_delta(ids["Z2"]).tolist() == [4, 6, 6, 10]
    assert trace.loss == 23.5
    w_grad = dict(zip(trace.edge_keys, trace.weight_grad))
    w_new = dict(zip(trace.edge_keys, trace.weight_new))
    b_grad = dict(zip(trace.bias_ids, trace.bias_grad))
    b_new = dict(zip(trace.bias_ids, trace.bias_new))
    for k in (1, 2, 3):
        z = ids[f"Z{k}"]
        assert b_grad[z] == 6.5 and b_new[z] == pytest.approx(0.35, abs=1e-15)
        for x in ("X1", "X2"):
            assert w_grad[(ids[x], z)] == 4.0
            assert w_new[(ids[x], z)] == pytest.approx(0.6, abs=1e-15)
        assert w_grad[(z, ids["D0"])] == 14.5
        assert w_new[(z, ids["D0"])] == pytest.approx(-0.45, abs=1e-15)
    assert b_grad[ids["D0"]] == 6.5 and b_new[ids["D0"]] == pytest.approx(0.35, abs=1e-15)


def test_identity_xor_settles_at_the_best_plane_and_stays_symmetric(article):
    project, g, ids = article
    engine = Engine(g)
    trainer = Trainer(engine, project.dataset, project.settings)
    trainer.train(1000)
    assert trainer.epoch == 1000
    # the best linear fit of XOR is 0.5 everywhere: loss = mean(1/2 . 0.5^2) = 0.125
    assert trainer.dataset_loss() == pytest.approx(0.125, abs=1e-9)
    np.testing.assert_allclose(engine.predict(project.dataset.X)[:, 0], 0.5, atol=1e-5)
    assert trainer.history[0] == 23.5 and trainer.history[-1] == pytest.approx(0.125, abs=1e-9)
    engine.write_to(g)
    hidden = [ids["Z1"], ids["Z2"], ids["Z3"]]
    # constant init: the three hidden units are still exactly identical
    for z in hidden[1:]:
        assert g.nodes[z].bias == g.nodes[hidden[0]].bias
        for x in ("X1", "X2"):
            assert g.edge(ids[x], z).weight == g.edge(ids[x], hidden[0]).weight
        assert g.edge(z, ids["D0"]).weight == g.edge(hidden[0], ids["D0"]).weight
    assert g.edge(ids["X1"], hidden[0]).weight != 1.0  # they did move, together
    assert symmetric_groups(g) == [hidden]
    found = diagnose(g, dataset=project.dataset)
    sym = [d for d in found if d.kind == "symmetric"]
    assert len(sym) == 1 and sym[0].units == tuple(hidden)
    assert "Z1, Z2 and Z3 are symmetric" in sym[0].message
    assert any(d.kind == "linear" and "0.125" in d.message for d in found)


def test_learning_xor_preset_gets_below_0_01():
    project = load_preset("xor")
    engine = Engine(project.graph, project.settings.loss)
    trainer = Trainer(engine, project.dataset, project.settings)
    final = trainer.train(project.settings.max_epochs)
    assert final < 0.01
    predictions = engine.predict(project.dataset.X)[:, 0]
    assert np.array_equal(predictions > 0.5, project.dataset.Y[:, 0] > 0.5)
    assert not [d for d in diagnose(project.graph, dataset=project.dataset)
                if d.kind in ("linear", "symmetric")]
