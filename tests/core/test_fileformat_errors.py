"""Each kind of malformed project file is refused with its documented message (docs/file-format.md)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from bpstudio.core import fileformat
from bpstudio.core.fileformat import ProjectFileError
from bpstudio.core.presets import load_preset

GOOD = fileformat.dumps(load_preset("article-xor"))
DOC = json.loads(GOOD)
# ids in the article preset: n1 X1, n2 X2, n3 Z1, n4 Z2, n5 Z3, n6 D0


def refused(text: str) -> str:
    with pytest.raises(ProjectFileError) as err:
        fileformat.loads(text)
    return str(err.value)


def edited(edit) -> str:
    doc = copy.deepcopy(DOC)
    edit(doc)
    return json.dumps(doc, allow_nan=True)


def test_the_good_file_loads():
    assert fileformat.loads(GOOD).graph.find("D0").bias == 1.0


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("  \n\t", "the file is empty"),
    (GOOD[: len(GOOD) // 2], "the file is not valid JSON"),
    ('{"format": "bpstudio-project",\n "version": 1\n "network": {}}',
     "line 3, column 2: the file is not valid JSON (Expecting ',' delimiter)"),
    ("not json at all", "line 1, column 1: the file is not valid JSON (Expecting value)"),
    ("[1, 2]", "a project file holds one JSON object ({...}), not a list"),
    ('{"format": "bpstudio-project", "format": "x"}', "the key 'format' appears twice"),
])
def test_not_json(text, message):
    assert message in refused(text)


def test_truncated_file_names_the_line():
    lines = GOOD.splitlines()
    message = refused("\n".join(lines[:20]))
    assert message.startswith("line 20, column ") and "the file is not valid JSON" in message


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("format"),
     "format: this is not a Backprop Studio project file (it has no \"format\" field; "
     "expected 'bpstudio-project')"),
    (lambda d: d.update(format="keras-model"),
     "format: this is not a Backprop Studio project file (its format is the text 'keras-model'"),
    (lambda d: d.pop("version"), "version: the format version is missing"),
    (lambda d: d.update(version="1"), "version: the format version must be a whole number, not the text '1'"),
    (lambda d: d.update(version=1.0), "version: the format version must be a whole number, not 1.0"),
    (lambda d: d.update(version=3),
     "this file was written by a newer Backprop Studio (format version 3); this version reads up to 2"),
    (lambda d: d.update(version=0), "version: format version 0 does not exist"),
])
def test_format_and_version(edit, message):
    assert message in refused(edited(edit))


def test_newer_version_is_refused_before_anything_else():
    """A newer file may hold fields this version does not know: the version is what to report."""
    doc = copy.deepcopy(DOC)
    doc.update(version=3, layers_v3=[1, 2, 3])
    doc["network"]["nodes"][0]["new_field"] = True
    assert refused(json.dumps(doc)) == (
        "this file was written by a newer Backprop Studio (format version 3); this version reads up to 2")


@pytest.mark.parametrize("edit, message", [
    # wrong types
    (lambda d: d["network"]["nodes"][2].update(bias="1"),
     "network.nodes[2].bias: must be a number, not the text '1'"),
    (lambda d: d["network"]["nodes"][2].update(bias=True),
     "network.nodes[2].bias: must be a number, not true"),
    (lambda d: d["network"]["nodes"][2].update(x=None), "network.nodes[2].x: must be a number, not null"),
    (lambda d: d["network"]["edges"][3].update(weight=[1]),
     "network.edges[3].weight: must be a number, not a list"),
    (lambda d: d["network"]["nodes"][1].update(id=2), "network.nodes[1].id: must be a text, not 2"),
    (lambda d: d["network"].update(nodes={}), "network.nodes: must be a list, not an object"),
    (lambda d: d.update(network=[]), "network: must be an object ({...}), not a list"),
    (lambda d: d["network"]["nodes"][0].update(name=""), "network.nodes[0].name: must not be empty"),
    (lambda d: d.update(epoch=-1), "epoch: must be at least 0, not -1"),
    (lambda d: d.update(loss_history=[0.5, "low"]), "loss_history[1]: must be a number, not the text 'low'"),
    # missing and unknown fields
    (lambda d: d["network"]["nodes"][3].pop("activation"),
     "network.nodes[3]: the field 'activation' is missing (every hidden unit has one)"),
    (lambda d: d["network"]["edges"][0].pop("weight"), "network.edges[0]: the field 'weight' is missing"),
    (lambda d: d["network"]["nodes"][0].update(colour="red"), "network.nodes[0]: unknown field 'colour'"),
    (lambda d: d.pop("network"), "the field 'network' is missing"),
    # unknown names
    (lambda d: d["network"]["nodes"][2].update(activation="relu6"),
     "network.nodes[2].activation: unknown activation 'relu6'; use one of identity, sigmoid"),
    (lambda d: d["network"]["nodes"][2].update(role="bias"),
     "network.nodes[2].role: unknown role 'bias'; use one of input, hidden, output"),
    (lambda d: d["training"].update(loss="hinge"), "training: unknown loss 'hinge'"),
    (lambda d: d["training"].update(optimizer="rmsprop"), "training: unknown optimizer 'rmsprop'"),
    (lambda d: d["training"].update(learning_rate=-1),
     "training: the learning rate must be positive, not -1"),
    (lambda d: d["training"].update(batch_size="4"), "training: batch size must be a whole number, not '4'"),
    (lambda d: d["training"].update(loss=3), "training.loss: must be a text, not 3"),
    (lambda d: d["training"].update(lr=0.1), "training: unknown field 'lr'"),
    # structure
    (lambda d: d["network"]["nodes"].append(dict(d["network"]["nodes"][1])),
     "network.nodes[6].id: the id 'n2' is used twice (also by network.nodes[1])"),
    (lambda d: d["network"]["edges"].append({"source": "n9", "target": "n6", "weight": 1.0}),
     "network.edges[9]: unit 'n9' does not exist"),
    (lambda d: d["network"]["edges"].append({"source": "n3", "target": "n1", "weight": 1.0}),
     "network.edges[9]: X1 is an input: inputs take their value from the data"),
    (lambda d: d["network"]["edges"].append({"source": "n3", "target": "n3", "weight": 1.0}),
     "network.edges[9]: a unit cannot connect to itself (Z1)"),
    (lambda d: d["network"]["edges"].append(dict(d["network"]["edges"][0])),
     "network.edges[9]: X1 → Z1 already exists"),
    (lambda d: d["network"]["edges"].append({"source": "n6", "target": "n3", "weight": 1.0}),
     "network.edges[9]: D0 → Z1 would make a cycle (Z1 already feeds D0)"),
])
def test_network_and_settings(edit, message):
    assert message in refused(edited(edit))


@pytest.mark.parametrize("token, where", [
    ("NaN", "network.edges[4].weight: must be a number, not NaN"),
    ("Infinity", "network.edges[4].weight: must be a number, not Infinity"),
    ("-Infinity", "network.edges[4].weight: must be a number, not -Infinity"),
    ("1e400", "network.edges[4].weight: must be a finite number, not inf"),
])
def test_non_finite_weight(token, where):
    doc = copy.deepcopy(DOC)
    doc["network"]["edges"][4]["weight"] = "@@"
    assert refused(json.dumps(doc).replace('"@@"', token)) == where


def test_nan_in_data_and_settings():
    doc = copy.deepcopy(DOC)
    doc["dataset"]["X"][2][1] = "@@"
    assert refused(json.dumps(doc).replace('"@@"', "NaN")) == "dataset.X[2][1]: must be a number, not NaN"
    doc = copy.deepcopy(DOC)
    doc["training"]["learning_rate"] = "@@"
    assert refused(json.dumps(doc).replace('"@@"', "NaN")) == (
        "training: learning rate must be a finite number, not NaN")
    doc = copy.deepcopy(DOC)
    doc["dataset"]["Y"][0][0] = "@@"
    assert refused(json.dumps(doc).replace('"@@"', "1e999")) == (
        "dataset.Y[0][0]: must be a finite number, not inf")


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["dataset"]["X"][1].append(1.0),
     "dataset.X[1]: a row needs 2 numbers (one per input column), this one has 3"),
    (lambda d: d["dataset"]["Y"].pop(), "dataset.Y: 3 rows, but dataset.X has 4"),
    (lambda d: d["dataset"].update(train=[True, False]),
     "dataset.train: 2 entries, but the dataset has 4 rows"),
    (lambda d: d["dataset"].update(train=[True, 1, True, True]),
     "dataset.train[1]: must be true (training row) or false (test row), not 1"),
    (lambda d: d["dataset"]["X"].__setitem__(0, "0,0"), "dataset.X[0]: a row must be a list of numbers"),
    (lambda d: (d["dataset"]["input_names"].append("X3"), [r.append(0.0) for r in d["dataset"]["X"]]),
     "dataset.input_names: the dataset has 3 input columns but the network has 2 input units"),
    (lambda d: (d["dataset"]["target_names"].append("Y2"), [r.append(0.0) for r in d["dataset"]["Y"]]),
     "dataset.target_names: the dataset has 2 target columns but the network has 1 output unit:"),
])
def test_dataset(edit, message):
    assert message in refused(edited(edit))


def test_too_many_rows(monkeypatch):
    import bpstudio.core.fileformat_read as reader

    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    message = refused(GOOD)
    assert message == "dataset.X: 4 rows is too many for a project file (the limit is 3)"


def test_too_large_and_unreadable_files(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(GOOD)
    monkeypatch.setattr(fileformat, "MAX_BYTES", 100)
    with pytest.raises(ProjectFileError, match=r"big.json is too large for a project file \(0.0 MB; "):
        fileformat.load(path)
    monkeypatch.undo()
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ProjectFileError, match="byte 1: the file is not UTF-8 text"):
        fileformat.load(path)
    with pytest.raises(ProjectFileError, match="cannot read .*missing.json: No such file or directory"):
        fileformat.load(tmp_path / "missing.json")
    path.write_text("")
    with pytest.raises(ProjectFileError, match="^the file is empty$"):
        fileformat.load(path)


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert fileformat.load(path).name == "article-xor"


DOC_TEXT = (Path(__file__).resolve().parents[2] / "docs" / "file-format.md").read_text("utf-8")


@pytest.mark.parametrize("edit", [
    lambda d: d.pop("version"),
    lambda d: d.update(version=0),
    lambda d: d.pop("format"),
    lambda d: d["network"]["nodes"][2].update(activation="relu6"),
    lambda d: d["network"]["nodes"][2].update(role="bias"),
    lambda d: d["network"]["nodes"][3].pop("activation"),
    lambda d: d["network"]["edges"].__setitem__(3, {"source": "n9", "target": "n6", "weight": 1.0}),
    lambda d: d["network"]["edges"].append({"source": "n6", "target": "n3", "weight": 1.0}),
    lambda d: d["network"]["edges"].__setitem__(3, {"source": "n3", "target": "n3", "weight": 1.0}),
    lambda d: d["dataset"]["Y"].pop(),
    lambda d: d["dataset"].update(train=[True, False]),
    lambda d: d["dataset"]["X"][1].append(1.0),
    lambda d: (d["dataset"]["input_names"].append("X3"), [r.append(0.0) for r in d["dataset"]["X"]]),
    lambda d: (d["dataset"]["target_names"].append("Y2"), [r.append(0.0) for r in d["dataset"]["Y"]]),
    lambda d: d["training"].update(learning_rate=-1),
    lambda d: d["training"].update(lr=0.1),
])
def test_documented_messages_are_the_real_ones(edit):
    """docs/file-format.md quotes these messages word for word."""
    message = refused(edited(edit))
    assert f"`{message}`" in DOC_TEXT, message


def test_documented_example_is_the_article_preset():
    block = DOC_TEXT.split("## Full example", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0]
    assert block + "\n" == GOOD
    assert fileformat.loads(block).graph.snapshot() == load_preset("article-xor").graph.snapshot()
