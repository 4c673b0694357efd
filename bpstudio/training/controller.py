"""The training controller (GUI thread): owns the thread and the worker; play, pause, step, reset.

Rules that keep the document and the worker from racing:

- The worker never sees the document's Graph. Before a command that needs it, the controller
  sends a private copy (``graph.copy()`` on the GUI thread) in a :class:`LoadRequest`.
- A user edit while training runs (topology, a typed weight or bias, an undo) pauses training;
  the next Play or Step sends the edited copy. Numbers the user did not touch keep the values
  the worker trained, so neither the edit nor training progress is lost.
- Trained weights flow back into the document's graph from snapshots through
  ``graph.set_weights`` (not undo commands: training is not an edit to undo) on every pause,
  step and stop, and on request (:meth:`write_back_now`, e.g. before saving while training
  runs). Not while running: every write-back makes each graph observer (canvas items, the
  diagnostics) react, which cost the GUI 50-75 ms per write-back on a 2-16-16-1 net; the canvas
  shows live weights through ``scene.set_edge_values`` instead.
- Snapshots of an older load (``generation``) are dropped.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QAbstractEventDispatcher, QObject, Qt, QThread, QTimer, Signal, Slot

from ..core.graph import INPUT
from ..core.match import check_match
from ..core.settings import TrainingSettings
from ..weak_events import follow
from .gate_hooks import GateHooks
from .reset_command import ResetWeightsCommand
from .resume import saved_progress
from .session import GRANULARITIES, IDLE, RUNNING
from .worker import SNAPSHOT_INTERVAL, LoadRequest, TrainingWorker

_RANK = {None: 0, "edit": 1, "reset": 2, "fresh": 3}
HEARTBEAT = 0.025  # seconds between the GUI-load checks while training runs
HEARTBEAT_SLACK = 0.016  # a heartbeat later than this (one frame) means the GUI is overloaded
GUI_SHARE = 0.3  # snapshots may take at most this share of the GUI thread's time
MAX_SNAPSHOT_INTERVAL = 0.5  # the views are refreshed at least twice a second


class TrainingController(QObject):
    """Start / pause / step / step back / reset / stop; re-emits snapshots on the GUI thread."""

    snapshot_ready = Signal(object)  # every Snapshot the GUI should show (GUI thread)
    view_ready = Signal(object)  # a past epoch the timeline asked for (rewind_control.py)
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
        self._graph = None
        self._shown_at = 0.0
        self._awaiting_idle = False
        self._unacknowledged = 0
        self.snapshot_interval = SNAPSHOT_INTERVAL  # adapted to the GUI's load while running
        self._last_beat = 0.0
        self._heartbeat = QTimer(self)
        self._heartbeat.setTimerType(Qt.PreciseTimer)
        self._heartbeat.setInterval(int(HEARTBEAT * 1000))
        self._heartbeat.timeout.connect(self._beat)
        self.state_changed.connect(self._follow_state)
        self.gui_cost = 0.0  # seconds the GUI takes per snapshot (smoothed)
        self.gate_hooks = GateHooks(self)  # while running, the worker waits while the GUI works
        self.boundary_wanted = lambda: True  # set by the panels: is a decision boundary on view?
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

    def _mismatch(self) -> bool:
        """Say (error_occurred) why the network cannot train on the dataset, if it cannot."""
        p = self.document.project
        problem = check_match(p.graph, p.dataset)
        if problem:
            self.error_occurred.emit(problem)
        return problem is not None

    @Slot()
    def play(self) -> None:
        if self._mismatch():
            return
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
        if self._mismatch():
            return
        self._sync()
        self._step.emit(g)

    @Slot()
    def step_back(self) -> None:
        if self._mismatch():
            return
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
        self._heartbeat.stop()
        self.gate_hooks.remove()
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
                          frozenset(self._edited_biases), *saved_progress(p),
                          checkpoints=tuple(getattr(p, "checkpoints", ())))
        self._need = None
        self._edited_weights.clear()
        self._edited_biases.clear()
        self._load.emit(req)

    # ------------------------------------------------------------------ document events
    def _watch(self, graph) -> None:
        ev = graph.events  # followed weakly: a deleted controller is dropped (bpstudio/weak_events)
        follow(ev.edge_changed, self, "_on_edge_changed")
        follow(ev.node_changed, self, "_on_node_changed")
        for e in (ev.node_added, ev.node_removed, ev.edge_added, ev.edge_removed, ev.reset):
            follow(e, self, "_on_topology_changed")
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
        if self._worker is not None or saved_progress(self.document.project)[0]:  # its saved curve now
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
        self._shown_at = time.perf_counter()
        self._unacknowledged += 1
        if not self._awaiting_idle:  # measure until the event loop next goes idle (views painted)
            dispatcher = QAbstractEventDispatcher.instance()
            if dispatcher is not None:
                dispatcher.aboutToBlock.connect(self._settled)
                self._awaiting_idle = True
            else:  # pragma: no cover - there is always one on a GUI thread
                QTimer.singleShot(0, self._settled)
        if snap.generation != self._generation:
            return  # the state of a network the user has since replaced or edited
        if snap.viewing_epoch is not None:  # a look at the past: not the live state
            self.view_ready.emit(snap)
            return
        self.latest = snap
        self._write_back(snap)
        self.snapshot_ready.emit(snap)
        if snap.state != self.state:
            self.state = snap.state
            self.state_changed.emit(snap.state)
        if snap.message and snap.state != RUNNING:
            self.message.emit(snap.message)

    @Slot()
    def _settled(self) -> None:
        """The GUI has caught up: let the worker send the next snapshot, no faster than the GUI
        can take them (its cost per snapshot ≤ GUI_SHARE of the time)."""
        if self._awaiting_idle:
            QAbstractEventDispatcher.instance().aboutToBlock.disconnect(self._settled)
            self._awaiting_idle = False
        cost = time.perf_counter() - self._shown_at
        if self.state == RUNNING:  # one-off costs of a pause or a step do not count
            self.gui_cost = cost if self.gui_cost == 0.0 else 0.5 * self.gui_cost + 0.5 * cost
        if self._worker is not None:
            self._worker.acknowledge(self._unacknowledged)
        self._unacknowledged = 0

    @Slot()
    def _beat(self) -> None:
        """While training runs: a heartbeat late by more than a frame means the GUI is overloaded,
        so snapshots come less often (×1.3); an on-time one lets them come more often (×0.9).
        Snapshots are also spaced so that handling them takes ≤ GUI_SHARE of the GUI's time."""
        now = time.perf_counter()
        late = now - self._last_beat - HEARTBEAT
        self._last_beat = now
        if late > HEARTBEAT_SLACK:
            self.snapshot_interval = min(self.snapshot_interval * 1.3, MAX_SNAPSHOT_INTERVAL)
        else:
            self.snapshot_interval = max(self.snapshot_interval * 0.9, SNAPSHOT_INTERVAL)
        if self._worker is not None:
            self._worker.min_interval = min(max(self.snapshot_interval, self.gui_cost / GUI_SHARE),
                                            MAX_SNAPSHOT_INTERVAL)
            self._worker.boundary_wanted = bool(self.boundary_wanted())

    @Slot(str)
    def _follow_state(self, state: str) -> None:
        if state == RUNNING and not self._heartbeat.isActive():
            self._last_beat = time.perf_counter()
            self._heartbeat.start()
        elif state != RUNNING:
            self._heartbeat.stop()
        if state == RUNNING and self._worker is not None:
            self.gate_hooks.install(self._worker.gate)
        elif state != RUNNING:
            self.gate_hooks.remove()

    @Slot(str)
    def _on_error(self, text: str) -> None:
        self._need_at_least("edit")  # the next command re-sends the network (it may be fixed)
        if self.state == RUNNING:
            self.state = "paused"
            self.state_changed.emit(self.state)
        self.error_occurred.emit(text)

    def write_back_now(self) -> None:
        """Copy the latest trained weights into the document's graph (e.g. before a save)."""
        if self.latest is not None and self.latest.generation == self._generation:
            self._write_back(self.latest, force=True)

    def _write_back(self, snap, force: bool = False) -> None:
        if snap.state == RUNNING and not force:
            return
        graph = self.document.graph
        edges, nodes = graph.edges, graph.nodes
        # a diverged run: the document keeps the last finite numbers (so it can still be saved);
        # the snapshot itself still shows where the numbers broke
        w_all = snap.weights if snap.finite_weights is None else snap.finite_weights
        b_all = snap.biases if snap.finite_biases is None else snap.finite_biases
        weights = {k: float(w) for k, w in zip(snap.edge_keys, w_all)
                   if k in edges and k not in self._edited_weights}
        biases = {n: float(b) for n, b in zip(snap.bias_ids, b_all)
                  if n in nodes and n not in self._edited_biases and nodes[n].role != INPUT}
        weights = {k: w for k, w in weights.items() if w == w and abs(w) != float("inf")}
        biases = {n: b for n, b in biases.items() if b == b and abs(b) != float("inf")}
        self.document.project.checkpoints = snap.checkpoints  # the timeline, saved with the project
        self._writing = True
        try:
            graph.set_weights(weights, biases)
        finally:
            self._writing = False

    def __repr__(self) -> str:
        alive = self._thread is not None and self._thread.isRunning()
        return (f"TrainingController({self.state}, step={self.granularity}, "
                f"speed={self.speed or 'max'}, thread={'on' if alive else 'off'})")
