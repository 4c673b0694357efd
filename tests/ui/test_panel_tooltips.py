"""Every button, check box, spin box and list box of the panels says what it does when hovered."""

from PySide6 import QtWidgets

import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.presets import load_preset
from bpstudio.ui.document import Document
from bpstudio.ui.panels.dataset import DataPanel
from bpstudio.ui.panels.deltas import DeltaPanel
from bpstudio.ui.panels.explain import ArithmeticPanel
from bpstudio.ui.panels.gradients import GradientPanel
from bpstudio.ui.panels.loss import LossPanel

CONTROLS = (QtWidgets.QAbstractButton, QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox)
PANELS = {
    "data": lambda doc: DataPanel(doc),
    "loss": lambda doc: LossPanel(),
    "arithmetic": lambda doc: ArithmeticPanel(doc),
    "gradients": lambda doc: GradientPanel(doc),
    "deltas": lambda doc: DeltaPanel(doc.graph),
}


def controls(panel):
    """The panel's own controls (a table's corner button is Qt's, not ours)."""
    return [w for w in panel.findChildren(QtWidgets.QWidget)
            if isinstance(w, CONTROLS) and type(w) is not QtWidgets.QAbstractButton]


@pytest.mark.parametrize("name", sorted(PANELS))
def test_every_control_has_a_tooltip(qtbot, name):
    panel = PANELS[name](Document(load_preset("article-xor")))
    qtbot.addWidget(panel)
    found = controls(panel)
    assert found, "the panel has controls"
    missing = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}" for w in found
               if len(w.toolTip().strip()) < 10]
    assert missing == []


def test_the_data_panel_names_its_buttons_and_generator_fields(qtbot):
    panel = DataPanel(Document(load_preset("article-xor")))
    qtbot.addWidget(panel)
    tips = {w.text(): w.toolTip() for w in panel.findChildren(QtWidgets.QPushButton)}
    assert set(tips) >= {"Add row", "Remove rows", "Mark train", "Mark test", "Generate", "Import CSV…",
                         "Adjust the network"}
    assert "undoable" in tips["Remove rows"] and "test" in tips["Mark test"]
    box = panel.generator
    assert "seed" in box.seed.toolTip().lower() and "test" in box.test_percent.toolTip()


def test_the_csv_dialog_explains_each_choice(qtbot):
    from pathlib import Path

    from bpstudio.ui.csv_dialog import CsvImportDialog

    dialog = CsvImportDialog(None, str(Path(__file__).resolve().parents[1] / "data" / "good.csv"))
    qtbot.addWidget(dialog)
    for w in (dialog.delimiter, dialog.header, dialog.inputs, dialog.targets, dialog.standardise,
              dialog.test_percent, dialog.import_button):
        assert len(w.toolTip()) >= 15, type(w).__name__
    assert "mean 0" in dialog.standardise.toolTip() and "targets" in dialog.standardise.toolTip()
    browse = [b for b in dialog.findChildren(QtWidgets.QPushButton) if b.text() == "Browse…"]
    assert browse and browse[0].toolTip()
