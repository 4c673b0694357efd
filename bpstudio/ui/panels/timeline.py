"""The timeline under the loss plot: the recorded epochs of training, to scrub back through.

A strip with a tick per checkpoint (dense recently, sparse with age: see
``bpstudio/core/checkpoints.py``), the live epoch at the right end and, after "Continue from here",
the later history the branch left shown dimmed until the branch is confirmed. Drag or click to
view a recorded epoch; keys: ←/→ the previous / next checkpoint, PageUp/PageDown ten of them, Home
the first, End (or Esc) back to the live state. Signals only: the window wires them
(``bpstudio/ui/rewind_install.py``). Runnable alone: ``python -m bpstudio.ui.panels.timeline``.
"""

from __future__ import annotations

import bisect
import math

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

MARGIN = 8  # pixels left and right of the strip
TICK = QtGui.QColor(70, 110, 170)
DIM = QtGui.QColor(185, 190, 200)
MARK = QtGui.QColor(214, 39, 40)


class TimelineStrip(QtWidgets.QWidget):
    """The painted strip: ticks, the dimmed later history, the marker of the epoch on view."""

    scrubbed = Signal(int)  # a recorded epoch to view
    live_requested = Signal()  # back to the live state

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.epochs: list[int] = []  # recorded epochs, oldest first
        self.losses: dict[int, float] = {}
        self.later: list[int] = []  # a pending branch's later epochs (dimmed)
        self.viewing: int | None = None  # the epoch on view (None: the live state)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumHeight(26)
        self.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Fixed)
        self.setToolTip("Training's timeline: drag to look at an earlier epoch. "
                        "←/→ step between checkpoints, PageUp/PageDown ten, Home the first, End the latest")

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(400, 26)

    # ---------------------------------------------------------------- data
    def set_epochs(self, epochs, losses=None, later=()) -> None:
        self.epochs = list(epochs)
        self.losses = dict(losses or {})
        self.later = list(later)
        if self.viewing is not None and self.viewing not in self.epochs and self.viewing not in self.later:
            self.viewing = None
        self.update()

    def all_epochs(self) -> list[int]:
        """Every epoch one can scrub to, oldest first (the later history after the branch's)."""
        return self.epochs + [e for e in self.later if not self.epochs or e > self.epochs[-1]]

    @property
    def live(self) -> int | None:
        return self.epochs[-1] if self.epochs else None

    # ---------------------------------------------------------------- geometry
    def _span(self) -> tuple[int, int]:
        every = self.all_epochs()
        return (every[0], every[-1]) if every else (0, 1)

    def x_of(self, epoch: float) -> float:
        lo, hi = self._span()
        w = max(1, self.width() - 2 * MARGIN)
        return MARGIN + (epoch - lo) / max(1, hi - lo) * w

    def nearest(self, x: float) -> int | None:
        """The recorded epoch drawn nearest to ``x``."""
        every = self.all_epochs()
        if not every:
            return None
        lo, hi = self._span()
        w = max(1, self.width() - 2 * MARGIN)
        target = lo + (x - MARGIN) / w * max(1, hi - lo)
        i = bisect.bisect_left(every, target)
        near = [every[j] for j in (i - 1, i) if 0 <= j < len(every)]
        return min(near, key=lambda e: abs(e - target))

    # ---------------------------------------------------------------- painting
    def paintEvent(self, _event) -> None:
        p = QtGui.QPainter(self)
        h = self.height()
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QtGui.QPalette.Base))
        if self.later:
            x0 = self.x_of(self.later[0] if not self.epochs else self.epochs[-1])
            p.fillRect(QtCore.QRectF(x0, 3, self.x_of(self.later[-1]) - x0, h - 6),
                       QtGui.QColor(236, 237, 240))
        for colour, epochs in ((DIM, self.later), (TICK, self.epochs)):
            p.setPen(QtGui.QPen(colour, 1))
            last = None
            for e in epochs:
                x = round(self.x_of(e))
                if x != last:
                    p.drawLine(x, 6, x, h - 6)
                    last = x
        if self.epochs:  # the live end
            p.setPen(QtGui.QPen(TICK, 3))
            x = self.x_of(self.epochs[-1])
            p.drawLine(QtCore.QPointF(x, 3), QtCore.QPointF(x, h - 3))
        if self.viewing is not None:
            x = self.x_of(self.viewing)
            p.setPen(Qt.NoPen)
            p.setBrush(MARK)
            p.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(x - 5, 1), QtCore.QPointF(x + 5, 1),
                                           QtCore.QPointF(x, 8)]))
            p.setPen(QtGui.QPen(MARK, 2))
            p.drawLine(QtCore.QPointF(x, 6), QtCore.QPointF(x, h - 2))
        if self.hasFocus():
            p.setPen(QtGui.QPen(pal.color(QtGui.QPalette.Highlight), 1, Qt.DotLine))
            p.setBrush(Qt.NoBrush)
            p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        p.end()

    # ---------------------------------------------------------------- input
    def _scrub_to(self, epoch: int | None) -> None:
        if epoch is None:
            return
        if epoch == self.live and not self.later:
            self.go_live()
            return
        if epoch != self.viewing:
            self.viewing = epoch
            self.update()
            self.scrubbed.emit(epoch)

    def go_live(self) -> None:
        was = self.viewing
        self.viewing = None
        self.update()
        if was is not None:
            self.live_requested.emit()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            self._scrub_to(self.nearest(event.position().x()))

    def mouseMoveEvent(self, event) -> None:
        e = self.nearest(event.position().x())
        if event.buttons() & Qt.LeftButton:
            self._scrub_to(e)
        if e is not None:
            loss = self.losses.get(e, math.nan)
            where = "the live state" if e == self.live else "dimmed: after the branch" if e in self.later \
                and e not in self.epochs else "a checkpoint"
            text = f"epoch {e} ({where})" + (f": loss {loss:.6g}" if math.isfinite(loss) else "")
            QtWidgets.QToolTip.showText(event.globalPosition().toPoint(), text, self)

    KEYS = (Qt.Key_Left, Qt.Key_Right, Qt.Key_PageUp, Qt.Key_PageDown, Qt.Key_Home, Qt.Key_End,
            Qt.Key_Escape)

    def event(self, event) -> bool:
        """The timeline's keys win over the window's shortcuts (arrows step training elsewhere)."""
        if event.type() == QtCore.QEvent.ShortcutOverride and event.key() in self.KEYS \
                and not event.modifiers() & ~Qt.KeypadModifier:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        every = self.all_epochs()
        if not every:
            super().keyPressEvent(event)
            return
        key = event.key()
        here = self.viewing if self.viewing is not None else self.live
        i = bisect.bisect_left(every, here) if here is not None else len(every) - 1
        moves = {Qt.Key_Left: -1, Qt.Key_Right: 1, Qt.Key_PageUp: -10, Qt.Key_PageDown: 10}
        if key in moves:
            self._scrub_to(every[max(0, min(len(every) - 1, i + moves[key]))])
        elif key == Qt.Key_Home:
            self._scrub_to(every[0])
        elif key in (Qt.Key_End, Qt.Key_Escape):
            self.go_live()
        else:
            super().keyPressEvent(event)


class Timeline(QtWidgets.QWidget):
    """The strip with its words: "viewing epoch N of M", Continue from here, Back to latest."""

    scrubbed = Signal(int)
    live_requested = Signal()
    continue_requested = Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.strip = TimelineStrip(self)
        self.label = QtWidgets.QLabel("")
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.continue_button = QtWidgets.QToolButton()
        self.continue_button.setText("Continue from here")
        self.continue_button.setToolTip("Train on from the epoch on view (undoable): the later history "
                                        "stays, dimmed, until you train on the branch")
        self.latest_button = QtWidgets.QToolButton()
        self.latest_button.setText("Latest")
        self.latest_button.setToolTip("Back to the live state (End)")
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.continue_button)
        row.addWidget(self.latest_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.strip)
        lay.addLayout(row)
        self.strip.scrubbed.connect(self._scrubbed)
        self.strip.live_requested.connect(self._live)
        self.continue_button.clicked.connect(self._continue)
        self.latest_button.clicked.connect(self.strip.go_live)
        self.branch_epoch: int | None = None
        self._words()

    @property
    def viewing(self) -> int | None:
        return self.strip.viewing

    @Slot(object)
    def show_snapshot(self, snap) -> None:
        """A live snapshot: the recorded epochs (a running or changed state ends viewing)."""
        cps = getattr(snap, "checkpoints", ()) or ()
        later = getattr(snap, "later_checkpoints", ()) or ()
        epochs = [cp.epoch for cp in cps]
        losses = {cp.epoch: cp.loss for cp in (*cps, *later)}
        if snap.state == "running" or getattr(snap, "history_reset", False):
            self.strip.viewing = None
        self.branch_epoch = getattr(snap, "branch_epoch", None)
        self.strip.set_epochs(epochs, losses, [cp.epoch for cp in later])
        self._words()

    @Slot(int)
    def _scrubbed(self, epoch: int) -> None:
        self._words()
        self.scrubbed.emit(epoch)

    @Slot()
    def _live(self) -> None:
        self._words()
        self.live_requested.emit()

    @Slot()
    def _continue(self) -> None:
        if self.strip.viewing is not None:
            self.continue_requested.emit(self.strip.viewing)

    def _words(self) -> None:
        s = self.strip
        live = s.live
        if live is None:
            self.label.setText("Timeline: nothing trained yet")
        elif s.viewing is not None:
            extra = " (after the branch: dimmed)" if s.viewing in s.later and s.viewing > live else ""
            self.label.setText(f"<b>Viewing epoch {s.viewing} of {max(s.all_epochs())}</b>{extra}")
        elif self.branch_epoch is not None and s.later:
            self.label.setText(f"Branched at epoch {self.branch_epoch}: the later history (dimmed, to "
                               f"epoch {s.later[-1]}) goes when you train; Undo brings it back")
        else:
            self.label.setText(f"Epoch {live}: {len(s.epochs)} checkpoints — drag to look back")
        tip = self.label.text().replace("<b>", "").replace("</b>", "")
        self.label.setToolTip(tip + (": the canvas and the panels show that epoch's network and its "
                                     "next step; End (or Latest) returns to the live state"
                                     if s.viewing is not None else ""))
        self.continue_button.setEnabled(s.viewing is not None)
        self.latest_button.setEnabled(s.viewing is not None)


if __name__ == "__main__":
    from bpstudio.core.presets import load_preset
    from bpstudio.training.compose import make_snapshot
    from bpstudio.training.session import TrainingSession

    app = QtWidgets.QApplication([])
    p = load_preset("xor")
    session = TrainingSession(p.graph, p.dataset, p.settings)
    session.play()
    session.run(budget=5.0, until_epoch=3000)
    session.pause()
    timeline = Timeline()
    timeline.show_snapshot(make_snapshot(session, final=True))
    timeline.resize(600, 60)
    timeline.show()
    app.exec()
