"""Reading a project file's content: every field checked before it becomes part of a Project."""

from __future__ import annotations

import math

import numpy as np

from .activations import ACTIVATIONS
from .dataset import Dataset, DatasetError
from .fileformat_checks import (
    FORMAT,
    MAX_DATA_MAGNITUDE,
    MAX_EDGES,
    MAX_ROWS,
    MAX_UNITS,
    VERSION,
    fail,
    need_list,
    need_number,
    need_object,
    need_text,
    need_texts,
    need_whole,
    show,
)
from .graph import INPUT, ROLES, Graph, GraphError
from .progress import checkpoint
from .project import Project
from .settings import SettingsError, TrainingSettings


def project_from_dict(data, base_dir=None, check_widths: bool = True,
                      dataset: Dataset | None = None) -> Project:
    """Validate everything and build the project; ProjectFileError names the first problem.

    ``dataset``: the writer's check of a CSV reference it has just written from this dataset
    (its file's checksum already verified): the reference's fields are checked and the file is
    not read again.
    """
    if not isinstance(data, dict):
        fail("", f"a project file holds one JSON object ({{...}}), not {show(data)}")
    check_format(data)
    need_object(data, "", required=("format", "version", "network", "dataset"),
                optional=("name", "description", "training", "epoch", "loss_history", "checkpoints"))
    name = need_text(data.get("name", "untitled"), "name", empty_ok=True)
    description = need_text(data.get("description", ""), "description", empty_ok=True)
    graph = read_network(data["network"])
    dataset = read_dataset(data["dataset"], base_dir, dataset)
    if check_widths:
        check_widths_match(graph, dataset)
    settings = read_settings(data.get("training", {}))
    epoch = need_whole(data.get("epoch", 0), "epoch")
    history = [
        math.nan if v is None else need_number(v, f"loss_history[{i}]")
        for i, v in enumerate(need_list(data.get("loss_history", []), "loss_history"))
    ]
    from .fileformat_checkpoints import read_section  # format version 2: the training timeline

    checkpoints = read_section(data, graph, dataset, settings, epoch)
    return Project(graph, dataset, settings, name, history, epoch, description, checkpoints)


def check_format(data: dict) -> None:
    fmt = data.get("format")
    if fmt != FORMAT:
        found = "it has no \"format\" field" if fmt is None else f"its format is {show(fmt)}"
        fail("format", f"this is not a Backprop Studio project file ({found}; expected {FORMAT!r})")
    if "version" not in data:
        fail("version", "the format version is missing")
    version = data["version"]
    if type(version) is not int:
        fail("version", f"the format version must be a whole number, not {show(version)}")
    if version > VERSION:
        fail("", f"this file was written by a newer Backprop Studio (format version {version}); "
                 f"this version reads up to {VERSION}")
    if version < 1:
        fail("version", f"format version {version} does not exist (versions start at 1)")


def read_network(value) -> Graph:
    net = need_object(value, "network", required=("nodes", "edges"))
    nodes = need_list(net["nodes"], "network.nodes", MAX_UNITS, "units")
    edges = need_list(net["edges"], "network.edges", MAX_EDGES, "connections")
    g = Graph()
    first_seen: dict[str, int] = {}
    for i, item in enumerate(nodes):
        where = f"network.nodes[{i}]"
        need_object(item, where, required=("id", "name", "role"),
                    optional=("activation", "bias", "x", "y"))
        nid = need_text(item["id"], f"{where}.id")
        if nid in first_seen:
            fail(f"{where}.id", f"the id {nid!r} is used twice (also by network.nodes[{first_seen[nid]}])")
        first_seen[nid] = i
        role = need_text(item["role"], f"{where}.role")
        if role not in ROLES:
            fail(f"{where}.role", f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if role != INPUT:
            for key in ("activation", "bias"):
                if key not in item:
                    fail(where, f"the field {key!r} is missing (every {role} unit has one)")
        activation = need_text(item.get("activation", "identity"), f"{where}.activation")
        if activation not in ACTIVATIONS:
            fail(f"{where}.activation",
                 f"unknown activation {activation!r}; use one of {', '.join(ACTIVATIONS)}")
        try:
            g.add_node(role, need_text(item["name"], f"{where}.name"), activation,
                       need_number(item.get("bias", 0.0), f"{where}.bias"),
                       need_number(item.get("x", 0.0), f"{where}.x"),
                       need_number(item.get("y", 0.0), f"{where}.y"), id=nid)
        except GraphError as exc:  # pragma: no cover - every case is checked above
            fail(where, str(exc))
    for i, item in enumerate(edges):
        where = f"network.edges[{i}]"
        need_object(item, where, required=("source", "target", "weight"))
        source = need_text(item["source"], f"{where}.source")
        target = need_text(item["target"], f"{where}.target")
        weight = need_number(item["weight"], f"{where}.weight")
        for nid in (source, target):
            if nid not in g.nodes:
                fail(where, f"unit {nid!r} does not exist")
        problem = g.connection_problem(source, target)
        if problem:
            fail(where, problem)
        try:
            g.connect(source, target, weight)
        except GraphError as exc:  # pragma: no cover - connection_problem said yes
            fail(where, str(exc))
    return g


def read_dataset(value, base_dir, written: Dataset | None = None) -> Dataset:
    if isinstance(value, dict) and "csv" in value:
        from .fileformat_csv import check_reference_fields, read_csv_reference

        if written is not None:
            check_reference_fields(value, base_dir)
            return written
        return read_csv_reference(value, base_dir)
    d = need_object(value, "dataset", required=("input_names", "target_names", "X", "Y"),
                    optional=("name", "train"))
    name = need_text(d.get("name", ""), "dataset.name", empty_ok=True)
    input_names = need_texts(d["input_names"], "dataset.input_names")
    target_names = need_texts(d["target_names"], "dataset.target_names")
    X = read_table(d["X"], "dataset.X", len(input_names), "input")
    Y = read_table(d["Y"], "dataset.Y", len(target_names), "target")
    if len(Y) != len(X):
        fail("dataset.Y", f"{len(Y)} rows, but dataset.X has {len(X)}: every sample needs both")
    train = d.get("train")
    if train is None:
        mask = np.ones(len(X), dtype=bool)
    else:
        need_list(train, "dataset.train")
        if len(train) != len(X):
            fail("dataset.train", f"{len(train)} entries, but the dataset has {len(X)} rows")
        for i, v in enumerate(train):
            if not isinstance(v, bool):
                fail(f"dataset.train[{i}]",
                     f"must be true (training row) or false (test row), not {show(v)}")
        mask = np.array(train, dtype=bool)
    try:
        return Dataset(X, Y, input_names, target_names, mask, name)
    except DatasetError as exc:  # pragma: no cover - the checks above cover it
        fail("dataset", str(exc))


def read_table(rows, where: str, width: int, kind: str) -> np.ndarray:
    """Rows of numbers, each ``width`` long, as a float64 array of shape (n, width)."""
    need_list(rows, where, MAX_ROWS, "rows")
    for r, row in enumerate(rows):
        if r % 8192 == 8191:
            checkpoint(f"checking {where}", r / len(rows))
        if not isinstance(row, list):
            fail(f"{where}[{r}]", f"a row must be a list of numbers, not {show(row)}")
        if len(row) != width:
            fail(f"{where}[{r}]",
                 f"a row needs {width} numbers (one per {kind} column), this one has {len(row)}")
        if not all(type(v) in (int, float) for v in row):
            for c, v in enumerate(row):
                need_number(v, f"{where}[{r}][{c}]")
    values = np.array(rows, dtype=float).reshape(len(rows), width)
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):  # e.g. 1e400, which JSON reads as infinity
        r, c = bad[0]
        fail(f"{where}[{r}][{c}]", f"must be a finite number, not {values[r, c]}")
    big = np.argwhere(np.abs(values) > MAX_DATA_MAGNITUDE)
    if len(big):  # squares and sums of such values overflow: refused as data, not trained on
        r, c = big[0]
        fail(f"{where}[{r}][{c}]", f"{values[r, c]:g} is too large for a data value (the limit is "
                                   f"±{MAX_DATA_MAGNITUDE:g}; rescale the column)")
    return values


def check_widths_match(graph: Graph, dataset: Dataset) -> None:
    """The dataset's columns feed the network's inputs and targets its outputs, in order."""
    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    n_in, n_out = len(graph.inputs), len(graph.outputs)
    if dataset.n_inputs != n_in:
        fail("dataset.input_names", f"the dataset has {count(dataset.n_inputs, 'input column')} but "
                                    f"the network has {count(n_in, 'input unit')}: they must match "
                                    "one to one")
    if dataset.n_outputs != n_out:
        fail("dataset.target_names", f"the dataset has {count(dataset.n_outputs, 'target column')} but "
                                     f"the network has {count(n_out, 'output unit')}: they must match "
                                     "one to one")


def read_settings(value) -> TrainingSettings:
    need_object(value, "training", optional=tuple(TrainingSettings.__dataclass_fields__))
    defaults = TrainingSettings()
    for key, v in value.items():
        default = getattr(defaults, key)
        if isinstance(default, str) and not isinstance(v, str):
            fail(f"training.{key}", f"must be a text, not {show(v)}")
        if isinstance(v, (list, dict)) or v is None:
            fail(f"training.{key}", f"must be a {'text' if isinstance(default, str) else 'number'}, "
                                    f"not {show(v)}")
    try:
        return TrainingSettings.from_dict(dict(value))
    except SettingsError as exc:
        fail("training", str(exc))
