"""Exported scripts reproduce the studio: the numpy script, run as a program in a subprocess, prints the
engine's predictions to 1e-12 on presets, random DAGs and a softmax net; the PyTorch script likewise
where torch is installed (skipped otherwise)."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.export_code import ExportError, numpy_script, torch_script
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph
from bpstudio.core.presets import load_preset
from tests.core.test_engine import random_graph


def run_script(text: str, tmp_path, name: str = "net.py", python: str = sys.executable) -> np.ndarray:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run([python, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return np.array([ast.literal_eval(line.split("->")[1].strip()) for line in proc.stdout.splitlines()])


def trained(name: str):
    p = load_preset(name)
    return p.graph, p.dataset.train()[0]


@pytest.mark.parametrize("preset", ["article-xor", "xor", "and"])
def test_the_numpy_script_prints_the_engines_predictions(preset, tmp_path):
    g, X = trained(preset)
    got = run_script(numpy_script(g, X, preset), tmp_path)
    np.testing.assert_allclose(got, Engine(g).predict(X), rtol=1e-12, atol=1e-12)


def test_random_dags_export_exactly(tmp_path):
    rng = np.random.default_rng(7)
    for k in range(6):
        g = random_graph(rng)
        X = rng.normal(size=(5, len(g.inputs)))
        got = run_script(numpy_script(g, X), tmp_path, f"dag{k}.py")
        np.testing.assert_allclose(got, Engine(g).predict(X), rtol=1e-12, atol=1e-12)


def softmax_net() -> Graph:
    g = Graph()
    xs = [g.add_node(INPUT, f"X{i}").id for i in (1, 2)]
    hs = [g.add_node(HIDDEN, f"Z{i}", "tanh", bias=0.1 * i).id for i in (1, 2, 3)]
    ds = [g.add_node(OUTPUT, f"D{i}", "softmax", bias=-0.2 * i).id for i in range(3)]
    rng = np.random.default_rng(3)
    for h in hs:
        for x in xs:
            g.connect(x, h, float(rng.normal()))
    for d in ds:
        for h in hs:
            g.connect(h, d, float(rng.normal()))
    return g


def test_a_softmax_net_exports_with_its_probabilities(tmp_path):
    g = softmax_net()
    X = np.array([[0.0, 0.0], [1.0, -2.0], [30.0, 40.0]])
    got = run_script(numpy_script(g, X), tmp_path)
    np.testing.assert_allclose(got, Engine(g, "categorical_cross_entropy").predict(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-15)


def test_duplicate_unit_names_are_refused_in_words():
    g = Graph()
    x = g.add_node(INPUT, "X1").id
    d = g.add_node(OUTPUT, "X1").id
    g.connect(x, d, 1.0)
    with pytest.raises(ExportError, match="share a name"):
        numpy_script(g)


def torch_python() -> str | None:
    """A Python that has torch: this one, or BPSTUDIO_TORCH_PYTHON (e.g. a separate venv with torch)."""
    if importlib.util.find_spec("torch") is not None:
        return sys.executable
    other = os.environ.get("BPSTUDIO_TORCH_PYTHON")
    if other and subprocess.run([other, "-c", "import torch"], capture_output=True).returncode == 0:
        return other
    return None


@pytest.mark.skipif(torch_python() is None, reason="no PyTorch here (set BPSTUDIO_TORCH_PYTHON to a Python with it)")
def test_the_pytorch_script_matches_the_engine(tmp_path):
    for g, X, loss in [(*trained("xor"), "cross_entropy"),
                       (softmax_net(), np.array([[0.5, -1.0], [2.0, 3.0]]), "categorical_cross_entropy")]:
        got = run_script(torch_script(g, X), tmp_path, python=torch_python())
        np.testing.assert_allclose(got, Engine(g, loss).predict(X), rtol=1e-12, atol=1e-12)


def test_bpstudio_export_writes_a_script_that_runs(tmp_path, capsys):
    from bpstudio import cli

    out = tmp_path / "article.py"
    assert cli.main(["export", "--preset", "article-xor", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    proc = subprocess.run([sys.executable, str(out)], capture_output=True, text=True, timeout=60)
    # every weight 1, identity units: the article's outputs 4, 7, 7, 10
    assert [line.split("->")[1].strip() for line in proc.stdout.splitlines()] == ["[4.0]", "[7.0]", "[7.0]", "[10.0]"]
    assert cli.main(["export", "--preset", "article-xor", "--torch"]) == 0
    assert "class Network(torch.nn.Module)" in capsys.readouterr().out
    assert cli.main(["export", "--preset", "article-xor", "--out", str(tmp_path / "no" / "dir.py")]) == 2
