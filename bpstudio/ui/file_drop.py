"""Drop a file on the window: a project opens (File ▸ Open), a CSV opens the CSV import.

Exactly the paths the menus take, so a dropped FIFO, device, garbage or oversized file gets the same
one plain message and leaves the open project as it was. More than one file, a folder or a web
address are refused in a line on the status bar.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject

CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def dropped_file(mime) -> tuple[str | None, str]:
    """(the one local file dropped, "") or (None, why it cannot be used)."""
    urls = mime.urls() if mime.hasUrls() else []
    if not urls:
        return None, ""
    if len(urls) > 1:
        return None, f"{len(urls)} files were dropped: drop one project or one CSV file at a time"
    url = urls[0]
    if not url.isLocalFile():
        return None, f"{url.toString()} is not a file on this computer: save it first, then drop the file"
    return url.toLocalFile(), ""


class FileDrop(QObject):
    """An event filter on the main window: accepts file drags, routes the drop."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind in (QEvent.DragEnter, QEvent.DragMove) and event.mimeData().hasUrls():
            event.acceptProposedAction()
            return True
        if kind == QEvent.Drop and event.mimeData().hasUrls():
            event.acceptProposedAction()
            self.use(event.mimeData())
            return True
        return super().eventFilter(obj, event)

    def use(self, mime) -> bool:
        """Open what ``mime`` names; True when a project or a CSV import was opened."""
        path, problem = dropped_file(mime)
        if path is None:
            if problem:
                self.window.show_message(problem)
            return False
        if Path(path).suffix.lower() in CSV_SUFFIXES:
            panel = getattr(self.window, "data_panel", None)
            if panel is None:
                self.window.show_message("This window has no Data panel to import a CSV file into")
                return False
            dock = self.window.docks.get("data")
            if dock is not None:
                dock.show()
                dock.raise_()
            return panel.import_csv(path)
        return self.window.file_actions.open(path)

    def __repr__(self) -> str:
        return f"FileDrop({type(self.window).__name__})"


def install_file_drop(window) -> FileDrop:
    window.file_drop = FileDrop(window)
    return window.file_drop
