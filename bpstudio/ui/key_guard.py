"""A focused table, slider or button keeps the keys it uses (arrows, Space) for itself.

Play/Pause (Space), Step (Right) and Step back (Left) are window-wide shortcuts, and Qt gives a
window shortcut precedence over a focused widget that does not claim the key: arrows in the Data
table stepped training instead of moving the cell cursor, Space on a focused button played instead
of pressing it. :func:`guard_keys` claims those keys for such widgets (a ShortcutOverride filter on
each one when it first takes the focus: no application-wide event filter).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QAbstractSlider, QApplication, QWidget

KEYS_OF = ((QAbstractItemView, frozenset({Qt.Key_Space, Qt.Key_Left, Qt.Key_Right})),
           (QAbstractSlider, frozenset({Qt.Key_Left, Qt.Key_Right})),
           (QAbstractButton, frozenset({Qt.Key_Space})))
_PLAIN = (Qt.NoModifier, Qt.KeypadModifier)


def claimed_keys(widget) -> frozenset:
    """The training keys ``widget`` uses itself (empty for the canvas and most widgets)."""
    for cls, keys in KEYS_OF:
        if isinstance(widget, cls):
            return keys
    return frozenset()


class KeyGuard(QObject):
    """Watches the focus inside ``window`` and filters the widgets that need their keys."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.guarded = 0  # how many widgets got the filter (for tests)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self.focus_moved)

    @Slot(object, object)
    def focus_moved(self, _old, new) -> None:
        if (new is None or not claimed_keys(new) or new.property("bpstudioKeyGuard")
                or not self.window.isAncestorOf(new)):
            return
        new.installEventFilter(self)
        new.setProperty("bpstudioKeyGuard", True)
        self.guarded += 1

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if (event.type() == QEvent.Type.ShortcutOverride and event.modifiers() in _PLAIN
                and event.key() in claimed_keys(obj)):
            event.accept()  # the key goes to the widget, not to the window's shortcut
            return True
        return False

    def __repr__(self) -> str:
        return f"KeyGuard({self.guarded} widgets keep their keys)"


def guard_keys(window: QWidget) -> KeyGuard:
    """Give ``window`` its :class:`KeyGuard` (kept as ``window.key_guard``)."""
    window.key_guard = KeyGuard(window)
    return window.key_guard
