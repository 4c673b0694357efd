"""Presenter mode: the canvas and the lesson (with its worked arithmetic) side by side in large
type, the other docks and toolbars hidden, a keyboard-only flow; leaving restores the layout."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut

KEYS = {
    "next": ("PgDown", "N", "Ctrl+Right"),
    "back": ("PgUp", "B", "Ctrl+Left"),
    "reveal": ("R", "Ctrl+Return"),
    "leave": ("Esc",),
}


class Presenter(QObject):
    """Enter and leave presenter mode on a window with a lesson dock."""

    def __init__(self, window, session, dock, dock_widget) -> None:
        super().__init__(window)
        self.window, self.session, self.dock, self.dock_widget = window, session, dock, dock_widget
        self.active = False
        self._saved = None
        self.shortcuts: list[QShortcut] = []
        for what, keys in KEYS.items():
            for key in keys:
                sc = QShortcut(QKeySequence(key), window)
                sc.setContext(Qt.WindowShortcut)
                sc.setEnabled(False)
                sc.activated.connect(getattr(self, f"key_{what}"))
                self.shortcuts.append(sc)

    def toggle(self, on: bool | None = None) -> None:
        on = (not self.active) if on is None else bool(on)
        if on and not self.active:
            self.enter()
        elif not on and self.active:
            self.leave()

    def enter(self) -> None:
        w = self.window
        self._saved = (w.saveState(), {k: d.isVisible() for k, d in w.docks.items()},
                       w.statusBar().isVisible(), self.dock_widget.isFloating())
        for _key, d in w.docks.items():
            if d is not self.dock_widget:
                d.hide()
        for bar in w.findChildren(type(w.toolbar)):
            bar.hide()
        w.statusBar().hide()
        self.dock_widget.setFloating(False)
        w.addDockWidget(Qt.RightDockWidgetArea, self.dock_widget)
        self.dock_widget.show()
        self.dock.set_presenter(True)
        w.resizeDocks([self.dock_widget], [int(w.width() * 0.45)], Qt.Horizontal)
        for sc in self.shortcuts:
            sc.setEnabled(True)
        self.active = True
        self._fit_large()
        QTimer.singleShot(150, self._fit_large)  # again once the docks have their new sizes
        act = getattr(w, "act", {}).get("presenter")
        if act is not None and not act.isChecked():
            act.setChecked(True)

    def leave(self) -> None:
        w = self.window
        state, visible, status, floating = self._saved
        for sc in self.shortcuts:
            sc.setEnabled(False)
        self.dock.set_presenter(False)
        self.dock_widget.setFloating(floating)
        w.restoreState(state)
        for key, d in w.docks.items():
            d.setVisible(visible.get(key, d.isVisible()))
        w.statusBar().setVisible(status)
        self.active = False
        w.view.fit()
        QTimer.singleShot(50, w.view.fit)
        act = getattr(w, "act", {}).get("presenter")
        if act is not None and act.isChecked():
            act.setChecked(False)

    def _fit_large(self) -> None:
        """Fit the network to the canvas (larger than beside all the docks)."""
        if self.active:
            self.window.view.fit()

    # ---------------------------------------------------------------- keys
    def key_next(self) -> None:
        """Next: do a pending Step of the lesson, else move on (when the step is done)."""
        s = self.session
        p = s.player
        if p is None or p.finished:
            return
        a = p.step.action
        if a is not None and not p.action_done():
            if a.do in ("step_phase", "finish_step"):
                s.step_phase()
            elif a.do == "train":
                s.train()
            return
        if not p.answered():
            self.dock.answer_box.setFocus()
            return
        s.next()

    def key_back(self) -> None:
        self.session.back()

    def key_reveal(self) -> None:
        self.dock.reveal()

    def key_leave(self) -> None:
        self.leave()
