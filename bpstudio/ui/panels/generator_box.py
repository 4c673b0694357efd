"""The Data dock's generator box: dataset kind, samples, noise, test share, seed; Generate."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from bpstudio.core.dataset import TRUTH_TABLES
from bpstudio.core.generators import GENERATORS, MAX_SAMPLES, generate
from bpstudio.core.shipped_data import IRIS


class GeneratorBox(QGroupBox):
    """Pick a dataset kind, samples, noise, test share and seed; Generate."""

    generate_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Generate", parent)
        self.kind = QComboBox()
        # as wide as 18 characters, not as the longest title (which would widen the whole Data column)
        self.kind.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(18)
        self.kind.setToolTip("The dataset to generate: a truth table, a 2-D set (two classes or more), "
                             "a regression set, or the iris table")
        for key, info in GENERATORS.items():
            self.kind.addItem(info.title, key)
            self.kind.setItemData(self.kind.count() - 1, info.description, Qt.ToolTipRole)
        self.samples = QSpinBox()
        self.samples.setRange(2, MAX_SAMPLES)
        self.samples.setValue(200)
        self.samples.setToolTip("How many rows to generate (a truth table always has its four, iris its 150)")
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 1.0)
        self.noise.setSingleStep(0.05)
        self.noise.setDecimals(2)
        self.noise.setToolTip("standard deviation of Gaussian noise (inputs; the target for regression)")
        self.test_percent = QSpinBox()
        self.test_percent.setRange(0, 90)
        self.test_percent.setSuffix(" %")
        self.test_percent.setToolTip("The share of rows held out as test rows (not trained on)")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The same seed gives the same rows again")
        self.button = QPushButton("Generate")
        self.button.setToolTip("Replace the dataset with freshly generated rows (undoable)")
        self.button.clicked.connect(self.generate_requested)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        grid = QGridLayout(self)  # compact: three rows, so the table keeps the height
        grid.setContentsMargins(6, 6, 6, 6)
        grid.addWidget(self.kind, 0, 0, 1, 3)
        grid.addWidget(self.button, 0, 3)
        for i, (text, box) in enumerate((("Samples", self.samples), ("Noise σ", self.noise),
                                         ("Test rows", self.test_percent), ("Seed", self.seed))):
            grid.addWidget(QLabel(text), 1 + i // 2, 2 * (i % 2))
            grid.addWidget(box, 1 + i // 2, 2 * (i % 2) + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self._kind_changed()

    @Slot()
    def _kind_changed(self) -> None:
        self.samples.setEnabled(self.kind.currentData() not in (*TRUTH_TABLES, IRIS))  # fixed rows

    def select(self, key: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(key))

    def make(self):
        """The dataset the current settings describe (raises DatasetError in plain words)."""
        return generate(self.kind.currentData(), self.samples.value(), self.noise.value(),
                        self.test_percent.value() / 100.0, self.seed.value())

    def __repr__(self) -> str:
        kind, n, seed = self.kind.currentData(), self.samples.value(), self.seed.value()
        return f"GeneratorBox({kind!r}, n={n}, seed={seed})"
