"""Toolbars that fit the window: on a narrow window the less important buttons lose their text,
and if that is not enough the training toolbar moves to a second row (Play and Step never hide
behind the » overflow)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QMainWindow, QToolBar

MARGIN = 6  # slack for the toolbar area's frame (the bars' hints include their handles and margins)


class ToolbarFit(QObject):
    """Watches ``window``'s width and arranges ``first`` and ``second`` (one row if they fit)."""

    def __init__(self, window: QMainWindow, first: QToolBar, second: QToolBar, compact_actions) -> None:
        super().__init__(window)
        self.window, self.first, self.second = window, first, second
        self.compact_actions = list(compact_actions)  # shown icon-only when space is short
        self.compact = False
        self.two_rows = False
        window.installEventFilter(self)

    def needed(self, compact: bool) -> tuple[int, int]:
        """The width of one row of both bars, and of the wider bar alone, with or without text."""
        self._set_compact(compact)
        a, b = self._width(self.first), self._width(self.second)
        return a + b + MARGIN, max(a, b) + MARGIN

    def fit(self) -> None:
        """Pick the roomiest arrangement that fits: full text in one row, compact in one row,
        full text in two rows, compact in two rows."""
        width = self.window.width()
        full_row, full_alone = self.needed(False)
        compact_row, _ = self.needed(True)
        if full_row <= width:
            self._arrange(False, False)
        elif compact_row <= width:
            self._arrange(True, False)
        else:
            self._arrange(full_alone > width, True)

    def _arrange(self, compact: bool, two_rows: bool) -> None:
        self._set_compact(compact)
        if two_rows != self.window.toolBarBreak(self.second):
            if two_rows:
                self.window.insertToolBarBreak(self.second)
            else:
                self.window.removeToolBarBreak(self.second)
            layout = self.window.layout()
            if layout is not None:  # now, not at the next event round: the canvas's size is final
                layout.activate()  # when the resize is over (a fit-to-view right after sees it)
        self.two_rows = two_rows

    def _set_compact(self, compact: bool) -> None:
        style = Qt.ToolButtonIconOnly if compact else Qt.ToolButtonTextBesideIcon
        for action in self.compact_actions:
            button = self.first.widgetForAction(action)
            if button is not None and button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)
        self.compact = compact

    @staticmethod
    def _width(bar: QToolBar) -> int:
        layout = bar.layout()
        if layout is not None:
            layout.invalidate()
        return bar.sizeHint().width()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.window and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.fit()
        return False

    def __repr__(self) -> str:
        return f"ToolbarFit(compact={self.compact}, two_rows={self.two_rows})"


def fit_toolbars(window, training_bar: QToolBar) -> ToolbarFit | None:
    """Keep ``window.toolbar`` and the training bar on screen; Undo, Redo, Auto-layout and Fit to
    view lose their text first (their icons and tooltips stay)."""
    main = getattr(window, "toolbar", None)
    if main is None:
        return None
    acts = getattr(window, "act", {})
    compact = [acts[k] for k in ("undo", "redo", "auto_layout", "fit") if k in acts]
    fit = ToolbarFit(window, main, training_bar, compact)
    window.toolbar_fit = fit
    return fit
