"""A PyTorch-style nn.Sequential weights file (JSON / npz, no pickle) to and from studio networks."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.presets import layered_graph, load_preset
from bpstudio.core.sequential_io import (
    TORCH_SNIPPET,
    SequentialError,
    graph_from_dict,
    read_sequential,
    sequential_dict,
    write_sequential,
)
from tests.core.test_export_code import torch_python


def _random(sizes, hidden, output, seed):
    g = layered_graph(sizes, hidden, output)
    rng = np.random.default_rng(seed)
    g.set_weights({k: float(rng.normal()) for k in g.edges}, {n.id: float(rng.normal()) for n in g})
    return g


NETS = [([2, 3, 1], "tanh", "sigmoid"), ([2, 4, 3], "relu", "softmax"), ([3, 5, 4, 2], "leaky_relu", "identity")]


@pytest.mark.parametrize("sizes,hidden,output", NETS)
@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_studio_to_file_to_studio_predicts_the_same(tmp_path, sizes, hidden, output, suffix):
    g = _random(sizes, hidden, output, seed=len(sizes))
    path = tmp_path / f"net{suffix}"
    write_sequential(g, path)
    back = read_sequential(path)
    X = np.random.default_rng(1).normal(size=(20, sizes[0]))
    loss = "categorical_cross_entropy" if output == "softmax" else "squared_error"
    np.testing.assert_allclose(Engine(back, loss).predict(X), Engine(g, loss).predict(X), rtol=1e-12, atol=1e-12)
    assert [n.name for n in back.inputs] == [n.name for n in g.inputs]
    assert [n.name for n in back.outputs] == [n.name for n in g.outputs]


def test_the_article_network_reads_back_exactly():
    g = load_preset("article-xor").graph
    doc = sequential_dict(g)
    assert [layer["type"] for layer in doc["layers"]] == ["Linear", "Linear"]  # identity units: no module
    assert doc["layers"][0]["weight"] == [[1.0, 1.0]] * 3
    assert graph_from_dict(json.loads(json.dumps(doc))).snapshot()[1] == tuple(
        sorted((e.source, e.target, e.weight) for e in g.edges.values()))


def _doc(*layers, **extra):
    return {"format": "bpstudio-sequential", "version": 1, "layers": list(layers), **extra}


LIN = {"type": "Linear", "in_features": 2, "out_features": 1, "weight": [[1.0, 2.0]], "bias": [0.5]}


@pytest.mark.parametrize("doc,words", [
    (_doc(LIN, {"type": "Tanh"}, {"type": "ReLU"}), "layer 2 (ReLU) follows another activation"),
    (_doc(LIN, {**LIN, "in_features": 3, "weight": [[1, 2, 3]]}), "layer 1 (Linear) takes 3 inputs"),
    (_doc({**LIN, "weight": [[float("nan"), 1.0]]}), "layer 0.weight[0, 0] is nan"),
    (_doc({**LIN, "weight": [[1e300, 1.0]]}), "within ±1e+100"),
    (_doc({**LIN, "weight": [[1.0, 2.0, 3.0]]}), "layer 0.weight has shape (1, 3)"),
    (_doc({**LIN, "weight": [["a", 2.0]]}), "layer 0.weight must hold only numbers"),
    (_doc({"type": "Linear", "in_features": 2000, "out_features": 2000, "weight": []}), "past 10,000 units"),
    (_doc({"type": "Tanh"}), "layer 0 (Tanh) comes before any Linear"),
    (_doc(LIN, {"type": "GELU"}), "no unit like torch.nn.GELU"),
    (_doc(LIN, {"type": "LeakyReLU", "negative_slope": 0.2}), "negative_slope 0.2"),
    (_doc(LIN, {"type": "Softmax", "dim": 0}), "dim=1"),
    (_doc({**LIN, "out_features": 2, "weight": [[1, 2], [3, 4]], "bias": [0, 0]}, {"type": "Softmax"}, LIN),
     "only possible as the last module"),
    (_doc(LIN, inputs=["a", "a"]), "2 different names"),
    ({"format": "bpstudio-project", "version": 1}, "not a bpstudio-sequential file"),
    (_doc(LIN, version=9), "newer Backprop Studio"),
    (_doc(), "non-empty list"),
])
def test_unusable_documents_are_refused_naming_the_layer(doc, words):
    with pytest.raises(SequentialError) as info:
        graph_from_dict(doc)
    assert words in str(info.value)


def test_a_missing_bias_is_zero():
    g = graph_from_dict(_doc({**LIN, "bias": None}))
    assert [n.bias for n in g.outputs] == [0.0]


def test_npz_with_a_pickled_object_array_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    header = np.array(json.dumps(_doc({k: v for k, v in LIN.items() if k not in ("weight", "bias")})))
    np.savez(path, __sequential__=header, **{"0.weight": np.array([[1, 2]], dtype=object),
                                               "0.bias": np.array([0.5])})
    with pytest.raises(SequentialError, match="without pickle"):
        read_sequential(path)


def test_hostile_paths_are_refused_in_words(tmp_path):
    for path, words in ((tmp_path / "missing.json", "cannot read"), ("/dev/zero", "device"),
                        (tmp_path, "folder")):
        with pytest.raises(SequentialError, match=words):
            read_sequential(path)
    junk = tmp_path / "junk.json"
    junk.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SequentialError, match="neither JSON"):
        read_sequential(junk)
    big = tmp_path / "big.json"
    big.write_text('{"format": "bpstudio-sequential", "version": ' + "9" * 400 + "}")
    with pytest.raises(SequentialError, match="version"):
        read_sequential(big)


def test_a_network_that_is_not_a_sequential_cannot_be_written():
    g = layered_graph([2, 2, 1], "tanh", "sigmoid")
    z1 = g.find("Z1").id
    g.disconnect(g.find("X1").id, z1)
    with pytest.raises(SequentialError, match="not connected to every unit"):
        sequential_dict(g)
    g2 = layered_graph([2, 2, 1], "tanh", "sigmoid")
    g2.set_activation(g2.find("Z1").id, "relu")
    with pytest.raises(SequentialError, match="mix activations"):
        sequential_dict(g2)


@pytest.mark.skipif(torch_python() is None, reason="no PyTorch here (set BPSTUDIO_TORCH_PYTHON to a Python with it)")
def test_a_torch_sequential_dumped_with_the_documented_snippet_predicts_the_same_here(tmp_path):
    path, X = tmp_path / "torch.json", np.random.default_rng(3).normal(size=(16, 3))
    script = TORCH_SNIPPET + f'''
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2),
                            torch.nn.Sigmoid()).double()
save_sequential(model, {str(path)!r})
x = torch.tensor({X.tolist()!r}, dtype=torch.float64)
print(json.dumps(model(x).detach().tolist()))
'''
    out = subprocess.run([torch_python(), "-c", script], capture_output=True, text=True, timeout=300, check=True)
    want = np.array(json.loads(out.stdout))
    g = read_sequential(path)
    np.testing.assert_allclose(Engine(g, "squared_error").predict(X), want, rtol=1e-12, atol=1e-12)


def test_bpstudio_import_sequential_writes_a_project_and_refuses_bad_files_in_one_line(tmp_path, capsys):
    from bpstudio import cli
    from bpstudio.core import fileformat

    g = _random([2, 3, 1], "tanh", "sigmoid", seed=5)
    weights = tmp_path / "w.npz"
    write_sequential(g, weights)
    out = tmp_path / "p.bpstudio"
    assert cli.main(["import-sequential", str(weights), "--preset", "xor", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    project = fileformat.load(out)
    assert project.dataset.equals(load_preset("xor").dataset)
    X = project.dataset.X
    np.testing.assert_allclose(Engine(project.graph, "cross_entropy").predict(X),
                               Engine(g, "cross_entropy").predict(X), rtol=1e-12, atol=1e-12)
    alone = tmp_path / "alone.bpstudio"
    assert cli.main(["import-sequential", str(weights), "--out", str(alone)]) == 0
    assert "placeholder" in capsys.readouterr().out and fileformat.load(alone).dataset.n_samples == 1
    assert cli.main(["import-sequential", str(weights), "--preset", "iris", "--out", str(alone)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 inputs and 1 outputs" in err[0]
    assert cli.main(["import-sequential", "/dev/zero", "--out", str(alone)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "device" in err[0] and "Traceback" not in err[0]
