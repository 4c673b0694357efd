"""File → New, Open, Open Recent, Save, Save As, Revert; the title; never losing work.

:class:`FileActions` works on the window's :class:`~bpstudio.ui.document.Document`: it loads and saves
through :mod:`bpstudio.core.fileformat`, asks before unsaved changes would be lost (close, New, Open,
Revert), keeps the title as ``name* — Backprop Studio``, the recent-files list, and the autosave
recovery file. Opening a bad file shows the reason and leaves the open project exactly as it was
(the file is read and validated completely, in a worker thread with progress and Cancel, before
the document is touched).

The dialogs are module functions (``ask_*``, ``show_error``) so tests can replace them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox, QWidget

from bpstudio.core import fileformat
from bpstudio.core.fileformat import ProjectFileError
from bpstudio.core.presets import PRESETS, load_preset
from bpstudio.core.progress import Cancelled
from bpstudio.core.project import Project

from .autosave import Autosaver, find_recoveries
from .file_loader import read_project
from .file_tips import tip_for
from .settings import StudioSettings, headless

APP_NAME = "Backprop Studio"
FILE_PATTERN = "Backprop Studio project (*.bpstudio *.json);;All files (*)"
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


# ---------------------------------------------------------------------------- dialogs (replaceable)
# Headless (the offscreen platform: tests, benchmarks) nobody can answer a modal box, so these never
# block there: unsaved work is discarded, nothing is recovered, errors go to stderr and the status
# bar (and the settings and recovery files are private to the process: see settings.headless).
def ask_open_path(parent: QWidget, folder: str) -> str:
    if headless():
        return ""
    path, _ = QFileDialog.getOpenFileName(parent, "Open project", folder, FILE_PATTERN)
    return path


def ask_save_path(parent: QWidget, suggestion: str) -> str:
    if headless():
        return ""
    path, _ = QFileDialog.getSaveFileName(parent, "Save project", suggestion, FILE_PATTERN)
    return path


def ask_unsaved(parent: QWidget, name: str, doing: str) -> str:
    """Save / Discard / Cancel before ``doing`` (e.g. "closing")."""
    if headless():
        return DISCARD
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                      f"“{name}” has unsaved changes.\nSave them before {doing}?",
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: SAVE,
            QMessageBox.StandardButton.Discard: DISCARD}.get(QMessageBox.StandardButton(answer), CANCEL)


def ask_recover(parent: QWidget, description: str) -> bool:
    if headless():
        return False
    answer = QMessageBox.question(
        parent, APP_NAME,
        f"Backprop Studio did not close cleanly last time. Unsaved work was kept:\n\n{description}"
        "\n\nRecover it? (No deletes the kept copy.)")
    return answer == QMessageBox.StandardButton.Yes


def ask_revert(parent: QWidget, name: str) -> bool:
    if headless():
        return True
    answer = QMessageBox.question(
        parent, APP_NAME, f"Throw away every change to “{name}” since it was last saved?")
    return answer == QMessageBox.StandardButton.Yes


def show_error(parent: QWidget, title: str, text: str) -> None:
    if headless():
        print(f"bpstudio: {title}: {text}", file=sys.stderr)
        _message(parent, f"{title}: {text}")
        return
    QMessageBox.warning(parent, title, text)


def _message(window, text: str) -> None:
    show = getattr(window, "show_message", None)
    if callable(show):
        show(text)


class FileActions(QObject):
    """The file commands of one window; ``install_file_actions`` builds and wires it."""

    def __init__(self, window: QMainWindow, settings: StudioSettings | None = None,
                 autosave_interval_ms: int | None = None, recovery_dir=None) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.settings = settings if settings is not None else StudioSettings()
        self.before_save: list[Callable[[], None]] = []  # e.g. copy trained weights into the graph
        kwargs = {} if autosave_interval_ms is None else {"interval_ms": autosave_interval_ms}
        self.autosaver = Autosaver(self._recovery_snapshot, directory=recovery_dir, parent=self, **kwargs)
        self.autosaver.failed.connect(lambda msg: _message(self.window, msg))
        self.actions: dict[str, QAction] = {}
        self.recent_menu: QMenu | None = None
        self.export_menu: QMenu | None = None
        self._steps_seen = 0
        self._trained_epoch: int | None = None
        self._reading = False  # a project file is being read (File ▸ Open waits for it)
        self.document.project_replaced.connect(self._forget_training)
        self.before_close: Callable[[], None] = lambda: None
        self.document.modified_changed.connect(self.update_title)
        self.document.path_changed.connect(self.update_title)
        self.document.project_replaced.connect(self.update_title)
        window.installEventFilter(self)
        self.autosaver.start()
        self.update_title()

    # ---------------------------------------------------------------- title
    @Slot()
    def update_title(self, *_args) -> None:
        star = "*" if self.document.modified else ""
        self.window.setWindowTitle(f"{self.document.name}{star} — {APP_NAME}")
        if "revert" in self.actions:
            self.actions["revert"].setEnabled(self.document.path is not None and self.document.modified)

    # ---------------------------------------------------------------- guarding unsaved work
    def maybe_save(self, doing: str = "continuing") -> bool:
        """True when it is fine to drop the current project (saved, discarded or unmodified)."""
        if not self.document.modified:
            return True
        answer = ask_unsaved(self.window, self.document.name, doing)
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.window and event.type() == QEvent.Type.Close:
            if not self.maybe_save("closing"):
                event.ignore()
                return True
            self.before_close()
            self.settings.save_window(self.window)
            self.settings.sync()
            self.autosaver.stop()
            self.autosaver.discard()  # a clean exit: nothing to recover
        return False

    # ---------------------------------------------------------------- commands
    def _flush(self) -> None:
        if self._trained_epoch is not None:  # where training of this project is (0 after a reset)
            self.document.project.epoch = self._trained_epoch
        for hook in self.before_save:
            hook()

    def _use(self, project: Project, path: str | None) -> None:
        self.document.replace_project(project, path)
        self.autosaver.discard()
        if path is not None:
            self.settings.add_recent(str(path))
        self.update_title()

    @Slot()
    def new(self, preset: str | None = None) -> bool:
        """A new project: the article's network (named untitled), or a named preset."""
        if not self.maybe_save("starting a new project"):
            return False
        project = load_preset(preset or "article-xor")
        if preset is None:
            project.name = "untitled"
        self._use(project, None)
        _message(self.window, f"New project from the {preset or 'article-xor'} preset")
        return True

    @Slot()
    def open(self, path: str | None = None) -> bool:
        """Open a project file; a bad file leaves the open project exactly as it was."""
        if not self.maybe_save("opening another project"):
            return False
        if path is None:
            folder = str(self.document.path.parent) if self.document.path else ""
            path = ask_open_path(self.window, folder)
            if not path:
                return False
        return self.load(path)

    def load(self, path: str) -> bool:
        """Load without asking (the caller has dealt with unsaved changes). The file is read off the
        GUI thread with progress and Cancel; a bad or cancelled file changes nothing."""
        if self._reading:
            _message(self.window, "Another project is still being opened")
            return False
        self._reading = True
        try:
            project = read_project(self.window, path)
        except ProjectFileError as exc:
            show_error(self.window, "Cannot open project", f"{Path(path).name} was not opened:\n{exc}")
            if not Path(path).exists():
                self.settings.remove_recent(str(path))
            return False
        except Cancelled:
            _message(self.window, f"Opening {Path(path).name} was cancelled; the open project is unchanged")
            return False
        finally:
            self._reading = False
        self._use(project, path)
        _message(self.window, f"Opened {path}")
        return True

    @Slot()
    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._write(str(self.document.path))

    @Slot()
    def save_as(self, path: str | None = None) -> bool:
        if path is None:
            suggestion = str(self.document.path or Path.cwd() / f"{self.document.name}.bpstudio")
            path = ask_save_path(self.window, suggestion)
            if not path:
                return False
        return self._write(path)

    def _write(self, path: str) -> bool:
        self._flush()
        try:
            fileformat.save(self.document.project, path, check_widths=False)
        except ProjectFileError as exc:
            show_error(self.window, "Cannot save project",
                       f"The project was not saved (it is still open, nothing was lost):\n{exc}")
            return False
        self.document.mark_saved(path)
        self.autosaver.discard()
        self.settings.add_recent(path)
        self.update_title()
        _message(self.window, f"Saved {path}")
        return True

    @Slot()
    def revert(self) -> bool:
        """Throw away the changes since the last save (after asking)."""
        path = self.document.path
        if path is None or not self.document.modified:
            return False
        if not ask_revert(self.window, self.document.name):
            return False
        try:
            project = read_project(self.window, str(path))
        except ProjectFileError as exc:
            show_error(self.window, "Cannot revert", f"{path.name} could not be read again:\n{exc}")
            return False
        except Cancelled:
            _message(self.window, "Revert was cancelled; nothing changed")
            return False
        self._use(project, str(path))
        return True

    # ---------------------------------------------------------------- autosave and recovery
    def _recovery_snapshot(self):
        if not self.document.modified:
            return None
        self._flush()  # the latest trained weights and loss history go into the copy too
        path = str(self.document.path) if self.document.path else None
        return fileformat.dumps(self.document.project, check_widths=False), self.document.name, path

    def offer_recovery(self) -> bool:
        """At start-up: offer back work a crash left behind; True when a project was recovered."""
        recovered = False
        for rec in find_recoveries(self.autosaver.directory):
            if recovered or not ask_recover(self.window, rec.describe()):
                rec.discard()
                continue
            try:
                project = rec.project()
            except ProjectFileError as exc:
                show_error(self.window, "Cannot recover", f"The kept copy is damaged:\n{exc}")
                rec.discard()
                continue
            self.document.replace_project(project, rec.original_path)
            self.document.set_modified(True)  # recovered work is not saved yet
            rec.discard()
            self.autosaver.tick()  # this process keeps it safe from now on
            recovered = True
            _message(self.window, f"Recovered {rec.name}")
        return recovered

    # ---------------------------------------------------------------- menu
    def _action(self, key: str, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window, statusTip=tip_for(key))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.actions[key] = action
        return action

    def build_menu(self, menu: QMenu, before: QAction | None = None) -> None:
        """Put the file commands into ``menu`` (the window's File menu), above ``before``."""
        K = QKeySequence.StandardKey

        def add(action: QAction) -> None:
            menu.insertAction(before, action) if before is not None else menu.addAction(action)

        def submenu(title: str) -> QMenu:
            sub = QMenu(title, menu)
            add(sub.menuAction())
            return sub

        def separator() -> None:
            menu.insertSeparator(before) if before is not None else menu.addSeparator()

        add(self._action("new", "&New", self.new, K.New))
        presets = submenu("New from &preset")
        for name in PRESETS:
            presets.addAction(self._action(f"preset:{name}", name, lambda n=name: self.new(n)))
        add(self._action("open", "&Open…", self.open, K.Open))
        self.recent_menu = submenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.fill_recent()
        separator()
        add(self._action("save", "&Save", self.save, K.Save))
        add(self._action("save_as", "Save &As…", self.save_as, K.SaveAs))
        add(self._action("revert", "Re&vert to Saved", self.revert))
        separator()
        self.export_menu = submenu("&Export")
        separator()
        self.update_title()

    @Slot()
    def fill_recent(self) -> None:
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        paths = self.settings.recent_files
        for i, path in enumerate(paths):
            label = f"&{i + 1} {Path(path).name}" if i < 9 else Path(path).name
            action = menu.addAction(label)
            action.setToolTip(path)
            action.setData(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open(p))
        if not paths:
            menu.addAction("(none)").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list").triggered.connect(self.settings.clear_recent)

    # ---------------------------------------------------------------- training
    @Slot(object)
    def training_progressed(self, snap) -> None:
        """Trained weights are work too: a snapshot with new steps marks the document modified."""
        self._trained_epoch = int(getattr(snap, "epoch", 0))  # a reopened project's own, or 0 after a reset
        steps = getattr(snap, "steps", 0)
        if self._steps_seen is None:  # just opened: an untrained state counts its saved steps
            self._steps_seen = steps if getattr(snap, "state", "") == "idle" else 0
        if steps != self._steps_seen:
            self._steps_seen = steps
            if steps > 0 and not self.document.modified:
                self.document.set_modified(True)

    @Slot()
    def _forget_training(self) -> None:
        self._steps_seen, self._trained_epoch = None, None  # a v2 file's checkpoint brings its steps

    def __repr__(self) -> str:
        return f"FileActions({self.document!r}, recent={len(self.settings.recent_files)})"


def install_file_actions(window, settings: StudioSettings | None = None, recovery_dir=None,
                         offer_recovery: bool = True) -> FileActions:
    """Give ``window`` (a MainWindow) its file, export, theme and help menus, autosave and
    settings; call once, at the end of the window's construction."""
    from PySide6.QtCore import QTimer

    from .export import fill_export_menu, history_into_project
    from .help import install_help_menu
    from .theme import apply_theme, install_theme_menu
    from .tour import window_driver

    offer_recovery = offer_recovery and not headless()  # headless: nobody can answer "recover?"
    settings = settings if settings is not None else StudioSettings()
    actions = FileActions(window, settings, recovery_dir=recovery_dir)
    actions.before_save.append(lambda: history_into_project(window))
    menus = window.menus
    existing = menus["File"].actions()  # e.g. Import CSV…, Quit: the file commands go first
    actions.build_menu(menus["File"], before=existing[0] if existing else None)
    actions.export_menu.aboutToShow.connect(
        lambda: fill_export_menu(window, actions.export_menu, actions._flush))
    fill_export_menu(window, actions.export_menu, actions._flush)
    install_theme_menu(menus["View"], window, settings)
    actions.help = install_help_menu(window, menus["Help"], window_driver(window, actions))
    window.confirm_discard = lambda: actions.maybe_save("loading a preset")
    controller = getattr(window, "controller", None)
    if controller is not None:
        if hasattr(controller, "write_back_now"):  # trained weights into the graph before a save
            actions.before_save.insert(0, controller.write_back_now)
        controller.snapshot_ready.connect(actions.training_progressed)
        settings.apply_training(controller)
        actions.before_close = lambda: settings.remember_training(controller)
    apply_theme(settings.theme, root=window)
    settings.restore_window(window)
    if offer_recovery:
        QTimer.singleShot(0, actions.offer_recovery)
    window.file_actions = actions
    return actions

