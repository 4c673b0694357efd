"""Fast fuzzing of the readers (issue 10): hostile bytes, numbers and paths end in one message."""

import json
import os
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.assets import asset
from bpstudio.core import csv_import, fileformat
from bpstudio.core.csv_import import CsvError
from bpstudio.core.fileformat_checks import ProjectFileError
from bpstudio.core.safe_read import UnsafeFile, read_bytes

BASE = asset("examples", "xor.json").read_text(encoding="utf-8")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NUMBER = st.one_of(st.integers(min_value=-(10**400), max_value=10**400).map(str),
                   st.floats(allow_nan=False, allow_infinity=False).map(repr),
                   st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "9" * 400, "1e300", "-0"]))


@FAST
@given(NUMBER, st.integers(min_value=0, max_value=200))
def test_any_number_in_any_numeric_place_loads_or_is_refused_by_name(token, pick):
    data = json.loads(BASE)
    slots = [("edges", i) for i in range(len(data["network"]["edges"]))] + [("X", r) for r in range(4)]
    kind, i = slots[pick % len(slots)]
    if kind == "edges":
        data["network"]["edges"][i]["weight"] = "@@"
    else:
        data["dataset"]["X"][i][0] = "@@"
    text = json.dumps(data).replace('"@@"', token)
    try:
        project = fileformat.loads(text)
    except ProjectFileError as exc:
        where = f"network.edges[{i}].weight" if kind == "edges" else f"dataset.X[{i}][0]"
        assert str(exc).startswith(where), str(exc)
    else:
        assert abs(project.dataset.X).max() <= 1e100


@FAST
@given(st.binary(max_size=3000), st.sampled_from([b"\n", b"\r", b"\r\n"]))
def test_any_csv_bytes_import_or_are_refused(tmp_path_factory, body, eol):
    path = tmp_path_factory.mktemp("csv") / "d.csv"
    path.write_bytes(b"a,b,y" + eol + body)
    try:
        result = csv_import.parse(path, [0, 1], [2])
    except CsvError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert result.dataset.X.shape[1] == 2


def test_cr_only_and_over_long_lines_in_a_csv_reference(tmp_path):
    data = json.loads(BASE)
    data["dataset"] = {"csv": "d.csv", "input_columns": ["a", "b"], "target_columns": ["y"]}
    (tmp_path / "p.json").write_text(json.dumps(data))
    (tmp_path / "d.csv").write_bytes(b"a,b,y\r0,0,0\r0,1,1\r1,0,1\r1,1,0\r")
    assert fileformat.load(tmp_path / "p.json").dataset.Y.ravel().tolist() == [0, 1, 1, 0]
    (tmp_path / "d.csv").write_bytes(b"a,b,y\n0," + b"1" * 1_000_001 + b",0\n")
    with pytest.raises(ProjectFileError, match=r"d.csv, line 2 is longer than 1,000,000 characters"):
        fileformat.load(tmp_path / "p.json")
    (tmp_path / "d.csv").write_bytes(b'a,b,y\n0,"' + b"1" * 200_000 + b'",0\n')
    with pytest.raises(ProjectFileError, match=r"d.csv cannot be read as CSV \(field larger than field limit"):
        fileformat.load(tmp_path / "p.json")
    (tmp_path / "d.csv").write_bytes(b"a,b,y\n" + b"\n" * 2_000_001)
    with pytest.raises(ProjectFileError, match=r"more than 2,000,000 lines \(blank lines count\)"):
        fileformat.load(tmp_path / "p.json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_special_paths_are_refused_by_every_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe (FIFO)"), ("/dev/zero", "a device"), (tmp_path, "a folder"),
                       ("/proc/self/status", "a live system file under /proc")):
        kind = re.escape(kind)
        with pytest.raises(UnsafeFile, match=f"it is {kind}"):
            read_bytes(path, 100)
        with pytest.raises(ProjectFileError, match=f"it is {kind}, not a project file"):
            fileformat.load(path)
        with pytest.raises(CsvError, match=f"it is {kind}, not a CSV file"):
            csv_import.preview(path)


def test_a_file_larger_than_its_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(random.Random(1).randrange(256) for _ in range(5000)))
    with pytest.raises(UnsafeFile, match=r"big.bin is too large for a file \(0.0 MB; the limit is"):
        read_bytes(path, 4999)
    assert read_bytes(path, 5000) == path.read_bytes()
