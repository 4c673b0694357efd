"""CSV import: sniffing, preview, good files, and every bad file refused with its row and column."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.core import csv_import as ci
from bpstudio.core.csv_import import CsvError, CsvFormat, ImportCancelled
from bpstudio.core.fileformat_csv import read_csv_reference

DATA = Path(__file__).resolve().parents[1] / "data"


def _write(tmp_path, text: str, name: str = "f.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- sniffing and preview
@pytest.mark.parametrize("sample,delim,header", [
    ("x1,x2,y\n0,1,1\n1,1,0\n", ",", True),
    ("a;b;c\n1.5;2;0\n3;4;1\n", ";", True),
    ("0.5\t1.5\t1\n-0.5\t2.5\t0\n", "\t", False),
    ("1|2|3\n4|5|6\n", "|", False),
    ("name,x,y\ncat,1,2\ndog,3,4\n", ",", True),  # a text column below a text header
    ("1,2,3\n4,5,6\n", ",", False),
])
def test_sniff_finds_delimiter_and_header(sample, delim, header):
    fmt = ci.sniff(sample)
    assert (fmt.delimiter, fmt.has_header) == (delim, header)


def test_preview_names_columns_and_finds_numeric_ones():
    pv = ci.preview(DATA / "good.csv")
    assert pv.columns == ["x1", "x2", "label", "y"]
    assert pv.rows[0] == ["0", "0", "a", "0"] and len(pv.rows) == 4
    assert pv.numeric_columns == [0, 1, 3]
    plain = ci.preview(DATA / "no_header_tab.csv")
    assert plain.columns == ["column 1", "column 2", "column 3"]
    assert plain.format.delimiter == "\t" and not plain.format.has_header


# ---------------------------------------------------------------- good files
def test_parse_by_names_skips_unchosen_text_columns():
    r = ci.parse(DATA / "good.csv", ["x1", "x2"], ["y"])
    ds = r.dataset
    assert ds.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert ds.Y[:, 0].tolist() == [0, 1, 1, 0]
    assert (ds.input_names, ds.target_names, ds.name) == (["x1", "x2"], ["y"], "good")
    assert ds.train_mask.all() and not r.standardised
    assert r.sha256 == ci.sha256_of(DATA / "good.csv")


def test_parse_semicolons_and_no_header_by_index():
    ds = ci.parse(DATA / "semicolon.csv", [0, 1], [2]).dataset
    assert ds.X[2].tolist() == [6.3, 4.9] and ds.Y[:, 0].tolist() == [0, 0, 1]
    ds = ci.parse(DATA / "no_header_tab.csv", [0, 1], [2]).dataset
    assert ds.n_samples == 3 and ds.X[1].tolist() == [-0.5, 2.5]
    assert ds.input_names == ["column 1", "column 2"]


def test_standardise_reports_means_and_stds(tmp_path):
    p = _write(tmp_path, "a,b,c,y\n1,10,5,0\n2,20,5,1\n3,30,5,0\n4,40,5,1\n")
    r = ci.parse(p, ["a", "b", "c"], ["y"], standardise=True)
    assert np.allclose(r.means, [2.5, 25, 5]) and np.allclose(r.stds, [np.sqrt(1.25), np.sqrt(125), 0])
    X = r.dataset.X
    assert np.allclose(X.mean(axis=0), 0) and np.allclose(X[:, :2].std(axis=0), 1)
    assert X[:, 2].tolist() == [0, 0, 0, 0]  # a constant column is only centred
    assert r.dataset.Y[:, 0].tolist() == [0, 1, 0, 1]  # targets are never scaled
    text = r.summary()
    assert "a: mean 2.5, std 1.11803" in text and "constant column" in text
    assert r.reference() is None  # standardised numbers are not the file's
    assert r.dataset.name == "f (standardised)"


def test_reference_round_trips_through_the_project_file_reader():
    r = ci.parse(DATA / "good.csv", ["x1", "x2"], ["y"])
    ref = r.reference()
    assert ref["sha256"] == r.sha256 == ci.sha256_of(DATA / "good.csv")
    assert ref["csv"] == str(DATA / "good.csv")  # absolute: it does not depend on the folder
    assert r.dataset.source == ref  # the dataset keeps it: the project file saves the reference
    back = read_csv_reference(ref)
    assert np.array_equal(back.X, r.dataset.X) and np.array_equal(back.Y, r.dataset.Y)
    assert back.source == r.dataset.source and back.equals(r.dataset)


def test_only_the_files_own_numbers_keep_their_source(tmp_path):
    p = _write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    assert ci.parse(p, ["a", "b"], ["y"]).dataset.source["input_columns"] == ["a", "b"]
    assert ci.parse(p, ["a", "b"], ["y"], standardise=True).dataset.source is None
    assert ci.parse(p, ["a", "b"], ["y"], test_fraction=0.5).dataset.source is None
    semi = _write(tmp_path, "a;b;y\n1;2;0\n3;4;1\n", "semi.csv")  # the reference reads commas
    assert ci.parse(semi, ["a", "b"], ["y"]).dataset.source is None
    bare = _write(tmp_path, "1,2,0\n3,4,1\n", "bare.csv")  # no header: no names to refer to
    assert ci.parse(bare, [0, 1], [2]).dataset.source is None


def test_blank_lines_bom_quotes_and_test_split(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes("\ufeffx,\"y\"\n\n1,2\n\n3,\"4\"\n5,6\n".encode("utf-8"))
    r = ci.parse(p, ["x"], ["y"], test_fraction=0.34, seed=1)
    assert r.dataset.X[:, 0].tolist() == [1, 3, 5] and r.dataset.Y[:, 0].tolist() == [2, 4, 6]
    assert int((~r.dataset.train_mask).sum()) == 1


# ---------------------------------------------------------------- bad files
@pytest.mark.parametrize("name,inputs,row,col,words", [
    ("text_in_number.csv", [0, 1], 3, 2, "row 3, column 2 ('x2'): 'abc' is not a number"),
    ("missing.csv", [0, 1], 4, 2, "row 4, column 2 ('x2') is empty"),
    ("missing_na.csv", [0, 1], 3, 2, "row 3, column 2 ('x2') is missing ('NA')"),
    ("ragged.csv", [0, 1], 3, 3, "row 3 has 2 values but row 1 has 3: column 3 is missing"),
    ("decimal_comma.csv", [0, 1], 2, 1, "decimal comma"),
    ("header_only.csv", [0, 1], 2, None, "header but no data rows"),
    ("empty.csv", [0, 1], 1, None, "the file is empty"),
])
def test_bad_files_name_row_and_column(name, inputs, row, col, words):
    with pytest.raises(CsvError) as err:
        ci.parse(DATA / name, inputs, [2])
    assert words in str(err.value)
    assert (err.value.row, err.value.column) == (row, col)


def test_wrong_delimiter_is_named(tmp_path):
    # the learner forces commas on a semicolon file
    with pytest.raises(CsvError) as err:
        ci.parse(DATA / "wrong_delimiter.csv", [0], [1], fmt=CsvFormat(",", True))
    assert "single column" in str(err.value) and "delimiter" in str(err.value)
    assert (err.value.row, err.value.column) == (1, 1)
    # a comma file whose later rows switched to semicolons
    p = _write(tmp_path, "a,b,c,y\n1,2,3,0\n4;5;6;1,2,3,4\n")
    with pytest.raises(CsvError) as err:
        ci.parse(p, [0, 1, 2], [3])
    assert "row 3, column 1 ('a') holds '4;5;6;1'" in str(err.value)
    assert "delimiter seems to be ';'" in str(err.value)
    assert (err.value.row, err.value.column) == (3, 1)


def test_infinite_and_nan_cells_are_refused(tmp_path):
    p = _write(tmp_path, "a,y\n1,0\ninf,1\n")
    with pytest.raises(CsvError, match=r"row 3, column 1 \('a'\) is 'inf': only finite"):
        ci.parse(p, [0], [1])
    p = _write(tmp_path, "a,y\n1,0\n2,nan\n")
    with pytest.raises(CsvError, match=r"row 3, column 2 \('y'\) is missing \('nan'\)"):
        ci.parse(p, [0], [1])


def test_problem_deep_in_a_big_file_is_found_exactly(tmp_path):
    lines = ["x,y"] + [f"{i},{i % 2}" for i in range(30_000)]
    lines[23_457] = "12,twelve"
    p = _write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(CsvError) as err:
        ci.parse(p, [0], [1])
    assert (err.value.row, err.value.column) == (23_458, 2)
    assert "row 23458, column 2 ('y'): 'twelve' is not a number" in str(err.value)


def test_too_large_by_bytes_and_by_rows(tmp_path):
    with pytest.raises(CsvError, match="too large"):
        ci.parse(DATA / "good.csv", [0], [3], max_bytes=20)
    with pytest.raises(CsvError) as err:
        ci.parse(DATA / "good.csv", [0], [3], max_rows=3)
    assert err.value.row == 5 and "more than 3 data rows" in str(err.value)


def test_column_choices_are_checked(tmp_path):
    with pytest.raises(CsvError, match="no column named 'z'"):
        ci.parse(DATA / "good.csv", ["z"], ["y"])
    with pytest.raises(CsvError, match="both an input and a target"):
        ci.parse(DATA / "good.csv", ["x1"], ["x1"])
    with pytest.raises(CsvError, match="at least one input"):
        ci.parse(DATA / "good.csv", [], ["y"])
    with pytest.raises(CsvError, match="row 2, column 3 \\('label'\\): 'a' is not a number"):
        ci.parse(DATA / "good.csv", ["x1", "label"], ["y"])


def test_binary_file_is_not_text(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"a,b\n1,2\n\xff\xfe\x00\x01,3\n")
    with pytest.raises(CsvError, match="row 3 is not text"):
        ci.parse(p, [0], [1])


# ---------------------------------------------------------------- streaming
def test_progress_rises_to_one_and_cancel_stops(tmp_path):
    lines = ["x,y"] + [f"{i},{i % 3}" for i in range(40_000)]
    p = _write(tmp_path, "\n".join(lines) + "\n")
    seen = []
    r = ci.parse(p, [0], [1], progress=seen.append)
    assert r.dataset.n_samples == 40_000 and r.dataset.X[-1, 0] == 39_999
    assert len(seen) >= 4 and seen == sorted(seen) and seen[-1] == 1.0 and seen[0] < 0.5
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) >= 2

    with pytest.raises(ImportCancelled):
        ci.parse(p, [0], [1], cancel=cancel)
    assert len(calls) == 2


# ---------------------------------------------------------------- properties
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), delim=st.sampled_from([",", ";", "\t", "|"]),
       shape=st.tuples(st.integers(2, 40), st.integers(2, 5)))
def test_any_numeric_table_round_trips_and_any_bad_cell_is_located(tmp_path, data, delim, shape):
    n, width = shape
    values = np.array(data.draw(st.lists(finite, min_size=n * width, max_size=n * width))).reshape(n, width)
    names = [f"c{j}" for j in range(width)]
    lines = [delim.join(names)] + [delim.join(repr(float(v)) for v in row) for row in values]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n")
    r = ci.parse(path, names[:-1], names[-1:])
    assert np.array_equal(r.dataset.X, values[:, :-1]) and np.array_equal(r.dataset.Y, values[:, -1:])
    # spoil one cell: the error names its row (header = row 1) and column
    i, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, width - 1))
    word = data.draw(st.sampled_from(["abc", "", "NA", "1.2.3", "inf"]))
    cells = lines[i + 1].split(delim)
    cells[j] = word
    lines[i + 1] = delim.join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CsvError) as err:
        ci.parse(path, names[:-1], names[-1:], fmt=CsvFormat(delim, True))
    assert (err.value.row, err.value.column) == (i + 2, j + 1)
    assert f"row {i + 2}, column {j + 1} ('c{j}')" in str(err.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(st.sampled_from(["1", "-2.5", "", "x", "NA", "1e3", " ", "\"", "3,4", "é"]),
                      min_size=1, max_size=5), max_size=8)
    .map(lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8"))))
def test_any_file_is_read_or_refused_in_words_never_a_crash(tmp_path, blob):
    path = tmp_path / "any.csv"
    path.write_bytes(blob)
    try:
        pv = ci.preview(path)
        r = ci.parse(path, [0], [len(pv.columns) - 1])
    except CsvError as err:
        assert str(err) and (err.row is None or err.row >= 1)
        assert err.column is None or err.column >= 1
    else:
        assert r.dataset.n_samples >= 1 and np.isfinite(r.dataset.X).all()


def test_a_folder_or_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CsvError, match="cannot open"):
        ci.preview(tmp_path / "nope.csv")
    with pytest.raises((CsvError, OSError)):
        ci.preview(tmp_path)
