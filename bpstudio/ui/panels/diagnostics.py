"""Diagnostics said where the learner looks: a compact banner of notes, warnings and errors.

The findings come from :func:`bpstudio.core.diagnostics.diagnose`: run on the document's graph
whenever it changes (coalesced to one run per event-loop turn), plus the non-finite findings the worker's
snapshots report while training (their ``diagnostics`` and ``non_finite``). Each finding is one line
(its severity and its first sentence, cut to the width) with "More…" for the whole explanation and its
actions inline. A symmetry warning offers "Re-initialise randomly": Xavier weights with a new seed,
through the document's undo stack (:class:`ReinitialiseCommand` calls ``graph.set_weights``), so Undo
brings the old ones back.
"""

from __future__ import annotations

import secrets
import weakref
from dataclasses import replace

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal, Slot

import pyqtgraph as pg  # noqa: F401  (import order for demos)

from bpstudio.core.init import initial_values
from bpstudio.ui.panels.finding_rows import FindingRow, fill_colours, headline  # noqa: F401 (headline: API)
from bpstudio.weak_events import follow

BANNER_MAX_WIDTH = 980  # px: wider lines are hard to read
BANNER_MIN_WIDTH = 360  # px: never narrower (unless the canvas itself is)


def _diagnose():
    try:
        from bpstudio.core.diagnostics import diagnose
    except ImportError:
        return None
    return diagnose


class ReinitialiseCommand(QtGui.QUndoCommand):
    """Random (Xavier) weights with a new seed; undo restores the old weights and settings."""

    def __init__(self, document, seed: int | None = None, scheme: str = "xavier") -> None:
        super().__init__("Re-initialise randomly")
        # weakly: the document's own undo stack owns this command, and a strong reference back is a
        # Python <-> C++ cycle the garbage collector can free twice (as in bpstudio/ui/data_commands.py)
        self._document = weakref.ref(document)
        graph = document.graph
        self.seed = secrets.randbelow(2**31) if seed is None else int(seed)
        self.old_weights = {k: e.weight for k, e in graph.edges.items()}
        self.old_biases = {n.id: n.bias for n in graph if n.id in _bias_units(graph)}
        self.new_weights, self.new_biases = initial_values(graph, scheme, self.seed)
        self.old_settings = document.settings
        self.new_settings = replace(document.settings, init=scheme, seed=self.seed)

    @property
    def document(self):
        return self._document()

    def redo(self) -> None:
        self._apply(self.new_weights, self.new_biases, self.new_settings)

    def undo(self) -> None:
        self._apply(self.old_weights, self.old_biases, self.old_settings)

    def _apply(self, weights, biases, settings) -> None:
        document = self.document
        if document is None:  # the document is gone: nothing left to change
            self.setObsolete(True)
            return
        document.graph.set_weights(weights, biases)
        setter = getattr(document, "set_settings", None)
        if setter is not None:
            setter(settings)
        else:
            document.settings = settings

    def __repr__(self) -> str:
        return f"ReinitialiseCommand(seed={self.seed}, {len(self.new_weights)} weights)"


def _bias_units(graph) -> set[str]:
    return {n.id for n in graph if n.role != "input"}


class DiagnosticsPanel(QtWidgets.QWidget):
    """One line per finding; "No problems found." when all is well."""

    unit_clicked = Signal(str)  # a message names units: clicking it selects the first
    changed = Signal(int)  # how many findings are shown (emitted when they change)
    resized = Signal()  # a finding was expanded or collapsed

    def __init__(self, document, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.from_graph: list = []
        self.from_snapshot: list = []
        self.expanded: set = set()  # (kind, message) of the findings shown in full
        self.fit_on_resize = True
        self._shown: tuple | None = None  # what the rows show now
        self._due = False
        self.box = QtWidgets.QVBoxLayout()
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(2)
        self.ok_label = QtWidgets.QLabel("No problems found.")
        fill_colours(self.ok_label, None, "#4d8a4d")
        self.scroll_area = scroll = QtWidgets.QScrollArea()
        self.inner = inner = QtWidgets.QWidget()
        inner_lay = QtWidgets.QVBoxLayout(inner)
        inner_lay.setContentsMargins(0, 0, 0, 0)
        inner_lay.addLayout(self.box)
        inner_lay.addStretch(1)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.ok_label)
        lay.addWidget(scroll, 1)
        scroll.setMinimumHeight(1)  # not its size hint: the strip may be one line high
        follow(document.graph.events.structure_changed, self, "schedule")  # weakly: see weak_events
        for name in ("dataset_changed", "project_replaced"):
            sig = getattr(document, name, None)
            if sig is not None:
                sig.connect(self.schedule)
        self.refresh_from_graph()

    # ------------------------------------------------------------------ sources
    def schedule(self, *args) -> None:
        """Re-diagnose once the current burst of graph events is over."""
        self.from_snapshot = []
        if not self._due:
            self._due = True
            QtCore.QTimer.singleShot(0, self.refresh_from_graph)

    @Slot()
    def refresh_from_graph(self) -> None:
        self._due = False
        diagnose = _diagnose()
        if diagnose is None:
            self.from_graph = []
        else:
            try:
                self.from_graph = list(diagnose(self.document.graph, dataset=self.document.dataset))
            except Exception as exc:  # a half-built network must not break the banner
                self.from_graph = []
                self.ok_label.setText(f"Could not check the network: {exc}")
        self.render()

    @Slot(object)
    def show_snapshot(self, snap) -> None:
        """Non-finite findings from the worker (linear and symmetric ones come from the graph,
        which the controller keeps in step with training, with the dataset for context)."""
        found = [d for d in (snap.diagnostics or ()) if getattr(d, "kind", "") == "non_finite"]
        if snap.non_finite and not any(getattr(d, "kind", "") == "non_finite" for d in found):
            what = f"{snap.non_finite[0].upper()}{snap.non_finite[1:]}"
            # a loss that exploded names the largest (still finite) weight: "… (grew to 4.9e+07)"
            broke = "grew too large" if "(grew to " in what else "is not a finite number"
            record = getattr(snap, "non_finite_record", None)  # a unit id or an edge key: "Show"
            units = tuple(record) if isinstance(record, tuple) else (record,) if record else ()
            found.append(_Finding("non_finite", "error",
                                  f"{what} {broke}: training has diverged. Lower the learning "
                                  f"rate and re-initialise.", units))
        if found != self.from_snapshot:
            self.from_snapshot = found
            self.render()

    # ------------------------------------------------------------------ view
    def findings(self) -> list:
        """What the banner shows: errors, then warnings, then notes, without repeats."""
        seen, out = set(), []
        for d in [*self.from_snapshot, *self.from_graph]:
            key = (d.kind, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
        rank = {"error": 0, "warning": 1, "note": 2}
        return sorted(out, key=lambda d: rank.get(d.severity, 3))

    def kinds(self) -> list[str]:
        return [d.kind for d in self.findings()]

    def rows(self) -> list[FindingRow]:
        return [self.box.itemAt(i).widget() for i in range(self.box.count())]

    def render(self) -> None:
        """Rebuild the rows, only when the findings changed (the graph changes at every step)."""
        found = self.findings()
        key = tuple((d.kind, d.message, tuple(getattr(d, "units", ()) or ())) for d in found)
        if key == self._shown:
            return
        self._shown = key
        while self.box.count():
            w = self.box.takeAt(0).widget()
            if w is not None:
                w.hide()
                w.deleteLater()
        self.expanded &= {k[:2] for k in key}
        self.ok_label.setVisible(not found)
        self.scroll_area.setVisible(bool(found))
        for d in found:
            self.box.addWidget(self._row(d))
        self.changed.emit(len(found))

    def preferred_height(self, width: int) -> int:
        """Height of all the rows at ``width`` (0 when there is nothing to show)."""
        rows = self.rows()
        if not rows:
            return 0
        for r in rows:
            r.fit(width)
        return sum(r.height_for(width) for r in rows) + self.box.spacing() * (len(rows) - 1)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.fit_on_resize:  # in a dock (a banner fits the rows to the width it chooses)
            for r in self.rows():
                r.fit(self.inner.width())

    def _row(self, d) -> FindingRow:
        # palettes, not style sheets: the banner repaints with the canvas under it, and style
        # sheets doubled the cost of a canvas repaint
        key = (d.kind, d.message)
        row = FindingRow(d, key in self.expanded)
        row.toggled.connect(lambda on, k=key: self._toggled(k, on))
        units = tuple(getattr(d, "units", ()) or ())
        if units:
            show = QtWidgets.QToolButton()
            show.setText("Show")
            names = [self._name(u) for u in units]
            show.setToolTip(f"Select {names[0]} on the canvas"
                            + (f" (also concerned: {', '.join(names[1:])})" if len(names) > 1 else ""))
            show.clicked.connect(lambda _=False, u=units[0]: self.unit_clicked.emit(u))
            row.add_action(show)
        if d.kind == "symmetric":
            fix = QtWidgets.QPushButton("Re-initialise randomly")
            fix.setObjectName("reinitialise")
            fix.setToolTip("Xavier weights with a new random seed (undoable)")
            fix.clicked.connect(self.reinitialise)
            row.add_action(fix)
        return row

    def _name(self, nid: str) -> str:
        node = self.document.graph.nodes.get(nid)
        return node.name if node is not None else nid

    def _toggled(self, key: tuple, on: bool) -> None:
        if on:
            self.expanded.add(key)
        else:
            self.expanded.discard(key)
        self.resized.emit()

    # ------------------------------------------------------------------ action
    @Slot()
    def reinitialise(self, seed: int | None = None) -> None:
        """Xavier weights, new seed, through the undo stack when the document has one."""
        cmd = ReinitialiseCommand(self.document, seed if isinstance(seed, int) else None)
        stack = getattr(self.document, "undo_stack", None)
        if stack is not None:
            stack.push(cmd)
        else:
            cmd.redo()

    def __repr__(self) -> str:
        return f"DiagnosticsPanel({self.kinds()})"


class DiagnosticsBanner(QtWidgets.QFrame):
    """The diagnostics over the top of the canvas, one line per finding, while there is something to say.

    "×" hides it until the findings change. It spans the width of ``host`` (the canvas view
    itself: a child of its viewport would scroll with the scene) up to ``BANNER_MAX_WIDTH``, is as
    tall as its lines (at most 45 % of the canvas, scrolling beyond) and hides when nothing is left.
    """

    def __init__(self, panel: DiagnosticsPanel, host: QtWidgets.QWidget) -> None:
        super().__init__(host)
        self.panel = panel
        panel.fit_on_resize = False  # place() fits the rows to the banner's width
        self.host = host
        self.dismissed: tuple = ()
        self.setObjectName("diagnostics_banner")
        fill_colours(self, "#ffffff", "#1d1d1d")
        self.setFrameShape(QtWidgets.QFrame.Box)
        self.close_button = close = QtWidgets.QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Hide these messages until something changes")
        close.clicked.connect(self.dismiss)
        side = QtWidgets.QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(close)
        side.addStretch(1)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        lay.addWidget(panel, 1)
        lay.addLayout(side)
        panel.changed.connect(self.place)
        panel.resized.connect(self.place)
        host.installEventFilter(self)
        self.place()

    def _key(self) -> tuple:
        return tuple((d.kind, d.message) for d in self.panel.findings())

    @Slot()
    def dismiss(self) -> None:
        self.dismissed = self._key()
        self.hide()

    def width_for(self, host_width: int) -> int:
        """The banner's width over a canvas ``host_width`` wide: all of it but a margin, up to
        ``BANNER_MAX_WIDTH``; never narrow unless the canvas is."""
        room = host_width - 16
        return max(min(room, BANNER_MAX_WIDTH), min(BANNER_MIN_WIDTH, max(room, 1)))

    @Slot()
    def place(self, *_args) -> None:
        key = self._key()
        if not key or key == self.dismissed:
            self.hide()
            return
        self.dismissed = ()
        width = self.width_for(self.host.width())
        self.ensurePolished()  # the buttons' size hints depend on their style and font
        for w in self.findChildren(QtWidgets.QWidget):
            w.ensurePolished()
        m = self.layout().contentsMargins()
        inner = width - m.left() - m.right() - self.layout().spacing() - self.close_button.sizeHint().width()
        want = self.panel.preferred_height(inner) + m.top() + m.bottom() + 2
        height = int(min(want, max(60, 0.45 * self.host.height())))
        self.setFixedSize(width, max(height, self.close_button.sizeHint().height() + 4))
        self.move(8, 8)
        self.show()
        self.raise_()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        # also while hidden (or before the window shows): the width follows the canvas always
        if obj is self.host and event.type() in (QtCore.QEvent.Resize, QtCore.QEvent.Show) \
                and not self.isHidden():
            self.place()
        return False

    def __repr__(self) -> str:
        return f"DiagnosticsBanner(shown={self.isVisible()}, {self.width()} px wide, {self.panel!r})"


class _Finding:
    """A finding made from a snapshot's ``non_finite`` text (same fields as the core's)."""

    def __init__(self, kind: str, severity: str, message: str, units: tuple = ()) -> None:
        self.kind, self.severity, self.message, self.units = kind, severity, message, units

    def __eq__(self, other) -> bool:
        return isinstance(other, _Finding) and (self.kind, self.message) == (other.kind, other.message)

    def __repr__(self) -> str:
        return f"_Finding({self.kind}, {self.message!r})"


if __name__ == "__main__":
    from bpstudio.core.presets import load_preset
    from bpstudio.ui.document import Document

    app = pg.mkQApp("Diagnostics")
    doc = Document(load_preset("article-xor"))
    panel = DiagnosticsPanel(doc)
    panel.resize(520, 360)
    panel.show()
    app.exec()
