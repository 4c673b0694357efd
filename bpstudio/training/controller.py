"""The training controller (GUI thread): owns the thread and the worker; play, pause, step, reset.

Rules that keep the document and the worker from racing:

- The worker never sees the document's Graph. Before a command that needs it, the controller
  sends a private copy (``graph.copy()`` on the GUI thread) in a :class:`LoadRequest`.
- A user edit while training runs (topology, a typed weight or bias, an undo) pauses training;
  the next Play or Step sends the edited copy. Numbers the user did not touch keep the values
  the worker trained (the worker's numbers win for them), so neither the edit nor training
  progress is lost.
- Trained weights flow back into the document's graph from snapshots through
  ``graph.set_weights`` (not undo commands: training is not an edit to undo): on every pause,
  step and stop, and at most twice a second while running (small networks only; big ones show
  live weights on the canvas through ``scene.set_edge_values`` and are written back on pause).
- Snapshots of an older load (``generation``) are dropped.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QUndoCommand

from ..core.graph import INPUT
from ..core.init import initial_values
from ..core.settings import TrainingSettings
from .session import GRANULARITIES, IDLE, RUNNING
from .worker import LoadRequest, TrainingWorker

_RANK = {None: 0, "edit": 1, "reset": 2, "fresh": 3}
WRITE_BACK_INTERVAL = 0.5  # seconds between write-backs while running
LIVE_WRITE_BACK_EDGES = 2000  # above this many edges, write back only when training stops


class ResetWeightsCommand(QUndoCommand):
    """Re-initialise every weight and bias from the settings' init scheme and seed (undoable)."""

    def __init__(self, graph, settings: TrainingSettings) -> None:
        super().__init__(f"Reset weights ({settings.init}, seed {settings.seed})")
        self.graph = graph
        self.old = ({k: e.weight for k, e in graph.edges.items()},
                    {n.id: n.bias for n in graph if n.role != INPUT})
        self.new = initial_values(graph, settings.init, settings.seed, settings.init_value,
                                  settings.init_scale)

    def redo(self) -> None:
        self.graph.set_weights(*self.new)

    def undo(self) -> None:
        self.graph.set_weights(*self.old)


class TrainingController(QObject):
    """Start / pause / step / step back / reset / stop; re-emits snapshots on the GUI thread."""

    snapshot_ready = Signal(object)  # every Snapshot the GUI should show (GUI thread)
    state_changed = Signal(str)
    error_occurred = Signal(str)
    message = Signal(str)  # plain status text (e.g. "paused: you edited the network")
    granularity_changed = Signal(str)
    speed_changed = Signal(float)

    _load = Signal(object)
    _play = Signal()
    _pause = Signal()
    _step = Signal(str)
    _step_back = Signal()
    _speed = Signal(float)
    _granularity = Signal(str)
    _configure = Signal(object)
    _stop = Signal()

    def __init__(self, document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = IDLE
        self.latest = None  # the last Snapshot shown
        self.granularity = "batch"
        self.speed = 0.0  # step-size units per second; 0 = as fast as possible
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._need: str | None = "fresh"
        self._generation = 0
        self._edited_weights: set = set()
        self._edited_biases: set = set()
        self._writing = False
        self._last_write_back = 0.0
        self._graph = None
        self._watch(document.graph)
        for name, slot in (("project_replaced", self._on_project_replaced),
                           ("dataset_changed", self._on_dataset_changed),
                           ("settings_changed", self._on_settings_changed)):
            sig = getattr(document, name, None)
            if sig is not None:
                sig.connect(slot)

    # ------------------------------------------------------------------ commands
    @property
    def running(self) -> bool:
        return self.state == RUNNING

    @property
    def thread(self) -> QThread | None:
        return self._thread

    @Slot()
    def play(self) -> None:
        self._sync()
        self._play.emit()

    @Slot()
    def pause(self) -> None:
        if self._worker is not None:
            self._pause.emit()

    @Slot()
    def toggle(self) -> None:
        """Play when stopped, pause when running (the Space key)."""
        if self.running:
            self.pause()
        else:
            self.play()

    @Slot()
    def step(self, granularity: str | None = None) -> None:
        g = granularity or self.granularity
        if g not in GRANULARITIES:
            self.error_occurred.emit(f"unknown step size {g!r}; use one of {', '.join(GRANULARITIES)}")
            return
        self._sync()
        self._step.emit(g)

    @Slot()
    def step_back(self) -> None:
        self._sync()
        self._step_back.emit()

    def set_speed(self, steps_per_second: float) -> None:
        """Step-size units per second; 0 (or less) means as fast as possible."""
        self.speed = max(0.0, float(steps_per_second))
        if self._worker is not None:
            self._speed.emit(self.speed)
        self.speed_changed.emit(self.speed)

    def set_granularity(self, granularity: str) -> None:
        if granularity not in GRANULARITIES:
            raise ValueError(f"unknown step size {granularity!r}; use one of {', '.join(GRANULARITIES)}")
        self.granularity = granularity
        if self._worker is not None:
            self._granularity.emit(granularity)
        self.granularity_changed.emit(granularity)

    def reset_weights(self) -> None:
        """Re-initialise the weights through the undo stack; training starts again from epoch 0."""
        self.pause()
        graph = self.document.graph
        self.document.undo_stack.push(ResetWeightsCommand(graph, self.document.project.settings))
        self._need_at_least("reset")
        self.message.emit("Weights re-initialised: training starts again from epoch 0.")
        self._sync()

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop the worker and its thread; True when the thread ended within the timeout."""
        thread, worker = self._thread, self._worker
        if thread is None:
            return True
        worker.request_stop()
        self._stop.emit()
        ok = thread.wait(timeout_ms)
        if not ok:
            thread.quit()
            ok = thread.wait(200)
        if ok:
            self._thread = None
            self._worker = None
            self.state = IDLE
        else:  # keep the references: destroying a running QThread aborts the process
            print("bpstudio: the training thread did not stop in time", file=sys.stderr)
        return ok

    # ------------------------------------------------------------------ the thread
    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        sys.setswitchinterval(1e-4)  # the GUI thread gets the GIL back quickly
        thread = QThread(self)
        thread.setObjectName("bpstudio-training")
        worker = TrainingWorker()
        worker.moveToThread(thread)
        thread.started.connect(worker.start)
        self._load.connect(worker.load)
        self._play.connect(worker.play)
        self._pause.connect(worker.pause)
        self._step.connect(worker.step)
        self._step_back.connect(worker.step_back)
        self._speed.connect(worker.set_speed)
        self._granularity.connect(worker.set_granularity)
        self._configure.connect(worker.configure)
        self._stop.connect(worker.stop)
        worker.snapshot.connect(self._on_snapshot)
        worker.error.connect(self._on_error)
        self._thread, self._worker = thread, worker
        thread.start()
        self._speed.emit(self.speed)
        self._granularity.emit(self.granularity)

    def _need_at_least(self, kind: str) -> None:
        if _RANK[kind] > _RANK[self._need]:
            self._need = kind

    def _sync(self) -> None:
        """Send the worker a private copy of the project when it has changed."""
        self._ensure_thread()
        if self._need is None:
            return
        p = self.document.project
        self._generation += 1
        req = LoadRequest(p.graph.copy(), p.dataset.copy(), TrainingSettings(**p.settings.to_dict()),
                          self._need, self._generation, frozenset(self._edited_weights),
                          frozenset(self._edited_biases))
        self._need = None
        self._edited_weights.clear()
        self._edited_biases.clear()
        self._load.emit(req)

    # ------------------------------------------------------------------ document events
    def _watch(self, graph) -> None:
        ev = graph.events
        ev.edge_changed.connect(self._on_edge_changed)
        ev.node_changed.connect(self._on_node_changed)
        for e in (ev.node_added, ev.node_removed, ev.edge_added, ev.edge_removed, ev.reset):
            e.connect(self._on_topology_changed)
        self._graph = graph

    def _on_edge_changed(self, edge) -> None:
        if not self._writing:
            self._edited_weights.add(edge.key)
            self._user_edit("you changed a weight")

    def _on_node_changed(self, node, attr) -> None:
        if self._writing:
            return
        if attr == "bias":
            self._edited_biases.add(node.id)
            self._user_edit("you changed a bias")
        elif attr == "activation":
            self._user_edit("you changed an activation")

    def _on_topology_changed(self, *_args) -> None:
        self._user_edit("you changed the network")

    def _user_edit(self, what: str) -> None:
        self._need_at_least("edit")
        if self.running:
            self.pause()
            self.message.emit(f"Training paused: {what}. Play goes on with the edited network.")

    @Slot()
    def _on_project_replaced(self) -> None:
        self.pause()
        self._need_at_least("fresh")
        self._edited_weights.clear()
        self._edited_biases.clear()
        if self._worker is not None:
            self._sync()

    @Slot()
    def _on_dataset_changed(self) -> None:
        self._user_edit("you changed the data")

    @Slot()
    def _on_settings_changed(self) -> None:
        if self._worker is not None and self._need is None:
            self._configure.emit(TrainingSettings(**self.document.project.settings.to_dict()))
        else:
            self._need_at_least("edit")

    # ------------------------------------------------------------------ from the worker
    @Slot(object)
    def _on_snapshot(self, snap) -> None:
        if self._worker is not None:
            self._worker.acknowledge()
        if snap.generation != self._generation:
            return  # the state of a network the user has since replaced or edited
        self.latest = snap
        self._write_back(snap)
        self.snapshot_ready.emit(snap)
        if snap.state != self.state:
            self.state = snap.state
            self.state_changed.emit(snap.state)
        if snap.message and snap.state != RUNNING:
            self.message.emit(snap.message)

    @Slot(str)
    def _on_error(self, text: str) -> None:
        self._need_at_least("edit")  # the next command re-sends the network (it may be fixed)
        if self.state == RUNNING:
            self.state = "paused"
            self.state_changed.emit(self.state)
        self.error_occurred.emit(text)

    def _write_back(self, snap) -> None:
        graph = self.document.graph
        now = time.monotonic()
        if snap.state == RUNNING:
            if (len(graph.edges) > LIVE_WRITE_BACK_EDGES
                    or now - self._last_write_back < WRITE_BACK_INTERVAL):
                return
        self._last_write_back = now
        edges, nodes = graph.edges, graph.nodes
        weights = {k: float(w) for k, w in zip(snap.edge_keys, snap.weights)
                   if k in edges and k not in self._edited_weights}
        biases = {n: float(b) for n, b in zip(snap.bias_ids, snap.biases)
                  if n in nodes and n not in self._edited_biases and nodes[n].role != INPUT}
        weights = {k: w for k, w in weights.items() if w == w and abs(w) != float("inf")}
        biases = {n: b for n, b in biases.items() if b == b and abs(b) != float("inf")}
        self._writing = True
        try:
            graph.set_weights(weights, biases)
        finally:
            self._writing = False

    def __repr__(self) -> str:
        alive = self._thread is not None and self._thread.isRunning()
        return (f"TrainingController({self.state}, step={self.granularity}, "
                f"speed={self.speed or 'max'}, thread={'on' if alive else 'off'})")
