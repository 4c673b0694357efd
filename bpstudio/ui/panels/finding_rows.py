"""A diagnostic finding drawn on one line: severity, first sentence, "More…", inline actions.

Painted through palettes, not style sheets: the banner repaints with the canvas under it, and style
sheets doubled the cost of a canvas repaint.
"""

from __future__ import annotations

import re

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal

COLOURS = {"note": ("#e8f0fb", "#3d6aa6"), "warning": ("#fff4d6", "#a86b00"),
           "error": ("#fde2e1", "#b3261e")}
TITLES = {"note": "Note", "warning": "Warning", "error": "Problem"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def headline(message: str) -> str:
    """The first sentence of a finding's message."""
    return _SENTENCE_END.split(message.strip(), maxsplit=1)[0]


def fill_colours(widget: QtWidgets.QWidget, background: str | None, text: str | None = None) -> None:
    """Colour a widget through its palette (cheap to paint, unlike a style sheet)."""
    pal = widget.palette()
    if background is not None:
        pal.setColor(QtGui.QPalette.Window, QtGui.QColor(background))
        widget.setAutoFillBackground(True)
    if text is not None:
        pal.setColor(QtGui.QPalette.WindowText, QtGui.QColor(text))
    widget.setPalette(pal)


class _Card(QtWidgets.QFrame):
    """A finding's box: its background and a coloured bar on the left, painted directly."""

    def __init__(self, background: str, accent: str) -> None:
        super().__init__()
        self.background, self.accent = QtGui.QColor(background), QtGui.QColor(accent)
        fill_colours(self, None, "#1d1d1d")

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QtGui.QPainter(self)
        p.fillRect(self.rect(), self.background)
        p.fillRect(QtCore.QRect(0, 0, 4, self.height()), self.accent)
        p.end()


class ElidedLine(QtWidgets.QLabel):
    """One line of text, cut with "…" to the width it gets (the whole text in its tooltip and in
    ``text()``)."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Fixed)
        self.setMinimumWidth(40)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.full = text
        self.setText(text)
        self.setToolTip(text)
        self.update()

    def shown_text(self) -> str:
        return self.fontMetrics().elidedText(self.full, QtCore.Qt.ElideRight, max(self.width(), 1))

    def sizeHint(self):  # noqa: N802 - Qt's name
        fm = self.fontMetrics()
        return QtCore.QSize(fm.horizontalAdvance(self.full), fm.height() + 2)

    minimumSizeHint = sizeHint

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QtGui.QPainter(self)
        p.setPen(self.palette().color(QtGui.QPalette.WindowText))
        p.drawText(self.rect(), QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, self.shown_text())
        p.end()


MIN_HEADLINE = 140  # px of the first sentence worth keeping on the line; else actions go below


class FindingRow(_Card):
    """One finding on one line: severity, first sentence, "More…", its actions; the whole
    explanation below when expanded. Too narrow for all that, the actions go on a line below."""

    toggled = Signal(bool)

    def __init__(self, d, expanded: bool = False) -> None:
        bg, fg = COLOURS.get(d.severity, COLOURS["note"])
        super().__init__(bg, fg)
        self.finding = d
        self.setObjectName(f"diagnostic_{d.kind}")
        self.word = QtWidgets.QLabel(f"<b style='color:{fg}'>{TITLES.get(d.severity, d.severity)}:</b>")
        self.word.setTextFormat(QtCore.Qt.RichText)
        self.headline = ElidedLine(headline(d.message))
        self.more = QtWidgets.QToolButton()
        self.more.setObjectName("more")
        self.more.setAutoRaise(True)
        self.more.setCheckable(True)
        self.more.setToolTip("The whole explanation")
        self.more.toggled.connect(self._expand)
        pal = self.more.palette()  # a flat button on the light row: dark text in the dark theme too
        for role in (QtGui.QPalette.ButtonText, QtGui.QPalette.WindowText):
            pal.setColor(role, QtGui.QColor(fg))
        self.more.setPalette(pal)
        self.detail = QtWidgets.QLabel(d.message)
        self.detail.setWordWrap(True)
        self.detail.setObjectName("detail")
        self.line = QtWidgets.QHBoxLayout()
        self.line.setSpacing(6)
        self.line.addWidget(self.word)
        self.line.addWidget(self.headline, 1)
        self.line.addWidget(self.more)
        self.actions: list[QtWidgets.QAbstractButton] = []
        self.narrow = False
        self.below = QtWidgets.QHBoxLayout()  # the actions, when the line is too narrow
        self.below.setSpacing(6)
        self.below.addStretch(1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(10, 1, 4, 1)
        lay.setSpacing(0)
        lay.addLayout(self.line)
        lay.addLayout(self.below)
        lay.addWidget(self.detail)
        self.more.setChecked(expanded)
        self._expand(expanded, emit=False)

    def add_action(self, button: QtWidgets.QAbstractButton) -> None:
        self.actions.append(button)
        (self.below if self.narrow else self.line).addWidget(button)

    def fit(self, width: int) -> None:
        """Actions on the line when ``width`` leaves the first sentence ``MIN_HEADLINE`` px, else
        on a line of their own below it."""
        m = self.layout().contentsMargins()
        widgets = [self.word, self.more, *self.actions]
        need = (sum(w.sizeHint().width() for w in widgets) + self.line.spacing() * len(widgets)
                + MIN_HEADLINE + m.left() + m.right())
        narrow = bool(self.actions) and width < need
        if narrow == self.narrow:
            return
        self.narrow = narrow
        for b in self.actions:
            (self.line if not narrow else self.below).removeWidget(b)
            (self.below if narrow else self.line).addWidget(b)

    def _expand(self, on: bool, emit: bool = True) -> None:
        self.more.setText("Less" if on else "More…")
        self.detail.setVisible(on)
        self.headline.setVisible(not on)
        if emit:
            self.toggled.emit(on)

    def height_for(self, width: int) -> int:
        """The row's height at ``width`` (its line(s), and the wrapped explanation if expanded)."""
        m = self.layout().contentsMargins()
        buttons = max([b.sizeHint().height() for b in self.actions] or [0])
        line = max(self.more.sizeHint().height(), self.word.sizeHint().height())
        if self.narrow:
            line += buttons + self.layout().spacing()
        else:
            line = max(line, buttons)
        if not self.more.isChecked():
            return line + m.top() + m.bottom()
        inner = max(width - m.left() - m.right(), 50)
        return line + self.detail.heightForWidth(inner) + m.top() + m.bottom() + 2
