"""A training session, Qt-free: the state machine the worker drives.

States: idle (nothing trained yet) → running ⇄ paused; running → finished (a stop condition) or
diverged (NaN/inf or an exploding loss). Step sizes: one epoch, one batch, one sample (one step of
the chosen mode) or one *phase* of a step (see :mod:`bpstudio.training.phases`).

Full-speed training runs ``Trainer.step`` in time-boxed chunks with no trace. A trace is made only
when someone will look at it: phase stepping, single steps, and the state shown after a pause.
The session owns a private copy of the graph; edits arrive as a new copy (:meth:`apply_graph`).
"""

from __future__ import annotations

import time

import numpy as np

from ..core import optimizers
from ..core.checkpoints import CheckpointLadder, capture, stride_for
from ..core.dataset import Dataset
from ..core.engine import Engine
from ..core.graph import Graph
from ..core.settings import TrainingSettings
from ..core.trace import StepTrace, trace_step
from ..core.trainer import Trainer
from .checkpoint import Checkpoint
from .divergence import culprit, divergence_message
from .observe import BoundaryMaker, Metrics
from .phases import phase_plan
from .snapshot import UPDATE, Phase

IDLE, RUNNING, PAUSED, FINISHED, DIVERGED = "idle", "running", "paused", "finished", "diverged"
STATES = (IDLE, RUNNING, PAUSED, FINISHED, DIVERGED)
GRANULARITIES = ("epoch", "batch", "sample", "phase")
EXPLODE_FACTOR = 1e6  # a loss above this × the initial loss has exploded
EXPLODE_LIMIT = 1e12  # ... and so has any loss above this
MAX_TRACE_ROWS = 20_000  # bigger batches train without a per-sample trace
# the session only needs recent history (new points go to the views, which keep their own); past
# this many points the trainer thins the older half, so 10⁶ steps stay within a few MB
HISTORY_CAP = 20_000


class SessionError(ValueError):
    """Something the session cannot do now, said in plain words."""


def topology(graph: Graph) -> tuple:
    """What decides the compiled arrays: units (id, role, activation) and edges, in order."""
    return tuple((n.id, n.role, n.activation) for n in graph), tuple(graph.edges)


class TrainingSession:
    """Engine + Trainer + the state machine, phases and edits between steps."""

    def __init__(self, graph: Graph, dataset: Dataset, settings: TrainingSettings) -> None:
        self.graph = graph
        self.dataset = dataset
        self.settings = TrainingSettings(**settings.to_dict()).validate()
        self.state = IDLE
        self.message = ""
        self.non_finite: str | None = None
        self.non_finite_record: object = None  # its unit id or edge key (read with non_finite)
        self.history_reset = True  # the first snapshot tells the views to start afresh
        self.sent_epoch = 0
        self.checkpoints = CheckpointLadder()  # the timeline: see bpstudio/core/checkpoints.py
        self.branch = None  # set by "Continue from here" (bpstudio/training/rewind.py)
        self.saved_lines: dict = {}  # token -> the line a branch left (rewind.SavedLine)
        self.checkpoint_every = 1  # free-running play of a tiny network records every k-th epoch
        self.capture_cost = 0.0  # seconds one checkpoint takes (the least seen)
        self._build(keep=None)

    # ------------------------------------------------------------------ building
    def _build(self, keep: Trainer | None) -> None:
        engine = Engine(self.graph, self.settings.loss)
        trainer = Trainer(engine, self.dataset, self.settings, history_cap=HISTORY_CAP)
        if keep is not None:
            self._carry_progress(keep, trainer)
        self.engine, self.trainer = engine, trainer
        self.plan: list[Phase] = phase_plan(len(engine.layers))
        self.metrics = Metrics(self.dataset)
        self.boundary = BoundaryMaker(trainer.X, self.dataset)
        self._drop_trace()
        self.last_finite = None  # a new engine: the parameters may have another length
        self.last_finite = self._finite_copy()
        if keep is None:
            self.initial_loss = trainer.dataset_loss()
            self.last_loss = self.initial_loss
        # another network, loss or data: earlier checkpoints (and lines left by branches) do not fit
        self.checkpoints.clear()
        self.branch, self.saved_lines = None, {}
        self.record_checkpoint()
        lim = max(EXPLODE_FACTOR * self.initial_loss, 1e3) if np.isfinite(self.initial_loss) else 1e3
        self.explode_at = min(EXPLODE_LIMIT, lim)

    @staticmethod
    def _carry_progress(old: Trainer, new: Trainer) -> None:
        """Keep epoch, steps and history across a rebuild (the optimiser starts afresh)."""
        new.epoch, new.steps = old.epoch, old.steps
        new.history, new.history_epochs = old.history, old.history_epochs

    def _drop_trace(self) -> None:
        self.trace: StepTrace | None = None
        self.trace_kind = ""  # "phase" (walking a step), "step" (a traced step), "preview"
        self.phase_index: int | None = None
        self.batch_label = ""
        self._checkpoint: Checkpoint | None = None
        self._grad: np.ndarray | None = None

    # ------------------------------------------------------------------ edits between steps
    def apply_graph(self, graph: Graph) -> bool:
        """Take an edited copy of the graph; returns True when the network had to be recompiled.

        Same topology: the numbers are re-read (a typed weight counts from the next step).
        New topology: recompile, keeping epoch and history; the optimiser state starts afresh.
        """
        same = topology(graph) == topology(self.graph)
        old = self.graph
        self.graph = graph
        try:
            if same:
                self.engine.read_from(graph)
                self._drop_trace()
                self.last_finite = self._finite_copy()
            else:
                self._build(keep=self.trainer)
        except Exception:
            self.graph = old
            raise
        self._recover()
        return not same

    def configure(self, settings: TrainingSettings) -> None:
        """New settings: live where possible (learning rate, stop conditions), else a rebuild."""
        new = TrainingSettings(**settings.to_dict()).validate()
        old, self.settings = self.settings, new
        t = self.trainer
        if new.loss != old.loss:
            self.engine.write_to(self.graph)
            self._build(keep=t)
        elif (new.mode, new.batch_size, new.shuffle, new.seed) != (
                old.mode, old.batch_size, old.shuffle, old.seed):
            fresh = Trainer(self.engine, self.dataset, new, history_cap=HISTORY_CAP)
            self._carry_progress(t, fresh)
            if new.optimizer == old.optimizer:
                fresh.optimizer = t.optimizer
                fresh.optimizer.settings = fresh.settings
            self.trainer = fresh
            self._drop_trace()
        else:
            t.settings = new
            if new.optimizer != old.optimizer:
                t.optimizer = optimizers.make(new, self.engine.n_params)
                self._drop_trace()
            else:
                t.optimizer.settings = new
        self._recover()

    def set_dataset(self, dataset: Dataset) -> None:
        old = self.dataset
        self.dataset = dataset
        try:
            self._build(keep=self.trainer)
        except Exception:
            self.dataset = old
            raise
        self._recover()

    def reset(self, graph: Graph) -> None:
        """Start afresh from (re-initialised) weights: epoch 0, empty history, optimiser reset."""
        self.graph = graph
        self._build(keep=None)
        self.state, self.message, self.non_finite = IDLE, "", None
        self.history_reset, self.sent_epoch = True, 0

    def _recover(self) -> None:
        """After an edit: a diverged or finished session may go on if its numbers allow."""
        if self.state in (DIVERGED, FINISHED) and np.isfinite(self.engine.theta).all():
            if not self.trainer.should_stop():
                self.state, self.message, self.non_finite = PAUSED, "", None

    # ------------------------------------------------------------------ running
    def play(self) -> bool:
        """Enter the running state, or say in ``message`` why not."""
        if not np.isfinite(self.engine.theta).all():
            self.state = DIVERGED
            self.non_finite, self.non_finite_record = culprit(self.engine, self.trainer.next_batch()[1])
            self.message = ("Some weights are not numbers any more: reset the weights "
                            "(and choose a smaller learning rate) before training again.")
            return False
        if self.trainer.should_stop():
            self.state = FINISHED
            self.message = self._stop_reason() + " Raise the limit or reset the weights to go on."
            return False
        self._drop_trace()
        self.state, self.message, self.non_finite = RUNNING, "", None
        return True

    def pause(self) -> None:
        if self.state == RUNNING:
            self.state = PAUSED
        if self.trainer.epoch not in self.checkpoints:
            self.record_checkpoint()  # the epoch training stopped at (between every k-th)
        self.preview()

    def run(self, budget: float, until_epoch: int | None = None, max_steps: int | None = None,
            gate=None) -> int:
        """Train untraced for about ``budget`` seconds (or to an epoch, or a step count).

        ``gate`` (a :class:`~bpstudio.training.gate.GuiGate`): between steps, wait while the GUI
        thread is busy, so that it never waits for the GIL."""
        if self.trace_kind:
            self._drop_trace()
        t = self.trainer
        step, explode_at, clock = t.step, self.explode_at, time.perf_counter
        theta, copyto = self.engine.theta, np.copyto
        # the parameters before this step and before the previous one: after an overflow the
        # last finite ones are among them (one small copy per step, ~1 % of a 2-3-1 step)
        before, older = np.empty_like(theta), np.empty_like(theta)
        start = clock()
        n = 0
        loss = self.last_loss
        first_epoch, every = t.epoch, self.checkpoint_every - 1
        while True:
            if gate is not None and gate.busy and gate.should_yield():
                gate.wait()
            before, older = older, before
            copyto(before, theta)
            loss = step()
            n += 1
            if not t._pos and not t.epoch & every:  # an epoch has just ended: its checkpoint
                self.record_checkpoint()
            if not loss <= explode_at:  # also catches NaN
                self.last_loss = loss
                self._remember_finite(before, older if n > 1 else None)
                self._diverge(loss)
                return n
            if t.should_stop():
                self.last_loss = loss
                self._finish()
                return n
            if until_epoch is not None and t.epoch >= until_epoch:
                break
            if max_steps is not None and n >= max_steps:
                break
            if (n & 7) == 0 and clock() - start >= budget:
                break
        self.last_loss = loss
        if until_epoch is None and max_steps is None and t.epoch - first_epoch >= 8:
            self.checkpoint_every = stride_for(self.capture_cost, (clock() - start) / (t.epoch - first_epoch))
        if not np.isfinite(theta).all():
            self._remember_finite(before, older if n > 1 else None)
            self._diverge(float("nan"))
        return n

    def _remember_finite(self, *candidates) -> None:
        """Keep the newest finite parameters among ``candidates`` (newest first) as last_finite."""
        for c in candidates:
            if c is not None and np.isfinite(c).all():
                self.last_finite = c.copy()
                return

    def step_traced(self) -> StepTrace | None:
        """One optimiser step on the next batch, every number recorded (None for huge batches)."""
        idx, X, Y = self.trainer.next_batch()
        if len(X) > MAX_TRACE_ROWS:
            self.run(budget=0.0, max_steps=1)
            return None
        label = self._batch_label(X)
        trace = self._trace_of(idx, X, Y)
        self.last_finite = self._finite_copy()
        self.trainer.optimizer.step(self.engine.theta, self.engine.grad)
        trace.record_update(self.engine)
        self._drop_trace()
        self.trace, self.trace_kind, self.batch_label = trace, "step", label
        self._after_update(trace.loss)
        return trace

    def preview(self) -> StepTrace | None:
        """Trace the next batch at the current weights without updating (deltas to look at)."""
        if self.trace_kind == "phase" or not np.isfinite(self.engine.theta).all():
            return self.trace
        idx, X, Y = self.trainer.next_batch()
        if len(X) > MAX_TRACE_ROWS:
            return None
        self._drop_trace()
        self.batch_label = self._batch_label(X)
        with np.errstate(all="ignore"):
            self.trace = self._trace_of(idx, X, Y)
        self.trace_kind = "preview"
        return self.trace

    # ------------------------------------------------------------------ phases
    @property
    def walking(self) -> bool:
        """True while a step is being walked phase by phase."""
        return self.trace_kind == "phase" and self.trace is not None

    def step_phase(self) -> Phase:
        """Show the next phase; the first one traces the batch, the update applies it."""
        if self.walking and self.phase_index < len(self.plan) - 1:
            self.phase_index += 1
            if self.plan[self.phase_index].kind == UPDATE:
                self._apply_update()
            return self.plan[self.phase_index]
        idx, X, Y = self.trainer.next_batch()
        if len(X) > MAX_TRACE_ROWS:
            raise SessionError(f"a batch of {len(X)} samples is too big to step phase by phase; "
                               "choose online or mini-batch training")
        label = self._batch_label(X)
        checkpoint = Checkpoint(self.trainer)
        trace = self._trace_of(idx, X, Y)
        self._drop_trace()
        self.trace, self.trace_kind, self.batch_label = trace, "phase", label
        self._checkpoint, self._grad = checkpoint, self.engine.grad.copy()
        self.phase_index = 0
        if self.state in (IDLE, RUNNING):
            self.state = PAUSED
        return self.plan[0]

    def step_back(self) -> Phase | None:
        """Go back one phase (undoing the update exactly); None when there is nothing to undo."""
        if not self.walking:
            return None
        i = self.phase_index
        if self.plan[i].kind == UPDATE:
            rolled_back_epoch = self._checkpoint.trainer["epoch"] != self.trainer.epoch
            self._checkpoint.restore(self.trainer)
            self.trace.weight_new = np.full_like(self.trace.weight_old, np.nan)
            self.trace.bias_new = np.full_like(self.trace.bias_old, np.nan)
            self.last_loss = self.trainer.history[-1] if self.trainer.history else self.initial_loss
            if rolled_back_epoch:
                self.history_reset, self.sent_epoch = True, 0
                self.checkpoints.drop_after(self.trainer.epoch)
            if self.state in (FINISHED, DIVERGED):
                self.state, self.message, self.non_finite = PAUSED, "", None
        if i == 0:
            self._drop_trace()
            return None
        self.phase_index = i - 1
        return self.plan[self.phase_index]

    def _apply_update(self) -> None:
        self.engine.grad[:] = self._grad
        self.last_finite = self._finite_copy()
        self.trainer.optimizer.step(self.engine.theta, self.engine.grad)
        self.trace.record_update(self.engine)
        self._after_update(self.trace.loss)

    # ------------------------------------------------------------------ helpers
    def record_checkpoint(self) -> None:
        """At the start of an epoch (no batch of it taken): keep its state on the timeline."""
        t = self.trainer
        if t._pos or not np.isfinite(self.engine.theta).all():
            return
        t0 = time.perf_counter()
        self.checkpoints.record(capture(t, t.history[-1] if t.history else float("nan")))
        took = time.perf_counter() - t0
        # the fastest seen: a capture that waited for the GIL (the GUI thread) is not its cost
        self.capture_cost = took if not self.capture_cost else min(self.capture_cost, took)

    def _finite_copy(self) -> np.ndarray | None:
        """A copy of the parameters when they are all finite, else the last such copy."""
        theta = self.engine.theta
        if np.isfinite(theta).all():
            return theta.copy()
        return getattr(self, "last_finite", None)

    def finite_parameters(self) -> np.ndarray | None:
        """The last parameters that were all finite, when the current ones are not (None when
        they are, or when nothing finite was ever seen): those before the overflowing update."""
        if np.isfinite(self.engine.theta).all():
            return None
        return self.last_finite

    def _trace_of(self, idx, X, Y) -> StepTrace:
        s = self.settings
        return trace_step(self.engine, X, Y, idx, s.learning_rate, s.optimizer)

    def _after_update(self, loss: float) -> None:
        self.trainer.finish_step(loss)
        self.last_loss = loss
        if not self.trainer._pos:
            self.record_checkpoint()
        if not loss <= self.explode_at or not np.isfinite(self.engine.theta).all():
            self._diverge(loss)
        elif self.trainer.should_stop():
            self._finish()
        elif self.state in (IDLE, RUNNING):
            self.state = PAUSED

    def _batch_label(self, X: np.ndarray) -> str:
        pos, count = self.trainer.position
        n = len(self.trainer.X)
        mode = self.settings.mode
        if mode == "batch" or (len(X) == n and count == 1):
            return f"all {n} samples"
        if len(X) == 1:
            names = self.dataset.input_names
            values = ", ".join(f"{a} = {v:g}" for a, v in zip(names, X[0]))
            return f"sample {pos + 1} of {count}: {values}"
        return f"mini-batch {pos + 1} of {count} ({len(X)} samples)"

    def _stop_reason(self) -> str:
        t, s = self.trainer, self.settings
        if s.max_epochs and t.epoch >= s.max_epochs:
            return f"Reached the maximum of {s.max_epochs} epochs."
        return f"Reached the target loss {s.target_loss:g} (loss {t.history[-1]:.6g})."

    def _finish(self) -> None:
        self.state = FINISHED
        self.message = self._stop_reason()

    def _diverge(self, loss: float) -> None:
        self.state = DIVERGED
        self.non_finite, self.non_finite_record = culprit(self.engine, self.trainer.next_batch()[1])
        self.message = divergence_message(self.trainer.epoch, loss, self.non_finite,
                                          self.settings.learning_rate)

    def __repr__(self) -> str:
        phase = f", {self.plan[self.phase_index].label}" if self.walking else ""
        return (f"TrainingSession({self.state}, epoch={self.trainer.epoch}, "
                f"steps={self.trainer.steps}, loss={self.last_loss:.6g}{phase})")
