"""Real snapshots from real steps (Qt-free): demo data for each panel run alone, tests and benchmarks.

The training worker builds the snapshots the app shows; this module builds the same kind of
:class:`~bpstudio.training.snapshot.Snapshot` with the core alone, so that a panel can be looked at
or tested without a worker thread.
"""

from __future__ import annotations

import numpy as np

from bpstudio.core.boundary import boundary_grid, plane_extent, unit_grids
from bpstudio.core.engine import Engine
from bpstudio.core.graph import HIDDEN
from bpstudio.core.project import Project
from bpstudio.core.trace import StepTrace, trace_step
from bpstudio.core.trainer import Trainer
from bpstudio.training.observe import BoundaryMaker
from bpstudio.training.snapshot import Phase, Snapshot, frozen


def layer_norms(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """(gradient norms, weight norms) of the weights into each depth 1, 2, ..."""
    grads, weights = [], []
    for L in engine.layers:
        g = sum(float(np.sum(b.dW ** 2)) for b in L.blocks)
        w = sum(float(np.sum(b.W ** 2)) for b in L.blocks)
        grads.append(np.sqrt(g))
        weights.append(np.sqrt(w))
    return np.array(grads), np.array(weights)


class DemoRun:
    """A project trained step by step with the core; :meth:`snapshot` freezes its state."""

    def __init__(self, project: Project, boundary_resolution: int = 60) -> None:
        self.project = project
        self.engine = Engine(project.graph, project.settings.loss)
        self.trainer = Trainer(self.engine, project.dataset, project.settings)
        self.trace: StepTrace | None = None
        self.resolution = boundary_resolution
        self._sent = 0

    def step(self, traced: bool = True) -> StepTrace | None:
        """One optimiser step; with ``traced`` the step's numbers are kept in :attr:`trace`."""
        if not traced:
            self.trainer.step()
            return None
        idx, X, Y = self.trainer.next_batch()
        if idx is None:
            idx = np.arange(len(X))
        tr = trace_step(self.engine, X, Y, idx, self.project.settings.learning_rate,
                        self.project.settings.optimizer)
        self.trainer.optimizer.step(self.engine.theta, self.engine.grad)
        tr.record_update(self.engine)
        self.trainer.finish_step(tr.loss)
        self.trace = tr
        return tr

    def run(self, steps: int) -> DemoRun:
        for k in range(steps):
            self.step(traced=k == steps - 1)
        return self

    def snapshot(self, state: str = "paused", phase: Phase | None = None,
                 delta: np.ndarray | None = None) -> Snapshot:
        """The current state, with only the history points not sent before."""
        e, t, tr = self.engine, self.trainer, self.trace
        hist = t.history
        new = slice(min(self._sent, len(hist)), len(hist))
        self._sent = len(hist)
        X_all = self.project.dataset.X
        extent = boundary = thumbs = None
        pictures = BoundaryMaker(X_all, self.project.dataset).make(e, final=True)  # classes, fit
        if len(e.input_ids) == 2:
            extent = plane_extent(X_all)
            boundary = frozen(boundary_grid(e, extent, self.resolution))
            if pictures.classes is not None:
                boundary = pictures.grid
            thumbs = {nid: frozen(g) for nid, g in unit_grids(e, extent, 24).items()
                      if self.project.graph.node(nid).role == HIDDEN}
        Xtr, Ytr = t.X, t.Y
        acc = None
        if self.project.settings.loss == "cross_entropy" and len(hist[new]):
            correct = np.mean((e.predict(Xtr) >= 0.5) == (Ytr >= 0.5))
            acc = frozen(np.full(len(hist[new]), correct))
        gnorm, wnorm = layer_norms(e)
        d = delta if delta is not None else (tr.delta if tr is not None else None)
        return Snapshot(
            epoch=t.epoch, steps=t.steps, loss=float(hist[-1]) if hist else float("nan"),
            state=state, unit_ids=tuple(e.unit_ids), edge_keys=tuple(e.edge_keys),
            weights=frozen(e.theta[e.edge_slots]), bias_ids=tuple(e.bias_ids),
            biases=frozen(e.theta[e.bias_slots]),
            net_input=frozen(tr.net_input) if tr else None,
            activation=frozen(tr.activation) if tr else None,
            delta=frozen(d), weight_grad=frozen(tr.weight_grad) if tr else None,
            sample_indices=np.array(tr.sample_indices) if tr else None,
            batch_label=f"{len(tr.X)} samples" if tr else "",
            phase=phase,
            new_epochs=frozen(np.array(t.history_epochs[new], dtype=float)),
            new_losses=frozen(np.array(hist[new], dtype=float)),
            new_accuracy=acc, history_len=len(hist),
            layer_grad_norms=frozen(gnorm), layer_weight_norms=frozen(wnorm),
            boundary=boundary, boundary_extent=extent, hidden_thumbnails=thumbs,
            boundary_classes=pictures.classes, fit=pictures.fit,
            non_finite=e.first_non_finite(),
        )

    def __repr__(self) -> str:
        return f"DemoRun({self.project.name!r}, {self.trainer!r})"


def demo_run(preset: str = "xor", steps: int = 200, resolution: int = 60) -> DemoRun:
    """A preset trained ``steps`` steps (the last one traced)."""
    from bpstudio.core.presets import load_preset

    return DemoRun(load_preset(preset), resolution).run(steps)
