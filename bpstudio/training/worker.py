"""The training worker: a QObject moved to a QThread that drives a :class:`TrainingSession`.

Commands arrive as queued signals (slots run in the worker thread, between chunks). A QTimer in
the worker thread trains one time-boxed chunk per tick; snapshots go out at most ~30 times a
second while running (always the latest state) and always after a pause, a step or a stop.
The worker never touches the document's Graph: it gets private copies in :class:`LoadRequest`.
"""

from __future__ import annotations

import functools
import math
import threading
import time
import traceback
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

import numpy as np

from ..core.dataset import Dataset
from ..core.graph import Graph
from ..core.settings import TrainingSettings
from . import rewind
from .blas import use_one_blas_thread
from .compose import make_snapshot
from .gate import GuiGate
from .resume import resume
from .session import GRANULARITIES, IDLE, PAUSED, RUNNING, TrainingSession

CHUNK_SECONDS = 0.005  # one chunk of full-speed training
SNAPSHOT_INTERVAL = 1.0 / 30.0  # at most ~30 snapshots a second while running
MAX_IN_FLIGHT = 1  # a running snapshot waits until the GUI has finished with the previous one
TRACED_PACE = 30.0  # paced play at or below this many steps a second traces every step


def _overflow_is_reported(slot):
    """Run a training slot with numpy's overflow warnings off: a diverging run overflows on
    purpose, the session detects it (non-finite loss or weights) and says so in words. (numpy's
    error state lives in a context variable, and PySide enters each slot in a fresh context, so a
    one-off ``np.seterr`` in the thread would not stick.)"""

    @functools.wraps(slot)
    def quiet(self, *args):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return slot(self, *args)

    return quiet


@dataclass
class LoadRequest:
    """A private copy of what to train. ``kind``: "fresh" (new session), "edit" (the user edited
    the network or typed numbers; progress kept), "reset" (re-initialised weights)."""

    graph: Graph
    dataset: Dataset
    settings: TrainingSettings
    kind: str = "fresh"
    generation: int = 0
    edited_weights: frozenset = field(default_factory=frozenset)
    edited_biases: frozenset = field(default_factory=frozenset)
    # what the project says was trained (a new session, except after "reset", continues from it)
    epoch: int = 0
    history_epochs: tuple | range = ()
    history: tuple = ()
    checkpoints: tuple = ()  # the project's saved timeline (format version 2)


class TrainingWorker(QObject):
    """Lives in the training thread; every slot runs there."""

    snapshot = Signal(object)  # a frozen Snapshot, with ``generation`` of the last load
    error = Signal(str)
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.session: TrainingSession | None = None
        self.generation = 0
        self._timer: QTimer | None = None
        self._mode = IDLE  # IDLE | "play" | "epoch"
        self._goal_epoch = 0
        self._speed = 0.0  # step-size units per second; 0 = as fast as possible
        self._granularity = "batch"
        self._pace_start = 0.0
        self._pace_done = 0
        self._last_emit = 0.0
        self._stop_requested = False
        self._lock = threading.Lock()
        self._in_flight = 0
        self._load_error = ""
        self.budget = CHUNK_SECONDS
        # set by the GUI thread (plain float writes are atomic under the GIL):
        self.min_interval = SNAPSHOT_INTERVAL  # spacing of running snapshots the GUI can take
        self.gate = GuiGate()  # raised by the GUI thread while it handles events: training waits
        self.boundary_wanted = True  # False: no panel shows a decision boundary now (GUI thread)

    # ------------------------------------------------------------------ thread-safe
    def request_stop(self) -> None:
        """Called from any thread: the next tick stops the worker."""
        self._stop_requested = True

    def acknowledge(self, count: int = 1) -> None:
        """Called by the GUI thread when it has handled ``count`` snapshots."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - count)

    # ------------------------------------------------------------------ slots (worker thread)
    @Slot()
    def start(self) -> None:
        use_one_blas_thread()  # spinning BLAS helpers would take the GUI's core (see blas.py)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    @Slot()
    def stop(self) -> None:
        self._stop_requested = True
        self._shutdown()

    @Slot(object)
    def load(self, request: LoadRequest) -> None:
        try:
            s = self.session
            if request.kind in ("fresh", "reset") or s is None:
                self.session = None
                self.session = TrainingSession(request.graph, request.dataset, request.settings)
                if request.kind != "reset":
                    resume(self.session, request.epoch, request.history_epochs, request.history,
                           request.checkpoints)
            else:
                self._keep_trained_numbers(request)
                s.configure(request.settings)
                if not request.dataset.equals(s.dataset):
                    s.set_dataset(request.dataset)
                if s.apply_graph(request.graph) and s.state == RUNNING:
                    s.state = PAUSED
            self.generation = request.generation
            self._load_error = ""
            self._halt(final=True)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the user as words
            self._load_error = str(exc) if isinstance(exc, ValueError) else ""
            self._fail(exc)

    def _keep_trained_numbers(self, request: LoadRequest) -> None:
        """The engine's numbers win over the (possibly stale) copy, except what the user edited
        and numbers that are no longer finite (the document kept the last finite ones)."""
        e, g = self.session.engine, request.graph
        for key, w in e.weights().items():
            if key not in request.edited_weights and key in g.edges and math.isfinite(w):
                g.edges[key].weight = w
        for nid, b in e.biases().items():
            if nid not in request.edited_biases and nid in g.nodes and math.isfinite(b):
                g.nodes[nid].bias = b

    @Slot()
    def play(self) -> None:
        if not self._ready():
            return
        rewind.confirm(self.session)  # training on a branch confirms it
        try:
            if not self.session.play():
                self._halt(final=True)
                return
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return
        self._mode = "play"
        self._pace_start, self._pace_done = time.perf_counter(), 0
        self._last_emit = time.perf_counter()
        self._start_timer()
        self._emit(final=False, force=True)

    @Slot()
    def pause(self) -> None:
        if self.session is None:
            return
        self._halt(final=True)

    @Slot(str)
    @_overflow_is_reported
    def step(self, granularity: str) -> None:
        """One step of the given size; the state afterwards is always sent."""
        if not self._ready():
            return
        s = self.session
        try:
            if granularity not in GRANULARITIES:
                raise ValueError(f"unknown step size {granularity!r}; use one of {', '.join(GRANULARITIES)}")
            if s.state == RUNNING:
                s.state = PAUSED
            self._mode = IDLE
            if self._timer is not None:
                self._timer.stop()
            rewind.confirm(s)  # training on a branch confirms it
            if granularity == "epoch":
                self._goal_epoch = s.trainer.epoch + 1
                self._mode = "epoch"
                s.state = RUNNING
                self._start_timer()
                return
            if granularity == "phase":
                s.step_phase()
            else:
                s.step_traced()
                if granularity == "sample" and s.settings.mode != "online":
                    s.message = (f"In {s.settings.mode} mode one step uses {s.batch_label}; choose "
                                 "online training to step one sample at a time.")
            if s.state == IDLE:
                s.state = PAUSED
            self._emit(final=True, force=True)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)

    @Slot()
    @_overflow_is_reported
    def step_back(self) -> None:
        if not self._ready():
            return
        s = self.session
        self._mode = IDLE
        if self._timer is not None:
            self._timer.stop()
        if s.state == RUNNING:
            s.state = PAUSED
        if not s.walking:
            s.message = "Stepping back works phase by phase, within the step being shown."
        s.step_back()
        self._emit(final=True, force=True)

    @Slot(int, int)
    @_overflow_is_reported
    def view(self, epoch: int, sample: int = -1) -> None:
        """Show a recorded epoch (the timeline): a snapshot of it, training paused first; with the
        worked arithmetic of ``sample`` (-1: none)."""
        if not self._ready():
            return
        if self.session.state == RUNNING:
            self._halt(final=True)
        try:
            snap = rewind.view_snapshot(self.session, epoch, self.generation, sample if sample >= 0 else None)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return
        with self._lock:
            self._in_flight += 1
        self.snapshot.emit(snap)

    @Slot(int, int)
    @_overflow_is_reported
    def branch(self, epoch: int, token: int) -> None:
        """Continue from ``epoch`` (a redo of the GUI's command); token names the line it leaves."""
        self._rewind(rewind.branch_to, epoch, token)

    @Slot(int)
    @_overflow_is_reported
    def unbranch(self, token: int) -> None:
        """Undo a branch: the line it left comes back exactly."""
        self._rewind(rewind.unbranch, token)

    def _rewind(self, change, *args) -> None:
        if not self._ready():
            return
        self._mode = IDLE
        if self._timer is not None:
            self._timer.stop()
        try:
            change(self.session, *args)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return
        self._emit(final=True, force=True)

    @Slot(float)
    def set_speed(self, steps_per_second: float) -> None:
        self._speed = max(0.0, float(steps_per_second))
        self._pace_start, self._pace_done = time.perf_counter(), 0
        if self._timer is not None and self._timer.isActive():
            self._start_timer()

    @Slot(str)
    def set_granularity(self, granularity: str) -> None:
        if granularity in GRANULARITIES:
            self._granularity = granularity

    @Slot(object)
    def configure(self, settings: TrainingSettings) -> None:
        if self.session is None:
            return
        try:
            self.session.configure(settings)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return
        if self._mode == IDLE:
            self._emit(final=True, force=True)

    # ------------------------------------------------------------------ the loop
    @_overflow_is_reported
    def _tick(self) -> None:
        if self._stop_requested:
            self._shutdown()
            return
        if self.gate.should_yield():  # the GUI is handling events: leave it the GIL
            self.gate.wait()
        s = self.session
        try:
            if self._mode == "epoch":
                s.run(self.budget, until_epoch=self._goal_epoch, gate=self.gate)
                if s.state == RUNNING and s.trainer.epoch < self._goal_epoch:
                    self._emit(final=False)
                    return
                if s.state == RUNNING:
                    s.state = PAUSED
                self._halt(final=True)
                return
            if self._mode != "play":  # a step or a step back ended the play
                self._timer.stop()
                return
            if self._speed <= 0:
                s.run(self.budget, gate=self.gate)
            else:
                self._paced()
            if s.state != RUNNING:
                self._halt(final=True)
            else:
                self._emit(final=False)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)

    def _paced(self) -> None:
        """Run the step-size units that are due at the chosen speed."""
        s = self.session
        now = time.perf_counter()
        due = int((now - self._pace_start) * self._speed) - self._pace_done
        if due > self._speed:  # more than a second behind: do not burst to catch up
            self._pace_start, self._pace_done = now, 0
            due = 1
        g = self._granularity
        while due > 0 and s.state == RUNNING:
            if g == "phase":
                s.step_phase()
            elif g == "epoch":
                s.run(self.budget, until_epoch=s.trainer.epoch + 1, gate=self.gate)
            elif self._speed <= TRACED_PACE:
                s.step_traced()
            else:
                s.run(self.budget, max_steps=due, gate=self.gate)
                self._pace_done += due - 1
                due = 1
            if s.state == PAUSED:  # a phase or traced step pauses an idle session: keep running
                s.state = RUNNING
            self._pace_done += 1
            due -= 1
            if time.perf_counter() - now >= self.budget:
                break

    def _start_timer(self) -> None:
        if self._timer is None:
            self.start()
        interval = 0 if self._speed <= 0 or self._mode == "epoch" else int(
            max(1.0, min(1000.0 / self._speed, 33.0)))
        self._timer.start(interval)

    def _halt(self, final: bool) -> None:
        """Stop the loop: pause (with a preview trace) and send the state."""
        if self._timer is not None:
            self._timer.stop()
        self._mode = IDLE
        s = self.session
        if s is not None:
            s.pause()
            self._emit(final=final, force=True)

    def _emit(self, final: bool, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last_emit < max(SNAPSHOT_INTERVAL, self.min_interval):
            return
        with self._lock:
            if not force and self._in_flight >= MAX_IN_FLIGHT:
                return
            self._in_flight += 1
        self._last_emit = now
        self.snapshot.emit(make_snapshot(self.session, final=final, generation=self.generation,
                                         boundary=self.boundary_wanted))

    def _ready(self) -> bool:
        if self.session is None or self._load_error:
            why = f" ({self._load_error})" if self._load_error else ""
            self.error.emit(f"There is nothing to train: the network could not be prepared{why}. "
                            "Fix the network or the data, then press Play again.")
            return False
        return True

    def _fail(self, exc: BaseException) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._mode = IDLE
        if self.session is not None and self.session.state == RUNNING:
            self.session.state = PAUSED
        if isinstance(exc, ValueError):
            text = str(exc)
        else:
            traceback.print_exc()
            text = f"Training stopped because of an internal error ({type(exc).__name__}: {exc})."
        self.error.emit(text)

    def _shutdown(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._mode = IDLE
        self.finished.emit()
        QThread.currentThread().quit()

    def __repr__(self) -> str:
        return f"TrainingWorker({self._mode}, speed={self._speed or 'max'}, {self.session!r})"
