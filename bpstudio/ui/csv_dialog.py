"""Import CSV…: choose a file, preview it, pick input and target columns, optionally standardise.

The parse runs in a worker QObject moved to a QThread (progress bar; Cancel stops it between
chunks), so a 100,000-row file never freezes the window. A bad file is refused with the row and
column of its first problem, and nothing changes. On success ``result_`` holds the ImportResult.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bpstudio.core import csv_import
from bpstudio.core.csv_import import CsvError, CsvFormat, ImportCancelled

AUTO = "auto"
DELIMITER_CHOICES = [("Detect", AUTO), ("Comma ,", ","), ("Semicolon ;", ";"), ("Tab", "\t"),
                     ("Bar |", "|")]


class ImportWorker(QObject):
    """Parses one file in the worker thread; reports progress, the result or a plain error."""

    progress = Signal(int)  # per mille
    done = Signal(object)  # ImportResult
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, path: str, inputs, targets, fmt: CsvFormat, standardise: bool,
                 test_fraction: float) -> None:
        super().__init__()
        self.args = (path, list(inputs), list(targets))
        self.kw = dict(fmt=fmt, standardise=standardise, test_fraction=test_fraction)
        self.stop = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = csv_import.parse(*self.args, **self.kw, cancel=self.stop.is_set,
                                      progress=lambda f: self.progress.emit(int(f * 1000)))
        except ImportCancelled:
            self.cancelled.emit()
        except (CsvError, OSError, ValueError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - never crash the app on a bad file
            self.failed.emit(f"the file could not be read: {exc}")
        else:
            self.done.emit(result)
        self.finished.emit()


class CsvImportDialog(QDialog):
    """The import dialog; ``exec()`` is accepted once a file has been parsed into ``result_``."""

    def __init__(self, parent: QWidget | None = None, path: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import CSV")
        self.resize(720, 560)
        self.result_ = None
        self.preview_: csv_import.Preview | None = None
        self._thread: QThread | None = None
        self._worker: ImportWorker | None = None

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("a .csv file: one row per sample, one column per value")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        self.path_edit.editingFinished.connect(self.load_preview)
        self.delimiter = QComboBox()
        for label, value in DELIMITER_CHOICES:
            self.delimiter.addItem(label, value)
        self.header = QCheckBox("Row 1 holds column names")
        self.delimiter.currentIndexChanged.connect(self._format_changed)
        self.header.toggled.connect(self._format_changed)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.inputs = QListWidget()
        self.targets = QListWidget()
        self.standardise = QCheckBox("Standardise inputs: (x − mean) / std, means and stds reported")
        self.test_percent = QSpinBox()
        self.test_percent.setRange(0, 90)
        self.test_percent.setSuffix(" % test rows")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.AcceptRole)
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        for widget, tip in ((browse, "Choose the CSV file"),
                            (self.delimiter, "What separates the values; Detect reads it off the file"),
                            (self.header, "Take the first row as column names, not as a sample"),
                            (self.inputs, "The columns the network reads: one input unit each"),
                            (self.targets, "The columns the network should output: one output unit each"),
                            (self.standardise, "Shift and scale each input column to mean 0, std 1 (targets "
                                               "stay as they are); the means and stds are shown"),
                            (self.test_percent, "The share of rows held out as test rows (not trained on)"),
                            (self.import_button, "Read the whole file (in the background; Cancel stops it)")):
            widget.setToolTip(tip)

        top = QHBoxLayout()
        top.addWidget(self.path_edit, 1)
        top.addWidget(browse)
        fmt = QHBoxLayout()
        fmt.addWidget(QLabel("Delimiter"))
        fmt.addWidget(self.delimiter)
        fmt.addWidget(self.header)
        fmt.addStretch(1)
        cols = QFormLayout()
        pick = QHBoxLayout()
        for title, lst in (("Inputs (X)", self.inputs), ("Targets (Y)", self.targets)):
            box = QVBoxLayout()
            box.addWidget(QLabel(f"<b>{title}</b>"))
            box.addWidget(lst)
            pick.addLayout(box)
            lst.itemChanged.connect(self._column_ticked)
        cols.addRow(QLabel("Tick the columns the network reads (inputs) and should output (targets):"))
        cols.addRow(pick)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(fmt)
        lay.addWidget(self.table, 1)
        lay.addLayout(cols)
        opts = QHBoxLayout()
        opts.addWidget(self.standardise, 1)
        opts.addWidget(self.test_percent)
        lay.addLayout(opts)
        lay.addWidget(self.status)
        lay.addWidget(self.progress)
        lay.addWidget(self.buttons)
        if path:
            self.set_path(path)

    # ---------------------------------------------------------------- choosing
    @Slot()
    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import CSV", "", "CSV files (*.csv *.tsv *.txt);;"
                                                                      "All files (*)")
        if path:
            self.set_path(path)

    def set_path(self, path: str) -> None:
        self.path_edit.setText(str(path))
        self.delimiter.blockSignals(True)
        self.delimiter.setCurrentIndex(0)
        self.delimiter.blockSignals(False)
        self.load_preview()

    def chosen_format(self) -> CsvFormat | None:
        delim = self.delimiter.currentData()
        return None if delim == AUTO else CsvFormat(delim, self.header.isChecked())

    @Slot()
    def _format_changed(self) -> None:
        if self.delimiter.currentData() == AUTO and self.sender() is self.header:
            self.delimiter.blockSignals(True)  # a header choice fixes the detected delimiter
            self.delimiter.setCurrentIndex(self.delimiter.findData(self.preview_.format.delimiter)
                                           if self.preview_ else 1)
            self.delimiter.blockSignals(False)
        self.load_preview()

    @Slot()
    def load_preview(self) -> None:
        """Read the first rows; fill the preview and the column lists (or show why not)."""
        path = self.path_edit.text().strip()
        self.preview_ = None
        self.import_button.setEnabled(False)
        self.table.clear()
        self.inputs.clear()
        self.targets.clear()
        if not path:
            return
        try:
            pv = csv_import.preview(path, 20, self.chosen_format())
        except (CsvError, OSError) as exc:
            self.show_error(str(exc))
            return
        self.preview_ = pv
        self.header.blockSignals(True)
        self.header.setChecked(pv.format.has_header)
        self.header.blockSignals(False)
        self.table.setColumnCount(len(pv.columns))
        self.table.setRowCount(len(pv.rows))
        self.table.setHorizontalHeaderLabels(pv.columns)
        for r, row in enumerate(pv.rows):
            for c, text in enumerate(row[:len(pv.columns)]):
                self.table.setItem(r, c, QTableWidgetItem(text))
        numeric = pv.numeric_columns
        target = numeric[-1] if numeric else len(pv.columns) - 1
        for lst in (self.inputs, self.targets):
            lst.blockSignals(True)
        for c, name in enumerate(pv.columns):
            for lst, on in ((self.inputs, c in numeric and c != target), (self.targets, c == target)):
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if on else Qt.Unchecked)
                lst.addItem(item)
        for lst in (self.inputs, self.targets):
            lst.blockSignals(False)
        name = csv_import.DELIMITER_NAMES.get(pv.format.delimiter, repr(pv.format.delimiter))
        self.status.setStyleSheet("")
        self.status.setText(f"{Path(path).name}: {csv_import.size_text(pv.size)}, "
                            f"{len(pv.columns)} columns, {name}-separated, "
                            f"{'with' if pv.format.has_header else 'no'} header.")
        self.import_button.setEnabled(True)

    @Slot(QListWidgetItem)
    def _column_ticked(self, item: QListWidgetItem) -> None:
        """A column is an input or a target, never both: ticking one side unticks the other."""
        if item.checkState() != Qt.Checked:
            return
        lst = item.listWidget()
        other = self.targets if lst is self.inputs else self.inputs
        twin = other.item(lst.row(item))
        if twin is not None and twin.checkState() == Qt.Checked:
            twin.setCheckState(Qt.Unchecked)

    def checked(self, lst: QListWidget) -> list[int]:
        return [i for i in range(lst.count()) if lst.item(i).checkState() == Qt.Checked]

    def show_error(self, text: str) -> None:
        self.status.setStyleSheet("color: #c0392b;")
        self.status.setText(f"Cannot import: {text}. Nothing was changed.")

    # ---------------------------------------------------------------- importing
    @Slot()
    def start_import(self) -> None:
        if self.preview_ is None or self._thread is not None:
            return
        inputs, targets = self.checked(self.inputs), self.checked(self.targets)
        if not inputs or not targets:
            self.show_error("tick at least one input column and one target column")
            return
        self.import_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setStyleSheet("")
        self.status.setText("Importing…")
        worker = ImportWorker(self.preview_.path, inputs, targets, self.preview_.format,
                              self.standardise.isChecked(), self.test_percent.value() / 100.0)
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._progress)
        worker.done.connect(self._done)
        worker.failed.connect(self._failed)
        worker.cancelled.connect(self._cancelled)
        worker.finished.connect(thread.quit)
        # no worker.deleteLater: the thread emits ``finished`` before it runs its deferred deletes,
        # so dropping our reference in _thread_finished could delete the worker twice (a crash
        # seen 1 run in 6). Python owns the worker; it goes once its thread has really ended.
        thread.finished.connect(self._thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None

    @Slot(int)
    def _progress(self, per_mille: int) -> None:
        self.progress.setValue(per_mille)

    @Slot(object)
    def _done(self, result) -> None:
        self.result_ = result
        self.status.setText(result.summary())

    @Slot(str)
    def _failed(self, text: str) -> None:
        self.show_error(text)

    @Slot()
    def _cancelled(self) -> None:
        self.status.setText("Import cancelled. Nothing was changed.")

    @Slot()
    def _thread_finished(self) -> None:
        if self._thread is None or self.sender() is not self._thread:
            return  # already released by stop_import, or a late signal from an earlier import
        self._release_thread()
        if self.result_ is not None:
            super().accept()

    def _release_thread(self) -> None:
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            thread.wait()  # ``finished`` comes just before the thread ends: let it end
            thread.deleteLater()
        self.progress.setVisible(False)
        self.import_button.setEnabled(self.preview_ is not None)

    def stop_import(self, timeout_ms: int = 5000) -> bool:
        """Stop a running import and wait for its thread; False if it did not end in time."""
        if self._thread is None:
            return True
        self._worker.stop.set()
        self._thread.quit()
        if not self._thread.wait(timeout_ms):
            return False
        self._release_thread()
        return True

    def reject(self) -> None:
        if self._thread is not None:  # first Cancel stops the import; the dialog stays open
            self._worker.stop.set()
            self.status.setText("Cancelling…")
            return
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        if not self.stop_import():  # never destroy a running thread
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, code: int) -> None:  # noqa: D401 - Qt name
        if code == QDialog.Rejected:
            self.stop_import()
        super().done(code)
