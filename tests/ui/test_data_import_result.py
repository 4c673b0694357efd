"""An imported CSV in the Data dock: standardisation is reported with its numbers; a network that must
change to fit is adjusted only after the learner agrees, as one undo step that restores everything."""

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

import numpy as np

from bpstudio.core.csv_import import parse
from bpstudio.core.engine import Engine
from bpstudio.core.trainer import Trainer
from bpstudio.ui.document import Document
from bpstudio.ui.panels.dataset import DataPanel

DATA = Path(__file__).resolve().parents[1] / "data"


def _panel(qtbot):
    panel = DataPanel(Document())
    qtbot.addWidget(panel)
    return panel


def test_a_standardised_import_says_so_with_each_inputs_mean_and_std(qtbot):
    panel = _panel(qtbot)
    result = parse(DATA / "good.csv", ["x1", "x2"], ["y"], standardise=True)
    assert panel.use_import(result)
    text = panel.message.text()
    assert "4 rows; inputs x1, x2; targets y; inputs standardised as (x − mean) / std:" in text
    assert "x1: mean 0.5, std 0.5" in text and "x2: mean 0.5, std 0.5" in text
    X = panel.document.dataset.X
    assert X[:, 0].tolist() == [-1.0, -1.0, 1.0, 1.0] and X[:, 1].tolist() == [-1.0, 1.0, -1.0, 1.0]
    assert panel.document.dataset.Y[:, 0].tolist() == [0.0, 1.0, 1.0, 0.0]  # targets as in the file
    assert panel.csv_reference() is None  # the numbers are not the file's: saved inline


def test_an_unscaled_import_says_the_inputs_are_as_in_the_file(qtbot):
    panel = _panel(qtbot)
    assert panel.use_import(parse(DATA / "good.csv", ["x1", "x2"], ["y"]))
    assert panel.message.text().endswith("; inputs as in the file.")
    assert panel.document.dataset.X[:, 1].tolist() == [0.0, 1.0, 0.0, 1.0]


def test_an_import_that_needs_another_network_adjusts_it_in_one_undo_step(qtbot):
    panel = _panel(qtbot)
    doc = panel.document
    graph_before, data_before = doc.graph.snapshot(), doc.dataset
    asked = []

    def agree(box):
        asked.append(box.text())
        return next(b for b in box.buttons() if b.text() == "Adjust the network")

    panel.choose = agree
    assert panel.use_import(parse(DATA / "semicolon.csv", ["sepal"], ["petal", "width"]))
    assert len(asked) == 1 and "2 input units" in asked[0]
    assert (len(doc.graph.inputs), len(doc.graph.outputs)) == (1, 2)
    assert doc.dataset.target_names == ["petal", "width"] and doc.undo_stack.count() == 1
    engine = Engine(doc.graph, doc.settings.loss)
    theta = engine.theta.copy()
    Trainer(engine, doc.dataset, doc.settings).step()  # the adjusted network trains on the file's rows
    assert np.isfinite(engine.theta).all() and not np.array_equal(engine.theta, theta)
    doc.undo_stack.undo()
    assert doc.graph.snapshot() == graph_before and doc.dataset is data_before


def test_declining_the_adjustment_changes_nothing(qtbot):
    panel = _panel(qtbot)
    doc = panel.document
    graph_before, data_before = doc.graph.snapshot(), doc.dataset
    panel.choose = lambda box: box.button(QMessageBox.Cancel)
    assert not panel.use_import(parse(DATA / "semicolon.csv", ["sepal"], ["petal", "width"]))
    assert doc.graph.snapshot() == graph_before and doc.dataset is data_before
    assert doc.undo_stack.count() == 0 and panel.last_import is None
