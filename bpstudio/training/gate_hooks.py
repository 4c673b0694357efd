"""Raise and lower a :class:`~bpstudio.training.gate.GuiGate` from the GUI thread's event loop.

While training runs, an application-wide event filter raises the gate when the GUI thread is
handed an event (a timer, a queued snapshot, a repaint, a mouse move), and the event dispatcher's
``aboutToBlock`` lowers it when the loop has nothing left to do. With Qt's glib dispatcher the
lowering comes between two rounds of events, so the worker may train a little between rounds —
never inside one, where a repaint makes hundreds of Python calls.

The filter takes itself out after the first event of a round and is put back when the round ends:
every Python call on the GUI thread has to win the GIL from the worker (up to a switch interval
and a context switch), so one call per round instead of one per event (hundreds a second).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QObject

from .gate import GuiGate


class GateHooks(QObject):
    """``install(gate)`` while training runs, ``remove()`` when it stops (GUI thread)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.gate: GuiGate | None = None
        self._dispatcher = None
        self._app = None
        self._filtering = False

    @property
    def installed(self) -> bool:
        return self.gate is not None

    def install(self, gate: GuiGate) -> None:
        if self.gate is gate:
            return
        self.remove()
        app, dispatcher = QCoreApplication.instance(), QAbstractEventDispatcher.instance()
        if app is None or dispatcher is None:  # pragma: no cover - a GUI thread has both
            return
        self.gate = gate
        self._dispatcher = dispatcher
        self._app = app
        dispatcher.aboutToBlock.connect(self._round_ended)
        app.installEventFilter(self)
        self._filtering = True

    def remove(self) -> None:
        gate, self.gate = self.gate, None
        if gate is None:
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._filtering = False
        try:
            self._dispatcher.aboutToBlock.disconnect(self._round_ended)
        except (RuntimeError, TypeError):  # pragma: no cover - already gone
            pass
        self._dispatcher = None
        gate.leave()  # never leave the worker waiting

    def _round_ended(self) -> None:
        """The event loop is about to wait: the worker may go on; watch for the next event."""
        gate = self.gate
        if gate is None:
            return
        gate.leave()
        if not self._filtering:
            self._app.installEventFilter(self)
            self._filtering = True

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        gate = self.gate
        if gate is not None:
            gate.enter()
        if self._filtering:  # until this round ends, one raise is enough
            self._app.removeEventFilter(self)
            self._filtering = False
        return False

    def __repr__(self) -> str:
        return f"GateHooks({'on ' + repr(self.gate) if self.gate else 'off'})"
