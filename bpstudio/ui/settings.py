"""The studio's remembered preferences: a QSettings wrapper under a version number.

Everything the user expects the studio to remember between runs lives here: window geometry and
dock layout, the theme, the recent files, the default step size and speed. The store carries a
``version`` key; :func:`migrate` walks an older store up to :data:`SETTINGS_VERSION` one step at a
time, so a new release never reads an old layout wrongly and never throws it away.

Values are validated on the way out: a hand-edited or corrupt store gives the defaults, not a crash.
``BPSTUDIO_SETTINGS=/path/file.ini`` points the studio at an INI file (tests, screenshots);
``BPSTUDIO_THEME=dark`` overrides the stored theme for one run. Headless (offscreen) runs without
``BPSTUDIO_SETTINGS`` get a fresh private store per window, so tests never share or touch settings.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_VERSION = 2
ORGANISATION = "BackpropStudio"
APPLICATION = "bpstudio"

THEMES = ("light", "dark")
STEP_SIZES = ("epoch", "batch", "sample", "phase")  # the training session's granularities
SPEED_RANGE = (0.0, 1e6)  # step-size units per second; 0 = as fast as possible
MAX_RECENT = 10

DEFAULTS = {
    "ui/theme": "light",
    "training/step_size": "batch",
    "training/speed": 0.0,
}


def _v1_to_v2(s: QSettings) -> None:
    """Version 1 kept ``darkMode`` (bool), ``recentFiles`` (a ';'-joined text) and ``stepSize``."""
    dark = s.value("darkMode")
    if dark is not None:
        s.setValue("ui/theme", "dark" if str(dark).lower() in ("true", "1") else "light")
        s.remove("darkMode")
    recent = s.value("recentFiles")
    if recent is not None:
        paths = [p for p in str(recent).split(";") if p]
        s.setValue("files/recent", json.dumps(paths[:MAX_RECENT]))
        s.remove("recentFiles")
    step = s.value("stepSize")
    if step is not None:
        step = {"step": "batch", "example": "sample"}.get(str(step), str(step))
        s.setValue("training/step_size", step)
        s.remove("stepSize")


# MIGRATIONS[v] turns a version-v store into a version-(v + 1) store
MIGRATIONS: dict[int, Callable[[QSettings], None]] = {1: _v1_to_v2}


def stored_version(s: QSettings) -> int:
    """The store's version: 0 for an empty store, 1 for the unversioned first layout."""
    raw = s.value("version")
    if raw is None:
        return 1 if s.allKeys() else 0
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def migrate(s: QSettings) -> list[int]:
    """Bring the store up to :data:`SETTINGS_VERSION`; returns the versions it migrated from.

    A store from a newer release is left as it is (its unknown keys are ignored, known keys are
    still validated); an unreadable version starts from the defaults.
    """
    version = stored_version(s)
    done: list[int] = []
    if version == 0:
        s.setValue("version", SETTINGS_VERSION)
        return done
    while version < SETTINGS_VERSION:
        step = MIGRATIONS.get(version)
        if step is not None:
            step(s)
        done.append(version)
        version += 1
        s.setValue("version", version)
    return done


_HEADLESS_STORES = itertools.count(1)
_PRIVATE_DIRS: set[Path] = set()


def headless() -> bool:
    """True on the offscreen platform (tests, benchmarks): nobody can answer a dialog there."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName() in ("offscreen", "minimal")


def private_dir() -> Path:
    """A per-process folder for headless runs, so they never touch the user's settings or files;
    removed when the process exits."""
    path = Path(tempfile.gettempdir()) / f"bpstudio-headless-{os.getpid()}"
    if path not in _PRIVATE_DIRS:
        _PRIVATE_DIRS.add(path)
        atexit.register(shutil.rmtree, path, True)
    return path


def default_qsettings() -> QSettings:
    """``BPSTUDIO_SETTINGS`` if set; a private file when headless; else the user's store."""
    path = os.environ.get("BPSTUDIO_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    if headless():  # a fresh store per window: one test's layout or step size never leaks into the next
        return QSettings(str(private_dir() / f"settings-{next(_HEADLESS_STORES)}.ini"),
                         QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


class StudioSettings:
    """Typed, validated access to the studio's QSettings store."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else default_qsettings()
        self.migrated_from = migrate(self.store)

    # ---------------------------------------------------------------- theme
    @property
    def theme(self) -> str:
        override = os.environ.get("BPSTUDIO_THEME", "").strip().lower()
        if override in THEMES:
            return override
        value = str(self.store.value("ui/theme", DEFAULTS["ui/theme"]))
        return value if value in THEMES else DEFAULTS["ui/theme"]

    @theme.setter
    def theme(self, name: str) -> None:
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}; use one of {', '.join(THEMES)}")
        self.store.setValue("ui/theme", name)

    # ---------------------------------------------------------------- training defaults
    @property
    def step_size(self) -> str:
        value = str(self.store.value("training/step_size", DEFAULTS["training/step_size"]))
        return value if value in STEP_SIZES else DEFAULTS["training/step_size"]

    @step_size.setter
    def step_size(self, value: str) -> None:
        if value not in STEP_SIZES:
            raise ValueError(f"unknown step size {value!r}; use one of {', '.join(STEP_SIZES)}")
        self.store.setValue("training/step_size", value)

    @property
    def speed(self) -> float:
        """Steps (of the chosen step size) per second; 0 = as fast as possible."""
        try:
            value = float(self.store.value("training/speed", DEFAULTS["training/speed"]))
        except (TypeError, ValueError):
            return DEFAULTS["training/speed"]
        if value != value:  # NaN
            return DEFAULTS["training/speed"]
        lo, hi = SPEED_RANGE
        return min(max(value, lo), hi)

    @speed.setter
    def speed(self, value: float) -> None:
        lo, hi = SPEED_RANGE
        value = float(value)
        if value != value:
            raise ValueError("the speed must be a number")
        self.store.setValue("training/speed", min(max(value, lo), hi))

    def apply_training(self, controller) -> None:
        """Give a training controller the remembered step size and speed."""
        try:
            controller.set_granularity(self.step_size)
            controller.set_speed(self.speed)
        except (ValueError, AttributeError):
            pass

    def remember_training(self, controller) -> None:
        """Keep a training controller's step size and speed for the next start."""
        try:
            self.step_size = controller.granularity
            self.speed = controller.speed
        except (ValueError, AttributeError):
            pass

    # ---------------------------------------------------------------- recent files
    @property
    def recent_files(self) -> list[str]:
        """Most recent first; kept as JSON text (QSettings mangles one-item and empty lists)."""
        raw = self.store.value("files/recent")
        if raw is None:
            return []
        try:
            paths = json.loads(str(raw))
        except ValueError:
            return []
        if not isinstance(paths, list):
            return []
        return [p for p in paths if isinstance(p, str) and p][:MAX_RECENT]

    def _set_recent(self, paths: list[str]) -> None:
        self.store.setValue("files/recent", json.dumps(paths[:MAX_RECENT]))

    def add_recent(self, path: str) -> list[str]:
        path = os.path.abspath(path)
        paths = [path] + [p for p in self.recent_files if p != path]
        self._set_recent(paths)
        return self.recent_files

    def remove_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        self._set_recent([p for p in self.recent_files if p != path])

    def clear_recent(self) -> None:
        self._set_recent([])

    # ---------------------------------------------------------------- window layout
    def save_window(self, window) -> None:
        """Remember a QMainWindow's geometry and its docks/toolbars layout."""
        self.store.setValue("window/geometry", window.saveGeometry())
        self.store.setValue("window/state", window.saveState(SETTINGS_VERSION))

    def restore_window(self, window) -> bool:
        """Put a QMainWindow back where it was; False when nothing usable was stored."""
        geometry = self.store.value("window/geometry")
        state = self.store.value("window/state")
        ok = False
        # the docks first: until they are tabbed as they were, the window's minimum width is that
        # of docks side by side, and the geometry would be widened to it
        if isinstance(state, QByteArray) and not state.isEmpty():
            ok = bool(window.restoreState(state, SETTINGS_VERSION))
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            if window.layout() is not None:
                window.layout().activate()  # its minimum size as the docks are now, not as built
            ok = bool(window.restoreGeometry(geometry)) or ok
        return ok

    def sync(self) -> None:
        self.store.sync()

    def __repr__(self) -> str:
        return (f"StudioSettings(v{SETTINGS_VERSION}, theme={self.theme!r}, step={self.step_size!r}, "
                f"speed={self.speed:g}, recent={len(self.recent_files)}, file={self.store.fileName()!r})")
