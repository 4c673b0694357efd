"""The loss history the loss panel draws: compact, bounded storage and peak decimation (Qt-free).

Snapshots bring only the new history points; :class:`HistoryTable` keeps them (int64 epochs and
float64 losses, test loss and accuracy only where measured), thinned like the trainer's own
history past its cap, so a million epochs cost a few MB. :func:`peak_decimate` hands a curve about
two points per pixel of the visible range, min and max of each bucket, so spikes stay visible.
"""

from __future__ import annotations

import math

import numpy as np

COLUMNS = ("epoch", "train_loss", "test_loss", "accuracy")


class _Points:
    """(epoch, value) pairs kept only where a value was measured (test loss, accuracy)."""

    def __init__(self) -> None:
        self.epochs = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0)
        self.finite = True

    def add(self, epochs: np.ndarray, values) -> None:
        if values is None:
            return
        v = np.broadcast_to(np.asarray(values, dtype=float), epochs.shape)
        keep = ~np.isnan(v)
        if keep.any():
            self.epochs = np.concatenate([self.epochs, epochs[keep]])
            self.values = np.concatenate([self.values, v[keep]])
            self.finite &= bool(np.isfinite(v[keep]).all())

    def cut(self, epoch: int) -> None:
        """Forget the points at ``epoch`` and after (a restart)."""
        k = int(np.searchsorted(self.epochs, epoch, side="left"))
        self.epochs, self.values = self.epochs[:k], self.values[:k]
        self.finite = bool(np.isfinite(self.values).all())

    def thin(self, cap: int) -> None:
        while len(self.epochs) > cap:
            half = len(self.epochs) // 2
            self.epochs = np.concatenate([self.epochs[:half:2], self.epochs[half:]])
            self.values = np.concatenate([self.values[:half:2], self.values[half:]])

    @property
    def nbytes(self) -> int:
        return self.epochs.nbytes + self.values.nbytes


class HistoryTable:
    """The loss history the panel draws, compact and bounded.

    Every recorded epoch's train loss (int64 epoch + float64 loss: 16 bytes a row) in a growing
    buffer; test loss and accuracy, measured only now and then, as (epoch, value) pairs where they
    exist. Past ``cap`` rows the older half is thinned to every other row (like the trainer's own
    history), so a run of any length stays under ~``cap`` rows (4 MB at the default) while
    the first and the latest epochs are always kept.
    """

    def __init__(self, capacity: int = 1024, cap: int = 250_000) -> None:
        self._epochs = np.zeros(capacity, dtype=np.int64)
        self._train = np.zeros(capacity)
        self.n = 0
        self.cap = cap
        self._train_finite = True
        self._sparse = {"test_loss": _Points(), "accuracy": _Points()}

    def column(self, name: str) -> np.ndarray:
        """A column over the kept rows (test loss and accuracy: NaN where none was measured)."""
        if name == "epoch":
            return self._epochs[:self.n]
        if name == "train_loss":
            return self._train[:self.n]
        pts = self._sparse[name]
        out = np.full(self.n, np.nan)
        if len(pts.epochs) and self.n:
            i = np.clip(np.searchsorted(self.column("epoch"), pts.epochs), 0, self.n - 1)
            hit = self.column("epoch")[i] == pts.epochs
            out[i[hit]] = pts.values[hit]
        return out

    def points(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Only the measured (epoch, value) pairs of a column."""
        if name == "train_loss":
            return self.column("epoch"), self.column("train_loss")
        pts = self._sparse[name]
        return pts.epochs, pts.values

    def row(self, i: int) -> tuple[int, float, float, float]:
        """(epoch, train, test, accuracy) of row ``i``; NaN where not measured."""
        e = int(self._epochs[i])
        out = [e, float(self._train[i])]
        for name in ("test_loss", "accuracy"):
            pts = self._sparse[name]
            k = int(np.searchsorted(pts.epochs, e))
            out.append(float(pts.values[k]) if k < len(pts.epochs) and pts.epochs[k] == e else math.nan)
        return tuple(out)

    def rows(self) -> np.ndarray:
        """All kept rows as one float array (n, 4), built on demand (CSV export)."""
        return np.column_stack([self.column(c).astype(float) for c in COLUMNS])

    def clear(self) -> None:
        self.n = 0
        self._train_finite = True
        self._sparse = {"test_loss": _Points(), "accuracy": _Points()}

    def all_nan(self, name: str) -> bool:
        """True when the column has no value at all (no test rows, no accuracy)."""
        if name in self._sparse:
            return len(self._sparse[name].epochs) == 0
        return self.n == 0 or bool(np.isnan(self.column(name)).all())

    def all_finite(self, name: str) -> bool:
        """True when the column has no NaN or inf (kept up to date at each append; a sparse
        column counts only its measured values)."""
        if name == "train_loss":
            return self._train_finite
        if name == "epoch":
            return True
        pts = self._sparse[name]
        return pts.finite and len(pts.epochs) == self.n

    def append(self, epochs, train, test=None, accuracy=None) -> None:
        """Add rows; rows whose epoch is not after the last kept one replace the old ones (a restart)."""
        epochs = np.asarray(epochs).astype(np.int64)
        k = len(epochs)
        if k == 0:
            return
        if self.n and epochs[0] <= self._epochs[self.n - 1]:
            self.n = int(np.searchsorted(self._epochs[:self.n], epochs[0], side="left"))
            self._train_finite = bool(np.isfinite(self._train[:self.n]).all())
            for pts in self._sparse.values():
                pts.cut(int(epochs[0]))
        need = self.n + k
        if need > len(self._epochs):
            self._grow(need)
        train = np.broadcast_to(np.asarray(train, dtype=float), epochs.shape)
        self._epochs[self.n:need] = epochs
        self._train[self.n:need] = train
        self._train_finite &= bool(np.isfinite(train).all())
        self._sparse["test_loss"].add(epochs, test)
        self._sparse["accuracy"].add(epochs, accuracy)
        self.n = need
        while self.n > self.cap:  # thin the older half, like the trainer's history
            half = self.n // 2
            for a in (self._epochs, self._train):
                kept = np.concatenate([a[:half:2], a[half:self.n]])
                a[:len(kept)] = kept
            self.n = half - half // 2 + (self.n - half)
            for pts in self._sparse.values():
                pts.thin(self.cap)

    def _grow(self, need: int) -> None:
        """Double the buffers, but never far past ``cap`` (thinning keeps n below it)."""
        size = max(need, min(2 * len(self._epochs), self.cap + max(need - self.n, 1024)))
        for name in ("_epochs", "_train"):
            old = getattr(self, name)
            grown = np.zeros(size, dtype=old.dtype)
            grown[:self.n] = old[:self.n]
            setattr(self, name, grown)

    @property
    def nbytes(self) -> int:
        """Bytes held by the table's arrays (buffers included)."""
        return self._epochs.nbytes + self._train.nbytes + sum(p.nbytes for p in self._sparse.values())

    def nearest(self, epoch: float) -> int | None:
        """Row index of the recorded epoch nearest to ``epoch``."""
        if self.n == 0 or not math.isfinite(epoch):
            return None
        e = self.column("epoch")
        i = int(np.clip(np.searchsorted(e, epoch), 1, self.n - 1)) if self.n > 1 else 0
        if i > 0 and abs(e[i - 1] - epoch) <= abs(e[i] - epoch):
            i -= 1
        return i

    def to_csv(self, path: str) -> None:
        np.savetxt(path, self.rows(), delimiter=",", header=",".join(COLUMNS), comments="",
                   fmt="%.10g")

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return f"HistoryTable({self.n} epochs, {self.nbytes / 2**20:.1f} MB)"


def peak_decimate(x: np.ndarray, ys: list[np.ndarray], lo: float, hi: float, width: int
                  ) -> tuple[np.ndarray, list[np.ndarray]]:
    """The rows of sorted ``x`` within [lo, hi] (plus one either side), at most ~2·``width`` of them:
    beyond that, each bucket of k rows becomes two points, its min and its max ("peak" mode),
    so every spike stays visible. NaN rows stay NaN (gaps)."""
    n = len(x)
    i0 = max(int(np.searchsorted(x, lo, side="left")) - 1, 0)
    i1 = min(int(np.searchsorted(x, hi, side="right")) + 1, n)
    count = i1 - i0
    width = max(int(width), 16)
    if count <= 2 * width:
        return x[i0:i1], [y[i0:i1] for y in ys]
    k = -(-count // width)
    m = count // k
    end = i0 + m * k
    xb = x[i0:end:k]
    x2 = np.repeat(xb, 2)
    out = []
    for y in ys:
        blocks = y[i0:end].reshape(m, k)
        pair = np.empty((m, 2))
        if np.isfinite(blocks[:, 0]).all() and np.isfinite(y[end - 1]):
            blocks.min(axis=1, out=pair[:, 0])  # the fast (SIMD) reductions
            blocks.max(axis=1, out=pair[:, 1])
            if np.isnan(pair).any():  # a NaN inside a block: redo those NaN-aware
                pair[:, 0] = np.fmin.reduce(blocks, axis=1)
                pair[:, 1] = np.fmax.reduce(blocks, axis=1)
        else:
            pair[:, 0] = np.fmin.reduce(blocks, axis=1)
            pair[:, 1] = np.fmax.reduce(blocks, axis=1)
        out.append(np.concatenate([pair.ravel(), y[end:i1]]))
    return np.concatenate([x2, x[end:i1]]), out
