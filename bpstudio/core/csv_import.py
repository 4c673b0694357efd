"""CSV import: sniff the delimiter and header, preview, and parse chosen columns into a Dataset.

Rows are counted like a spreadsheet counts them: row 1 is the first line of the file (the header,
when there is one); columns are counted from 1. A file the studio cannot use is refused with a
:class:`CsvError` naming the row and column of the first problem. :func:`parse` streams the
file in chunks, calls ``progress(fraction)`` now and then and stops with :class:`ImportCancelled`
when ``cancel()`` turns true, so it can run in a worker thread.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import operator
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .fileformat_checks import MAX_DATA_MAGNITUDE
from .fileformat_csv import sha256_of  # noqa: F401 - part of this module's API
from .safe_read import MAX_LINE_CHARS, UnsafeFile, check_regular, lines, open_binary

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", " ": "space"}
MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 1_000_000
CHUNK_ROWS = 8192
SNIFF_BYTES = 64 * 1024


class CsvError(ValueError):
    """A file the studio refuses, with the (1-based) row and column of the first problem."""

    def __init__(self, message: str, row: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


class ImportCancelled(Exception):
    """The learner cancelled the import."""


@dataclass
class CsvFormat:
    """How the file is written: delimiter and whether row 1 holds column names."""

    delimiter: str = ","
    has_header: bool = True

    def __repr__(self) -> str:
        name = DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
        return f"CsvFormat({name}, header={self.has_header})"


@dataclass
class Preview:
    """The first rows of a file as text, with its column names and guessed format."""

    path: str
    format: CsvFormat
    columns: list[str]
    rows: list[list[str]]
    size: int

    @property
    def numeric_columns(self) -> list[int]:
        """0-based columns whose previewed values are all numbers."""
        return [c for c in range(len(self.columns))
                if self.rows and all(c < len(r) and _is_number(r[c]) for r in self.rows)]

    def __repr__(self) -> str:
        return f"Preview({Path(self.path).name!r}, {self.format!r}, columns={self.columns})"


@dataclass
class ImportResult:
    """The parsed dataset, how its inputs were standardised, and the file's fingerprint."""

    dataset: Dataset
    path: str
    sha256: str
    standardised: bool = False
    means: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    format: CsvFormat = field(default_factory=CsvFormat)

    def reference(self) -> dict | None:
        """The project file's CSV reference for this import (see core/fileformat_csv.py), or None
        when the dataset is not the file's raw columns (standardised, or split into test rows)
        or the file is not the comma-separated, headed kind a reference can read back."""
        ds = self.dataset
        if (self.standardised or not ds.train_mask.all() or self.format.delimiter != ","
                or not self.format.has_header):
            return None
        return {"csv": os.path.abspath(self.path), "sha256": self.sha256,
                "input_columns": list(ds.input_names), "target_columns": list(ds.target_names),
                "name": ds.name}

    def summary(self) -> str:
        ds = self.dataset
        text = (f"{ds.n_samples:,} rows; inputs {', '.join(ds.input_names)}; "
                f"targets {', '.join(ds.target_names)}")
        if not self.standardised:
            return text + "; inputs as in the file."
        lines = [text + "; inputs standardised as (x − mean) / std:"]
        for name, m, s in zip(ds.input_names, self.means, self.stds):
            note = " (constant column: only centred)" if s == 0 else ""
            lines.append(f"  {name}: mean {m:.6g}, std {s:.6g}{note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"ImportResult({self.dataset!r}, standardised={self.standardised})"


def _is_number(text: str) -> bool:
    try:
        return np.isfinite(float(text))
    except ValueError:
        return False


def size_text(n: int) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} bytes"


def _check_size(path: str, max_bytes: int) -> int:
    try:
        size = check_regular(path, "CSV file").st_size
    except UnsafeFile as exc:
        raise CsvError(str(exc)) from None
    except OSError as exc:
        raise CsvError(f"cannot open {path}: {exc.strerror or exc}") from None
    if size == 0:
        raise CsvError("the file is empty", 1, None)
    if size > max_bytes:
        raise CsvError(f"the file is too large ({size_text(size)}); the studio imports files up "
                       f"to {size_text(max_bytes)}")
    return size


class _Hashing(io.RawIOBase):
    """A raw binary reader that hashes and counts every byte it hands on (for the file's sha256
    and the progress fraction, at no extra pass over the file)."""

    def __init__(self, fh) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.fh.readinto(buffer)
        if n:
            self.digest.update(memoryview(buffer)[:n])
            self.count += n
        return n


def _first_undecodable_row(path: str) -> int:
    """The line number of the first line that is not UTF-8 (the slow path, only on error)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return number
    return 1  # pragma: no cover - only called after a decode error


def _split_sample(text: str, delimiter: str) -> list[list[str]]:
    rows = csv.reader(text.splitlines(), delimiter=delimiter, skipinitialspace=True)
    return [r for r in rows if any(f.strip() for f in r)]


def sniff(sample: str) -> CsvFormat:
    """Guess the delimiter (the one giving the same column count > 1 on most rows) and header."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut short
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        rows = _split_sample("\n".join(lines), delim)
        counts = [len(r) for r in rows]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    rows = _split_sample("\n".join(lines), best)
    return CsvFormat(best, _looks_like_header(rows))


def _looks_like_header(rows: list[list[str]]) -> bool:
    """Row 1 is a header when it has text where the rows below have numbers (or only text)."""
    if not rows:
        return False
    first, rest = rows[0], rows[1:]
    texty = [not _is_number(f) and f.strip() != "" for f in first]
    if not any(texty):
        return False
    if not rest:
        return all(texty)
    for c, is_text in enumerate(texty):
        if is_text and all(c < len(r) and _is_number(r[c]) for r in rest):
            return True
    return all(texty)


def preview(path: str | os.PathLike, n_rows: int = 20, fmt: CsvFormat | None = None,
            max_bytes: int = MAX_BYTES) -> Preview:
    """The format (guessed unless given), column names and first ``n_rows`` data rows."""
    path = str(path)
    size = _check_size(path, max_bytes)
    try:
        fh, _ = open_binary(path, max_bytes, "CSV file")
        with fh:
            head = fh.read(SNIFF_BYTES)
    except UnsafeFile as exc:
        raise CsvError(str(exc)) from None
    except OSError as exc:
        raise CsvError(f"cannot open {path}: {exc.strerror or exc}") from None
    try:
        sample = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            row = head[:exc.start].count(b"\n") + 1
            raise CsvError(f"row {row} is not text (the studio reads UTF-8 CSV files)", row) from None
        sample = head[:exc.start].decode("utf-8-sig")
    if not sample.strip():
        raise CsvError("the file is empty (only blank lines)", 1, None)
    fmt = fmt or sniff(sample)
    reader = csv.reader(sample.splitlines(), delimiter=fmt.delimiter, skipinitialspace=True)
    try:
        rows = [r for r in reader if any(f.strip() for f in r)]
    except csv.Error as exc:
        raise CsvError(f"row {reader.line_num} cannot be read as CSV ({exc})", reader.line_num) from None
    if len(head) == SNIFF_BYTES and len(rows) > 1:
        rows = rows[:-1]
    if not rows:
        raise CsvError("the file holds no values (only blanks and quotes)", 1, None)
    if fmt.has_header:
        columns = [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
        rows = rows[1:]
    else:
        columns = [f"column {i + 1}" for i in range(len(rows[0]))]
    return Preview(path, fmt, columns, rows[:n_rows], size)


def _column_index(spec: int | str, columns: list[str]) -> int:
    if isinstance(spec, (int, np.integer)):
        if not 0 <= spec < len(columns):
            raise CsvError(f"there is no column {spec + 1}; the file has {len(columns)}")
        return int(spec)
    if spec in columns:
        return columns.index(spec)
    raise CsvError(f"there is no column named {spec!r}; the columns are {', '.join(columns)}")


def _bad_cell(row_no: int, col: int, name: str, text: str, delimiter: str) -> CsvError:
    where = f"row {row_no}, column {col + 1} ({name!r})"
    value = text.strip()
    if value.lower() in MISSING:
        shown = "is empty" if value == "" else f"is missing ({value!r})"
        return CsvError(f"{where} {shown}: every chosen column needs a number in every row; "
                        "fill it in or delete the row", row_no, col + 1)
    if delimiter != "," and re.fullmatch(r"[-+]?\d+,\d+", value):
        return CsvError(f"{where} holds {value!r}, written with a decimal comma: the studio needs "
                        "a decimal point (1.5, not 1,5)", row_no, col + 1)
    for other in DELIMITERS + (" ",):
        parts = value.split(other)
        if other != delimiter and len(parts) > 1 and all(_is_number(p) for p in parts):
            return CsvError(
                f"{where} holds {value!r}, which looks like values separated by "
                f"{DELIMITER_NAMES[other]}s: the file's delimiter seems to be {other!r}, not "
                f"{delimiter!r}", row_no, col + 1)
    if value.lower().lstrip("+-") in {"inf", "infinity"}:
        return CsvError(f"{where} is {value!r}: only finite numbers can be used", row_no, col + 1)
    return CsvError(f"{where}: {value!r} is not a number", row_no, col + 1)


def parse(path: str | os.PathLike, inputs: Sequence[int | str], targets: Sequence[int | str],
          fmt: CsvFormat | None = None, standardise: bool = False, test_fraction: float = 0.0,
          seed: int = 0, progress: Callable[[float], None] | None = None,
          cancel: Callable[[], bool] | None = None, max_bytes: int = MAX_BYTES,
          max_rows: int = MAX_ROWS) -> ImportResult:
    """Read the chosen input and target columns (names or 0-based indices) into a Dataset.

    Every row must have as many fields as row 1; every chosen cell must hold a finite number
    (other columns may hold anything). Nothing is returned unless the whole file is good.
    """
    path = str(path)
    head = preview(path, 2, fmt, max_bytes)
    fmt, columns, size = head.format, head.columns, head.size
    width = len(columns)
    if width < 2:
        raise CsvError(
            f"row 1 has a single column {columns[0]!r}: a dataset needs at least one input and one "
            f"target column — is the delimiter right? (tried {fmt.delimiter!r})", 1, 1)
    in_cols = [_column_index(s, columns) for s in inputs]
    out_cols = [_column_index(s, columns) for s in targets]
    if not in_cols or not out_cols:
        raise CsvError("choose at least one input column and one target column")
    if set(in_cols) & set(out_cols):
        both = sorted(set(in_cols) & set(out_cols))
        raise CsvError(f"column {columns[both[0]]!r} cannot be both an input and a target")
    chosen = in_cols + out_cols

    pick = operator.itemgetter(*chosen)  # chosen has ≥ 2 columns, so pick(row) is a tuple
    blocks: list[np.ndarray] = []
    chunk: list[tuple[str, ...]] = []
    chunk_rows: list[int] = []
    n_rows = 0
    header_skipped = not fmt.has_header

    def flush(done_bytes: int) -> None:
        try:
            block = np.array(chunk, dtype=float)
        except ValueError:
            block = None
        if block is None or not (np.abs(block) <= MAX_DATA_MAGNITUDE).all():
            for r, cells in zip(chunk_rows, chunk):
                for k, text in enumerate(cells):
                    if not _is_number(text):
                        raise _bad_cell(r, chosen[k], columns[chosen[k]], text, fmt.delimiter)
                    if abs(float(text)) > MAX_DATA_MAGNITUDE:
                        raise CsvError(f"row {r}, column {chosen[k] + 1} ({columns[chosen[k]]!r}): "
                                       f"{text.strip()[:40]!r} is too large for a data value (the "
                                       f"limit is ±{MAX_DATA_MAGNITUDE:g}; rescale the column)", r,
                                       chosen[k] + 1)
            block = np.array([[float(t) for t in cells] for cells in chunk])
        blocks.append(block)
        chunk.clear()
        chunk_rows.clear()
        if progress is not None:
            progress(min(done_bytes / size, 1.0))

    try:
        raw, _ = open_binary(path, max_bytes, "CSV file")
    except UnsafeFile as exc:
        raise CsvError(str(exc)) from None
    except OSError as exc:
        raise CsvError(f"cannot open {path}: {exc.strerror or exc}") from None
    with raw:
        source = _Hashing(raw)
        text = io.TextIOWrapper(io.BufferedReader(source, 1 << 16), encoding="utf-8-sig", newline="")
        stream = lines(text, Path(path).name, MAX_LINE_CHARS, 2 * max_rows + 2)
        reader = csv.reader(stream, delimiter=fmt.delimiter, skipinitialspace=True)
        try:
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank lines are allowed anywhere
                if not header_skipped:
                    header_skipped = True
                    continue
                row_no = reader.line_num
                if len(row) != width:
                    col = min(len(row), width) + 1
                    what = "is missing" if len(row) < width else "is extra"
                    raise CsvError(f"row {row_no} has {len(row)} values but row 1 has {width}: "
                                   f"column {col} {what} (a ragged row)", row_no, col)
                n_rows += 1
                if n_rows > max_rows:
                    raise CsvError(f"row {row_no}: the file has more than {max_rows:,} data rows, "
                                   "the most the studio imports", row_no, None)
                chunk.append(pick(row))
                chunk_rows.append(row_no)
                if len(chunk) >= CHUNK_ROWS:
                    flush(source.count)
                    if cancel is not None and cancel():
                        raise ImportCancelled("import cancelled")
        except csv.Error as exc:
            raise CsvError(f"row {reader.line_num} cannot be read as CSV ({exc})",
                           reader.line_num) from None
        except UnsafeFile as exc:
            raise CsvError(str(exc), reader.line_num + 1) from None
        except UnicodeDecodeError:
            bad = _first_undecodable_row(path)
            raise CsvError(f"row {bad} is not text (the studio reads UTF-8 CSV files)", bad,
                           None) from None
        if chunk:
            flush(source.count)
        digest = source.digest
    if n_rows == 0:
        raise CsvError("the file has a header but no data rows" if fmt.has_header
                       else "the file has no data rows", 2 if fmt.has_header else 1, None)
    data = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    X, Y = data[:, :len(in_cols)], data[:, len(in_cols):]
    means = X.mean(axis=0)
    stds = X.std(axis=0)
    if standardise:
        X = (X - means) / np.where(stds > 0, stds, 1.0)
    from .generators import split_mask  # local: generators imports nothing from here
    mask = split_mask(n_rows, test_fraction, np.random.default_rng(seed))
    ds = Dataset(np.ascontiguousarray(X), np.ascontiguousarray(Y), [columns[c] for c in in_cols],
                 [columns[c] for c in out_cols], mask,
                 name=Path(path).stem + (" (standardised)" if standardise else ""))
    if progress is not None:
        progress(1.0)
    result = ImportResult(ds, path, digest.hexdigest(), standardise, means, stds, fmt)
    ds.source = result.reference()  # the file's own numbers: the project file can refer to it
    return result

