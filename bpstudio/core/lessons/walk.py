"""Walk: one project trained phase by phase, Qt-free (lessons, the terminal player, tests).

The plan of a step is forward 1..D, loss, backward D..1, update, as in the studio. The walk keeps
its Engine in step with the project's graph: an edit of the structure or of a weight ends the
step being walked and rebuilds (or re-reads) the engine before the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Engine
from ..graph import HIDDEN
from ..project import Project
from ..settings import TrainingSettings
from ..trace import StepTrace, trace_step
from ..trainer import Trainer

FORWARD, LOSS, BACKWARD, UPDATE = "forward", "loss", "backward", "update"


@dataclass(frozen=True)
class Phase:
    """One phase of a step: ``kind`` and the layer depth it lights (None for loss and update)."""

    kind: str
    depth: int | None
    label: str

    def __repr__(self) -> str:
        return f"Phase({self.label})"


def _layer(depth: int, n: int) -> str:
    return "output" if depth == n else ("hidden" if n == 2 else f"hidden {depth}")


def phase_plan(n_depths: int) -> list[Phase]:
    """The phases of one step for a network with ``n_depths`` layers after its inputs."""
    plan = [Phase(FORWARD, d, f"forward {_layer(d, n_depths)}") for d in range(1, n_depths + 1)]
    plan.append(Phase(LOSS, None, "loss"))
    plan += [Phase(BACKWARD, d, f"backward {_layer(d, n_depths)}") for d in range(n_depths, 0, -1)]
    plan.append(Phase(UPDATE, None, "update"))
    return plan


def structure_of(graph) -> tuple:
    """What the engine is compiled from, weights left out."""
    nodes = tuple((n.id, n.role, n.activation) for n in graph)
    return nodes, tuple(graph.edges)


class Walk:
    """A project stepped phase by phase or trained by epochs; ``project`` may be a callable."""

    def __init__(self, project) -> None:
        self._source = project
        self.phase_index: int | None = None  # the phase of the current step last shown
        self.trace: StepTrace | None = None  # the step being walked (None between steps)
        self.shown: list[str] = []  # every phase label shown, in order
        self.steps = 0
        self.epochs = 0
        self.history: list[float] = []  # one loss per finished epoch (as the Trainer records it)
        self.diverged = False  # the last training went non-finite (its last finite weights kept)
        self._structure = None
        self._settings: dict | None = None
        self.engine: Engine | None = None
        self.trainer: Trainer | None = None
        self.sync()

    # ---------------------------------------------------------------- the project
    @property
    def project(self) -> Project:
        return self._source() if callable(self._source) else self._source

    @property
    def graph(self):
        return self.project.graph

    @property
    def settings(self) -> TrainingSettings:
        return self.project.settings

    @property
    def plan(self) -> list[Phase]:
        return phase_plan(len(self.engine.layers))

    def sync(self) -> None:
        """Rebuild or re-read the engine when the graph or settings changed behind the walk."""
        p = self.project
        structure = structure_of(p.graph)
        settings = p.settings.to_dict()
        if structure != self._structure or self.engine is None:
            self.engine = Engine(p.graph, p.settings.loss)
            self.trainer = None
            self._structure = structure
            self._end_walk()
        elif not self._engine_matches_graph():
            self.engine.read_from(p.graph)
            self._end_walk()
        if settings != self._settings or self.trainer is None:
            if self._settings is not None and settings.get("loss") != self._settings.get("loss"):
                self.engine = Engine(p.graph, p.settings.loss)
            self.trainer = Trainer(self.engine, p.dataset, TrainingSettings(**{**settings,
                                                                              "max_epochs": 0}))
            self._settings = settings
            self._end_walk()

    def _engine_matches_graph(self) -> bool:
        g = self.graph
        w, b = self.engine.weights(), self.engine.biases()
        return all(g.edges[k].weight == v for k, v in w.items()) and all(
            g.nodes[u].bias == v for u, v in b.items())

    def _end_walk(self) -> None:
        self.phase_index, self.trace = None, None

    # ---------------------------------------------------------------- reading
    @property
    def walking(self) -> bool:
        return self.trace is not None

    def upcoming(self) -> Phase:
        """The phase the next :meth:`step_phase` shows."""
        self.sync()
        plan = self.plan
        if self.phase_index is None or self.phase_index >= len(plan) - 1:
            return plan[0]
        return plan[self.phase_index + 1]

    def current(self) -> Phase | None:
        """The phase last shown in the step being walked."""
        return None if self.phase_index is None else self.plan[self.phase_index]

    def step_trace(self) -> StepTrace:
        """The trace of the step being walked, else of the step the next phase starts (a preview,
        not applied): questions are asked from it before the phase shows its numbers."""
        self.sync()
        if self.trace is not None and self.phase_index is not None \
                and self.phase_index < len(self.plan) - 1:
            return self.trace
        if self.trace is not None and self.phase_index == len(self.plan) - 1:
            return self.trace  # the update just shown: its numbers stay readable
        return self._new_trace()

    def next_trace(self) -> StepTrace:
        """The trace the next step will make (what the first coming phase shows)."""
        self.sync()
        if self.trace is not None and self.phase_index is not None \
                and self.phase_index < len(self.plan) - 1:
            return self.trace
        return self._new_trace()

    def _new_trace(self) -> StepTrace:
        idx, X, Y = self.trainer.next_batch()
        rows = np.arange(len(X)) if idx is None else idx
        s = self.settings
        with np.errstate(over="ignore", invalid="ignore"):
            return trace_step(self.engine, X, Y, rows, s.learning_rate, s.optimizer)

    def full_trace(self, rows=None) -> StepTrace:
        """A trace of every training row (or ``rows``) with the current weights, not applied."""
        self.sync()
        X, Y = self.project.dataset.train()
        rows = np.arange(len(X)) if rows is None else np.asarray(rows)
        saved = self.engine.grad.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            t = trace_step(self.engine, X[rows], Y[rows], rows, self.settings.learning_rate,
                           self.settings.optimizer)
        self.engine.grad[:] = saved
        return t

    # ---------------------------------------------------------------- stepping
    def step_phase(self) -> Phase:
        """Show the next phase; the first traces the batch, the update applies it."""
        self.sync()
        plan = self.plan
        if self.trace is None or self.phase_index >= len(plan) - 1:
            self.trace = self._new_trace()
            self.phase_index = 0
        else:
            self.phase_index += 1
            if plan[self.phase_index].kind == UPDATE:
                self._apply(self.trace)
        phase = plan[self.phase_index]
        self.shown.append(phase.label)
        return phase

    def finish_step(self) -> None:
        """Show the rest of the step being walked (or one whole step)."""
        if self.trace is None or self.phase_index >= len(self.plan) - 1:
            self.step_phase()
        while self.phase_index < len(self.plan) - 1:
            self.step_phase()

    def _apply(self, trace: StepTrace) -> None:
        e, t = self.engine, self.trainer
        e.grad[e.edge_slots] = trace.weight_grad
        e.grad[e.bias_slots] = trace.bias_grad
        with np.errstate(over="ignore", invalid="ignore"):
            t.optimizer.step(e.theta, e.grad)
        trace.record_update(e)
        self._after_step(trace.loss)

    def _after_step(self, loss: float) -> None:
        t = self.trainer
        before = t.epoch
        t.finish_step(loss)
        self.steps += 1
        if t.epoch != before:
            self.epochs += 1
            self.history.append(t.history[-1])
        self._write_back()

    def _write_back(self) -> None:
        if np.isfinite(self.engine.theta).all():
            self.engine.write_to(self.graph)
        self._structure = structure_of(self.graph)

    def train(self, epochs: int) -> float:
        """Whole epochs without traces (ends a step being walked first); the last epoch's loss."""
        self.sync()
        if self.trace is not None and self.phase_index < len(self.plan) - 1:
            self.finish_step()
        self._end_walk()
        t = self.trainer
        loss = float("nan")
        good = self.engine.theta.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(int(epochs)):
                start = t.epoch
                while t.epoch == start:
                    _, X, Y = t.next_batch()
                    step_loss = self.engine.gradient(X, Y)
                    t.optimizer.step(self.engine.theta, self.engine.grad)
                    t.finish_step(step_loss)
                    self.steps += 1
                loss = t.history[-1]
                self.epochs += 1
                self.history.append(loss)
                if not np.isfinite(self.engine.theta).all():
                    self.diverged = True  # keep the last finite weights, as the studio does
                    self.engine.theta[:] = good
                    break
                good[:] = self.engine.theta
        self._write_back()
        return loss

    def dataset_loss(self) -> float:
        self.sync()
        X, Y = self.project.dataset.train()
        with np.errstate(over="ignore", invalid="ignore"):
            return float(self.engine.loss_of(X, Y))

    def predictions(self) -> np.ndarray:
        self.sync()
        with np.errstate(over="ignore", invalid="ignore"):
            return self.engine.predict(self.project.dataset.train()[0])

    def reinitialise(self, init: str, seed: int) -> None:
        """New weights from ``init`` and ``seed`` (the settings take them too)."""
        from ..presets import initialise

        p = self.project
        p.settings = TrainingSettings(**{**p.settings.to_dict(), "init": init, "seed": seed}).validate()
        initialise(p.graph, p.settings)
        self.diverged = False
        self.sync()

    def hidden_count(self, depth: int) -> int:
        """Hidden units at ``depth``."""
        d = self.graph.depths()
        return sum(1 for n in self.graph if n.role == HIDDEN and d[n.id] == depth)

    def __repr__(self) -> str:
        at = self.current().label if self.current() else "between steps"
        return f"Walk({self.project.name!r}, steps={self.steps}, epochs={self.epochs}, {at})"
