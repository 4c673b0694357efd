"""Undoable dataset edits (cells, rows, train/test marks, a whole new dataset) and network fitting.

Dataset commands are copy-on-write: each builds a new :class:`Dataset` and puts it in
``document.project.dataset``, then emits ``document.dataset_changed`` — a training session that
holds the previous dataset is never changed under its feet, and the next Play reads the new one.
The undo stack's clean state tracks whether the document is modified.

An edit drops the dataset's ``source`` (the CSV file it was read from no longer describes it, so
the project file saves the rows inline); an undo that gives back exactly the samples the file
described gives the source back too.
"""

from __future__ import annotations

import functools
import hashlib
import weakref

from PySide6.QtGui import QUndoCommand

import numpy as np

from bpstudio.core.dataset import Dataset
from bpstudio.core.match import plan_adjustment

# ids let consecutive edits of one cell merge into one undo step
_CELL_ID = 6001


def _guarded(method):
    """Run an undo/redo; if the dataset was replaced behind the stack's back (a non-undoable
    ``Document.set_dataset``) and the edit no longer fits, do nothing and drop the command."""

    @functools.wraps(method)
    def run(self) -> None:
        try:
            method(self)
        except (IndexError, ValueError):
            self.setObsolete(True)

    return run


class _DocumentCommand(QUndoCommand):
    """A dataset command; it holds its document weakly. The document's undo stack owns the
    command, so a strong reference back would be a Python ↔ C++ cycle that the garbage collector
    can free twice (a crash at exit, seen 1 run in 2 before this)."""

    def __init__(self, document, text: str) -> None:
        super().__init__(text)
        self._document = weakref.ref(document)

    @property
    def document(self):
        doc = self._document()
        if doc is None:
            raise ValueError("the document is gone")  # _guarded: the command becomes obsolete
        return doc

    def _remember_source(self, ds: Dataset) -> None:
        """Keep the dataset's CSV reference and a fingerprint of its samples (for undo)."""
        self._source = ds.source
        self._samples = _fingerprint(ds) if ds.source is not None else None

    def _undone(self, ds: Dataset) -> Dataset:
        """The dataset an undo installs: with the source back when its samples are the file's."""
        if getattr(self, "_source", None) is not None and _fingerprint(ds) == self._samples:
            ds.source = self._source
        return ds


def _fingerprint(ds: Dataset) -> bytes:
    """A digest of the samples, names and split (cheap to keep, unlike a copy of the data)."""
    h = hashlib.blake2b(digest_size=32)
    for arr in (ds.X, ds.Y, ds.train_mask):
        h.update(repr((arr.dtype.str, arr.shape)).encode())
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(repr((ds.input_names, ds.target_names, ds.name)).encode())
    return h.digest()


def _install(document, dataset: Dataset) -> None:
    document.project.dataset = dataset
    document.dataset_changed.emit()


def _with(ds: Dataset, X=None, Y=None, mask=None, **kw) -> Dataset:
    """``ds`` with some parts replaced: edited data, so without the CSV ``source``."""
    return Dataset(ds.X if X is None else X, ds.Y if Y is None else Y,
                   kw.get("input_names", list(ds.input_names)),
                   kw.get("target_names", list(ds.target_names)),
                   ds.train_mask if mask is None else mask, kw.get("name", ds.name))


class SetCellCommand(_DocumentCommand):
    """Set one number; ``column`` counts the inputs first, then the targets."""

    def __init__(self, document, row: int, column: int, value: float) -> None:
        ds = document.dataset
        name = (ds.input_names + ds.target_names)[column]
        super().__init__(document, f"Set {name} in row {row + 1} to {value:g}")
        self.row, self.column = row, column
        self.new = float(value)
        self.old = float(self._array(ds)[row, self._col(ds)])
        self._remember_source(ds)

    def _col(self, ds: Dataset) -> int:
        return self.column if self.column < ds.n_inputs else self.column - ds.n_inputs

    def _array(self, ds: Dataset) -> np.ndarray:
        return ds.X if self.column < ds.n_inputs else ds.Y

    def _set(self, value: float) -> Dataset:
        ds = self.document.dataset
        arr = self._array(ds).copy()
        arr[self.row, self._col(ds)] = value
        is_x = self.column < ds.n_inputs
        return _with(ds, X=arr if is_x else None, Y=None if is_x else arr)

    @_guarded
    def redo(self) -> None:
        _install(self.document, self._set(self.new))

    @_guarded
    def undo(self) -> None:
        _install(self.document, self._undone(self._set(self.old)))

    def id(self) -> int:
        return _CELL_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetCellCommand) or (other.row, other.column) != (self.row, self.column):
            return False
        self.new = other.new
        self.setText(other.text())
        return True


class InsertRowsCommand(_DocumentCommand):
    """Insert rows before ``at`` (zeros unless values are given; new rows are for training)."""

    def __init__(self, document, at: int, count: int = 1, X=None, Y=None) -> None:
        super().__init__(document, "Add a row" if count == 1 else f"Add {count} rows")
        ds = document.dataset
        self.at, self.count = at, count
        self.X = np.zeros((count, ds.n_inputs)) if X is None else np.asarray(X, float).reshape(count, -1)
        self.Y = np.zeros((count, ds.n_outputs)) if Y is None else np.asarray(Y, float).reshape(count, -1)
        self._remember_source(ds)

    @_guarded
    def redo(self) -> None:
        ds, at = self.document.dataset, self.at
        _install(self.document, _with(
            ds, X=np.insert(ds.X, at, self.X, axis=0), Y=np.insert(ds.Y, at, self.Y, axis=0),
            mask=np.insert(ds.train_mask, at, np.ones(self.count, dtype=bool))))

    @_guarded
    def undo(self) -> None:
        ds = self.document.dataset
        keep = np.ones(ds.n_samples, dtype=bool)
        keep[self.at:self.at + self.count] = False
        _install(self.document, self._undone(
            _with(ds, X=ds.X[keep], Y=ds.Y[keep], mask=ds.train_mask[keep])))


class RemoveRowsCommand(_DocumentCommand):
    """Remove the given rows (0-based); undo puts them back where they were."""

    def __init__(self, document, rows) -> None:
        self.rows = np.unique(np.asarray(list(rows), dtype=np.intp))
        n = len(self.rows)
        super().__init__(document, f"Remove row {self.rows[0] + 1}" if n == 1 else f"Remove {n} rows")
        ds = document.dataset
        self.X, self.Y, self.mask = ds.X[self.rows], ds.Y[self.rows], ds.train_mask[self.rows]
        self._remember_source(ds)

    @_guarded
    def redo(self) -> None:
        ds = self.document.dataset
        keep = np.ones(ds.n_samples, dtype=bool)
        keep[self.rows] = False
        _install(self.document, _with(ds, X=ds.X[keep], Y=ds.Y[keep], mask=ds.train_mask[keep]))

    @_guarded
    def undo(self) -> None:
        ds = self.document.dataset
        n = ds.n_samples + len(self.rows)
        back = np.zeros(n, dtype=bool)
        back[self.rows] = True
        X = np.empty((n, ds.n_inputs))
        Y = np.empty((n, ds.n_outputs))
        mask = np.empty(n, dtype=bool)
        X[back], Y[back], mask[back] = self.X, self.Y, self.mask
        X[~back], Y[~back], mask[~back] = ds.X, ds.Y, ds.train_mask
        _install(self.document, self._undone(_with(ds, X=X, Y=Y, mask=mask)))


class SetSplitCommand(_DocumentCommand):
    """Mark rows as training rows (``train=True``) or test rows."""

    def __init__(self, document, rows, train: bool) -> None:
        self.rows = np.unique(np.asarray(list(rows), dtype=np.intp))
        what = "training" if train else "test"
        plural = "s" if len(self.rows) != 1 else ""
        super().__init__(document, f"Mark {len(self.rows)} row{plural} for {what}")
        self.train = bool(train)
        self.old = document.dataset.train_mask[self.rows].copy()
        self._remember_source(document.dataset)

    def _set(self, values) -> Dataset:
        ds = self.document.dataset
        mask = ds.train_mask.copy()
        mask[self.rows] = values
        return _with(ds, mask=mask)

    @_guarded
    def redo(self) -> None:
        _install(self.document, self._set(self.train))

    @_guarded
    def undo(self) -> None:
        _install(self.document, self._undone(self._set(self.old)))


class ReplaceDatasetCommand(_DocumentCommand):
    """Use a whole new dataset (generated or imported)."""

    def __init__(self, document, dataset: Dataset, text: str = "") -> None:
        super().__init__(document, text or f"Use dataset {dataset.name or 'untitled'}")
        self.new, self.old = dataset, document.dataset

    @_guarded
    def redo(self) -> None:
        _install(self.document, self.new)

    @_guarded
    def undo(self) -> None:
        _install(self.document, self.old)


class AdjustNetworkCommand(QUndoCommand):
    """Give the network as many input and output units as the dataset has columns.

    Removes the last units when there are too many and adds units wired like their neighbours
    when there are too few, all through the Graph API (views follow its events).
    """

    def __init__(self, graph, n_inputs: int, n_outputs: int, seed: int = 0) -> None:
        self.graph = graph
        self.adjustment = plan_adjustment(graph, n_inputs, n_outputs, seed)
        super().__init__(f"Adjust the network to {n_inputs} input{'s' * (n_inputs != 1)} and "
                         f"{n_outputs} output{'s' * (n_outputs != 1)}")

    def redo(self) -> None:
        self.adjustment.apply(self.graph)

    def undo(self) -> None:
        self.adjustment.undo(self.graph)


def use_dataset(document, dataset: Dataset, adjust: bool, text: str = "") -> None:
    """One undo step: replace the dataset and, if ``adjust``, fit the network to it."""
    stack = document.undo_stack
    stack.beginMacro(text or f"Use dataset {dataset.name or 'untitled'}")
    try:
        stack.push(ReplaceDatasetCommand(document, dataset, text))
        if adjust:
            cmd = AdjustNetworkCommand(document.graph, dataset.n_inputs, dataset.n_outputs,
                                       document.settings.seed)
            if not cmd.adjustment.is_empty:
                stack.push(cmd)
    finally:
        stack.endMacro()
