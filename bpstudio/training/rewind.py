"""Rewind (Qt-free, runs in the worker): view a recorded epoch, branch from it, undo the branch.

- :func:`view_snapshot` shows epoch N as training had it: its weights, and the next step's
  forward/backward and update computed afresh from the checkpoint on a private viewer session
  (the live session is not touched).
- :func:`branch_to` ("Continue from here") puts the live session back at epoch N. The line it
  leaves (weights, optimiser, history, later checkpoints) is kept under a token: the timeline shows
  it dimmed until the branch is *confirmed* by the first training step after it, and
  :func:`unbranch` (the command's undo) restores it exactly, confirmed or not.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..core.checkpoints import CheckpointLadder, TrainingCheckpoint, restore
from .checkpoint import Checkpoint
from .session import PAUSED, SessionError, TrainingSession
from .snapshot import frozen


@dataclass
class SavedLine:
    """The whole training state a branch left: enough to come back to it exactly."""

    state: Checkpoint  # weights, optimiser, trainer (epoch, history, rng, batch order)
    ladder: CheckpointLadder
    last_loss: float
    branch: Branch | None  # the branch that was pending then (branches can nest)


@dataclass
class Branch:
    epoch: int  # where training went back to
    token: int  # the key of the line it left in ``session.saved_lines``
    confirmed: bool = False  # True after the first training step on the branch


def _find(s: TrainingSession, epoch: int) -> TrainingCheckpoint:
    """The checkpoint of ``epoch`` on the timeline (also in a pending branch's later history)."""
    if epoch in s.checkpoints:
        return s.checkpoints.get(epoch)
    b = s.branch
    if b is not None and not b.confirmed:
        ladder = s.saved_lines[b.token].ladder
        if epoch in ladder:
            return ladder.get(epoch)
    raise SessionError(f"epoch {epoch} has no checkpoint on the timeline")


# ---------------------------------------------------------------------------- viewing
def _viewer(s: TrainingSession) -> TrainingSession:
    """A private session on the same network, data and settings (made again after a rebuild)."""
    key = (id(s.engine), tuple(sorted(s.settings.to_dict().items())), id(s.dataset))
    v = getattr(s, "_viewer_session", None)
    if v is None or s._viewer_key != key:
        v = TrainingSession(s.graph.copy(), s.dataset, s.settings)
        s._viewer_session, s._viewer_key = v, key
    return v


VIEW_CACHE = 64  # past-epoch snapshots kept (a 2-16-16-1 view is ~0.2 MB): scrubbing back and forth
#                 shows the same epochs again and again


def view_snapshot(s: TrainingSession, epoch: int, generation: int = 0, sample: int | None = None):
    """A paused snapshot of epoch ``epoch``: its weights, the deltas of the next step and the update
    that step makes, recomputed exactly from the checkpoint (the live session is not changed).
    ``sample``: also write out that sample's worked arithmetic here, off the GUI thread.

    The same checkpoint seen again (same viewer session: same network, data and settings) comes from a
    small cache, with the timeline's fields brought up to date."""
    cp = _find(s, epoch)
    v = _viewer(s)
    cache = getattr(s, "_view_cache", None)
    if cache is None or cache[0] is not v:
        cache = s._view_cache = (v, OrderedDict())
    key = (epoch, sample, generation)
    hit = cache[1].get(key)
    if hit is not None and hit[0] is cp:
        cache[1].move_to_end(key)
        return dataclasses.replace(hit[1], **timeline_fields(s))
    snap = _compute_view(s, v, cp, generation, sample)
    cache[1][key] = (cp, snap)
    if len(cache[1]) > VIEW_CACHE:
        cache[1].popitem(last=False)
    return snap


def _compute_view(s: TrainingSession, v: TrainingSession, cp, generation: int, sample: int | None):
    from .compose import make_snapshot  # compose imports this module

    restore(v.trainer, cp)
    v.trainer.history, v.trainer.history_epochs = [], []
    v.state, v.message, v.non_finite = PAUSED, "", None
    v.history_reset, v.branch = False, None
    v.last_loss = cp.loss
    v.checkpoints = s.checkpoints  # timeline fields as the live session's
    v.branch, v.saved_lines = s.branch, s.saved_lines
    v._drop_trace()
    idx, X, Y = v.trainer.next_batch()
    e = v.engine
    with np.errstate(all="ignore"):
        trace = v._trace_of(idx, X, Y)
        v.trainer.optimizer.step(e.theta, e.grad)  # the update the next step makes ...
        trace.record_update(e)
        e.theta[:] = cp.theta  # ... shown beside the weights of epoch N
    v.trace, v.trace_kind, v.batch_label = trace, "preview", v._batch_label(X)
    snap = make_snapshot(v, final=True, generation=generation, fresh_trace=True)
    # steps: the trace is of the step taken from epoch N, the (steps + 1)-th (panels name it so)
    return dataclasses.replace(snap, epoch=cp.epoch, steps=cp.steps + 1, loss=cp.loss, viewing_epoch=cp.epoch,
                               new_epochs=frozen(np.zeros(0)), new_losses=frozen(np.zeros(0)),
                               explained=_explained(trace, v.graph, sample))


def _explained(trace, graph, sample: int | None):
    """(sample, lines) of the worked arithmetic, or None (no sample asked for, or not explainable)."""
    if sample is None or not 0 <= sample < trace.n_samples:
        return None
    try:
        from ..core.explain import explain_lines
        return sample, tuple(explain_lines(trace, graph, sample))
    except Exception:  # noqa: BLE001 - the panel then writes it out itself
        return None


# ---------------------------------------------------------------------------- branching
def branch_to(s: TrainingSession, epoch: int, token: int) -> None:
    """Continue from ``epoch``: the session goes back there; the line it leaves is kept (``token``)."""
    cp = _find(s, epoch)
    saved = SavedLine(Checkpoint(s.trainer), s.checkpoints.copy(), s.last_loss, s.branch)
    source = s.checkpoints if epoch in s.checkpoints else s.saved_lines[s.branch.token].ladder
    restore(s.trainer, cp)
    s.checkpoints = source.copy()
    s.checkpoints.drop_after(epoch)
    s.saved_lines[token] = saved
    s.branch = Branch(epoch, token)
    _settle(s, cp.loss)


def unbranch(s: TrainingSession, token: int) -> None:
    """Undo :func:`branch_to`: the line it left comes back exactly (weights, optimiser, history)."""
    saved = s.saved_lines.get(token)
    if saved is None:
        raise SessionError("the training before this branch is gone (the network was rebuilt since), "
                           "so undoing the branch leaves the weights as they are")
    saved.state.restore(s.trainer)
    s.checkpoints = saved.ladder.copy()
    s.branch = saved.branch
    _settle(s, saved.last_loss)


def confirm(s: TrainingSession) -> None:
    """The first training step on a branch: the later history leaves the timeline (undo keeps it)."""
    if s.branch is not None:
        s.branch.confirmed = True


def _settle(s: TrainingSession, loss: float) -> None:
    s._drop_trace()
    s.last_loss = loss if np.isfinite(loss) else s.trainer.dataset_loss()
    s.last_finite = s._finite_copy()
    s.state, s.message, s.non_finite = PAUSED, "", None
    s.history_reset, s.sent_epoch = True, 0


# ---------------------------------------------------------------------------- snapshot fields
def timeline_fields(s: TrainingSession) -> dict:
    """What the timeline needs from every snapshot: the checkpoints (immutable, shared, not copied)
    and, while a branch is pending, the later history it left (shown dimmed)."""
    out = dict(checkpoints=tuple(s.checkpoints.checkpoints()))
    b = s.branch
    if b is not None and not b.confirmed:
        saved = s.saved_lines[b.token]
        later = [cp for cp in saved.ladder.checkpoints() if cp.epoch > b.epoch]
        h = saved.state.trainer
        pairs = [(e, v) for e, v in zip(h["history_epochs"], h["history"]) if e > b.epoch]
        out.update(branch_epoch=b.epoch, later_checkpoints=tuple(later),
                   later_epochs=frozen([e for e, _ in pairs]), later_losses=frozen([v for _, v in pairs]))
    return out
