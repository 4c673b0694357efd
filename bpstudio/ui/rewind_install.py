"""Rewind in the window: the timeline under the loss plot, scrubbing, "Continue from here".

A past epoch's snapshot (computed in the worker) reaches the canvas and the panels through a
:class:`ScrubFeed`: one receiver per turn of the event loop, each with the newest view, so no
frame carries more than one panel's redraw while the learner drags (all of them at once took
~35 ms). The loss plot marks the epoch on view and shows a pending branch's later curve dimmed.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Slot

import numpy as np
import pyqtgraph as pg

from bpstudio.training.rewind_control import ContinueFromHereCommand, RewindControl
from bpstudio.ui.panels.timeline import Timeline

TURN_GAP_MS = 0  # the next panel on the next turn of the event loop (its paints come first)


class ScrubFeed(QObject):
    """Hands the newest past-epoch snapshot to each receiver in turn, one per event-loop turn.

    A receiver that returns True has more to do with the same snapshot: it gets another turn later
    (the canvas recolours a slice of its connections per turn)."""

    def __init__(self, receivers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.receivers = list(receivers)
        self.snap = None
        self._queue: list = []
        self._given: dict[int, object] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TURN_GAP_MS)
        self._timer.timeout.connect(self._turn)
        self.turns: list[float] = []  # seconds each turn took (the benchmark reads them)
        self.done = lambda: None  # called when every receiver has the newest snapshot
        self.turn_of: list[int] = []  # ... and whose turn it was

    @Slot(object)
    def show(self, snap) -> None:
        self.snap = snap
        for i in range(len(self.receivers)):
            if self._given.get(i) is not snap and i not in self._queue:
                self._queue.append(i)
        if not self._timer.isActive():
            self._timer.start()

    def cancel(self) -> None:
        """Forget what was not handed out yet (a live snapshot took over)."""
        self._queue.clear()
        self._given.clear()
        self._timer.stop()

    @property
    def pending(self) -> bool:
        return bool(self._queue)

    @Slot()
    def _turn(self) -> None:
        if not self._queue:
            return
        i = self._queue.pop(0)
        t0 = time.perf_counter()
        more = self.receivers[i](self.snap)
        self.turns.append(time.perf_counter() - t0)
        self.turn_of.append(i)
        if more:
            self._queue.append(i)
        else:
            self._given[i] = self.snap
        if self._queue:
            self._timer.start()
        else:
            self.done()


class CanvasInTurns:
    """A past epoch's weights and their next changes on the canvas, ``per_turn`` connections a turn
    (recolouring and relabelling all 336 of a 2-16-16-1 network at once takes ~20 ms)."""

    def __init__(self, window, live, per_turn: int = 48) -> None:
        self.window, self.live, self.per_turn = window, live, per_turn
        self._snap = None
        self._next = 0

    def show_snapshot(self, snap) -> bool:
        """Draw the next slice of ``snap``; True while slices are left."""
        scene = self.window.scene
        if scene.bundled or snap.viewing_epoch is None:
            self.live.show_snapshot(snap)  # one go (a bundle is drawn as one item; the live state)
            return False
        if snap is not self._snap:
            self._snap, self._next = snap, 0
        i, k = self._next, self.per_turn
        keys = snap.edge_keys[i:i + k]
        biases = dict(zip(snap.bias_ids, snap.biases.tolist())) if i == 0 else None
        scene.set_edge_values(dict(zip(keys, snap.weights[i:i + k].tolist())), biases)
        change = snap.weight_change
        for key, c in zip(keys, change[i:i + k].tolist() if change is not None else ()):
            item = scene.edges.get(key)
            if item is not None:
                item.set_change(c)
        if i == 0 and snap.bias_change is not None:
            for key, c in zip(snap.bias_ids, snap.bias_change.tolist()):
                item = scene.bias_edges.get(key)
                if item is not None:
                    item.set_change(c)
        self.live._changes_shown = True  # the live state clears them again
        self._next = i + k
        if self._next < len(snap.edge_keys):
            return True
        self.live.show_inspector(snap)
        return False


class Rewind(QObject):
    """The window's rewind: timeline ⇄ RewindControl ⇄ the panels and the loss plot."""

    def __init__(self, window, controller, panels) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.control = RewindControl(controller, self)
        self.timeline = Timeline()
        # the network's panels; the loss and gradient plots are histories over time (the loss plot
        # marks the epoch on view instead)
        receivers = [p.show_snapshot for p in panels.all() if p not in (panels.loss, panels.gradients)]
        live = getattr(getattr(window, "train_controls", None), "canvas_weights", None)
        if live is not None:
            self.canvas = CanvasInTurns(window, live, per_turn=1000)
            receivers.insert(0, self.canvas.show_snapshot)
        self.feed = ScrubFeed(receivers, self)
        loss = panels.loss
        loss.layout().addWidget(self.timeline)
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen((214, 39, 40), width=1.5))
        self.marker.hide()
        loss.plot.addItem(self.marker, ignoreBounds=True)
        self.later_curve = loss.plot.plot([], [], pen=pg.mkPen((185, 190, 200), width=1.5))
        self.control.sample_of = lambda: int(getattr(panels.arithmetic, "sample", 0) or 0)
        self.control.gui_busy = lambda: self.feed.pending  # the next view once this one is shown
        self.feed.done = self.control.flush
        self.timeline.scrubbed.connect(self.control.request_view)
        self.timeline.live_requested.connect(self.back_to_live)
        self.timeline.continue_requested.connect(self.continue_from)
        self.control.viewed.connect(self._viewed)
        controller.snapshot_ready.connect(self._live_snapshot)

    @Slot(object)
    def _live_snapshot(self, snap) -> None:
        if snap.state == "running" or snap.history_reset or self.timeline.viewing is None:
            self.feed.cancel()
            self.control.cancel()
            self.marker.hide()
        self.timeline.show_snapshot(snap)
        if self.timeline.viewing is None:
            self.marker.hide()
        later = snap.later_epochs
        if later is not None and len(later):
            self.later_curve.setData(np.asarray(later), np.asarray(snap.later_losses))
        else:
            self.later_curve.setData([], [])

    @Slot(object)
    def _viewed(self, snap) -> None:
        if self.timeline.viewing is None:
            return  # the learner went back to the live state meanwhile
        self.marker.setValue(snap.viewing_epoch)
        self.marker.show()
        self.feed.show(snap)

    @Slot()
    def back_to_live(self) -> None:
        self.control.cancel()
        self.marker.hide()
        if self.controller.latest is not None:
            self.feed.show(self.controller.latest)

    @Slot(int)
    def continue_from(self, epoch: int) -> None:
        self.window.undo_stack.push(ContinueFromHereCommand(self.control, epoch))
        self.window.show_message(f"Training goes on from epoch {epoch}; the later history stays "
                                 "(dimmed) until you train, and Undo brings it back")


def install_rewind(window) -> Rewind | None:
    """Put the timeline under the loss plot and wire it (needs the controller and the panels)."""
    controller = getattr(window, "controller", None)
    panels = getattr(window, "panels", None)
    if controller is None or panels is None:
        return None
    rewind = Rewind(window, controller, panels)
    window.rewind = rewind
    dock = getattr(window, "docks", {}).get("loss")
    if dock is not None:
        dock.setToolTip("Loss per epoch; the timeline under it goes back to any recorded epoch")
    rewind.timeline.strip.setFocusPolicy(Qt.StrongFocus)
    return rewind
