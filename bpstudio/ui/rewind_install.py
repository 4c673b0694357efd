"""Rewind in the window: the timeline under the loss plot, scrubbing, "Continue from here".

A past epoch's snapshot (computed in the worker) reaches the canvas and the panels through a
:class:`ScrubFeed`: one receiver per turn of the event loop, each with the newest view, so no
frame carries more than one panel's redraw while the learner drags (all of them at once took
~35 ms). The loss plot marks the epoch on view and shows a pending branch's later curve dimmed.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Slot

from bpstudio.training.rewind_control import ContinueFromHereCommand, RewindControl
from bpstudio.ui.panels.timeline import Timeline


class ScrubFeed(QObject):
    """Hands the newest past-epoch snapshot to each receiver in turn, one per event-loop turn."""

    def __init__(self, receivers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.receivers = list(receivers)
        self.snap = None
        self._queue: list = []
        self._given: dict[int, object] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._turn)
        self.turns: list[float] = []  # seconds each turn took (the benchmark reads them)

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
        self.receivers[i](self.snap)
        self.turns.append(time.perf_counter() - t0)
        self._given[i] = self.snap
        if self._queue:
            self._timer.start()


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
        canvas = getattr(getattr(window, "train_controls", None), "canvas_weights", None)
        if canvas is not None:
            receivers.insert(0, canvas.show_snapshot)
        self.feed = ScrubFeed(receivers, self)
        loss = panels.loss
        loss.layout().addWidget(self.timeline)
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen((214, 39, 40), width=1.5))
        self.marker.hide()
        loss.plot.addItem(self.marker, ignoreBounds=True)
        self.later_curve = loss.plot.plot([], [], pen=pg.mkPen((185, 190, 200), width=1.5))
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
