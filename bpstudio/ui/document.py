"""The open document: the current Project, its undo stack, file path and modified flag.

Views observe ``document.graph.events`` (the graph object stays the same for the life of the
document: loading a project calls ``graph.replace_with`` so observers never need reconnecting).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from bpstudio.core.dataset import Dataset
from bpstudio.core.presets import load_preset
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings


class Document(QObject):
    """Holds the Project being edited; every graph edit goes through ``undo_stack``."""

    project_replaced = Signal()  # a new project was loaded (graph reset, dataset, settings)
    dataset_changed = Signal()
    settings_changed = Signal()
    modified_changed = Signal(bool)
    path_changed = Signal(object)  # Path | None

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project = project if project is not None else load_preset("article-xor")
        self.undo_stack = QUndoStack(self)
        self._path: Path | None = None
        self._dirty = False  # changes made outside the undo stack (dataset, settings)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    # ------------------------------------------------------------------ reading
    @property
    def graph(self):
        return self.project.graph

    @property
    def dataset(self) -> Dataset:
        return self.project.dataset

    @property
    def settings(self) -> TrainingSettings:
        return self.project.settings

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def name(self) -> str:
        """What the title bar shows: the file's stem, else the project's name."""
        return self._path.stem if self._path is not None else (self.project.name or "untitled")

    @property
    def modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    # ------------------------------------------------------------------ changing
    def replace_project(self, project: Project, path: str | Path | None = None) -> None:
        """Load ``project`` in place: one graph reset, new dataset and settings, empty undo stack."""
        was = self.modified
        graph = self.project.graph
        source = project.graph.copy() if project.graph is graph else project.graph
        graph.replace_with(source)  # observers stay connected to the same Graph object
        self.project = Project(graph, project.dataset, project.settings, project.name,
                               list(project.loss_history), project.epoch, project.description,
                               tuple(project.checkpoints))
        self._path = Path(path) if path is not None else None
        self._dirty = False
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.project_replaced.emit()
        self.dataset_changed.emit()
        self.settings_changed.emit()
        self.path_changed.emit(self._path)
        if was:
            self.modified_changed.emit(False)

    def set_dataset(self, dataset: Dataset) -> None:
        """Replace the dataset (outside undo); marks the document modified."""
        self.project.dataset = dataset
        self.dataset_changed.emit()
        self.set_modified(True)

    def set_settings(self, settings: TrainingSettings) -> None:
        """Replace the training settings (validated first; raises SettingsError with plain words)."""
        self.project.settings = settings.validate()
        self.settings_changed.emit()
        self.set_modified(True)

    def set_path(self, path: str | Path | None) -> None:
        self._path = Path(path) if path is not None else None
        self.path_changed.emit(self._path)

    def set_modified(self, modified: bool) -> None:
        """Mark modified (e.g. after a non-undoable change) or saved (``False`` also sets the undo stack clean)."""
        was = self.modified
        self._dirty = modified
        if not modified:
            self.undo_stack.setClean()
        if self.modified != was:
            self.modified_changed.emit(self.modified)

    def mark_saved(self, path: str | Path | None = None) -> None:
        if path is not None:
            self.set_path(path)
        self.set_modified(False)

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(self.modified)

    def __repr__(self) -> str:
        star = "*" if self.modified else ""
        return f"Document({self.name!r}{star}, {self.graph!r}, undo={self.undo_stack.count()})"
