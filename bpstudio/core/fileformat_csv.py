"""The project file's CSV reference: a dataset kept beside the project instead of inline.

``{"csv": "data/xor.csv", "sha256": "...", "input_columns": [...], "target_columns": [...],
"train_column": "train", "name": "..."}``. The CSV has a header row; columns are picked by name.
A relative path is resolved against the project file's folder. When ``sha256`` is given, the
file's checksum must match (the data has not changed since the project was saved).

The dataset read keeps the reference as its ``source`` (path made absolute, checksum filled in),
so saving the project again writes the reference, not the rows: :func:`reference_to_write`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .fileformat_checks import (
    MAX_CSV_ROWS,
    MAX_DATA_MAGNITUDE,
    ProjectFileError,
    fail,
    need_object,
    need_text,
    need_texts,
)
from .progress import checkpoint
from .safe_read import MAX_LINE_CHARS, UnsafeFile, check_regular, read_bytes
from .safe_read import lines as capped_lines

MAX_CSV_BYTES = 256 * 1024 * 1024
MAX_CSV_LINES = 2 * MAX_CSV_ROWS  # lines read at most, blank ones included
CHUNK_ROWS = 8192  # rows turned into numbers at a time
TRUE_WORDS = {"1", "true", "yes", "train"}
FALSE_WORDS = {"0", "false", "no", "test"}


def check_reference_fields(value, base_dir=None) -> Path:
    """Check the reference's fields (not the file); the CSV file's absolute path."""
    d = need_object(value, "dataset", required=("csv", "input_columns", "target_columns"),
                    optional=("sha256", "train_column", "name"))
    path = Path(need_text(d["csv"], "dataset.csv"))
    if not path.is_absolute():
        path = Path(base_dir or ".") / path
    need_texts(d["input_columns"], "dataset.input_columns")
    need_texts(d["target_columns"], "dataset.target_columns")
    if d.get("train_column") is not None:
        need_text(d["train_column"], "dataset.train_column")
    if "sha256" in d:
        need_text(d["sha256"], "dataset.sha256")
    need_text(d.get("name", ""), "dataset.name", empty_ok=True)
    return Path(os.path.abspath(path))


def read_csv_reference(value: dict, base_dir=None) -> Dataset:
    path = check_reference_fields(value, base_dir)
    d = value
    inputs, targets = list(d["input_columns"]), list(d["target_columns"])
    train_col = d.get("train_column")
    try:
        st = check_regular(path, "CSV file")
        raw = read_bytes(path, MAX_CSV_BYTES, "CSV file")
    except UnsafeFile as exc:
        relative = "" if Path(d["csv"]).is_absolute() else f" (the project's {d['csv']!r}, read from its folder)"
        fail("dataset.csv", f"{exc}{relative}")
    except FileNotFoundError as exc:
        raise ProjectFileError(
            f"dataset.csv: cannot read {path}: {exc.strerror or exc}. The project keeps its data in "
            "this CSV file: put the file back there, or correct the path in the project file"
        ) from None
    except OSError as exc:
        raise ProjectFileError(f"dataset.csv: cannot read {path}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if "sha256" in d and digest != d["sha256"].lower():
        fail("dataset.sha256", f"{path} has changed since the project was saved (its checksum "
                               "differs): put the original file back, or, to use the new data, "
                               "delete the \"sha256\" line from the project file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail("dataset.csv", f"{path.name} is not UTF-8 text")
    try:
        return _read_rows(text, path, d, digest, st, inputs, targets, train_col)
    except UnsafeFile as exc:
        fail("dataset.csv", str(exc))
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        fail("dataset.csv", f"{path.name} cannot be read as CSV ({exc})")


def _read_rows(text: str, path: Path, d: dict, digest: str, st, inputs: list, targets: list,
               train_col) -> Dataset:
    stream = capped_lines(io.StringIO(text, newline=""), path.name, MAX_LINE_CHARS, MAX_CSV_LINES)
    rows = csv.reader(stream, skipinitialspace=True)  # as the CSV import reads it (CR, LF or CRLF)
    header = [h.strip() or f"column {i + 1}" for i, h in enumerate(next(rows, []))]
    if not header:
        fail("dataset.csv", f"{path.name} is empty (it needs a header row of column names)")
    col = {}
    for name in [*inputs, *targets, *([train_col] if train_col else [])]:
        if name not in header:
            fail("dataset.csv", f"{path.name} has no column {name!r} (its columns: {', '.join(header)})")
        col[name] = header.index(name)
    names = [*inputs, *targets]
    numeric = [col[c] for c in names]
    blocks, cells, lines, mask = [], [], [], []
    n = 0
    stage, total = f"reading the rows of {path.name}", max(text.count("\n"), 1)
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if n >= MAX_CSV_ROWS:
            fail("dataset.csv", f"{path.name} has more than {MAX_CSV_ROWS:,} rows")
        if len(row) != len(header):
            fail("dataset.csv",
                 f"{path.name}, line {line}: {len(row)} cells, but the header has {len(header)}")
        n += 1
        cells.append([row[i] for i in numeric])
        lines.append(line)
        if len(cells) >= CHUNK_ROWS:
            blocks.append(_numbers(cells, lines, names, path))
            checkpoint(stage, line / total)
        if train_col:
            word = row[col[train_col]].strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                fail("dataset.csv", f"{path.name}, line {line}, column {train_col!r}: {word!r} is "
                                    "not 1/0 (training row / test row)")
            mask.append(word in TRUE_WORDS)
    blocks.append(_numbers(cells, lines, names, path))
    values = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    X, Y = values[:, :len(inputs)], values[:, len(inputs):]
    name = d.get("name", path.stem)
    source = {"csv": str(path), "sha256": digest, "input_columns": inputs,
              "target_columns": targets, **({"train_column": train_col} if train_col else {}),
              "name": name}
    _remember(path, digest, st)
    return Dataset(np.ascontiguousarray(X), np.ascontiguousarray(Y), list(inputs), list(targets),
                   np.array(mask, dtype=bool) if train_col else None, name, source)


def _numbers(cells: list, lines: list, names: list, path: Path) -> np.ndarray:
    """The rows of texts as numbers (emptying both lists); the first bad cell is refused."""
    try:
        block = np.array(cells, dtype=float).reshape(len(cells), len(names))
    except ValueError:
        block = None
    if block is None or not (np.abs(block) <= MAX_DATA_MAGNITUDE).all():  # name the first bad cell
        block = np.array([[_cell(t, path, line, c) for t, c in zip(row, names)]
                          for row, line in zip(cells, lines)]).reshape(len(cells), len(names))
    cells.clear()
    lines.clear()
    return block


def _cell(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        shown = repr(text.strip()[:40])
        fail("dataset.csv", f"{path.name}, line {line}, column {column!r}: {shown} is not a number")
    if not math.isfinite(value):
        fail("dataset.csv", f"{path.name}, line {line}, column {column!r}: {text.strip()!r} is not "
                             "a finite number")
    if abs(value) > MAX_DATA_MAGNITUDE:
        fail("dataset.csv", f"{path.name}, line {line}, column {column!r}: {text.strip()[:40]!r} is too "
                             f"large for a data value (the limit is ±{MAX_DATA_MAGNITUDE:g})")
    return value


# ---------------------------------------------------------------------------- writing
_CHECKED: dict[str, tuple[int, int, str]] = {}  # path -> (size, mtime_ns, sha256) already hashed


def _remember(path: Path, digest: str, st: os.stat_result) -> None:
    """``st`` is taken before the bytes were read: a later change gives a new mtime, never a match."""
    if len(_CHECKED) > 64:
        _CHECKED.clear()
    _CHECKED[str(path)] = (st.st_size, st.st_mtime_ns, digest)


def file_sha256(path: Path) -> str:
    """The file's SHA-256, hashed again only when its size or modification time changed."""
    st = path.stat()
    known = _CHECKED.get(str(path))
    if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
        return known[2]
    digest = sha256_of(path)
    _remember(path, digest, st)
    return digest


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes (to check that a referenced CSV has not changed)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_problem(dataset: Dataset) -> str | None:
    """Why ``dataset.source`` cannot be written as its reference (None: it can)."""
    src = dataset.source
    if not src:
        return "the dataset has no CSV file"
    path = Path(str(src.get("csv", "")))
    if (not path.is_absolute() or not src.get("sha256")
            or list(src.get("input_columns", ())) != list(dataset.input_names)
            or list(src.get("target_columns", ())) != list(dataset.target_names)
            or (not src.get("train_column") and not dataset.train_mask.all())):
        return f"the dataset no longer matches its CSV file {path.name}"
    try:
        digest = file_sha256(path)
    except OSError as exc:
        return f"its CSV file {path} cannot be read ({exc.strerror or exc})"
    if digest != str(src["sha256"]).lower():
        return f"its CSV file {path} has changed since it was read"
    return None


def reference_to_write(dataset: Dataset, folder=None) -> dict | None:
    """The reference to save for a dataset read from a CSV file (None when it must go inline).

    The path is relative to ``folder`` (the project file's folder) when one is given and a
    relative path exists (not on another drive); otherwise absolute.
    """
    if source_problem(dataset) is not None:
        return None
    src = dataset.source
    path = str(src["csv"])
    if folder is not None:
        try:
            path = Path(os.path.relpath(path, os.path.abspath(folder))).as_posix()
        except ValueError:  # another drive (Windows): keep it absolute
            pass
    ref = {"csv": path, "sha256": str(src["sha256"]).lower(),
           "input_columns": list(dataset.input_names), "target_columns": list(dataset.target_names)}
    if src.get("train_column"):
        ref["train_column"] = src["train_column"]
    ref["name"] = dataset.name
    return ref
