"""The Data dock: table edits reach the document's dataset (and undo), generators, the mismatch
prompt, and the CSV dialog importing in its thread without changing anything on a bad file."""

from pathlib import Path

import shiboken6
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpstudio.core.engine import Engine
from bpstudio.core.generators import generate
from bpstudio.core.trainer import Trainer
from bpstudio.ui.csv_dialog import CsvImportDialog
from bpstudio.ui.data_commands import InsertRowsCommand, RemoveRowsCommand, SetCellCommand, SetSplitCommand
from bpstudio.ui.document import Document
from bpstudio.ui.match_prompt import confirm_match, mismatch_box, offer_dataset, prompt_adjust
from bpstudio.ui.panels.dataset import DataPanel

DATA = Path(__file__).resolve().parents[1] / "data"


def adjust(box):
    return next(b for b in box.buttons() if b.text() == "Adjust the network")


def cancel(box):
    return box.button(QMessageBox.Cancel)


@pytest.fixture
def panel(qtbot):
    p = DataPanel(Document())
    qtbot.addWidget(p)
    return p


def _edit(p, row, col, text):
    return p.model.setData(p.model.index(row, col), text, Qt.EditRole)


# ---------------------------------------------------------------- the table
def test_table_shows_the_article_table(panel):
    m = panel.model
    heads = [m.headerData(c, Qt.Horizontal) for c in range(m.columnCount())]
    assert heads == ["X1", "X2", "Y", "train"]
    cells = [[m.data(m.index(r, c)) for c in range(3)] for r in range(m.rowCount())]
    assert cells == [["0", "0", "0"], ["0", "1", "1"], ["1", "0", "1"], ["1", "1", "0"]]
    assert m.data(m.index(0, 3), Qt.CheckStateRole) == Qt.Checked


def test_cell_edit_reaches_the_dataset_training_reads_and_undoes(panel):
    doc = panel.document
    seen = []
    doc.dataset_changed.connect(lambda: seen.append(doc.dataset))
    before = doc.dataset
    assert _edit(panel, 1, 2, "0.25")
    assert doc.dataset.Y[1, 0] == 0.25 and len(seen) == 1
    assert before.Y[1, 0] == 1.0  # copy-on-write: a running session keeps its own dataset
    trainer = Trainer(Engine(doc.graph, doc.settings.loss), doc.dataset, doc.settings)
    assert trainer.Y[:, 0].tolist() == [0, 0.25, 1, 0]  # what Play trains on
    assert _edit(panel, 1, 0, "-2")
    assert doc.dataset.X[1].tolist() == [-2, 1]
    doc.undo_stack.undo()
    assert doc.dataset.X[1].tolist() == [0, 1]
    doc.undo_stack.undo()
    assert doc.dataset.equals(before)
    doc.undo_stack.redo()
    assert panel.model.data(panel.model.index(1, 2)) == "0.25"


def test_repeated_edits_of_one_cell_merge_into_one_undo_step(panel):
    doc = panel.document
    for text in ("3", "4", "5"):
        _edit(panel, 0, 0, text)
    assert doc.undo_stack.count() == 1 and doc.dataset.X[0, 0] == 5
    doc.undo_stack.undo()
    assert doc.dataset.X[0, 0] == 0


@pytest.mark.parametrize("text", ["abc", "", "inf", "nan"])
def test_bad_cell_text_is_refused_in_words(panel, text):
    doc = panel.document
    before = doc.dataset
    assert not _edit(panel, 2, 1, text)
    assert doc.dataset is before and doc.undo_stack.count() == 0
    assert "row 3" in panel.message.text()


def test_add_remove_rows_and_mark_test_are_undoable(panel, qtbot):
    doc = panel.document
    start = doc.dataset
    panel.table.selectRow(1)
    panel.add_row()
    assert doc.dataset.n_samples == 5 and doc.dataset.X[2].tolist() == [0, 0]
    assert panel.model.rowCount() == 5
    panel.table.clearSelection()
    panel.table.selectRow(0)
    flags = QItemSelectionModel.Select | QItemSelectionModel.Rows
    panel.table.selectionModel().select(panel.model.index(3, 0), flags)
    panel.remove_selected()
    assert doc.dataset.n_samples == 3
    assert doc.dataset.X.tolist() == [[0, 1], [0, 0], [1, 1]]
    panel.table.selectRow(2)
    panel.mark_test()
    assert doc.dataset.train_mask.tolist() == [True, True, False]
    assert doc.dataset.train()[0].tolist() == [[0, 1], [0, 0]]
    assert "2 train / 1 test" in panel.summary.text()
    for _ in range(3):
        doc.undo_stack.undo()
    assert doc.dataset.equals(start)
    for _ in range(3):
        doc.undo_stack.redo()
    assert doc.dataset.X.tolist() == [[0, 1], [0, 0], [1, 1]]
    assert doc.dataset.train_mask.tolist() == [True, True, False]


def test_train_checkbox_is_an_undoable_command(panel):
    m, doc = panel.model, panel.document
    assert m.setData(m.index(3, 3), Qt.Unchecked, Qt.CheckStateRole)
    assert doc.dataset.train_mask.tolist() == [True, True, True, False]
    doc.undo_stack.undo()
    assert doc.dataset.train_mask.all()


def test_delete_key_in_the_table_removes_the_selected_rows(panel, qtbot):
    from PySide6.QtTest import QTest

    panel.show()
    qtbot.waitExposed(panel)
    panel.table.setFocus()
    panel.table.selectRow(0)
    QTest.keyClick(panel.table, Qt.Key_Delete)
    assert panel.document.dataset.X.tolist() == [[0, 1], [1, 0], [1, 1]]
    panel.document.undo_stack.undo()
    assert panel.document.dataset.n_samples == 4


def test_removing_every_row_is_refused(panel):
    panel.table.selectAll()
    panel.remove_selected()
    assert panel.document.dataset.n_samples == 4
    assert "at least one row" in panel.message.text()


# ---------------------------------------------------------------- generators and the prompt
def test_generate_same_shape_needs_no_prompt(panel):
    doc = panel.document
    panel.generator.select("circle")
    panel.generator.samples.setValue(120)
    panel.generator.test_percent.setValue(25)
    panel.generator.seed.setValue(9)
    panel.choose = lambda box: pytest.fail("no prompt expected")
    panel.generate()
    assert doc.dataset.equals(generate("circle", 120, 0.0, 0.25, 9))
    assert panel.model.rowCount() == 120
    doc.undo_stack.undo()
    assert doc.dataset.name == "XOR"


def test_generate_sine_asks_and_cancel_changes_nothing(panel):
    doc = panel.document
    graph_before, data_before = doc.graph.snapshot(), doc.dataset
    asked = []
    panel.choose = lambda box: asked.append(box.text()) or cancel(box)
    panel.generator.select("sine")
    panel.generate()
    assert asked == ["The network has 2 input units (X1, X2) but the dataset has 1 input column (X1)."]
    assert doc.graph.snapshot() == graph_before and doc.dataset is data_before
    assert doc.undo_stack.count() == 0


def test_generate_sine_and_adjust_is_one_undo_step(panel):
    doc = panel.document
    graph_before, data_before = doc.graph.snapshot(), doc.dataset
    panel.choose = adjust
    panel.generator.select("sine")
    panel.generate()
    assert [n.name for n in doc.graph.inputs] == ["X1"]
    assert doc.dataset.n_inputs == 1 and doc.undo_stack.count() == 1
    assert not panel.warning.isVisibleTo(panel)
    Trainer(Engine(doc.graph, doc.settings.loss), doc.dataset, doc.settings).step()
    doc.undo_stack.undo()
    assert doc.graph.snapshot() == graph_before and doc.dataset is data_before


def test_confirm_match_before_play(qtbot):
    doc = Document()
    ds = generate("plane", 30)
    ds.Y = np.hstack([ds.Y, -ds.Y])
    ds.target_names = ["Y", "minus Y"]
    doc.project.dataset = ds
    doc.dataset_changed.emit()
    assert not confirm_match(doc, choose=cancel)
    assert len(doc.graph.outputs) == 1
    assert confirm_match(doc, choose=adjust)
    assert [n.name for n in doc.graph.outputs] == ["D0", "D1"]
    assert confirm_match(doc, choose=lambda box: pytest.fail("no prompt when it fits"))
    doc.undo_stack.undo()
    assert len(doc.graph.outputs) == 1


def test_mismatch_prompt_is_a_real_dialog_the_learner_can_click(qtbot):
    """Drive the modal box itself: find it once it is shown and click Adjust."""
    doc = Document()
    sine = generate("sine", 10)
    clicked = []

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        clicked.append(box.text())
        adjust(box).click()

    QTimer.singleShot(0, click)
    assert offer_dataset(doc, sine) is True
    assert clicked and "1 input column" in clicked[0]
    assert len(doc.graph.inputs) == 1 and doc.dataset is sine


def test_prompt_words_and_buttons(qtbot):
    box, adjust_button = mismatch_box(None, "The network has 2 input units")
    qtbot.addWidget(box)
    assert box.text() == "The network has 2 input units"
    assert "Cancel changes nothing" in box.informativeText()
    assert box.defaultButton() is adjust_button
    doc = Document()
    assert prompt_adjust(None, doc.graph, doc.dataset, choose=lambda b: pytest.fail()) is None


def test_fit_button_shows_while_the_network_does_not_fit(panel):
    doc = panel.document
    doc.project.dataset = generate("sine", 10)
    doc.dataset_changed.emit()
    assert panel.fit_button.isVisibleTo(panel) and "1 input column" in panel.warning.text()
    panel.choose = adjust
    panel.fit_network()
    assert not panel.fit_button.isVisibleTo(panel) and len(doc.graph.inputs) == 1


# ---------------------------------------------------------------- the CSV dialog
def test_dialog_previews_and_imports_in_a_thread(qtbot, tmp_path):
    lines = ["a,b,name,y"] + [f"{i % 7},{i % 5 - 2},row{i},{i % 2}" for i in range(20_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    dialog = CsvImportDialog(None, str(path))
    qtbot.addWidget(dialog)
    assert dialog.preview_.columns == ["a", "b", "name", "y"]
    assert dialog.table.rowCount() == 20 and dialog.table.item(0, 2).text() == "row0"
    assert dialog.checked(dialog.inputs) == [0, 1] and dialog.checked(dialog.targets) == [3]
    dialog.standardise.setChecked(True)
    values = []
    dialog.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.start_import()
    qtbot.waitUntil(lambda: not dialog.running, timeout=5_000)
    r = dialog.result_
    assert r.dataset.n_samples == 20_000 and r.standardised
    assert np.allclose(r.dataset.X.mean(axis=0), 0)
    assert values and values[-1] == 1000


def test_dialog_refuses_a_bad_file_and_nothing_changes(qtbot):
    doc = Document()
    before = doc.dataset
    dialog = CsvImportDialog(None, str(DATA / "text_in_number.csv"))
    qtbot.addWidget(dialog)
    dialog.inputs.item(1).setCheckState(Qt.Checked)  # x2 holds 'abc' in row 3
    dialog.show()
    dialog.start_import()
    assert dialog.running
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    assert dialog.result_ is None and dialog.isVisible()  # still open, showing why
    assert "row 3, column 2 ('x2'): 'abc' is not a number" in dialog.status.text()
    assert "Nothing was changed" in dialog.status.text()
    assert doc.dataset is before


def test_dialog_shows_preview_errors(qtbot):
    dialog = CsvImportDialog(None, str(DATA / "empty.csv"))
    qtbot.addWidget(dialog)
    assert "the file is empty" in dialog.status.text()
    assert not dialog.import_button.isEnabled()


def test_closing_the_window_mid_import_stops_the_thread(qtbot, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(60_000)))
    dialog = CsvImportDialog(None, str(path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start_import()
    thread = dialog._thread
    assert thread.isRunning() or thread.isFinished()
    assert dialog.close()  # the title bar's X: waits for the worker, then closes
    assert not dialog.running and not dialog.isVisible()
    assert dialog.result_ is None
    qtbot.wait(50)  # the late ``finished`` from that thread is ignored
    assert not dialog.running


def test_import_result_goes_through_the_prompt(panel):
    from bpstudio.core.csv_import import parse

    doc = panel.document
    result = parse(DATA / "semicolon.csv", ["sepal", "petal"], ["width"])
    panel.choose = lambda box: pytest.fail("2 inputs, 1 target: no prompt")
    assert panel.use_import(result)
    assert doc.dataset.input_names == ["sepal", "petal"] and panel.last_import is result
    assert "3 rows" in panel.message.text()
    assert panel.csv_reference() is None  # semicolons: a reference could not read it back
    good = parse(DATA / "good.csv", ["x1", "x2"], ["y"])
    assert panel.use_import(good)
    assert panel.csv_reference()["sha256"] == good.sha256
    _edit(panel, 0, 0, "7")
    assert panel.csv_reference() is None  # edited: the file no longer describes the data
    doc.undo_stack.undo()
    assert panel.csv_reference()["input_columns"] == ["x1", "x2"]
    three = parse(DATA / "semicolon.csv", ["sepal"], ["petal", "width"])
    panel.choose = cancel
    assert not panel.use_import(three)
    assert doc.dataset.input_names == ["x1", "x2"] and panel.last_import is good


def test_main_window_has_the_data_dock_and_import_action(qtbot):
    from bpstudio.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    assert window.docks["data"].widget() is window.data_panel
    texts = [a.text() for a in window.menus["File"].actions()]
    assert texts.index("Import &CSV…") < texts.index("&Quit")
    window.data_panel.generator.select("and")
    window.data_panel.generate()
    assert window.document.dataset.name == "AND" and window.document.modified
    window.undo_stack.undo()
    assert window.document.dataset.name == "XOR"


def test_a_column_is_an_input_or_a_target_never_both(qtbot):
    dialog = CsvImportDialog(None, str(DATA / "good.csv"))
    qtbot.addWidget(dialog)
    assert "good.csv: 46 bytes, 4 columns, comma-separated, with header" in dialog.status.text()
    dialog.targets.item(0).setCheckState(Qt.Checked)  # x1 becomes a target
    assert dialog.checked(dialog.inputs) == [1] and dialog.checked(dialog.targets) == [0, 3]
    dialog.inputs.item(3).setCheckState(Qt.Checked)  # y becomes an input
    assert dialog.checked(dialog.inputs) == [1, 3] and dialog.checked(dialog.targets) == [0]


def test_cancel_stops_a_running_import_and_keeps_the_dialog(qtbot, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(60_000)))
    dialog = CsvImportDialog(None, str(path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start_import()
    dialog.reject()  # the Cancel button while importing: stop the worker, keep the dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    assert dialog.result_ is None
    assert dialog.status.text() == "Import cancelled. Nothing was changed."
    dialog.reject()  # a second Cancel closes it
    assert not dialog.isVisible()


def test_a_closed_panel_stops_listening_to_the_graph(qtbot):
    doc = Document()
    listeners = len(doc.graph.events.structure_changed)
    panel = DataPanel(doc)
    assert len(doc.graph.events.structure_changed) == listeners + 1
    panel.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel), timeout=2000)
    doc.graph.set_bias(doc.graph.find("D0").id, 0.5)  # no call into a deleted widget...
    assert len(doc.graph.events.structure_changed) == listeners  # ...and the handler is gone


def test_a_100k_row_dataset_shows_edits_and_undoes(qtbot):
    doc = Document()
    panel = DataPanel(doc)
    qtbot.addWidget(panel)
    doc.project.dataset = generate("spiral", 100_000, seed=1)
    doc.dataset_changed.emit()
    assert panel.model.rowCount() == 100_000
    assert _edit(panel, 99_999, 2, "0.5")
    assert doc.dataset.Y[99_999, 0] == 0.5 and doc.dataset.n_samples == 100_000
    doc.undo_stack.undo()
    assert doc.dataset.Y[99_999, 0] == generate("spiral", 100_000, seed=1).Y[99_999, 0]
    panel.table.selectAll()
    panel.mark_test()
    assert not doc.dataset.train_mask.any()
    assert "Every row of the dataset is marked as test" in panel.warning.text()
    assert not panel.fit_button.isVisibleTo(panel)  # nothing to adjust: mark rows for training


def test_undo_after_a_non_undoable_dataset_swap_does_not_crash(panel):
    doc = panel.document
    _edit(panel, 3, 2, "0.5")
    doc.set_dataset(generate("sine", 2))  # outside the undo stack: row 4 no longer exists
    doc.undo_stack.undo()
    assert doc.dataset.n_samples == 2 and doc.dataset.name == "Sine (regression)"


# ---------------------------------------------------------------- undo/redo of any edit sequence
edits = st.lists(st.tuples(st.sampled_from(["cell", "insert", "remove", "split"]),
                           st.integers(0, 50), st.integers(0, 50),
                           st.floats(-9, 9, allow_nan=False)), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=edits)
def test_any_sequence_of_edits_undoes_and_redoes_exactly(qtbot, ops):
    doc = Document()
    start = doc.dataset.copy()
    for kind, a, b, value in ops:
        ds = doc.dataset
        n, width = ds.n_samples, ds.n_inputs + ds.n_outputs
        if kind == "cell":
            cmd = SetCellCommand(doc, a % n, b % width, value)
        elif kind == "insert":
            cmd = InsertRowsCommand(doc, a % (n + 1), 1 + b % 3, X=np.full((1 + b % 3, 2), value))
        elif kind == "remove":
            if n == 1:
                continue
            cmd = RemoveRowsCommand(doc, sorted({a % n, b % n})[: n - 1])
        else:
            cmd = SetSplitCommand(doc, [a % n, b % n], value > 0)
        doc.undo_stack.push(cmd)
    end = doc.dataset.copy()
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.dataset.equals(start)
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert doc.dataset.equals(end)


def test_edited_dataset_is_what_the_project_file_saves(panel):
    from bpstudio.core import fileformat

    doc = panel.document
    _edit(panel, 2, 1, "0.75")
    panel.table.selectRow(3)
    panel.mark_test()
    back = fileformat.loads(fileformat.dumps(doc.project))
    assert back.dataset.equals(doc.dataset)
    assert back.dataset.X[2].tolist() == [1, 0.75] and back.dataset.train_mask.tolist() == [1, 1, 1, 0]


def test_imported_dataset_saves_as_a_reference_until_edited(panel, tmp_path):
    import json

    from bpstudio.core import fileformat
    from bpstudio.core.csv_import import parse

    doc = panel.document
    csv_path = tmp_path / "xor.csv"
    csv_path.write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n", encoding="utf-8")
    panel.choose = lambda box: pytest.fail("2 inputs, 1 target: no prompt")
    assert panel.use_import(parse(csv_path, ["x1", "x2"], ["y"]))
    path = tmp_path / "p.bpstudio"

    def saved() -> dict:
        fileformat.save(doc.project, path)
        return json.loads(path.read_text("utf-8"))["dataset"]

    assert saved()["csv"] == "xor.csv" and panel.csv_reference()["csv"] == str(csv_path)
    assert fileformat.load(path).dataset.equals(doc.dataset)
    source = dict(doc.dataset.source)
    _edit(panel, 1, 2, "0.5")
    panel.table.selectRow(0)
    panel.remove_selected()
    assert doc.dataset.source is None and panel.csv_reference() is None
    data = saved()
    assert "csv" not in data and data["Y"] == [[0.5], [1.0], [0.0]]
    doc.undo_stack.undo()  # the row is back, the cell still edited: still inline
    assert "csv" not in saved()
    doc.undo_stack.undo()  # exactly the file's numbers again: the reference comes back
    assert saved()["csv"] == "xor.csv" and doc.dataset.source == source
    assert fileformat.load(path).dataset.equals(doc.dataset)
    doc.undo_stack.redo()
    assert doc.dataset.source is None


def test_the_generator_box_follows_a_presets_dataset(qtbot):
    from bpstudio.core.presets import load_preset
    from bpstudio.ui.document import Document
    from bpstudio.ui.panels.dataset import DataPanel

    doc = Document()
    panel = DataPanel(doc)
    qtbot.addWidget(panel)
    for preset, kind in (("spiral3", "spiral3"), ("iris", "iris"), ("sine", "sine"), ("xor", "xor")):
        doc.replace_project(load_preset(preset))
        assert panel.generator.kind.currentData() == kind, preset
