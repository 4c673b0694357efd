"""A dataset: inputs X, targets Y, column names, and which rows are for training."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np


class DatasetError(ValueError):
    """A dataset the studio cannot use, said in plain words."""


@dataclass
class Dataset:
    X: np.ndarray  # (n, n_inputs) float64
    Y: np.ndarray  # (n, n_outputs) float64
    input_names: list[str]
    target_names: list[str]
    train_mask: np.ndarray = field(default=None)  # (n,) bool; True = training row
    name: str = ""
    # the project file's CSV reference these exact samples were read from (see
    # core/fileformat_csv.py): {"csv": absolute path, "sha256", "input_columns", ...}; None when
    # the data was generated or edited (it is then saved inline)
    source: dict | None = None

    def __post_init__(self) -> None:
        self.X = np.atleast_2d(np.asarray(self.X, dtype=float))
        self.Y = np.asarray(self.Y, dtype=float)
        if self.Y.ndim == 1:
            self.Y = self.Y[:, None]
        if self.train_mask is None:
            self.train_mask = np.ones(len(self.X), dtype=bool)
        self.train_mask = np.asarray(self.train_mask, dtype=bool)
        if self.source is not None and not isinstance(self.source, dict):
            raise DatasetError("a dataset's source must be a CSV reference (a dict) or None")
        self.validate()

    def validate(self) -> Dataset:
        n = len(self.X)
        if self.X.ndim != 2 or self.Y.ndim != 2:
            raise DatasetError("inputs and targets must be tables (rows × columns)")
        if len(self.Y) != n or len(self.train_mask) != n:
            raise DatasetError(
                f"inputs have {n} rows but targets have {len(self.Y)} and the split {len(self.train_mask)}"
            )
        if self.X.shape[1] != len(self.input_names):
            raise DatasetError(f"{self.X.shape[1]} input columns but {len(self.input_names)} names")
        if self.Y.shape[1] != len(self.target_names):
            raise DatasetError(f"{self.Y.shape[1]} target columns but {len(self.target_names)} names")
        for arr, what in ((self.X, "input"), (self.Y, "target")):
            bad = np.argwhere(~np.isfinite(arr))
            if len(bad):
                r, c = bad[0]
                names = self.input_names if what == "input" else self.target_names
                raise DatasetError(f"row {r + 1}, {what} column {names[c]!r} is not a finite number")
        return self

    @property
    def n_samples(self) -> int:
        return len(self.X)

    @property
    def n_inputs(self) -> int:
        return self.X.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.Y.shape[1]

    @property
    def task(self) -> str:
        """What the targets ask for (see :func:`target_task`)."""
        return target_task(self.Y)

    def train(self) -> tuple[np.ndarray, np.ndarray]:
        if self.train_mask.all():
            return self.X, self.Y
        return self.X[self.train_mask], self.Y[self.train_mask]

    def test(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X[~self.train_mask], self.Y[~self.train_mask]

    def copy(self) -> Dataset:
        return Dataset(self.X.copy(), self.Y.copy(), list(self.input_names),
                       list(self.target_names), self.train_mask.copy(), self.name,
                       copy.deepcopy(self.source))

    def equals(self, other: Dataset) -> bool:
        """Same samples, names, split, name and source: what a project file would save."""
        return (
            np.array_equal(self.X, other.X) and np.array_equal(self.Y, other.Y)
            and self.input_names == other.input_names and self.target_names == other.target_names
            and np.array_equal(self.train_mask, other.train_mask) and self.name == other.name
            and self.source == other.source
        )

    def __repr__(self) -> str:
        n_test = int((~self.train_mask).sum())
        origin = f", from {PurePath(str(self.source.get('csv', '?'))).name}" if self.source else ""
        return (f"Dataset({self.name!r}, {self.n_samples} rows, inputs={self.input_names}, "
                f"targets={self.target_names}, test rows={n_test}{origin})")


def target_task(Y: np.ndarray) -> str:
    """"multiclass" for one-hot rows over two or more columns, "binary" when every target is 0 or 1
    otherwise, "regression" for anything else (or no rows)."""
    Y = np.asarray(Y)
    if Y.size == 0 or not np.all((Y == 0) | (Y == 1)):
        return "regression"
    if Y.ndim == 2 and Y.shape[1] >= 2 and np.all(Y.sum(axis=1) == 1):
        return "multiclass"
    return "binary"


TRUTH_TABLES = {
    "xor": (0, 1, 1, 0),
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}


def truth_table(op: str) -> Dataset:
    """The two-input truth table of ``op`` in the article's row order (00, 01, 10, 11)."""
    try:
        y = TRUTH_TABLES[op.lower()]
    except KeyError:
        raise DatasetError(f"unknown truth table {op!r}; use one of {', '.join(TRUTH_TABLES)}") from None
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return Dataset(X, np.array(y, dtype=float)[:, None], ["X1", "X2"], ["Y"], name=op.upper())
