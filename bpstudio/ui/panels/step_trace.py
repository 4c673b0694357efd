"""Rebuild the StepTrace of the step a snapshot shows, on the GUI side (Qt-free).

Snapshots carry the traced batch's deltas, activations and gradients but not the weights the step
started from, which the worked arithmetic needs. The choice made here (see the arithmetic panel):
the GUI recomputes one small step with the core, which costs a few milliseconds for the small
networks a learner steps through, and only when the panel is visible and training is not running:

- a phase snapshot before the update carries the step's own starting weights: exact, update pending;
- a snapshot one step after the previous one seen: start = the previous snapshot's weights,
  end = this snapshot's weights (exact for every optimiser, the update is the worker's own);
- otherwise (the first snapshot seen, or steps skipped while running): a preview of the next
  step from the current weights, its update applied by a fresh optimiser (exact for plain
  gradient descent), and said to be a preview.

Before any snapshot (and after an edit while not training), :func:`preview_next_step` previews
the next step straight from the document's graph, dataset and settings: nothing is applied.

A snapshot may also carry the worker's own trace as ``snapshot.trace``; then that one is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpstudio.core import optimizers
from bpstudio.core.engine import Engine
from bpstudio.core.trace import StepTrace, trace_step
from bpstudio.core.trainer import Trainer
from bpstudio.training.snapshot import BACKWARD, FORWARD, LOSS, UPDATE

MAX_UNITS = 200  # bigger networks get a note instead of the arithmetic


class TraceUnavailable(Exception):
    """Why there is no arithmetic to show, in plain words."""


@dataclass
class Recalled:
    trace: StepTrace
    title: str  # "Step 3 (all 4 samples)", "Next step (preview) ..."
    exact: bool
    phase: object = None  # the Phase shown, when walking a step phase by phase
    preview: bool = False  # a step not taken yet (nothing applied)
    context: str = ""  # the mode: which samples a step uses, how its update combines them


def line_shown(line, phase, depth_of: dict) -> bool:
    """Whether a worked-arithmetic line belongs to what the step has reached at ``phase``.

    forward d: the conventions and the forward lines up to depth d; loss: also the loss;
    backward d: also the deltas of depth d and deeper; update (or no phase): everything."""
    if phase is None or phase.kind == UPDATE:
        return True
    sec = line.section
    depth = depth_of.get(line.unit) if line.unit is not None else None
    if sec in ("conventions",):
        return True
    if sec == "forward":
        return phase.kind != FORWARD or depth is None or depth <= phase.depth
    if sec == "loss":
        return phase.kind in (LOSS, BACKWARD)
    if sec == "deltas":
        if phase.kind != BACKWARD:
            return False
        return depth >= phase.depth if depth is not None else phase.depth <= 1
    return False  # updates wait for the update phase


NOTHING_APPLIED = "nothing applied yet"


def mode_context(settings, trace: StepTrace) -> str:
    """One sentence on the samples a step uses and how its update combines them."""
    rows = ", ".join(str(int(r) + 1) for r in trace.sample_indices[:6])
    rows += ", …" if trace.n_samples > 6 else ""
    n = trace.n_samples
    mode = {"batch": "Batch", "online": "Online", "minibatch": "Mini-batch"}.get(settings.mode,
                                                                               settings.mode)
    if n == 1:
        return f"{mode} mode: a step uses one sample (row {rows}); the update uses its gradient alone."
    return (f"{mode} mode: a step uses {'all ' if settings.mode == 'batch' else ''}{n} samples "
            f"(rows {rows}); each update uses the mean of their gradients.")


def preview_next_step(graph, dataset, settings) -> Recalled:
    """The next step from the document's own weights, on the batch a fresh start would take
    first; its update is computed, not applied. Raises TraceUnavailable with the reason."""
    n_units = sum(1 for _ in graph)
    if n_units > MAX_UNITS:
        raise TraceUnavailable(
            f"This network has {n_units} units: the worked arithmetic is written out only for "
            f"networks of up to {MAX_UNITS} units.")
    X_train, _ = dataset.train()
    if len(X_train) == 0:
        raise TraceUnavailable("The dataset has no training rows: mark some rows as train to see "
                               "the arithmetic of a step.")
    try:
        engine = Engine(graph.copy(), settings.loss)
        trainer = Trainer(engine, dataset, settings)
        idx, X, Y = trainer.next_batch()
        idx = np.arange(len(X)) if idx is None else idx
        tr = trace_step(engine, X, Y, idx, settings.learning_rate, settings.optimizer)
        optimizers.make(settings, engine.n_params).step(engine.theta, engine.grad)
        tr.record_update(engine)
    except (ValueError, KeyError, IndexError) as exc:
        raise TraceUnavailable(f"No arithmetic to show yet: {exc}") from None
    return Recalled(tr, f"Preview of the next step — {NOTHING_APPLIED}.", True, preview=True,
                    context=mode_context(settings, tr))


def _set_params(engine: Engine, edge_keys, weights, bias_ids, biases) -> None:
    w = dict(zip(edge_keys, np.asarray(weights, dtype=float)))
    b = dict(zip(bias_ids, np.asarray(biases, dtype=float)))
    engine.theta[engine.edge_slots] = [w[k] for k in engine.edge_keys]
    engine.theta[engine.bias_slots] = [b[u] for u in engine.bias_ids]


class StepRecall:
    """Follows snapshots and rebuilds the trace of the step the latest one shows."""

    def __init__(self) -> None:
        self.prev = None  # the last snapshot taken between steps (no phase, or the update)

    def forget(self) -> None:
        self.prev = None

    def note(self, snap) -> None:
        """Remember a snapshot's weights as the start of the next step (call for every snapshot)."""
        if snap.phase is None or snap.phase.kind == UPDATE:
            self.prev = snap

    def recall(self, snap, graph, dataset, settings, prev=None) -> Recalled:
        """The trace of the step ``snap`` shows (see the module notes), with the mode's context;
        raises TraceUnavailable.

        ``prev``: the between-steps snapshot seen before ``snap`` (default: the last one noted)."""
        r = self._recall(snap, graph, dataset, settings, prev)
        r.context = mode_context(settings, r.trace)
        return r

    def _recall(self, snap, graph, dataset, settings, prev=None) -> Recalled:
        if len(snap.unit_ids) > MAX_UNITS:
            raise TraceUnavailable(
                f"This network has {len(snap.unit_ids)} units: the worked arithmetic is written out "
                f"only for networks of up to {MAX_UNITS} units (the deltas and the loss still show).")
        own = getattr(snap, "trace", None)
        if isinstance(own, StepTrace):
            if snap.phase is not None:
                title = f"The step in progress: {snap.phase.label}"
            elif own.applied:
                title = f"Step {snap.steps} ({snap.batch_label or f'{own.n_samples} samples'})"
            else:
                title = f"Preview of the next step — {NOTHING_APPLIED}."
            return Recalled(own, title, True, snap.phase, preview=not own.applied and snap.phase is None)
        topo = (tuple(snap.unit_ids), tuple(snap.edge_keys))
        if set(topo[0]) != set(graph.nodes) or set(topo[1]) != set(graph.edges):
            raise TraceUnavailable("The network has changed since this step: take a step to see "
                                   "its arithmetic.")
        try:
            engine = Engine(graph.copy(), settings.loss)
        except ValueError as exc:
            raise TraceUnavailable(str(exc)) from None
        X_train, Y_train = dataset.train()
        if len(X_train) == 0:
            raise TraceUnavailable("The dataset has no training rows.")
        lr, opt = settings.learning_rate, settings.optimizer
        phase = snap.phase
        prev = self.prev if prev is None else prev
        if snap.sample_indices is not None and phase is not None and phase.kind != UPDATE:
            _set_params(engine, snap.edge_keys, snap.weights, snap.bias_ids, snap.biases)
            idx = np.asarray(snap.sample_indices, dtype=int)
            tr = trace_step(engine, X_train[idx], Y_train[idx], idx, lr, opt)
            return Recalled(tr, f"Step {snap.steps + 1}, {phase.label}", True, phase)
        if (snap.sample_indices is not None and prev is not None and prev is not snap
                and prev.steps == snap.steps - 1
                and (tuple(prev.unit_ids), tuple(prev.edge_keys)) == topo):
            _set_params(engine, prev.edge_keys, prev.weights, prev.bias_ids, prev.biases)
            idx = np.asarray(snap.sample_indices, dtype=int)
            tr = trace_step(engine, X_train[idx], Y_train[idx], idx, lr, opt)
            _set_params(engine, snap.edge_keys, snap.weights, snap.bias_ids, snap.biases)
            tr.record_update(engine)
            return Recalled(tr, f"Step {snap.steps} ({snap.batch_label or f'{len(idx)} samples'})", True)
        # a preview: the next step from the current weights
        _set_params(engine, snap.edge_keys, snap.weights, snap.bias_ids, snap.biases)
        trainer = Trainer(engine, dataset, settings)
        idx, X, Y = trainer.next_batch()
        if snap.steps > 0 and snap.sample_indices is not None:
            idx = np.asarray(snap.sample_indices, dtype=int)
            X, Y = X_train[idx], Y_train[idx]
        if idx is None:
            idx = np.arange(len(X))
        tr = trace_step(engine, X, Y, idx, lr, opt)
        optimizers.make(settings, engine.n_params).step(engine.theta, engine.grad)
        tr.record_update(engine)
        exact = snap.steps == 0 or opt == "gd"
        what = "" if snap.steps == 0 else " on the same samples"
        return Recalled(tr, f"Preview of the next step{what} — {NOTHING_APPLIED}.", exact, preview=True)

    def __repr__(self) -> str:
        return f"StepRecall(prev={self.prev!r})"
