"""The training loop, Qt-free: batches per epoch, optimiser steps, loss history, stop conditions."""

from __future__ import annotations

import numpy as np

from . import optimizers
from .dataset import Dataset
from .engine import Engine
from .graph import Graph
from .settings import TrainingSettings


class Trainer:
    """Trains an :class:`Engine` on the training rows of a dataset with given settings.

    ``history`` holds one value per finished epoch: the mean of the batch losses met during that
    epoch (each measured before its update; for batch gradient descent, the dataset's loss at
    the start of the epoch). It is capped: past ``history_cap`` points it keeps every other one
    of the older half, so memory stays bounded however long training runs.
    """

    def __init__(self, engine: Engine, data: Dataset, settings: TrainingSettings,
                 history_cap: int = 1_000_000) -> None:
        self.engine = engine
        self.settings = settings.validate()
        engine.set_regularization(self.settings.regularization, self.settings.reg_rate)
        self.X, self.Y = data.train()
        if len(self.X) == 0:
            raise ValueError("the dataset has no training rows")
        if self.X.shape[1] != len(engine.input_ids) or self.Y.shape[1] != len(engine.output_ids):
            raise ValueError(
                f"the dataset has {self.X.shape[1]} inputs and {self.Y.shape[1]} targets but the "
                f"network has {len(engine.input_ids)} inputs and {len(engine.output_ids)} outputs"
            )
        self.optimizer = optimizers.make(self.settings, engine.n_params)
        self.rng = np.random.default_rng(self.settings.seed)
        self.epoch = 0
        self.steps = 0
        self.history: list[float] = []
        self.history_epochs: list[int] = []
        self.history_cap = history_cap
        self._batches: list[np.ndarray | None] = []
        self._pos = 0
        self._epoch_losses: list[float] = []
        self._new_epoch()

    # ---------------------------------------------------------------- batches
    def batch_size(self) -> int:
        n = len(self.X)
        mode = self.settings.mode
        return n if mode == "batch" else 1 if mode == "online" else min(self.settings.batch_size, n)

    def _new_epoch(self) -> None:
        n = len(self.X)
        size = self.batch_size()
        if size >= n and not self.settings.shuffle:
            self._batches = [None]  # the whole set, no copy
        else:
            order = self.rng.permutation(n) if self.settings.shuffle else np.arange(n)
            self._batches = [order[i:i + size] for i in range(0, n, size)]
        self._pos = 0
        self._epoch_losses = []

    def next_batch(self) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """The indices (None = all rows) and data of the batch the next step will use."""
        idx = self._batches[self._pos]
        if idx is None:
            return None, self.X, self.Y
        return idx, self.X[idx], self.Y[idx]

    @property
    def position(self) -> tuple[int, int]:
        """(batch number within the epoch, batches per epoch)."""
        return self._pos, len(self._batches)

    # ---------------------------------------------------------------- stepping
    def step(self) -> float:
        """One optimiser step on the next batch; returns that batch's loss before the update."""
        _, X, Y = self.next_batch()
        loss = self.engine.gradient(X, Y)
        self.optimizer.step(self.engine.theta, self.engine.grad)
        self.finish_step(loss)
        return loss

    def finish_step(self, loss: float) -> None:
        """Book-keeping after a step (also used by phase stepping, which updates by hand)."""
        self.steps += 1
        self._epoch_losses.append(loss)
        self._pos += 1
        if self._pos >= len(self._batches):
            self.epoch += 1
            losses = self._epoch_losses  # one loss per epoch in batch mode: skip np.mean's cost
            self._record(losses[0] if len(losses) == 1 else float(np.mean(losses)))
            self._new_epoch()

    def _record(self, loss: float) -> None:
        self.history.append(loss)
        self.history_epochs.append(self.epoch)
        if len(self.history) > self.history_cap:
            half = len(self.history) // 2
            self.history = self.history[:half:2] + self.history[half:]
            self.history_epochs = self.history_epochs[:half:2] + self.history_epochs[half:]

    def run_epoch(self) -> float:
        """Steps until the current epoch ends; returns the epoch's recorded loss."""
        start = self.epoch
        while self.epoch == start:
            self.step()
        return self.history[-1]

    def train(self, epochs: int) -> float:
        """Up to ``epochs`` epochs, fewer when a stop condition holds (none past one already met)."""
        if self.should_stop():
            return self.dataset_loss()
        for _ in range(epochs):
            loss = self.run_epoch()
            if not np.isfinite(loss) or self.should_stop():
                break
        return self.dataset_loss()

    def should_stop(self) -> bool:
        s = self.settings
        if s.max_epochs and self.epoch >= s.max_epochs:
            return True
        return bool(self.history) and self.history[-1] <= s.target_loss

    def dataset_loss(self) -> float:
        """Mean loss over the training rows with the current weights."""
        return self.engine.loss_of(self.X, self.Y)

    def reset_state(self) -> None:
        """Forget optimiser state, epoch and history (after re-initialising the weights)."""
        self.optimizer.reset()
        self.rng = np.random.default_rng(self.settings.seed)
        self.epoch = 0
        self.steps = 0
        self.history.clear()
        self.history_epochs.clear()
        self._new_epoch()

    def __repr__(self) -> str:
        last = f"{self.history[-1]:.6g}" if self.history else "-"
        return f"Trainer(epoch={self.epoch}, steps={self.steps}, loss={last}, {self.optimizer!r})"


def train_graph(graph: Graph, data: Dataset, settings: TrainingSettings, epochs: int) -> Trainer:
    """Compile, train ``epochs`` epochs and write the weights back into ``graph``."""
    engine = Engine(graph, settings.loss)
    trainer = Trainer(engine, data, settings)
    trainer.train(epochs)
    engine.write_to(graph)
    return trainer
