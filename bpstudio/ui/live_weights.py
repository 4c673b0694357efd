"""Live weights on the canvas and the inspector's numbers, from each training snapshot."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QObject, Slot

import numpy as np

from bpstudio.training.session import RUNNING
from bpstudio.training.snapshot import UPDATE


class LiveWeights(QObject):
    """Live weights on the canvas and the inspector's numbers from each snapshot.

    While training runs, the canvas is recoloured at most every ``BUDGET_FACTOR`` × its own cost
    (≤ 2 % of the GUI thread), and a canvas that takes longer than ``CHEAP`` to recolour (a few
    hundred edges: its repaint then blocks the GUI for 50-100 ms under the worker's GIL
    pressure) only every ``SLOW_INTERVAL``; a paused or stepped state is always shown.
    """

    BUDGET_FACTOR = 50.0
    CHEAP = 0.005
    SLOW_INTERVAL = 5.0

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.cost = 0.0  # seconds one recolouring took (smoothed)
        self._next = 0.0
        self._changes_shown = False

    @Slot(object)
    def show_snapshot(self, snap) -> None:
        w = self.window
        now = time.perf_counter()
        if snap.state != RUNNING or now >= self._next:
            w.scene.set_edge_values(dict(zip(snap.edge_keys, snap.weights.tolist())),
                                    dict(zip(snap.bias_ids, snap.biases.tolist())))
            self._show_changes(snap)
            took = time.perf_counter() - now
            self.cost = took if self.cost == 0.0 else 0.7 * self.cost + 0.3 * took
            wait = self.BUDGET_FACTOR * self.cost
            self._next = now + (wait if self.cost <= self.CHEAP else max(wait, self.SLOW_INTERVAL))
        self.show_inspector(snap)

    def show_inspector(self, snap) -> None:
        """The inspector's numbers of the selected unit or connection, from ``snap``."""
        w = self.window
        inspector = getattr(w, "inspector", None)
        record = getattr(inspector, "record", None)
        if inspector is None or record is None:
            return
        if isinstance(record, str) and record in snap.unit_ids and snap.activation is not None:
            col = snap.unit_ids.index(record)
            row = self._sample(snap)
            tables = (snap.net_input, snap.activation, snap.delta)
            inspector.set_unit_values(*(None if t is None else self._value(t[:, col], row) for t in tables))
        elif isinstance(record, tuple) and record in snap.edge_keys and snap.weight_grad is not None:
            inspector.set_edge_gradient(float(snap.weight_grad[snap.edge_keys.index(record)]))

    def _show_changes(self, snap) -> None:
        """After the update phase (or a whole step) each edge shows new − old beside its weight;
        while running, and before a step's update, no change is shown."""
        scene = self.window.scene
        if scene.bundled:
            return
        shown = snap.state != RUNNING and (snap.phase is None or snap.phase.kind == UPDATE)
        change = snap.weight_change if shown else None
        if change is None:
            if self._changes_shown:
                for item in (*scene.edges.values(), *scene.bias_edges.values()):
                    item.set_change(None)
                self._changes_shown = False
            return
        for items, keys, values in ((scene.edges, snap.edge_keys, change),
                                    (scene.bias_edges, snap.bias_ids, snap.bias_change)):
            for key, c in zip(keys, values.tolist() if values is not None else ()):
                item = items.get(key)
                if item is not None:
                    item.set_change(c)
        self._changes_shown = True

    def _sample(self, snap) -> int | None:
        """The row of the batch chosen in the delta panel; None for its "mean over the batch"."""
        panels = getattr(self.window, "panels", None)
        chosen = int(getattr(getattr(panels, "deltas", None), "sample", 0) or 0)
        if chosen < 0:  # MEAN (−1) in the delta panel
            return None
        return min(chosen, len(snap.activation) - 1)

    @staticmethod
    def _value(column: np.ndarray, row: int | None) -> float:
        """One sample's value, or the mean over the batch (NaN when not known yet, e.g. a delta
        the backward pass has not reached)."""
        if row is not None:
            return float(column[row])
        known = column[~np.isnan(column)]
        return float(known.mean()) if len(known) == len(column) and len(known) else math.nan
