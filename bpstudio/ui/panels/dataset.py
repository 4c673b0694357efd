"""The Data dock: the dataset as an editable table (X1 | X2 | Y | train), generators, CSV import.

Every edit is a QUndoCommand on the document's undo stack (bpstudio/ui/data_commands.py); the
table observes ``document.dataset_changed`` and never changes the dataset itself.
Run alone: ``python -m bpstudio.ui.panels.dataset``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bpstudio.core.dataset import DatasetError
from bpstudio.core.match import check_match
from bpstudio.ui.data_commands import InsertRowsCommand, RemoveRowsCommand, SetCellCommand, SetSplitCommand
from bpstudio.ui.match_prompt import confirm_match, counts_differ, offer_dataset
from bpstudio.ui.panels.generator_box import GeneratorBox

SPLIT_HEADER = "train"


class DatasetTableModel(QAbstractTableModel):
    """Rows of the document's dataset: input columns, target columns, then a train/test check."""

    problem = Signal(str)  # a cell edit that was refused, in plain words

    def __init__(self, document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._shape = self._current_shape()
        document.dataset_changed.connect(self._dataset_changed)
        document.project_replaced.connect(self._dataset_changed)

    def _current_shape(self) -> tuple[int, int, tuple]:
        ds = self.document.dataset
        return ds.n_samples, ds.n_inputs + ds.n_outputs, (*ds.input_names, *ds.target_names)

    @Slot()
    def _dataset_changed(self) -> None:
        shape = self._current_shape()
        if shape == self._shape:  # same table, new numbers: keep the selection and scroll
            if self.rowCount():
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(self.rowCount() - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self._shape = shape
        self.endResetModel()

    # ---------------------------------------------------------------- shape
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self.document.dataset.n_samples

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        ds = self.document.dataset
        return ds.n_inputs + ds.n_outputs + 1

    def split_column(self) -> int:
        return self.columnCount() - 1

    def is_target(self, column: int) -> bool:
        ds = self.document.dataset
        return ds.n_inputs <= column < ds.n_inputs + ds.n_outputs

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):
        ds = self.document.dataset
        if orientation == Qt.Vertical:
            return str(section + 1) if role == Qt.DisplayRole else None
        names = ds.input_names + ds.target_names + [SPLIT_HEADER]
        if section >= len(names):
            return None
        if role == Qt.DisplayRole:
            return names[section]
        if role == Qt.ToolTipRole:
            if section == len(names) - 1:
                return "ticked: a training row; unticked: a test row (never trained on)"
            return "target (what the network should output)" if self.is_target(section) else "input"
        return None

    # ---------------------------------------------------------------- cells
    def _value(self, row: int, column: int) -> float:
        ds = self.document.dataset
        return float(ds.X[row, column] if column < ds.n_inputs else ds.Y[row, column - ds.n_inputs])

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        ds = self.document.dataset
        if row >= ds.n_samples:
            return None
        train = bool(ds.train_mask[row])
        if col == self.split_column():
            if role == Qt.CheckStateRole:
                return Qt.Checked if train else Qt.Unchecked
            if role == Qt.DisplayRole:
                return "train" if train else "test"
            return None
        if role == Qt.DisplayRole:
            return f"{self._value(row, col):.6g}"
        if role == Qt.EditRole:
            return repr(self._value(row, col))
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and not train:
            return QBrush(QPalette().color(QPalette.Disabled, QPalette.Text))
        if role == Qt.BackgroundRole and self.is_target(col):
            return QBrush(QColor(255, 200, 0, 28))
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.NoItemFlags
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == self.split_column():
            return base | Qt.ItemIsUserCheckable
        return base | Qt.ItemIsEditable

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        """Turn an edit into an undo command; the table updates when the dataset changes."""
        if not index.isValid():
            return False
        row, col = index.row(), index.column()
        stack = self.document.undo_stack
        if col == self.split_column():
            if role != Qt.CheckStateRole:
                return False
            train = value in (Qt.Checked, Qt.Checked.value, 2)
            if bool(self.document.dataset.train_mask[row]) == train:
                return False
            stack.push(SetSplitCommand(self.document, [row], train))
            return True
        if role != Qt.EditRole:
            return False
        try:
            number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            self.problem.emit(f"row {row + 1}: {value!r} is not a number")
            return False
        if not math.isfinite(number):
            self.problem.emit(f"row {row + 1}: only finite numbers can be used, not {value!r}")
            return False
        if number == self._value(row, col):
            return False
        stack.push(SetCellCommand(self.document, row, col, number))
        return True

    def __repr__(self) -> str:
        return f"DatasetTableModel({self.rowCount()} rows × {self.columnCount()} columns)"


def _follow(event, panel: DataPanel) -> None:
    """Refresh ``panel`` on a core event; the handler drops itself once the panel is gone.

    (A ``destroyed`` signal connected to a lambda would do it too, but it fires during interpreter
    shutdown and crashed the process at exit 1 run in 2.)"""
    ref = weakref.ref(panel)

    def handler(*_) -> None:
        p = ref()
        if p is None or not shiboken6.isValid(p):
            event.disconnect(handler)
            return
        p.refresh()

    event.connect(handler)


# ------------------------------------------------------------------ the dock's widget
class DataPanel(QWidget):
    """Table, row buttons, fit-the-network warning, generator box and Import CSV…."""

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.choose: Callable | None = None  # tests answer the mismatch prompt through this
        self.last_import = None  # the latest accepted ImportResult
        self.model = DatasetTableModel(document, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.horizontalHeader().setDefaultSectionSize(70)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.summary = QLabel()
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b35900;")
        self.fit_button = QPushButton("Adjust the network")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.add_button = QPushButton("Add row")
        self.remove_button = QPushButton("Remove rows")
        self.train_button = QPushButton("Mark train")
        self.test_button = QPushButton("Mark test")
        self.generator = GeneratorBox()
        self.import_button = QPushButton("Import CSV…")
        for button, tip in ((self.fit_button, "Add or remove input and output units to fit the data"),
                            (self.add_button, "Insert a row after the selected rows (undoable)"),
                            (self.remove_button, "Remove the selected rows (undoable; Delete does it too)"),
                            (self.train_button, "Train on the selected rows (undoable)"),
                            (self.test_button, "Hold the selected rows out for the test loss (undoable)"),
                            (self.import_button, "Use your own data: a CSV file of inputs and targets")):
            button.setToolTip(tip)

        rows = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.train_button, self.test_button):
            rows.addWidget(b)
        fit = QHBoxLayout()
        fit.addWidget(self.warning, 1)
        fit.addWidget(self.fit_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(fit)
        lay.addWidget(self.table, 1)
        lay.addLayout(rows)
        lay.addWidget(self.message)
        lay.addWidget(self.generator)
        lay.addWidget(self.import_button)
        self.table.setMinimumHeight(110)

        self.table.installEventFilter(self)  # Delete in the table removes the selected rows
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        self.train_button.clicked.connect(self.mark_train)
        self.test_button.clicked.connect(self.mark_test)
        self.fit_button.clicked.connect(self.fit_network)
        self.generator.generate_requested.connect(self.generate)
        self.import_button.clicked.connect(self.import_csv)
        self.model.problem.connect(self.show_problem)
        document.dataset_changed.connect(self.refresh)
        document.project_replaced.connect(self.refresh)
        document.project_replaced.connect(self.follow_generator)
        _follow(document.graph.events.structure_changed, self)
        self.refresh()

    # ---------------------------------------------------------------- state
    @Slot()
    def refresh(self) -> None:
        ds = self.document.dataset
        n_test = int((~ds.train_mask).sum())
        self.summary.setText(
            f"<b>{ds.name or 'Dataset'}</b>: {ds.n_samples:,} rows · inputs {', '.join(ds.input_names)}"
            f" · targets {', '.join(ds.target_names)} · {ds.n_samples - n_test:,} train / {n_test:,} test")
        problem = check_match(self.document.graph, ds)
        self.warning.setText(problem or "")
        self.warning.setVisible(problem is not None)
        self.fit_button.setVisible(problem is not None and counts_differ(self.document.graph, ds))

    @Slot()
    def follow_generator(self) -> None:
        """A new project whose data a generator made (a preset): the generator box shows that kind."""
        from bpstudio.core.generators import GENERATORS

        ds = self.document.dataset
        for key, info in GENERATORS.items():
            if ds.name in (info.title, key.upper()) or (key == "iris" and ds.name.startswith("Iris")):
                self.generator.select(key)
                return

    @Slot(str)
    def show_problem(self, text: str) -> None:
        self.message.setText(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (watched is self.table and event.type() == QEvent.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key_Delete, Qt.Key_Backspace)
                and self.table.state() != QAbstractItemView.EditingState):
            self.remove_selected()
            return True
        return super().eventFilter(watched, event)

    def selected_rows(self) -> list[int]:
        """Rows touched by the selection, from its ranges (selectedRows() takes 15 s on 100k rows)."""
        spans = [range(r.top(), r.bottom() + 1) for r in self.table.selectionModel().selection()]
        return sorted(set().union(*spans)) if spans else []

    # ---------------------------------------------------------------- actions
    @Slot()
    def add_row(self) -> None:
        rows = self.selected_rows()
        at = rows[-1] + 1 if rows else self.document.dataset.n_samples
        self.document.undo_stack.push(InsertRowsCommand(self.document, at))
        self.table.selectRow(at)

    @Slot()
    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.show_problem("Select the rows to remove first.")
            return
        if len(rows) >= self.document.dataset.n_samples:
            self.show_problem("A dataset needs at least one row: keep one, or load another dataset.")
            return
        self.document.undo_stack.push(RemoveRowsCommand(self.document, rows))
        self.show_problem("")

    def _mark(self, train: bool) -> None:
        rows = self.selected_rows()
        if not rows:
            self.show_problem("Select the rows to mark first.")
            return
        self.document.undo_stack.push(SetSplitCommand(self.document, rows, train))

    @Slot()
    def mark_train(self) -> None:
        self._mark(True)

    @Slot()
    def mark_test(self) -> None:
        self._mark(False)

    @Slot()
    def fit_network(self) -> None:
        confirm_match(self.document, self, self.choose)

    @Slot()
    def generate(self) -> None:
        try:
            ds = self.generator.make()
        except DatasetError as exc:
            self.show_problem(str(exc))
            return
        if offer_dataset(self.document, ds, self, f"Generate {ds.name}", self.choose):
            self.show_problem("")

    @Slot()
    def import_csv(self, path: str | None = None) -> bool:
        """The CSV import dialog (on ``path`` when given, e.g. a dropped file); True when used."""
        from bpstudio.ui.csv_dialog import CsvImportDialog  # the dialog is only built when asked

        dialog = CsvImportDialog(self, path or None)
        used = bool(dialog.exec()) and dialog.result_ is not None and self.use_import(dialog.result_)
        dialog.deleteLater()
        return used

    def use_import(self, result) -> bool:
        """Use an import's dataset (asking first if the network must change); report the scaling."""
        if offer_dataset(self.document, result.dataset, self, f"Import {result.dataset.name}",
                         self.choose):
            self.last_import = result  # its dataset's ``source`` is the project file's reference
            self.show_problem(result.summary())
            return True
        return False

    def csv_reference(self) -> dict | None:
        """The CSV reference (path + sha256) the project file saves for the current dataset: its
        ``source``, set by the import or a project that referred to a CSV; None after an edit
        (undoing the edit brings it back) or for generated data."""
        source = self.document.dataset.source
        return dict(source) if source is not None else None

    def __repr__(self) -> str:
        return f"DataPanel({self.document.dataset!r})"


def install_data_panel(window) -> DataPanel:
    """Add the Data dock and File ▸ Import CSV… to the main window (called once from MainWindow)."""
    from PySide6.QtGui import QAction

    panel = DataPanel(window.document)
    window.data_panel = panel
    dock = window.add_dock("data", "Data", panel, Qt.RightDockWidgetArea)
    action = QAction("Import &CSV…", window)
    action.setStatusTip("Use your own data: a CSV file with input and target columns")

    def import_csv() -> None:
        dock.show()
        dock.raise_()
        panel.import_csv()

    action.triggered.connect(import_csv)
    file_menu = window.menus["File"]
    first = file_menu.actions()[-1] if file_menu.actions() else None
    file_menu.insertAction(first, action)  # above Quit
    window.act["import_csv"] = action
    return panel


def main() -> None:  # pragma: no cover - manual run
    import sys

    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.document import Document

    app = QApplication.instance() or QApplication(sys.argv)
    panel = DataPanel(Document())
    panel.resize(460, 720)
    panel.show()
    app.exec()


if __name__ == "__main__":  # pragma: no cover
    main()
