"""Dialog for Network → New network: a layer spec like 2-3-1, activations, and the weight initialisation."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

from bpstudio.core.activations import ACTIVATIONS, UNIT_ACTIVATIONS
from bpstudio.core.init import INITS
from bpstudio.core.presets import parse_layer_spec


class NewNetworkDialog(QDialog):
    """Asks for sizes, hidden/output activation, init scheme and seed; ``result_values()`` after OK."""

    def __init__(self, parent=None, spec: str = "2-3-1", hidden: str = "tanh", output: str = "sigmoid",
                 init: str = "xavier", seed: int = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle("New network")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.spec_edit = QLineEdit(spec)
        self.spec_edit.setToolTip("Units per layer from inputs to outputs, e.g. 2-3-1 or 2-8-8-1")
        self.hidden_box = QComboBox()
        self.hidden_box.addItems(list(UNIT_ACTIVATIONS))  # softmax couples an output layer only
        self.hidden_box.setCurrentText(hidden)
        self.output_box = QComboBox()
        self.output_box.addItems(list(ACTIVATIONS))
        self.output_box.setCurrentText(output)
        self.init_box = QComboBox()
        self.init_box.addItems(list(INITS))
        self.init_box.setCurrentText(init)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setValue(seed)
        form.addRow("Layers", self.spec_edit)
        form.addRow("Hidden activation", self.hidden_box)
        form.addRow("Output activation", self.output_box)
        form.addRow("Initial weights", self.init_box)
        form.addRow("Seed", self.seed_box)
        lay.addLayout(form)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b22222")
        self.error_label.setWordWrap(True)
        lay.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def sizes(self) -> list[int] | None:
        try:
            sizes = parse_layer_spec(self.spec_edit.text())
        except ValueError as exc:
            self.error_label.setText(str(exc))
            return None
        if sum(sizes) > 5000:
            self.error_label.setText("That is more than 5,000 units; the canvas is meant for smaller networks")
            return None
        return sizes

    def accept(self) -> None:
        if self.sizes() is not None:
            super().accept()

    def result_values(self) -> dict:
        return dict(sizes=self.sizes(), hidden=self.hidden_box.currentText(),
                    output=self.output_box.currentText(), init=self.init_box.currentText(),
                    seed=self.seed_box.value())
