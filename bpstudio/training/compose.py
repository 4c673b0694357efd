"""Build a frozen :class:`Snapshot` from a :class:`TrainingSession` (Qt-free, runs in the worker)."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np

from . import observe
from .phases import reveal
from .rewind import timeline_fields
from .session import TrainingSession
from .snapshot import Snapshot, frozen


def _frozen_trace(trace):
    """A deep, read-only copy of a StepTrace for the GUI thread."""
    c = copy.deepcopy(trace)
    for f in dataclasses.fields(c):
        v = getattr(c, f.name)
        if isinstance(v, np.ndarray):
            v.setflags(write=False)
    return c


def _read_only(trace):
    for f in dataclasses.fields(trace):
        v = getattr(trace, f.name)
        if isinstance(v, np.ndarray):
            v.setflags(write=False)
    return trace


def _new_history(s: TrainingSession) -> tuple[np.ndarray, np.ndarray]:
    """History points recorded after epoch ``s.sent_epoch`` (all of them after a reset)."""
    t = s.trainer
    epochs, losses = t.history_epochs, t.history
    i = len(epochs)
    while i > 0 and epochs[i - 1] > s.sent_epoch:
        i -= 1
    return np.array(epochs[i:], dtype=float), np.array(losses[i:], dtype=float)


def _at_last(n: int, value: float | None) -> np.ndarray | None:
    """An array of ``n`` NaNs with ``value`` at the end (None when there is no value)."""
    if value is None:
        return None
    out = np.full(n, np.nan)
    if n:
        out[-1] = value
    return frozen(out)


def make_snapshot(s: TrainingSession, final: bool = False, generation: int = 0,
                  boundary: bool = True, fresh_trace: bool = False) -> Snapshot:
    """The session's state now; ``final`` (a pause, a step, a stop) adds diagnostics and a grid.
    ``boundary=False``: no decision-boundary grid in a running snapshot (nobody can see it)."""
    e, t = s.engine, s.trainer
    reset = s.history_reset
    new_epochs, new_losses = _new_history(s)
    n_new = len(new_epochs)
    if n_new:
        s.sent_epoch = int(new_epochs[-1])
    s.history_reset = False
    with np.errstate(all="ignore"):
        measured = n_new > 0 and np.isfinite(e.theta).all()
        test_loss = s.metrics.test_loss(e) if measured else None
        train_acc = s.metrics.train_accuracy(e) if measured else None
        test_acc = s.metrics.test_accuracy(e) if measured else None
        grad_norms, weight_norms = observe.layer_norms(e)
        wanted = (final or boundary) and np.isfinite(e.theta).all()
        pics = s.boundary.make(e, final) if wanted else observe.Pictures()
        grid, thumbs = pics.grid, pics.thumbs
    diagnostics = ()
    if final:
        try:
            diagnostics = observe.diagnose(s.graph, e)
        except Exception:  # a diagnostic must never stop training
            diagnostics = ()
    loss = t.history[-1] if t.history else s.last_loss
    fields = dict(
        epoch=t.epoch, steps=t.steps, loss=float(loss), state=s.state,
        unit_ids=tuple(e.unit_ids), edge_keys=tuple(e.edge_keys),
        weights=frozen(e.theta[e.edge_slots]), bias_ids=tuple(e.bias_ids),
        biases=frozen(e.theta[e.bias_slots]),
        new_epochs=frozen(new_epochs), new_losses=frozen(new_losses),
        new_test_losses=_at_last(n_new, test_loss), new_accuracy=_at_last(n_new, train_acc),
        new_test_accuracy=_at_last(n_new, test_acc), history_len=len(t.history),
        history_reset=reset,
        layer_grad_norms=frozen(grad_norms), layer_weight_norms=frozen(weight_norms),
        boundary=frozen(grid), boundary_extent=s.boundary.extent if grid is not None else None,
        boundary_classes=pics.classes, fit=pics.fit,
        hidden_thumbnails=({k: frozen(v) for k, v in thumbs.items()} if thumbs else None),
        diagnostics=diagnostics, message=s.message, non_finite=s.non_finite,
        non_finite_record=s.non_finite_record if s.non_finite else None,
        phases=tuple(s.plan), generation=generation,
    )
    fields.update(timeline_fields(s))
    finite = s.finite_parameters()
    if finite is not None:
        fields.update(finite_weights=frozen(finite[e.edge_slots]),
                      finite_biases=frozen(finite[e.bias_slots]))
    if s.trace is not None:
        fields.update(_trace_fields(s, fresh_trace))
    return Snapshot(**fields)


def _trace_fields(s: TrainingSession, fresh: bool = False) -> dict:
    """``fresh``: the trace is new and the session never changes it again (a view of a past epoch):
    its arrays are made read-only in place instead of copied."""
    tr = s.trace
    idx = np.array(tr.sample_indices, dtype=np.intp, copy=True)
    idx.setflags(write=False)
    out = dict(sample_indices=idx, batch_label=s.batch_label,
               trace=_read_only(tr) if fresh else _frozen_trace(tr))
    if s.walking:
        i = s.phase_index
        r = reveal(tr, len(s.plan) // 2 - 1, i)
        out.update(net_input=frozen(r.net_input), activation=frozen(r.activation),
                   delta=frozen(r.delta), weight_grad=frozen(r.weight_grad),
                   bias_grad=frozen(r.bias_grad), phase=s.plan[i], phase_index=i,
                   next_phase=s.plan[i + 1] if i + 1 < len(s.plan) else s.plan[0],
                   batch_loss=tr.loss if r.loss_known else None)
    else:
        out.update(net_input=frozen(tr.net_input), activation=frozen(tr.activation),
                   delta=frozen(tr.delta), weight_grad=frozen(tr.weight_grad),
                   bias_grad=frozen(tr.bias_grad), batch_loss=tr.loss)
    if tr.applied:
        out.update(weight_change=frozen(tr.weight_new - tr.weight_old),
                   bias_change=frozen(tr.bias_new - tr.bias_old))
    return out
