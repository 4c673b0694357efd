"""Views follow core events weakly: a deleted view is dropped, never called (issue: "already deleted")."""

import shiboken6
from PySide6.QtWidgets import QWidget

from bpstudio.core.events import Event
from bpstudio.core.presets import load_preset
from bpstudio.weak_events import follow


class _Counter(QWidget):
    def __init__(self):
        super().__init__()
        self.calls = []

    def seen(self, *args):
        self.calls.append(args)


def test_follow_calls_the_live_view_and_drops_a_deleted_one(qtbot):
    event = Event("x")
    a, b = _Counter(), _Counter()
    follow(event, a, "seen")
    follow(event, b, "seen")
    event.emit(1, 2)
    assert a.calls == [(1, 2)] and b.calls == [(1, 2)]
    shiboken6.delete(b)  # Qt deletes the view; Python still holds the wrapper
    event.emit(3)
    assert a.calls == [(1, 2), (3,)]
    assert len(event) == 1  # b's handler removed itself
    a.deleteLater()


def test_follow_does_not_keep_the_view_alive():
    event = Event("x")
    view = _Counter()
    follow(event, view, "seen")
    del view  # the only strong reference: the handler held it weakly
    event.emit()
    assert len(event) == 0


def test_a_deleted_diagnostics_panel_is_not_called_by_a_shared_graph(qtbot):
    from bpstudio.ui.document import Document
    from bpstudio.ui.panels.diagnostics import DiagnosticsPanel

    document = Document(load_preset("xor"))
    first, second = DiagnosticsPanel(document), DiagnosticsPanel(document)
    qtbot.addWidget(second)
    events = document.graph.events.structure_changed
    before = len(events)
    shiboken6.delete(first)
    document.graph.set_bias(document.graph.outputs[0].id, 0.5)  # emits structure_changed
    qtbot.wait(1)  # the coalesced refresh runs on the live panel only
    assert len(events) == before - 1
    assert second.document.graph.outputs[0].bias == 0.5
