"""Regression: SVG export of plots must not go through pyqtgraph's SVGExporter.

On Python 3.13 with PySide6 6.12.0 and pyqtgraph 0.14.0 the suite died in
test_panels_loss.py::test_png_and_svg_export with a segfault in GraphicsView.paintEvent. The
sequence that crashed (found by bisecting the suite): one test's plot exported to SVG by
pyqtgraph's SVGExporter, which raises ValueError midway on Qt 6.11+ (its path parser), then a
later test's shown plot exporting SVG the same way; the next paint segfaulted. Both exports now
use Qt's QSvgGenerator (export.export_plot_svg). These two tests repeat that sequence, and the
guard makes any use of pyqtgraph's exporter fail loudly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
import pytest

from bpstudio.ui import export
from bpstudio.ui.panels.loss import LossPanel


@pytest.fixture
def no_pyqtgraph_svg(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("pyqtgraph's SVGExporter was used")

    monkeypatch.setattr(pyqtgraph.exporters.SVGExporter, "export", refuse)


def _svg_paths(path) -> int:
    root = ET.parse(path).getroot()
    return sum(1 for el in root.iter() if el.tag.endswith("path") or el.tag.endswith("polyline"))


def test_first_plot_exports_svg_with_qt(qtbot, tmp_path, no_pyqtgraph_svg):
    plot = pg.PlotWidget(title="loss")
    qtbot.addWidget(plot)
    plot.plot([1, 2, 3, 4], [0.5, 0.25, 0.2, 0.125])
    export.export_plot_svg(plot, tmp_path / "p.svg")
    assert _svg_paths(tmp_path / "p.svg") > 0  # the curve and axes are drawn, not an empty file


def test_then_a_shown_loss_panel_exports_svg_and_keeps_painting(qtbot, tmp_path, no_pyqtgraph_svg):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.train_curve.setData(np.arange(1, 101, dtype=float), np.linspace(1, 0.01, 100))
    panel.export_svg(str(tmp_path / "l.svg"))
    assert "Backprop Studio loss" in (tmp_path / "l.svg").read_text(encoding="utf-8")
    panel.repaint()  # painting after the export is where the process died
    qtbot.wait(50)
    assert panel.isVisible()
