"""Raise and lower a :class:`~bpstudio.training.gate.GuiGate` from the GUI thread's event loop.

While training runs, an application-wide event filter raises the gate whenever the GUI thread is
handed an event (a timer, a queued snapshot, a repaint, a mouse move), and the event dispatcher's
``aboutToBlock`` lowers it when the loop has nothing left to do. With Qt's glib dispatcher the
lowering comes between two rounds of events, so the worker may train a little between rounds —
never inside one, where a repaint makes hundreds of Python calls.
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
        self._enter = gate.enter  # bound once: the filter runs for every event
        dispatcher.aboutToBlock.connect(gate.leave)
        app.installEventFilter(self)

    def remove(self) -> None:
        gate, self.gate = self.gate, None
        if gate is None:
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        try:
            self._dispatcher.aboutToBlock.disconnect(gate.leave)
        except (RuntimeError, TypeError):  # pragma: no cover - already gone
            pass
        self._dispatcher = None
        gate.leave()  # never leave the worker waiting

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        self._enter()
        return False

    def __repr__(self) -> str:
        return f"GateHooks({'on ' + repr(self.gate) if self.gate else 'off'})"
