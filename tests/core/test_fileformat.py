"""Project files: exact round trips, atomic saves, the CSV reference, the shipped examples."""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.core import fileformat
from bpstudio.core.activations import ACTIVATIONS
from bpstudio.core.dataset import Dataset
from bpstudio.core.fileformat import ProjectFileError
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph
from bpstudio.core.presets import PRESETS, load_preset
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def assert_same(a: Project, b: Project) -> None:
    assert a.graph.snapshot() == b.graph.snapshot()
    assert list(a.graph.edges) == list(b.graph.edges)  # edge order kept (init and views use it)
    assert [(n.id, n.x, n.y) for n in a.graph] == [(n.id, n.x, n.y) for n in b.graph]
    assert a.dataset.equals(b.dataset)
    assert a.settings == b.settings
    assert a.settings.to_dict() == b.settings.to_dict()
    assert (a.name, a.description, a.epoch) == (b.name, b.description, b.epoch)
    assert len(a.loss_history) == len(b.loss_history)
    for x, y in zip(a.loss_history, b.loss_history):
        assert x == y or (math.isnan(x) and math.isnan(y))


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_round_trips_exactly(name, tmp_path):
    project = load_preset(name)
    assert_same(fileformat.loads(fileformat.dumps(project)), project)
    path = tmp_path / f"{name}.json"
    fileformat.save(project, path)
    assert_same(fileformat.load(path), project)


def test_article_preset_file_holds_the_articles_numbers():
    data = json.loads(fileformat.dumps(load_preset("article-xor")))
    assert data["format"] == "bpstudio-project" and data["version"] == fileformat.VERSION == 2
    names = {n["id"]: n["name"] for n in data["network"]["nodes"]}
    assert sorted(names.values()) == ["D0", "X1", "X2", "Z1", "Z2", "Z3"]
    assert [e["weight"] for e in data["network"]["edges"]] == [1.0] * 9
    assert {n["name"]: n.get("bias") for n in data["network"]["nodes"]} == {
        "X1": None, "X2": None, "Z1": 1.0, "Z2": 1.0, "Z3": 1.0, "D0": 1.0}
    assert data["dataset"]["X"] == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert data["dataset"]["Y"] == [[0.0], [1.0], [1.0], [0.0]]
    assert data["training"]["learning_rate"] == 0.1 and data["training"]["mode"] == "batch"


def test_awkward_floats_trained_state_and_history_survive(tmp_path):
    project = load_preset("xor")
    awkward = [0.1 + 0.2, 1e-300, -5e-324, 1.7976931348623157e308, 2 / 3, -0.0]
    for edge, w in zip(project.graph.edges.values(), awkward):
        edge.weight = w
    project.graph.move(project.graph.inputs[0].id, 12.345678901234567, -0.1)
    project.settings = TrainingSettings(loss="squared_error", optimizer="adam", mode="minibatch",
                                        batch_size=3, shuffle=True, learning_rate=0.003, seed=17,
                                        init="he", max_epochs=77, target_loss=1e-4)
    project.loss_history = [0.7, 0.25, 1 / 3, float("nan"), float("inf")]
    project.epoch = 5
    project.name, project.description = "Ünïcode «name»", 'quotes " and \\ and\nnewlines'
    X = np.random.default_rng(1).normal(size=(6, 2))
    project.dataset = Dataset(X, X[:, :1] * 0.3, ["a", "b"], ["t"],
                              np.array([True, False, True, True, False, True]), "random")
    path = tmp_path / "p.json"
    fileformat.save(project, path)
    back = fileformat.load(path)
    project.loss_history[-1] = float("nan")  # non-finite history points are stored as null
    assert_same(back, project)
    assert [e.weight for e in back.graph.edges.values()][:6] == awkward
    assert math.copysign(1, list(back.graph.edges.values())[5].weight) == -1  # -0.0 kept
    assert json.loads(path.read_text("utf-8"))["loss_history"][-2:] == [None, None]


def test_settings_dict_round_trips_through_file():
    project = load_preset("and")
    data = json.loads(fileformat.dumps(project))
    assert data["training"] == project.settings.to_dict()
    assert TrainingSettings.from_dict(data["training"]) == project.settings


@st.composite
def random_projects(draw):
    """A random feed-forward graph with skip connections and missing edges, plus matching data."""
    n_in = draw(st.integers(1, 3))
    n_hidden = draw(st.integers(0, 5))
    n_out = draw(st.integers(1, 3))
    acts = st.sampled_from(sorted(ACTIVATIONS))
    finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    g = Graph()
    ids = [g.add_node(INPUT, f"X{i + 1}", x=draw(finite), y=draw(finite)).id for i in range(n_in)]
    ids += [g.add_node(HIDDEN, f"H{i + 1}", draw(acts), draw(finite), draw(finite), draw(finite)).id
            for i in range(n_hidden)]
    ids += [g.add_node(OUTPUT, f"D{i}", draw(acts), draw(finite)).id for i in range(n_out)]
    # any earlier unit → any later non-input unit; order of insertion shuffled by hypothesis
    pairs = [(s, t) for i, s in enumerate(ids) for t in ids[max(i + 1, n_in):]]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    for s, t in chosen:
        g.connect(s, t, draw(finite))
    rows = draw(st.integers(0, 6))
    X = np.array(draw(st.lists(st.lists(finite, min_size=n_in, max_size=n_in),
                               min_size=rows, max_size=rows))).reshape(rows, n_in)
    Y = np.array(draw(st.lists(st.lists(finite, min_size=n_out, max_size=n_out),
                               min_size=rows, max_size=rows))).reshape(rows, n_out)
    mask = np.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype=bool)
    data = Dataset(X, Y, [f"X{i + 1}" for i in range(n_in)], [f"Y{i}" for i in range(n_out)], mask)
    history = draw(st.lists(st.floats(0, 10), max_size=5))
    return Project(g, data, TrainingSettings(seed=draw(st.integers(0, 2**40))), "random",
                   history, len(history))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_projects())
def test_random_graphs_with_skip_edges_round_trip(project):
    assert_same(fileformat.loads(fileformat.dumps(project)), project)


def test_skip_connection_is_kept():
    project = load_preset("article-xor")
    g = project.graph
    g.connect(g.find("X1").id, g.find("D0").id, -0.25)
    back = fileformat.loads(fileformat.dumps(project))
    assert back.graph.edge(back.graph.find("X1").id, back.graph.find("D0").id).weight == -0.25
    assert_same(back, project)


# ---------------------------------------------------------------------------- atomic save
def test_save_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("old content")
    fileformat.save(load_preset("xor"), path)
    assert fileformat.load(path).name == "xor"
    assert os.listdir(tmp_path) == ["p.json"]


def test_failed_rename_leaves_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    fileformat.save(load_preset("and"), path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileformat.os, "replace", broken_replace)
    with pytest.raises(ProjectFileError, match="cannot save .*No space left on device"):
        fileformat.save(load_preset("xor"), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["p.json"]  # the temporary file was removed


def test_failure_while_writing_leaves_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    fileformat.save(load_preset("and"), path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fileformat.os, "fsync", broken_fsync)
    with pytest.raises(ProjectFileError, match="Input/output error"):
        fileformat.save(load_preset("xor"), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["p.json"]


def test_interrupt_while_serialising_writes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    fileformat.save(load_preset("and"), path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileformat, "project_to_dict", boom)
    with pytest.raises(KeyboardInterrupt):
        fileformat.save(load_preset("xor"), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["p.json"]


def test_save_keeps_permissions_and_refuses_what_load_would_refuse(tmp_path):
    path = tmp_path / "p.json"
    fileformat.save(load_preset("and"), path)
    os.chmod(path, 0o640)
    fileformat.save(load_preset("or"), path)
    assert path.stat().st_mode & 0o777 == 0o640
    project = load_preset("xor")
    first = next(iter(project.graph.edges.values()))
    first.weight = float("nan")  # e.g. after training diverged
    with pytest.raises(ProjectFileError, match=r"network.edges\[0\].weight: must be a finite number"):
        fileformat.save(project, path)
    assert fileformat.load(path).name == "or"


def test_save_into_missing_folder_says_so(tmp_path):
    with pytest.raises(ProjectFileError, match="cannot save .*No such file or directory"):
        fileformat.save(load_preset("and"), tmp_path / "nope" / "p.json")


def test_width_check_can_be_relaxed_for_projects_saved_mid_edit():
    project = load_preset("article-xor")
    project.graph.add_node(INPUT, "X3")
    with pytest.raises(ProjectFileError, match="2 input columns but the network has 3 input units"):
        fileformat.dumps(project)
    text = fileformat.dumps(project, check_widths=False)
    with pytest.raises(ProjectFileError, match="3 input units"):
        fileformat.loads(text)
    back = fileformat.loads(text, check_widths=False)
    assert back.graph.snapshot() == project.graph.snapshot()


# ---------------------------------------------------------------------------- CSV reference
def _with_csv_reference(tmp_path: Path, csv_text: str, **fields) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    csv_path = tmp_path / "data" / "xor.csv"
    csv_path.write_text(csv_text, encoding="utf-8")
    doc = json.loads(fileformat.dumps(load_preset("article-xor")))
    doc["dataset"] = {"csv": "data/xor.csv", "input_columns": ["X1", "X2"], "target_columns": ["Y"],
                      **fields}
    path = tmp_path / "project.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


XOR_CSV = "id,X1,X2,Y,split\n1,0,0,0,train\n2,0,1,1,1\n\n3,1,0,1,test\n4,1,1,0,0\n"


def test_csv_reference_loads_relative_to_the_project(tmp_path, monkeypatch):
    digest = hashlib.sha256(XOR_CSV.encode()).hexdigest()
    path = _with_csv_reference(tmp_path, XOR_CSV, sha256=digest, train_column="split")
    monkeypatch.chdir("/")
    project = fileformat.load(path)
    assert project.dataset.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert project.dataset.Y.ravel().tolist() == [0, 1, 1, 0]
    assert project.dataset.train_mask.tolist() == [True, True, False, False]
    assert project.dataset.name == "xor"
    assert project.dataset.source["csv"] == str(tmp_path / "data" / "xor.csv")
    assert project.dataset.source["train_column"] == "split"
    # saving writes the reference again (the path relative to the new file's folder)
    again = tmp_path / "again.json"
    fileformat.save(project, again)
    assert json.loads(again.read_text("utf-8"))["dataset"] == {
        "csv": "data/xor.csv", "sha256": digest, "input_columns": ["X1", "X2"],
        "target_columns": ["Y"], "train_column": "split", "name": "xor"}
    assert fileformat.load(again).dataset.equals(project.dataset)


@pytest.mark.parametrize("csv_text, fields, message", [
    (XOR_CSV, {"sha256": "0" * 64}, "/data/xor.csv has changed since the project was saved"),
    (XOR_CSV.replace("1,0,0,0", "1,0,zero,0"), {},
     "dataset.csv: xor.csv, line 2, column 'X2': 'zero' is not a number"),
    (XOR_CSV.replace("1,0,0,0", "1,0,inf,0"), {}, "line 2, column 'X2': 'inf' is not a finite number"),
    (XOR_CSV.replace("X2", "X9"), {}, "xor.csv has no column 'X2'"),
    (XOR_CSV.replace("2,0,1,1,1", "2,0,1"), {}, "xor.csv, line 3: 3 cells, but the header has 5"),
    (XOR_CSV, {"train_column": "Y", "sha256": 5}, "dataset.sha256: must be a text"),
    (XOR_CSV.replace("test", "maybe"), {"train_column": "split"}, "'maybe' is not 1/0"),
    ("", {}, "xor.csv is empty"),
])
def test_csv_reference_errors(tmp_path, csv_text, fields, message):
    path = _with_csv_reference(tmp_path, csv_text, **fields)
    with pytest.raises(ProjectFileError) as err:
        fileformat.load(path)
    assert message in str(err.value)


def test_csv_reference_to_a_missing_file(tmp_path):
    path = _with_csv_reference(tmp_path, XOR_CSV)
    (tmp_path / "data" / "xor.csv").unlink()
    with pytest.raises(ProjectFileError, match="dataset.csv: cannot read .*xor.csv: No such file"):
        fileformat.load(path)


# ---------------------------------------------------------------------------- shipped examples
@pytest.mark.parametrize("name", list(PRESETS))
def test_shipped_example_matches_its_preset(name):
    """resources/examples is produced by tools/export_presets.py; rerun it when a preset changes."""
    path = EXAMPLES / f"{name}.json"
    assert path.read_text("utf-8") == fileformat.dumps(load_preset(name))
    assert_same(fileformat.load(path), load_preset(name))


def test_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        fileformat.save(load_preset("and"), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o640
