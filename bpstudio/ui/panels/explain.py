"""The worked-arithmetic panel: the core's text for the current step and a chosen sample.

From the start it shows something useful: a preview of the next step for the chosen sample,
computed from the document's graph, dataset and settings (:func:`preview_next_step`) and labelled
"nothing applied yet"; it is refreshed when the graph (other than by training's own write-back),
the dataset or the settings change while training is not running.

The text comes from :mod:`bpstudio.core.explain` (forward, loss, deltas, updates, in the article's
notation with its signs corrected). The trace it needs is rebuilt on the GUI side by
:class:`~bpstudio.ui.panels.step_trace.StepRecall` — one small step recomputed with the core —
only when the panel is visible and training is paused or stepping; while training runs, or when
the panel is hidden, the latest snapshot waits and is explained when it matters. Networks of more
than 200 units get a note instead. Selecting a unit or edge on the canvas scrolls to its lines and
highlights them; Copy and Export Markdown.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal, Slot

import numpy as np
import pyqtgraph as pg  # noqa: F401  (keeps the import order PySide6 → pyqtgraph for demos)

from bpstudio.core.text_wrap import wrap_line
from bpstudio.ui.panels.finding_rows import ElidedLine
from bpstudio.ui.panels.step_trace import (
    Recalled,
    StepRecall,
    TraceUnavailable,
    line_shown,
    preview_next_step,
)
from bpstudio.weak_events import follow

HIGHLIGHT = QtGui.QColor(255, 220, 120)
PREVIEW = "preview"  # what the panel waits to show: the next step from the document
QUIET_STATES = ("idle", "paused", "finished", "diverged", "stepped")


def _explain():
    """The core's worked-arithmetic functions (another module; None while it is missing)."""
    try:
        from bpstudio.core import explain
    except ImportError:
        return None
    return explain


HANG = 6  # characters a wrapped line of arithmetic is indented by
MIN_COLUMNS = 40  # never wrap narrower than this (a very narrow dock scrolls instead)
HAND_WRAP_LINES = 150  # up to this many lines: wrapped here, before operators with a hanging indent

class ArithmeticPanel(QtWidgets.QWidget):
    """Worked arithmetic of one step; ``show_snapshot`` and ``select`` are its slots."""

    sample_changed = Signal(int)

    def __init__(self, document, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document  # .graph, .dataset, .settings
        self.recall = StepRecall()
        self.recalled: Recalled | None = None
        self.lines: list = []  # core explain Lines, in text order
        self.line_blocks: list[int] = []  # text block of each line
        self.sample = 0
        self.selected = None
        self._pending = None  # a snapshot (with its predecessor) or PREVIEW, waiting to be shown
        self._last_snap = None  # the latest snapshot explained or waiting
        self._inputs_changed = False  # dataset or settings changed since the last snapshot
        self._preview_due = False
        self._fresh = False  # the next render shows a new step: scroll to its forward pass

        self.title = QtWidgets.QLabel("")
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.context = ElidedLine("")  # batch / online: what a step uses, how the update combines it
        self.sample_box = QtWidgets.QComboBox()
        self.sample_box.currentIndexChanged.connect(self._sample_picked)
        copy = QtWidgets.QToolButton()
        copy.setText("Copy")
        copy.setToolTip("Copy the worked arithmetic to the clipboard as plain text")
        copy.clicked.connect(self.copy)
        export = QtWidgets.QToolButton()
        export.setText(".md…")
        export.setToolTip("Export the worked arithmetic as Markdown")
        export.clicked.connect(self._ask_markdown)
        top = QtWidgets.QHBoxLayout()
        self.sample_box.setToolTip("The sample of the step whose forward pass, loss and deltas are "
                                   "written out (in batch and mini-batch modes the updates use the "
                                   "mean over the step's samples)")
        self.sample_box.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.sample_box.setMinimumContentsLength(14)
        top.addWidget(self.sample_box)
        top.addStretch(1)
        top.addWidget(copy)
        top.addWidget(export)
        self.text = QtWidgets.QPlainTextEdit()
        self.text.setReadOnly(True)
        # long sums are wrapped here, before their operators with a hanging indent (core/text_wrap), to
        # the dock's width: no horizontal scrolling at any size; re-wrapped when the dock is resized
        self.text.setLineWrapMode(QtWidgets.QPlainTextEdit.NoWrap)
        self.text.viewport().installEventFilter(self)
        self._columns_shown = 0
        self._plain = ""
        self.line_spans: list[int] = []
        self.text.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.title)
        lay.addWidget(self.context)
        lay.addWidget(self.text, 1)
        # the preview follows the document while training is not running
        events = getattr(getattr(document, "graph", None), "events", None)
        if events is not None:
            follow(events.structure_changed, self, "_graph_changed")  # weakly: see weak_events
        for name in ("dataset_changed", "settings_changed", "project_replaced"):
            sig = getattr(document, name, None)
            if sig is not None:
                sig.connect(self._inputs_changed_now)
        self._pending = PREVIEW

    # ------------------------------------------------------------------ the preview
    def _graph_changed(self, *_args) -> None:
        self._schedule_preview()

    def _inputs_changed_now(self, *_args) -> None:
        self._inputs_changed = True
        self._schedule_preview()

    def _schedule_preview(self) -> None:
        """Once the current burst of changes is over (and the snapshot that caused them, if any,
        has arrived), preview the next step unless the change was training's own write-back."""
        if not self._preview_due:
            self._preview_due = True
            QtCore.QTimer.singleShot(0, self._maybe_preview)

    @Slot()
    def _maybe_preview(self) -> None:
        self._preview_due = False
        snap = self._last_snap
        if snap is not None and snap.state == "running" and snap.phase is None:
            return  # training runs: its next quiet snapshot is explained instead
        if not self._inputs_changed and self._graph_is(snap):
            return  # the graph holds the weights of the step shown: keep its arithmetic
        self.show_preview()

    def _graph_is(self, snap) -> bool:
        """True when the document's graph holds exactly ``snap``'s units and parameters."""
        if snap is None:
            return False
        g = self.document.graph
        try:
            if set(snap.edge_keys) != set(g.edges) or set(snap.unit_ids) != set(g.nodes):
                return False
            w = np.array([g.edges[k].weight for k in snap.edge_keys], dtype=float)
            b = np.array([g.nodes[u].bias for u in snap.bias_ids], dtype=float)
        except (KeyError, AttributeError, TypeError):
            return False
        return np.array_equal(w, snap.weights) and np.array_equal(b, snap.biases)

    def show_preview(self) -> None:
        """The arithmetic of the next step from the document (now if visible, else when shown)."""
        if not self.isVisible():
            self._pending = PREVIEW
            return
        self._pending = None
        self._inputs_changed = False
        self._last_snap = None
        self.recall.forget()
        doc = self.document
        try:
            self.recalled = preview_next_step(doc.graph, doc.dataset, doc.settings)
            self._fresh = True
        except TraceUnavailable as exc:
            self.recalled = None
            self._show_note(str(exc))
            return
        except Exception as exc:  # a half-built network must not break the panel
            self.recalled = None
            self._show_note(f"No arithmetic to show yet: {exc}")
            return
        self._fill_samples()
        self.render()

    # ------------------------------------------------------------------ data in
    @Slot(object)
    def show_snapshot(self, snap) -> None:
        """Explain the step ``snap`` shows, now if the panel is visible and training is quiet."""
        busy = snap.state == "running" and snap.phase is None
        prev = self.recall.prev
        self.recall.note(snap)
        self._last_snap = snap
        self._inputs_changed = False
        if busy or not self.isVisible():
            self._pending = (snap, prev)
            if busy:
                if self.recalled is not None and self.recalled.preview:
                    self.recalled = None  # the preview is out of date once training runs
                    self.text.setPlainText("")
                    self.lines, self.line_blocks = [], []
                self.title.setText("Training is running: pause or step to see the arithmetic.")
            return
        self._pending = None
        self._explain_snapshot(snap, prev)

    def _explain_snapshot(self, snap, prev=None) -> None:
        doc = self.document
        try:
            self.recalled = self.recall.recall(snap, doc.graph, doc.dataset, doc.settings, prev)
            self._fresh = True
        except TraceUnavailable as exc:
            self.recalled = None
            self._show_note(str(exc))
            return
        self._fill_samples()
        self.render()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._pending is PREVIEW:
            self.show_preview()
        elif self._pending is not None and self._pending[0].state != "running":
            (snap, prev), self._pending = self._pending, None
            self._explain_snapshot(snap, prev)

    def _show_note(self, text: str) -> None:
        self.lines, self.line_blocks, self.line_spans, self._plain = [], [], [], ""
        self.title.setText(text)
        self.context.set_text("")
        self.text.setPlainText("")

    def _fill_samples(self) -> None:
        tr = self.recalled.trace
        self.sample = min(self.sample, tr.n_samples - 1)
        self.sample_box.blockSignals(True)
        self.sample_box.clear()
        for k in range(tr.n_samples):
            row = int(tr.sample_indices[k]) + 1
            self.sample_box.addItem(f"sample {k + 1} of {tr.n_samples} (row {row})"
                                    if tr.n_samples > 1 else f"the sample (row {row})", k)
        self.sample_box.setCurrentIndex(self.sample)
        self.sample_box.blockSignals(False)

    def render(self) -> None:
        """Write the lines of the current trace and sample; keep the selection highlighted."""
        ex = _explain()
        if ex is None or self.recalled is None:
            self._show_note("The worked arithmetic is not available in this build.")
            return
        try:
            pre = getattr(self._last_snap, "explained", None)  # written out in the worker (rewind)
            if pre is not None and pre[0] == self.sample and self._last_snap.trace is self.recalled.trace:
                lines = list(pre[1])
            else:
                lines = ex.explain_lines(self.recalled.trace, self.document.graph, self.sample)
        except ValueError as exc:
            self._show_note(str(exc))
            return
        phase, depth_of = self.recalled.phase, self.recalled.trace.depth_of
        lines = [ln for ln in lines if line_shown(ln, phase, depth_of)]
        out: list[str] = []
        plain: list[str] = []
        self.line_blocks, self.line_spans = [], []
        columns = self._columns_shown = self.columns()
        # a big network's hundreds of long lines: Qt's own soft wrap (in C++, at spaces, no hanging
        # indent) keeps a scrub frame cheap; wrapping them here cost ~13 ms a frame (bench_scrub)
        soft = len(lines) > HAND_WRAP_LINES
        self.text.setLineWrapMode(QtWidgets.QPlainTextEdit.WidgetWidth if soft
                                  else QtWidgets.QPlainTextEdit.NoWrap)
        if soft:
            columns = 1 << 30
        section = None
        for ln in lines:
            if ln.section != section:
                if out:
                    out.append("")
                    plain.append("")
                title = ex.SECTION_TITLES.get(ln.section, ln.section)
                out += [title, "─" * len(title)]
                plain += [title, "─" * len(title)]
                section = ln.section
            self.line_blocks.append(len(out))
            pieces = wrap_line(ln.text, columns, HANG)
            self.line_spans.append(len(pieces))
            out += pieces
            plain.append(ln.text)
        self._plain = "\n".join(plain)
        self.lines = lines
        r = self.recalled
        note = "" if r.exact else " (approximate: the optimiser's state is not replayed)"
        self.title.setText(f"{r.title}{note}")
        self.context.set_text(r.context)
        bar = self.text.verticalScrollBar()
        keep = bar.value()
        self.text.setPlainText("\n".join(out))
        bar.setValue(keep)
        self._highlight(scroll=False)
        fresh, self._fresh = self._fresh, False
        if fresh and r.phase is None and not self.lines_of(self.selected):
            # a new step: open on its forward pass (the conventions stay above)
            first = next((i for i, ln in enumerate(lines) if ln.section == "forward"), None)
            if first is not None:
                bar.setValue(self.line_blocks[first])
        elif r.phase is not None and not self.lines_of(self.selected):
            # walking a step: what the phase just revealed is at the end of the text
            self.text.moveCursor(QtGui.QTextCursor.End)
            self.text.moveCursor(QtGui.QTextCursor.StartOfBlock)  # not the end of a long line
            self.text.ensureCursorVisible()
        self.text.horizontalScrollBar().setValue(0)  # lines are read from their start

    def columns(self) -> int:
        """How many characters of the fixed-width font fit across the text area."""
        char = QtGui.QFontMetricsF(self.text.font()).horizontalAdvance("0") or 8.0
        margin = 2 * self.text.document().documentMargin() + 4
        return max(MIN_COLUMNS, int((self.text.viewport().width() - margin) // char))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if (event.type() == QtCore.QEvent.Resize and watched is self.text.viewport()
                and self.recalled is not None and self.columns() != self._columns_shown
                and self.text.lineWrapMode() == QtWidgets.QPlainTextEdit.NoWrap):
            QtCore.QTimer.singleShot(0, self._rewrap)
        return False

    def _rewrap(self) -> None:
        if self.recalled is not None and self.columns() != self._columns_shown:
            self.render()

    def horizontal_scroll_bar(self) -> QtWidgets.QScrollBar:
        return self.text.horizontalScrollBar()

    # ------------------------------------------------------------------ selection
    @Slot(int)
    def set_sample(self, sample: int) -> None:
        if sample < 0 or sample == self.sample:
            return
        self.sample = sample
        if self.recalled is not None:
            self.sample_box.setCurrentIndex(min(sample, self.sample_box.count() - 1))
            self.render()

    def _sample_picked(self, index: int) -> None:
        if index >= 0 and index != self.sample:
            self.sample = index
            self.render()
            self.sample_changed.emit(index)

    def lines_of(self, item) -> list[int]:
        """Indices of the lines about a unit (its id) or an edge (its key)."""
        if item is None:
            return []
        if isinstance(item, tuple):
            return [i for i, ln in enumerate(self.lines) if ln.edge == item]
        return [i for i, ln in enumerate(self.lines) if ln.unit == item and ln.edge is None]

    @Slot(object)
    def select(self, item) -> None:
        """Highlight the lines of a unit id or an edge key (None clears) and scroll to the first."""
        self.selected = item
        self._highlight(scroll=True)

    def _highlight(self, scroll: bool) -> None:
        doc = self.text.document()
        extra = []
        hits = self.lines_of(self.selected)
        for i in hits:
            for block in range(self.line_blocks[i], self.line_blocks[i] + self.line_spans[i]):
                sel = QtWidgets.QTextEdit.ExtraSelection()
                sel.format.setBackground(HIGHLIGHT)
                sel.format.setForeground(QtGui.QColor(0, 0, 0))
                sel.format.setProperty(QtGui.QTextFormat.FullWidthSelection, True)
                sel.cursor = QtGui.QTextCursor(doc.findBlockByNumber(block))
                extra.append(sel)
        self.text.setExtraSelections(extra)
        if scroll and hits:
            cursor = QtGui.QTextCursor(doc.findBlockByNumber(self.line_blocks[hits[0]]))
            self.text.setTextCursor(cursor)
            self.text.centerCursor()
            self.text.horizontalScrollBar().setValue(0)

    def highlighted_text(self) -> list[str]:
        return [self.lines[i].text for i in self.lines_of(self.selected)]

    # ------------------------------------------------------------------ out
    def plain_text(self) -> str:
        """The arithmetic as written, one line per step of it (not wrapped to the dock)."""
        return self._plain if self.line_blocks else self.text.toPlainText()

    @Slot()
    def copy(self) -> None:
        cursor = self.text.textCursor()
        text = cursor.selectedText().replace("\u2029", "\n") if cursor.hasSelection() else self.plain_text()
        QtWidgets.QApplication.clipboard().setText(text)

    def markdown(self) -> str:
        ex = _explain()
        if ex is None or self.recalled is None:
            return ""
        md = ex.explain_markdown(self.recalled.trace, self.document.graph, self.sample)
        heading, _, rest = md.partition("\n")  # which step this is, under the heading
        return f"{heading}\n\n_{self.recalled.title}_\n{rest}"

    def export_markdown(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.markdown())

    def _ask_markdown(self) -> None:
        if self.recalled is None:
            QtWidgets.QMessageBox.information(self, "Nothing to export", "Take a step first.")
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export the arithmetic", "step.md",
                                                        "Markdown (*.md)")
        if not path:
            return
        try:
            self.export_markdown(path)
        except OSError as exc:
            QtWidgets.QMessageBox.warning(self, "Export failed", f"Could not write {path}: {exc}")

    def sizeHint(self):  # noqa: N802 - Qt's name
        """Modest: pyqtgraph's 600 × 500 hint would squeeze the canvas out of the window."""
        return QtCore.QSize(340, 260)

    def __repr__(self) -> str:
        title = self.recalled.title if self.recalled else "nothing yet"
        return f"ArithmeticPanel({title}, sample={self.sample}, {len(self.lines)} lines)"


if __name__ == "__main__":
    from types import SimpleNamespace

    from bpstudio.ui.panels.demo import demo_run

    app = pg.mkQApp("Worked arithmetic")
    run = demo_run("article-xor", 0)
    doc = SimpleNamespace(graph=run.project.graph, dataset=run.project.dataset,
                          settings=run.project.settings)
    panel = ArithmeticPanel(doc)
    panel.resize(900, 600)
    panel.show()
    panel.show_snapshot(run.snapshot(state="idle"))
    run.step()
    panel.show_snapshot(run.snapshot())
    app.exec()
