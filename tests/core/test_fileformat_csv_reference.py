"""Saving a dataset read from a CSV file as a reference to that file (path + sha256), not inline."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from bpstudio.core import csv_import, fileformat
from bpstudio.core.dataset import Dataset
from bpstudio.core.fileformat import MAX_ROWS, ProjectFileError
from bpstudio.core.presets import load_preset

GOOD = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0.5\n"


def _imported(csv_path: Path, text: str = GOOD, **kw):
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    csv_path.write_text(text, encoding="utf-8")
    project = load_preset("xor")
    project.dataset = csv_import.parse(csv_path, ["x1", "x2"], ["y"], **kw).dataset
    return project


def _written(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))["dataset"]


def test_imported_dataset_round_trips_through_its_reference(tmp_path):
    project = _imported(tmp_path / "data" / "xor.csv")
    digest = hashlib.sha256(GOOD.encode()).hexdigest()
    assert project.dataset.source["sha256"] == digest
    path = tmp_path / "project.bpstudio"
    fileformat.save(project, path)
    assert _written(path) == {"csv": "data/xor.csv", "sha256": digest, "input_columns": ["x1", "x2"],
                              "target_columns": ["y"], "name": "xor"}
    back = fileformat.load(path)
    assert np.array_equal(back.dataset.X, project.dataset.X)
    assert back.dataset.Y[:, 0].tolist() == [0, 1, 1, 0.5]
    assert back.dataset.source == project.dataset.source and back.dataset.equals(project.dataset)
    # saved again elsewhere: still the reference, its path relative to the new folder
    other = tmp_path / "elsewhere" / "copy.bpstudio"
    other.parent.mkdir()
    fileformat.save(back, other)
    assert _written(other)["csv"] == "../data/xor.csv"
    assert fileformat.load(other).dataset.equals(project.dataset)


def test_dumps_without_a_folder_writes_the_absolute_path(tmp_path, monkeypatch):
    project = _imported(tmp_path / "xor.csv")
    data = json.loads(fileformat.dumps(project))["dataset"]
    assert data["csv"] == str(tmp_path / "xor.csv") and "X" not in data
    monkeypatch.chdir("/")
    assert fileformat.loads(fileformat.dumps(project)).dataset.equals(project.dataset)


def test_data_that_is_not_the_files_is_saved_inline(tmp_path):
    for kw in ({"standardise": True}, {"test_fraction": 0.5, "seed": 3}):
        project = _imported(tmp_path / "xor.csv", **kw)
        assert project.dataset.source is None
        data = json.loads(fileformat.dumps(project))["dataset"]
        assert "csv" not in data and len(data["X"]) == 4
    edited = _imported(tmp_path / "xor.csv").dataset
    project.dataset = Dataset(edited.X * 2, edited.Y, edited.input_names, edited.target_names)
    assert json.loads(fileformat.dumps(project))["dataset"]["X"][3] == [2.0, 2.0]


def test_a_source_that_no_longer_matches_its_file_is_saved_inline(tmp_path):
    project = _imported(tmp_path / "xor.csv")
    (tmp_path / "xor.csv").write_text(GOOD.replace("0.5", "0.25"), encoding="utf-8")
    data = json.loads(fileformat.dumps(project))["dataset"]  # the data in memory is kept
    assert data["Y"] == [[0.0], [1.0], [1.0], [0.5]]
    project = _imported(tmp_path / "xor.csv")
    project.dataset.input_names = ["a", "b"]  # renamed columns: the file has no 'a'
    assert "csv" not in json.loads(fileformat.dumps(project))["dataset"]


@pytest.mark.parametrize("change", ["move", "edit"])
def test_a_moved_or_changed_csv_is_named_when_loading(tmp_path, change):
    project = _imported(tmp_path / "data" / "xor.csv")
    path = tmp_path / "project.bpstudio"
    fileformat.save(project, path)
    csv_path = tmp_path / "data" / "xor.csv"
    if change == "move":
        csv_path.rename(tmp_path / "xor.csv")
        expected = (f"dataset.csv: cannot read {csv_path}: No such file or directory. The project "
                    "keeps its data in this CSV file: put the file back there")
    else:
        csv_path.write_text(GOOD.replace("0.5", "1"), encoding="utf-8")
        expected = (f"dataset.sha256: {csv_path} has changed since the project was saved (its "
                    "checksum differs): put the original file back")
    with pytest.raises(ProjectFileError) as err:
        fileformat.load(path)
    assert str(err.value).startswith(expected)


def _big_csv(path: Path, n: int) -> np.ndarray:
    rng = np.random.default_rng(6)
    data = np.column_stack([rng.normal(size=(n, 2)).round(6), rng.integers(0, 2, n)])
    np.savetxt(path, data, delimiter=",", header="x1,x2,y", comments="", fmt="%.17g")
    return data


def test_150000_row_import_saves_and_loads_through_the_reference(tmp_path):
    n = 150_000
    assert n > MAX_ROWS
    data = _big_csv(tmp_path / "big.csv", n)
    project = load_preset("xor")
    project.dataset = csv_import.parse(tmp_path / "big.csv", ["x1", "x2"], ["y"]).dataset
    path = tmp_path / "big.bpstudio"
    fileformat.save(project, path)
    assert _written(path)["csv"] == "big.csv"
    assert path.stat().st_size < 10_000  # the rows stay in the CSV file
    back = fileformat.load(path).dataset
    assert back.n_samples == n and np.array_equal(back.X, data[:, :2])
    assert np.array_equal(back.Y[:, 0], data[:, 2]) and back.source == project.dataset.source


def test_too_many_rows_without_a_csv_is_refused_with_what_to_do(tmp_path):
    n = MAX_ROWS + 1
    project = load_preset("xor")
    project.dataset = Dataset(np.zeros((n, 2)), np.zeros(n), ["X1", "X2"], ["Y"])
    with pytest.raises(ProjectFileError) as err:
        fileformat.save(project, tmp_path / "p.bpstudio")
    assert str(err.value).startswith(
        "the dataset has 100,001 rows, more than the 100,000 a project file keeps inline. Keep the "
        "data in a CSV file")
    assert "remove rows until at most 100,000 are left" in str(err.value)
    assert not os.listdir(tmp_path)  # nothing written


def test_a_big_dataset_whose_csv_is_gone_is_refused_with_the_reason(tmp_path):
    _big_csv(tmp_path / "big.csv", MAX_ROWS + 5)
    project = load_preset("xor")
    project.dataset = csv_import.parse(tmp_path / "big.csv", ["x1", "x2"], ["y"]).dataset
    os.unlink(tmp_path / "big.csv")
    with pytest.raises(ProjectFileError, match=r"100,005 rows, .* inline \(its CSV file .*big.csv "
                                               r"cannot be read \(No such file or directory\)\)"):
        fileformat.dumps(project)


def test_reader_reads_what_the_import_read(tmp_path):
    """Spaces after commas, quoted numbers and an unnamed column read the same both ways."""
    text = 'x1, x2,,y\n1, "2",7,3\n4,  5,8, "6"\n'
    (tmp_path / "s.csv").write_text(text, encoding="utf-8")
    project = load_preset("xor")
    project.dataset = csv_import.parse(tmp_path / "s.csv", ["x2", "column 3"], ["y"]).dataset
    assert project.dataset.X.tolist() == [[2, 7], [5, 8]]
    fileformat.save(project, tmp_path / "p.bpstudio")
    assert _written(tmp_path / "p.bpstudio")["input_columns"] == ["x2", "column 3"]
    assert fileformat.load(tmp_path / "p.bpstudio").dataset.equals(project.dataset)


def test_dataset_copy_equals_and_repr_carry_the_source(tmp_path):
    ds = _imported(tmp_path / "xor.csv").dataset
    twin = ds.copy()
    assert twin.source == ds.source and twin.source is not ds.source and twin.equals(ds)
    twin.source["input_columns"].append("x3")  # a deep copy: the original is untouched
    assert ds.source["input_columns"] == ["x1", "x2"] and not twin.equals(ds)
    assert repr(ds).endswith("test rows=0, from xor.csv)")
    bare = Dataset(ds.X, ds.Y, ds.input_names, ds.target_names, name=ds.name)
    assert bare.source is None and not bare.equals(ds) and "from" not in repr(bare)


def test_a_bad_cell_deep_in_a_referenced_csv_is_named_by_its_line(tmp_path):
    rows = [f"{i},{i % 2},0" for i in range(20_000)]
    rows[12_345] = "12345,two,0"  # line 12,347 of the file (after the header)
    (tmp_path / "d.csv").write_text("x1,x2,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    ref = {"csv": "d.csv", "input_columns": ["x1", "x2"], "target_columns": ["y"]}
    data = json.loads(fileformat.dumps(load_preset("xor")))
    data["dataset"] = ref
    with pytest.raises(ProjectFileError, match=r"^dataset.csv: d.csv, line 12347, column 'x2': "
                                               r"'two' is not a number$"):
        fileformat.loads(json.dumps(data), base_dir=tmp_path)
    rows[12_345] = "12345,1,0"
    (tmp_path / "d.csv").write_text("x1,x2,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    back = fileformat.loads(json.dumps(data), base_dir=tmp_path).dataset
    assert back.n_samples == 20_000 and back.X[12_345].tolist() == [12_345, 1]
    assert back.X[:, 0].tolist() == list(range(20_000))
