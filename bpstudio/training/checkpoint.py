"""A checkpoint of one training update, so stepping back over it is exact (Qt-free)."""

from __future__ import annotations

import copy

from ..core.trainer import Trainer


def trainer_state(t: Trainer) -> dict:
    return {"epoch": t.epoch, "steps": t.steps, "history": list(t.history),
            "history_epochs": list(t.history_epochs), "_batches": list(t._batches),
            "_pos": t._pos, "_epoch_losses": list(t._epoch_losses), "rng": copy.deepcopy(t.rng)}


class Checkpoint:
    """Everything one update changes, so stepping back over it is exact."""

    def __init__(self, trainer: Trainer) -> None:
        self.theta = trainer.engine.theta.copy()
        self.optimizer = copy.deepcopy(trainer.optimizer)
        self.trainer = trainer_state(trainer)

    def restore(self, trainer: Trainer) -> None:
        trainer.engine.theta[:] = self.theta
        self.optimizer.settings = trainer.settings
        trainer.optimizer = copy.deepcopy(self.optimizer)
        for k, v in self.trainer.items():
            setattr(trainer, k, copy.copy(v))
