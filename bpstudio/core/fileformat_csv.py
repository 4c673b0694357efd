"""The project file's CSV reference: a dataset kept beside the project instead of inline.

``{"csv": "data/xor.csv", "sha256": "...", "input_columns": [...], "target_columns": [...],
"train_column": "train", "name": "..."}``. The CSV has a header row; columns are picked by name.
A relative path is resolved against the project file's folder. When ``sha256`` is given, the
file's checksum must match (the data has not changed since the project was saved).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .fileformat_checks import MAX_CSV_ROWS, ProjectFileError, fail, need_object, need_text, need_texts

MAX_CSV_BYTES = 256 * 1024 * 1024
TRUE_WORDS = {"1", "true", "yes", "train"}
FALSE_WORDS = {"0", "false", "no", "test"}


def read_csv_reference(value: dict, base_dir=None) -> Dataset:
    d = need_object(value, "dataset", required=("csv", "input_columns", "target_columns"),
                    optional=("sha256", "train_column", "name"))
    path = Path(need_text(d["csv"], "dataset.csv"))
    if not path.is_absolute():
        path = Path(base_dir or ".") / path
    inputs = need_texts(d["input_columns"], "dataset.input_columns")
    targets = need_texts(d["target_columns"], "dataset.target_columns")
    train_col = d.get("train_column")
    if train_col is not None:
        need_text(train_col, "dataset.train_column")
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            fail("dataset.csv",
                 f"{path.name} is {size / 2**20:.0f} MB; the limit is {MAX_CSV_BYTES // 2**20} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise ProjectFileError(f"dataset.csv: cannot read {path}: {exc.strerror or exc}") from None
    if "sha256" in d:
        want = need_text(d["sha256"], "dataset.sha256").lower()
        if hashlib.sha256(raw).hexdigest() != want:
            fail("dataset.sha256", f"{path.name} has changed since the project was saved "
                                   "(its checksum differs); check the data, then save the project again")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail("dataset.csv", f"{path.name} is not UTF-8 text")
    rows = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(rows, [])]
    if not header:
        fail("dataset.csv", f"{path.name} is empty (it needs a header row of column names)")
    col = {}
    for name in [*inputs, *targets, *([train_col] if train_col else [])]:
        if name not in header:
            fail("dataset.csv", f"{path.name} has no column {name!r} (its columns: {', '.join(header)})")
        col[name] = header.index(name)
    X, Y, mask = [], [], []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(X) >= MAX_CSV_ROWS:
            fail("dataset.csv", f"{path.name} has more than {MAX_CSV_ROWS:,} rows")
        if len(row) != len(header):
            fail("dataset.csv",
                 f"{path.name}, line {line}: {len(row)} cells, but the header has {len(header)}")
        X.append([_cell(row[col[c]], path, line, c) for c in inputs])
        Y.append([_cell(row[col[c]], path, line, c) for c in targets])
        if train_col:
            word = row[col[train_col]].strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                fail("dataset.csv", f"{path.name}, line {line}, column {train_col!r}: {word!r} is "
                                    "not 1/0 (training row / test row)")
            mask.append(word in TRUE_WORDS)
    n = len(X)
    return Dataset(np.array(X, dtype=float).reshape(n, len(inputs)),
                   np.array(Y, dtype=float).reshape(n, len(targets)), inputs, targets,
                   np.array(mask, dtype=bool) if train_col else None,
                   need_text(d.get("name", path.stem), "dataset.name", empty_ok=True))


def _cell(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        shown = repr(text.strip()[:40])
        fail("dataset.csv", f"{path.name}, line {line}, column {column!r}: {shown} is not a number")
    if not math.isfinite(value):
        fail("dataset.csv", f"{path.name}, line {line}, column {column!r}: {text.strip()!r} is not "
                             "a finite number")
    return value
