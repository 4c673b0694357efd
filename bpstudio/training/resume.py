"""Continue a saved project where it stopped: its epoch count and loss history (Qt-free)."""

from __future__ import annotations

from ..core.project import Project


def saved_progress(project: Project) -> tuple[int, tuple[int, ...], tuple[float, ...]]:
    """(epoch, the epoch of each history point, the losses) a project file says were trained."""
    epochs = project.history_epochs()
    epoch = max(int(project.epoch), epochs[-1] if epochs else 0)
    return epoch, tuple(epochs), tuple(float(v) for v in project.loss_history)


def resume(session, epoch: int, epochs, losses) -> None:
    """Start a new, untrained ``session`` at ``epoch`` with the saved history; its next snapshot
    carries the whole history (``history_reset``). The optimiser's state (momentum, Adam's moments)
    and the shuffle order start afresh: a project file holds neither."""
    t = session.trainer
    t.epoch = int(epoch)
    t.history = [float(v) for v in losses]
    t.history_epochs = [int(e) for e in epochs]
    session.history_reset, session.sent_epoch = True, 0
