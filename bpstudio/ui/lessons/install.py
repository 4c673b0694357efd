"""``install_lessons(window)``: the Lessons menu, the lesson dock, Predict before reveal, presenter
mode (View menu) and the handout export."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bpstudio.assets import MissingAsset
from bpstudio.core.lessons import LessonFileError, load, shipped

from .dock import LessonDock
from .handout import write_markdown, write_pdf
from .predict import StepGate
from .presenter import Presenter
from .session import LessonSession

_TITLES: dict[tuple[str, float], str] = {}  # (path, mtime) -> title: each window reads them once


def lesson_title(path) -> str:
    """A lesson file's title for the menu (read once per file version)."""
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        return f"{path.stem} (cannot be read: {exc})"
    if key not in _TITLES:
        try:
            _TITLES[key] = load(path).title
        except (LessonFileError, OSError) as exc:
            return f"{path.stem} (cannot be read: {exc})"
    return _TITLES[key]


class LessonsUI:
    """What install_lessons puts on the window (``window.lessons``)."""

    def __init__(self, window, store=None) -> None:
        self.window = window
        self.error_box = None
        self.session = LessonSession(window, store)
        self.dock = LessonDock(self.session)
        self.dock_widget = window.add_dock("lesson", "Lesson", self.dock, Qt.RightDockWidgetArea)
        beside = window.docks.get("data") or window.docks.get("inspector")
        if beside is not None and window.dockWidgetArea(beside) == Qt.RightDockWidgetArea:
            window.tabifyDockWidget(beside, self.dock_widget)  # the whole right column when shown
            beside.raise_()
        self.dock_widget.hide()
        self.gate = StepGate(window, self.session, self.dock, self.dock_widget)
        self.presenter = Presenter(window, self.session, self.dock, self.dock_widget)
        self.menu = self._build_menu()
        act = QAction("&Presenter mode", window, checkable=True)
        act.setShortcuts([QKeySequence("Ctrl+Shift+P"), QKeySequence("F11")])
        act.setStatusTip("Canvas and lesson side by side in large type; PgDown next, R reveal, "
                         "PgUp back, Esc leaves")
        act.toggled.connect(self.presenter.toggle)
        window.menus["View"].addAction(act)
        window.act["presenter"] = act

    def _build_menu(self):
        w = self.window
        help_action = w.menus["Help"].menuAction()
        menu = w.menuBar().addMenu("&Lessons")
        w.menuBar().insertMenu(help_action, menu)
        self.lesson_actions = []
        try:
            files = shipped()
        except MissingAsset as exc:
            files = []
            w.show_message(str(exc))
        for path in files:
            title = lesson_title(path)
            a = menu.addAction(f"{path.stem.split('-', 1)[0]}. {title}")
            a.triggered.connect(lambda _=False, p=path: self.open_path(p))
            self.lesson_actions.append(a)
        menu.addSeparator()
        open_file = menu.addAction("&Open lesson file…")
        open_file.triggered.connect(self.open_file_dialog)
        self.restart_action = menu.addAction("&Start this lesson again")
        self.restart_action.triggered.connect(self.session.restart)
        self.close_action = menu.addAction("&Close lesson")
        self.close_action.setStatusTip("Back to free play: Step trains the network again")
        self.close_action.triggered.connect(self.session.close)
        menu.addSeparator()
        self.predict_action = menu.addAction("&Predict before reveal")
        self.predict_action.setCheckable(True)
        self.predict_action.setStatusTip("Free play: each Step asks for the number it is about to show")
        self.predict_action.toggled.connect(self.set_predict)
        menu.addSeparator()
        md = menu.addAction("Export handout (&Markdown)…")
        md.triggered.connect(lambda: self.export_dialog("md"))
        pdf = menu.addAction("Export handout (&PDF)…")
        pdf.triggered.connect(lambda: self.export_dialog("pdf"))
        return menu

    # ---------------------------------------------------------------- opening
    def open_path(self, path) -> bool:
        """Open a lesson file (shipped or the teacher's); a bad file gets a message, nothing changes."""
        try:
            lesson = load(path)
        except (LessonFileError, OSError) as exc:
            self._complain(f"This lesson cannot be opened: {exc}")
            return False
        confirm = getattr(self.window, "confirm_discard", None)
        if confirm is not None and not confirm():
            return False
        self.session.open(lesson)
        self.dock_widget.show()
        self.dock_widget.raise_()
        self.window.show_message(f"Lesson: {lesson.title}")
        return True

    def open_file_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson file", "",
                                              "Lessons (*.json);;All files (*)")
        if path:
            self.open_path(path)

    def set_predict(self, on: bool) -> None:
        self.gate.set_predict(on)
        if on:
            self.dock_widget.show()
            self.window.show_message("Predict before reveal: each Step asks first for the number it "
                                     "is about to show (select a unit or weight to choose)")

    # ---------------------------------------------------------------- handout
    def export(self, path, kind: str):
        player = self.session.player
        if player is None:
            raise ValueError("open a lesson first: the handout is of a lesson's steps")
        return write_pdf(player, path) if kind == "pdf" else write_markdown(player, path)

    def export_dialog(self, kind: str) -> None:
        if self.session.player is None:
            self._complain("Open a lesson first: the handout is of a lesson's worked steps.")
            return
        suffix = "pdf" if kind == "pdf" else "md"
        name = f"{self.session.player.lesson.name}-handout.{suffix}"
        path, _ = QFileDialog.getSaveFileName(self.window, "Export handout", name,
                                              "PDF (*.pdf)" if kind == "pdf" else "Markdown (*.md)")
        if not path:
            return
        try:
            self.export(path, kind)
        except OSError as exc:
            self._complain(f"The handout could not be written: {exc}")
            return
        self.window.show_message(f"Handout written to {path}")

    def _complain(self, text: str) -> None:
        self.window.show_message(text, 10000)
        if self.window.isVisible():  # window-modal, not blocking: the studio keeps running
            self.error_box = QMessageBox(QMessageBox.Warning, "Lessons", text, QMessageBox.Ok, self.window)
            self.error_box.setAttribute(Qt.WA_DeleteOnClose)
            self.error_box.open()


def install_lessons(window, store=None) -> LessonsUI:
    window.lessons = LessonsUI(window, store)
    return window.lessons
