"""Continue a saved project where it stopped: its epoch count and loss history (Qt-free)."""

from __future__ import annotations

import numpy as np

from ..core.checkpoints import restore
from ..core.project import Project


def saved_progress(project: Project) -> tuple[int, range, tuple[float, ...]]:
    """(epoch, the epoch of each history point, the losses) a project says were trained; cheap
    (a range, one tuple copy), as the controller sends it with every load."""
    n = len(project.loss_history)
    epoch = max(int(project.epoch), n)  # numbered as Project.history_epochs numbers them
    return epoch, range(epoch - n + 1, epoch + 1), tuple(project.loss_history)


def resume(session, epoch: int, epochs, losses, checkpoints=()) -> None:
    """Start a new, untrained ``session`` at ``epoch`` with the saved history; its next snapshot
    carries the whole history (``history_reset``). The optimiser's state (momentum, Adam's moments)
    and the shuffle order start afresh, unless the file's latest checkpoint (format version 2) is of
    this epoch and these weights: then training continues exactly as it would have."""
    t = session.trainer
    t.epoch = int(epoch)
    t.history = [float(v) for v in losses]
    t.history_epochs = [int(e) for e in epochs]
    session.history_reset, session.sent_epoch = True, 0
    ladder = session.checkpoints
    ladder.clear()
    n = session.engine.n_params
    usable = [cp for cp in checkpoints if len(cp.theta) == n and cp.epoch <= t.epoch]
    if usable and usable[-1].epoch == t.epoch and np.array_equal(usable[-1].theta, session.engine.theta):
        restore(t, usable[-1])  # the optimiser's state and the shuffle order as they were
    for cp in usable:
        ladder.record(cp)
    if t.epoch not in ladder:
        session.record_checkpoint()
