"""Training checkpoints on a bounded schedule (numpy + stdlib): dense recently, sparse with age.

A :class:`TrainingCheckpoint` is everything needed to continue exactly from the start of an epoch:
the parameters θ, the optimiser's state (step count t, momentum's velocity, Adam's moments), the
trainer's epoch and step counts, its random generator and the sample order of the epoch that starts
there. A :class:`CheckpointLadder` keeps them on a geometric ladder: level L holds the newest
``per_level`` epochs that are multiples of 2^L, and an epoch is kept while any level holds it
(and the first one always). After E epochs it holds at most ``1 + per_level × (⌊log2 E⌋ + 1)``
checkpoints — about 280 for 10⁶ epochs with 32 per level — and never more than ``max_bytes``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

PER_LEVEL = 32
MAX_BYTES = 50 * 1024 * 1024  # the budget the issue sets for 10⁶ epochs of a 2-16-16-1 network
OPTIMIZER_ARRAYS = {"gd": (), "momentum": ("velocity",), "adam": ("m", "v")}


def _frozen(a, dtype=float) -> np.ndarray:
    c = np.array(a, dtype=dtype, copy=True)
    c.setflags(write=False)
    return c


@dataclass(frozen=True, eq=False)
class TrainingCheckpoint:
    """The state at the start of ``epoch`` (after ``steps`` optimiser steps); arrays are read-only."""

    epoch: int
    steps: int
    theta: np.ndarray
    optimizer: str  # "gd" | "momentum" | "adam"
    optimizer_t: int
    optimizer_arrays: tuple  # ((name, array), ...) in OPTIMIZER_ARRAYS order
    loss: float  # the loss recorded for the epoch that ended here (NaN for the first)
    rng: dict | None = None  # numpy bit generator state (None when training does not shuffle)
    order: np.ndarray | None = None  # the sample order of this epoch (None: 0..n-1)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays, plus a small allowance for the object itself."""
        arrays = [self.theta, *(a for _, a in self.optimizer_arrays)]
        if self.order is not None:
            arrays.append(self.order)
        return sum(a.nbytes for a in arrays) + 400

    def __repr__(self) -> str:
        return (f"TrainingCheckpoint(epoch={self.epoch}, steps={self.steps}, "
                f"{len(self.theta)} parameters, {self.optimizer} t={self.optimizer_t})")


def capture(trainer, loss: float = float("nan")) -> TrainingCheckpoint:
    """The trainer's state now; call it at the start of an epoch (no batch of it taken yet)."""
    opt = trainer.optimizer
    arrays = tuple((name, _frozen(getattr(opt, name))) for name in OPTIMIZER_ARRAYS[opt.name])
    rng = order = None
    if trainer.settings.shuffle:
        rng = trainer.rng.bit_generator.state
        batches = [b for b in trainer._batches if b is not None]
        if batches:
            order = _frozen(np.concatenate(batches), np.int32)
    return TrainingCheckpoint(int(trainer.epoch), int(trainer.steps), _frozen(trainer.engine.theta),
                              opt.name, int(opt.t), arrays, float(loss), rng, order)


def restore(trainer, cp: TrainingCheckpoint) -> None:
    """Put the trainer back at ``cp`` (history after it is cut off); its next step is exactly the
    step training took from there. An optimiser of another kind than the checkpoint's starts afresh."""
    if len(cp.theta) != trainer.engine.n_params:
        raise ValueError(f"the checkpoint of epoch {cp.epoch} has {len(cp.theta)} parameters, "
                         f"the network has {trainer.engine.n_params}")
    trainer.engine.theta[:] = cp.theta
    opt = trainer.optimizer
    opt.reset()
    if opt.name == cp.optimizer:
        opt.t = cp.optimizer_t
        for name, a in cp.optimizer_arrays:
            getattr(opt, name)[:] = a
    trainer.epoch, trainer.steps = cp.epoch, cp.steps
    if cp.rng is not None:
        trainer.rng.bit_generator.state = cp.rng
    n = len(trainer.X)
    size = trainer.batch_size()
    if cp.order is not None and len(cp.order) == n:
        order = cp.order.astype(np.intp)
        trainer._batches = [order[i:i + size] for i in range(0, n, size)]
    elif size >= n and not trainer.settings.shuffle:
        trainer._batches = [None]
    else:
        order = np.arange(n)
        trainer._batches = [order[i:i + size] for i in range(0, n, size)]
    trainer._pos = 0
    trainer._epoch_losses = []
    keep = [i for i, e in enumerate(trainer.history_epochs) if e <= cp.epoch]
    trainer.history = [trainer.history[i] for i in keep]
    trainer.history_epochs = [trainer.history_epochs[i] for i in keep]


def _level_count(epoch: int) -> int:
    """How many levels hold ``epoch``: 1 + its number of trailing zero bits (epoch 0: level 0)."""
    return (epoch & -epoch).bit_length() if epoch else 1


class CheckpointLadder:
    """Checkpoints by epoch on a geometric ladder: bounded in count and bytes, first and latest kept."""

    def __init__(self, per_level: int = PER_LEVEL, max_bytes: int = MAX_BYTES) -> None:
        if per_level < 2:
            raise ValueError("a ladder needs at least 2 checkpoints per level")
        self.per_level = per_level
        self.max_bytes = max_bytes
        self.clear()

    def clear(self) -> None:
        self._by_epoch: dict[int, TrainingCheckpoint] = {}
        self._held: dict[int, int] = {}  # epoch -> how many levels hold it
        self._levels: list[deque] = []
        self.first: int | None = None
        self.latest: int | None = None
        self.nbytes = 0

    # ---------------------------------------------------------------- recording
    def record(self, cp: TrainingCheckpoint) -> None:
        """Add the checkpoint of a new epoch (later than the latest; the same epoch replaces it)."""
        e = cp.epoch
        if self.latest is not None and e < self.latest:
            raise ValueError(f"epoch {e} is before the latest checkpoint ({self.latest}): cut the "
                             "ladder back first (drop_after)")
        if e in self._by_epoch:
            self.nbytes += cp.nbytes - self._by_epoch[e].nbytes
            self._by_epoch[e] = cp
            return
        self._by_epoch[e] = cp
        self.nbytes += cp.nbytes
        if self.first is None:
            self.first = e
        self.latest = e
        self._hold(e)
        while self.nbytes > self.max_bytes and self.per_level > 2:
            self._rebuild(self.per_level // 2)
        while self.nbytes > self.max_bytes and len(self._by_epoch) > 2:  # huge networks
            oldest = min(x for x in self._by_epoch if x != self.first)
            self.nbytes -= self._by_epoch.pop(oldest).nbytes
            self._held.pop(oldest, None)
            for q in self._levels:
                if oldest in q:
                    q.remove(oldest)

    def _hold(self, e: int) -> None:
        k = self.per_level
        levels = self._levels
        for level in range(_level_count(e)):
            if level == len(levels):
                levels.append(deque())
            q = levels[level]
            q.append(e)
            self._held[e] = self._held.get(e, 0) + 1
            if len(q) > k:
                self._release(q.popleft())

    def _release(self, e: int) -> None:
        n = self._held[e] - 1
        if n:
            self._held[e] = n
            return
        del self._held[e]
        if e != self.first and e != self.latest:
            self.nbytes -= self._by_epoch.pop(e).nbytes

    def _rebuild(self, per_level: int) -> None:
        """Thin to ``per_level`` per level (after a cut, or to stay within the byte budget)."""
        kept = [self._by_epoch[e] for e in sorted(self._by_epoch)]
        self.per_level = per_level
        self.clear()
        for cp in kept:
            self.record(cp)

    def drop_after(self, epoch: int) -> None:
        """Forget every checkpoint after ``epoch`` (training went back there)."""
        if self.latest is None or self.latest <= epoch:
            return
        kept = [self._by_epoch[e] for e in sorted(self._by_epoch) if e <= epoch]
        self.clear()
        for cp in kept:
            self.record(cp)

    # ---------------------------------------------------------------- reading
    def epochs(self) -> list[int]:
        return sorted(self._by_epoch)

    def __len__(self) -> int:
        return len(self._by_epoch)

    def __contains__(self, epoch: int) -> bool:
        return epoch in self._by_epoch

    def get(self, epoch: int) -> TrainingCheckpoint:
        return self._by_epoch[epoch]

    def at_or_before(self, epoch: int) -> TrainingCheckpoint | None:
        """The recorded checkpoint nearest to ``epoch`` from below (None when there is none)."""
        best = None
        for e in self._by_epoch:
            if e <= epoch and (best is None or e > best):
                best = e
        return None if best is None else self._by_epoch[best]

    def checkpoints(self) -> list[TrainingCheckpoint]:
        return [self._by_epoch[e] for e in sorted(self._by_epoch)]

    def copy(self) -> CheckpointLadder:
        """An independent ladder holding the same (immutable) checkpoints."""
        c = CheckpointLadder(self.per_level, self.max_bytes)
        c._by_epoch = dict(self._by_epoch)
        c._held = dict(self._held)
        c._levels = [deque(q) for q in self._levels]
        c.first, c.latest, c.nbytes = self.first, self.latest, self.nbytes
        return c

    @classmethod
    def of(cls, checkpoints, per_level: int = PER_LEVEL, max_bytes: int = MAX_BYTES) -> CheckpointLadder:
        """A ladder holding ``checkpoints`` (in epoch order), e.g. those read from a file."""
        ladder = cls(per_level, max_bytes)
        for cp in sorted(checkpoints, key=lambda c: c.epoch):
            ladder.record(cp)
        return ladder

    def __repr__(self) -> str:
        span = f"epochs {self.first}..{self.latest}" if self._by_epoch else "empty"
        return f"CheckpointLadder({len(self)} checkpoints, {span}, {self.nbytes / 1e6:.2f} MB)"


def stride_for(capture_seconds: float, epoch_seconds: float, share: float = 0.05, most: int = 1024) -> int:
    """Record every k-th epoch (k a power of two) so that recording costs at most ``share`` of the
    training time: tiny networks train an epoch in a few µs, about what a checkpoint costs."""
    k = 1
    while k < most and capture_seconds > share * epoch_seconds * k:
        k *= 2
    return k


def count_bound(latest_epoch: int, per_level: int = PER_LEVEL) -> int:
    """The most checkpoints a ladder holds after ``latest_epoch`` epochs."""
    levels = max(1, int(latest_epoch).bit_length())
    return 1 + per_level * levels
