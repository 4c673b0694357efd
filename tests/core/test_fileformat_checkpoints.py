"""Format version 2: checkpoints saved, read back exactly, validated; version-1 files migrate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bpstudio.core import fileformat
from bpstudio.core.checkpoints import CheckpointLadder, capture
from bpstudio.core.engine import Engine
from bpstudio.core.fileformat import ProjectFileError
from bpstudio.core.trainer import Trainer
from tests.training.helpers import deep_project

V1_FILE = Path(__file__).parent.parent / "data" / "project_v1_xor.json"


def trained_project(epochs=30, **settings):
    """A project and the ladder its training recorded (epoch by epoch, as the session does)."""
    p = deep_project(n=24, **settings)
    e = Engine(p.graph, p.settings.loss)
    t = Trainer(e, p.dataset, p.settings)
    ladder = CheckpointLadder(per_level=4)
    ladder.record(capture(t))
    for _ in range(epochs):
        t.run_epoch()
        ladder.record(capture(t, t.history[-1]))
    e.write_to(p.graph)
    p.epoch, p.loss_history, p.checkpoints = t.epoch, list(t.history), tuple(ladder.checkpoints())
    return p


def same(a, b) -> None:
    assert (a.epoch, a.steps, a.optimizer, a.optimizer_t) == (b.epoch, b.steps, b.optimizer, b.optimizer_t)
    np.testing.assert_array_equal(a.theta, b.theta)
    for (na, xa), (nb, xb) in zip(a.optimizer_arrays, b.optimizer_arrays):
        assert na == nb
        np.testing.assert_array_equal(xa, xb)
    assert a.rng == b.rng
    assert (a.order is None) == (b.order is None)
    if a.order is not None:
        np.testing.assert_array_equal(a.order, b.order)
    assert a.loss == b.loss or (np.isnan(a.loss) and np.isnan(b.loss))


@pytest.mark.parametrize("settings", [dict(optimizer="adam", mode="minibatch", batch_size=5, shuffle=True),
                                      dict(optimizer="momentum", mode="batch")])
def test_checkpoints_round_trip_exactly(tmp_path, settings):
    p = trained_project(**settings)
    path = tmp_path / "p.bpstudio"
    fileformat.save(p, path)
    data = json.loads(path.read_text())
    assert data["version"] == 2
    assert [c["epoch"] for c in data["checkpoints"]] == [cp.epoch for cp in p.checkpoints]
    q = fileformat.load(path)
    assert len(q.checkpoints) == len(p.checkpoints)
    for a, b in zip(p.checkpoints, q.checkpoints):
        same(a, b)


def test_a_restored_checkpoint_from_the_file_trains_on_exactly():
    from bpstudio.core.checkpoints import restore

    p = trained_project(epochs=12, optimizer="adam", mode="minibatch", batch_size=5, shuffle=True)
    q = fileformat.loads(fileformat.dumps(p))
    cp = q.checkpoints[-3]
    ref = Trainer(Engine(deep_project(n=24).graph, "cross_entropy"), p.dataset, p.settings)
    for _ in range(cp.epoch + 2):
        ref.run_epoch()
    t = Trainer(Engine(q.graph, q.settings.loss), q.dataset, q.settings)
    restore(t, cp)
    t.run_epoch()
    t.run_epoch()
    np.testing.assert_array_equal(t.engine.theta, ref.engine.theta)


def test_a_version_1_file_loads_with_no_checkpoints_and_saves_as_version_2(tmp_path):
    assert json.loads(V1_FILE.read_text())["version"] == 1
    p = fileformat.load(V1_FILE)
    assert p.checkpoints == ()
    assert p.graph.edges  # the rest as before
    path = tmp_path / "new.bpstudio"
    fileformat.save(p, path)
    data = json.loads(path.read_text())
    assert data["version"] == 2 and "checkpoints" not in data
    again = fileformat.load(path)
    weights = {k: e.weight for k, e in p.graph.edges.items()}
    assert {k: e.weight for k, e in again.graph.edges.items()} == weights


def test_a_version_1_file_with_checkpoints_is_refused():
    data = json.loads(fileformat.dumps(trained_project(epochs=3)))
    data["version"] = 1
    with pytest.raises(ProjectFileError, match="checkpoints: checkpoints need format version 2"):
        fileformat.project_from_dict(data)


def edited(change):
    data = json.loads(fileformat.dumps(trained_project(epochs=6, optimizer="adam", mode="minibatch",
                                                       batch_size=6, shuffle=True)))
    change(data["checkpoints"])
    return data


@pytest.mark.parametrize("change,message", [
    (lambda c: c[1].update(epoch=c[0]["epoch"]), r"checkpoints\[1\]\.epoch: epoch 0 must come after"),
    (lambda c: c[-1].update(epoch=99), r"checkpoints\[\d+\]\.epoch: epoch 99 is after the project's epoch"),
    (lambda c: c[2]["weights"].pop(), r"checkpoints\[2\]\.weights: \d+ numbers, but the network needs"),
    (lambda c: c[2]["biases"].__setitem__(0, "x"), r"checkpoints\[2\]\.biases\[0\]: must be a number"),
    (lambda c: c[0]["optimizer"]["m"]["weights"].__setitem__(3, None), r"optimizer\.m\.weights\[3\]"),
    (lambda c: c[0]["optimizer"].pop("v"), r"checkpoints\[0\]\.optimizer: the field 'v' is missing"),
    (lambda c: c[0]["optimizer"].update(name="sgd2"), r"unknown optimiser 'sgd2'"),
    (lambda c: c[1].update(order=[0] * len(c[1]["order"])), r"checkpoints\[1\]\.order: must name each"),
    (lambda c: c[1].update(order=c[1]["order"][:3]), r"order: 3 sample numbers, but the dataset has"),
    (lambda c: c[1]["rng"]["state"].update(inc=-1), r"rng\.state\.inc: must be at least 0"),
    (lambda c: c[1].update(steps=10**6), r"checkpoints\[2\]\.steps: .* fewer than"),
    (lambda c: c[0].update(extra=1), r"checkpoints\[0\]: unknown field 'extra'"),
])
def test_broken_checkpoints_are_refused_naming_the_place(change, message):
    with pytest.raises(ProjectFileError, match=message):
        fileformat.project_from_dict(edited(change))


def test_the_file_never_holds_more_than_its_limit(monkeypatch):
    from bpstudio.core import fileformat_checkpoints as fc

    p = trained_project(epochs=40)
    monkeypatch.setattr(fc, "MAX_NUMBERS", 5 * 3 * (len(p.graph.edges) + 17 + 16 + 1))
    written = fc.checkpoints_to_list(p)
    assert len(written) == 5
    assert written[0]["epoch"] == 0 and written[-1]["epoch"] == 40  # first and latest kept
