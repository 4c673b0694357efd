"""Clicking a unit or an edge on the canvas selects it in the panels: its delta bar, its lines of the
worked arithmetic, its row of the gradient check."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

import pyqtgraph as pg  # noqa: F401

from bpstudio.core.presets import load_preset
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow


def _window(qtbot):
    window = MainWindow(Document(load_preset("article-xor")))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.panels.gradients.check_gradients()
    return window


def _bar_pen_width(panels, unit):
    return panels.deltas.bars.opts["pens"][panels.deltas.ids.index(unit)].widthF()


def test_clicking_a_unit_on_the_canvas_selects_it_in_every_panel(qtbot):
    window = _window(qtbot)
    p, g, view = window.panels, window.document.graph, window.view
    z2, d0 = g.find("Z2").id, g.find("D0").id
    assert p.deltas.selected is None and _bar_pen_width(p, z2) == _bar_pen_width(p, d0) == 1
    with qtbot.waitSignal(window.selection_changed):
        QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier,
                         view.mapFromScene(window.scene.nodes[z2].pos()))
    # the delta panel: Z2's bar is outlined, the others are not
    assert p.deltas.selected == z2
    assert _bar_pen_width(p, z2) == 3 and _bar_pen_width(p, d0) == 1
    # the worked arithmetic (a preview of the article's first step): Z2's lines are highlighted
    assert p.arithmetic.selected == z2
    assert "delta_Z2 = V2 . delta_D0 . f'(a) = 1 . 4 . 1 = 4" in p.arithmetic.highlighted_text()
    # the gradient check: Z2's bias row
    row = p.gradients.table.currentRow()
    assert p.gradients.result.rows[row].key == z2 and p.gradients.result.rows[row].name == "bias(Z2)"


def test_selecting_an_edge_on_the_canvas_selects_its_rows_and_clears_the_unit_bar(qtbot):
    window = _window(qtbot)
    p, g = window.panels, window.document.graph
    z2, d0 = g.find("Z2").id, g.find("D0").id
    window.scene.select(z2)
    window.scene.select((z2, d0))
    assert p.deltas.selected is None and _bar_pen_width(p, z2) == 1  # an edge has no delta bar
    assert p.arithmetic.selected == (z2, d0)
    assert p.arithmetic.highlighted_text() == [
        "    mean(Z_Z2 . delta_D0) = (1 . 4 + 2 . 6 + 2 . 6 + 3 . 10) / 4 = 14.5",
        "V02 := V02 - alpha . mean(Z_Z2 . delta_D0) = 1 - 0.1 . 14.5 = -0.45"]
    row = p.gradients.table.currentRow()
    assert p.gradients.result.rows[row].key == (z2, d0)
    window.scene.select(None)
    assert p.arithmetic.highlighted_text() == [] and p.gradients.table.selectedItems() == []
