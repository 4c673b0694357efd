"""L1 and L2 regularisation (issue 12): in the loss, the gradient, the gradient check, the settings and files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bpstudio.core import fileformat
from bpstudio.core.dataset import Dataset
from bpstudio.core.engine import Engine
from bpstudio.core.gradcheck import gradient_check
from bpstudio.core.graph import INPUT, OUTPUT, Graph
from bpstudio.core.presets import load_preset
from bpstudio.core.settings import SettingsError, TrainingSettings
from bpstudio.core.trainer import Trainer


def net() -> tuple[Graph, np.ndarray, np.ndarray]:
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    d = g.add_node(OUTPUT, "D0", "identity", bias=0.5).id
    g.connect(x, d, -2.0)
    return g, np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])


def test_l2_by_hand_weights_only():
    g, X, Y = net()
    e = Engine(g)
    e.set_regularization("l2", 0.1)
    # ŷ = -1.5, -5.5; E = (½ 2.25 + ½ 42.25)/2 = 11.125; penalty ½ . 0.1 . 4 = 0.2
    assert e.loss_of(X, Y) == pytest.approx(11.325, abs=1e-15)
    assert e.gradient(X, Y) == pytest.approx(11.325, abs=1e-15)
    w, b = e.grad[e.edge_slots[0]], e.grad[e.bias_slots[0]]
    assert w == pytest.approx((-1.5 * 1 + -6.5 * 3) / 2 + 0.1 * -2.0)  # data + λW = -10.5 - 0.2
    assert b == pytest.approx((-1.5 + -6.5) / 2)  # the bias is not regularised


def test_l1_adds_rate_times_sign():
    g, X, Y = net()
    e = Engine(g)
    e.set_regularization("l1", 0.25)
    assert e.loss_of(X, Y) == pytest.approx(11.125 + 0.5)
    e.gradient(X, Y)
    assert e.grad[e.edge_slots[0]] == pytest.approx(-10.5 - 0.25)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_gradient_check_agrees_with_regularisation(kind):
    p = load_preset("xor")
    e = Engine(p.graph, p.settings.loss)
    e.set_regularization(kind, 0.3)
    X, Y = p.dataset.train()
    result = gradient_check(e, X, Y)
    assert result.ok, result.table()


def test_trainer_step_is_w_minus_alpha_times_grad_plus_lambda_w():
    g, X, Y = net()
    s = TrainingSettings(learning_rate=0.01, regularization="l2", reg_rate=0.1)
    t = Trainer(Engine(g), Dataset(X, Y, ["X1"], ["D0"]), s)
    t.step()
    assert t.engine.theta[t.engine.edge_slots[0]] == pytest.approx(-2.0 - 0.01 * (-10.5 + 0.1 * -2.0))


def test_settings_are_validated_and_saved_and_old_files_load(tmp_path):
    with pytest.raises(SettingsError, match="unknown regularisation 'l3'"):
        TrainingSettings(regularization="l3").validate()
    with pytest.raises(SettingsError, match="regularisation rate cannot be negative"):
        TrainingSettings(reg_rate=-1.0).validate()
    p = load_preset("xor")
    p.settings.regularization, p.settings.reg_rate = "l1", 0.01
    path = tmp_path / "p.json"
    fileformat.save(p, path)
    back = fileformat.load(path)
    assert (back.settings.regularization, back.settings.reg_rate) == ("l1", 0.01)
    data = json.loads(path.read_text())
    del data["training"]["regularization"], data["training"]["reg_rate"]
    path.write_text(json.dumps(data))
    old = fileformat.load(path)
    assert (old.settings.regularization, old.settings.reg_rate) == ("none", 0.0)
    data["training"]["reg_rate"] = "big"
    path.write_text(json.dumps(data))
    with pytest.raises(Exception, match="reg rate must be a finite number, not .big."):
        fileformat.load(path)


def test_worked_arithmetic_shows_data_loss_penalty_and_lambda_w():
    from bpstudio.core.explain import explain_text
    from bpstudio.core.trace import trace_step

    g, X, Y = net()
    e = Engine(g)
    e.set_regularization("l2", 0.1)
    trace = trace_step(e, X, Y, learning_rate=0.1)
    e.theta -= 0.1 * e.grad  # plain gradient descent
    trace.record_update(e)
    assert trace.loss == pytest.approx(11.125) and trace.penalty == pytest.approx(0.2)
    text = explain_text(trace, g)
    assert "data loss 11.125 + penalty lambda/2 . sum(W^2) = 0.2" in text
    assert "biases are not regularised" in text
    # W := -2 - 0.1 . ((-10.5) + (-0.2)) = -0.93 (data gradient, then λ.W)
    line = next(ln for ln in text.splitlines() if "+ lambda . W)" in ln)
    assert "((-10.5) + (-0.2))" in line and line.endswith("= -0.93"), line


def test_worked_arithmetic_shows_the_penalty_and_the_regularised_update():
    from bpstudio.core.explain import explain_text
    from bpstudio.core.optimizers import make
    from bpstudio.core.trace import trace_step

    g, X, Y = net()
    e = Engine(g)
    e.set_regularization("l2", 0.1)
    t = trace_step(e, X, Y, learning_rate=0.01)
    assert t.penalty == pytest.approx(0.2) and t.loss == pytest.approx(11.125)
    make(TrainingSettings(learning_rate=0.01), e.n_params).step(e.theta, e.grad)
    t.record_update(e)
    text = explain_text(t, g)
    assert "L2 regularisation, lambda = 0.1" in text and "penalty lambda/2 . sum(W^2) = 0.2" in text
    assert "biases are not regularised" in text
    assert "= -2 - 0.01 . ((-10.5) + (-0.2)) = -1.893" in text  # W - α(data gradient + λW)


def test_gradcheck_command_checks_the_regularised_loss(tmp_path, capsys):
    from bpstudio import cli

    p = load_preset("xor")
    p.settings.regularization, p.settings.reg_rate = "l2", 0.5
    path = tmp_path / "reg.json"
    fileformat.save(p, path)
    assert cli.main(["gradcheck", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1].startswith("OK")
    e = Engine(p.graph, p.settings.loss)
    e.set_regularization("l2", 0.5)
    e.gradient(*p.dataset.train())
    w = e.grad[e.edge_slots[0]]
    assert f"{w:.10g}" in out  # the regularised gradient is the one checked
