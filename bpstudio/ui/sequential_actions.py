"""File ▸ Import PyTorch Sequential weights… and File ▸ Export ▸ Network as Sequential weights….

Import replaces the network (one undo step); the dataset and the settings stay, and when the dataset
does not fit the imported network, Play asks to adjust as it always does. A file the studio cannot use
gets one message box, and nothing changes.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from bpstudio.core.sequential_io import SequentialError, read_sequential, write_sequential
from bpstudio.ui.canvas import commands as cmd
from bpstudio.ui.canvas import network_ops as ops

PATTERN = "Sequential weights (*.json *.npz);;All files (*)"


def ask_open(window) -> str:
    return QFileDialog.getOpenFileName(window, "Import PyTorch Sequential weights", "", PATTERN)[0]


def show_error(window, title: str, text: str) -> None:
    QMessageBox.warning(window, title, text)


def import_sequential(window, path: str | None = None) -> bool:
    """Read ``path`` (asked for when None) and make it the network; True when it was."""
    path = path or ask_open(window)
    if not path:
        return False
    try:
        graph = read_sequential(path)
    except SequentialError as exc:
        show_error(window, "Cannot import network", f"The network was not changed:\n{exc}")
        return False
    window.undo_stack.push(cmd.ReplaceGraphCommand(window.document.graph, graph, "Import Sequential network"))
    window.show_message(f"Imported {path}: {ops.describe_roles(graph)}")
    return True


def export_sequential(window, path) -> None:
    """The network as a Sequential weights file (JSON, or npz by its suffix)."""
    from bpstudio.ui.export import ExportError

    try:
        write_sequential(window.document.graph, path)
    except SequentialError as exc:
        raise ExportError(str(exc)) from None
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def install_sequential_import(window) -> QAction:
    action = QAction("Import PyTorch &Sequential weights…", window)
    action.setStatusTip("Replace the network by an nn.Sequential of Linear layers and activations "
                        "from a JSON or npz weights file (undoable)")
    action.triggered.connect(lambda: import_sequential(window))
    file_menu = window.menus["File"]
    anchor = window.act.get("import_csv")
    actions = file_menu.actions()
    after = actions[actions.index(anchor) + 1] if anchor in actions and actions.index(anchor) + 1 < len(actions) \
        else None
    file_menu.insertAction(after, action)
    window.act["import_sequential"] = action
    return action
