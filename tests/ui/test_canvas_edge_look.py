"""Edges show the weight: colour by sign, width by size, the value on hover and as a label when
zoomed in (hidden when zoomed out)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtTest import QTest

from bpstudio.ui.canvas import style
from bpstudio.ui.canvas.commands import SetWeightCommand


def key_of(window, a, b):
    g = window.document.graph
    return g.find(a).id, g.find(b).id


def test_colour_follows_the_sign_and_width_the_size(window):
    scene, g = window.scene, window.document.graph
    weights = {("X1", "Z1"): 3.0, ("X2", "Z1"): 0.5, ("X1", "Z2"): -3.0, ("X2", "Z2"): -0.5}
    for (a, b), w in weights.items():
        window.undo_stack.push(SetWeightCommand(g, *key_of(window, a, b), w))
    pen = {w: style.EDGE_PENS[scene.edges[key_of(window, a, b)].bucket] for (a, b), w in weights.items()}
    assert scene.edges[key_of(window, "X1", "Z1")].bucket > style.MID > scene.edges[
        key_of(window, "X1", "Z2")].bucket
    assert pen[3.0].widthF() > pen[0.5].widthF()  # a bigger weight draws a wider line
    assert pen[-3.0].widthF() > pen[-0.5].widthF()
    assert pen[3.0].widthF() == pen[-3.0].widthF()  # width is |w|, the sign is the colour
    assert pen[3.0].color() != pen[-3.0].color() and pen[0.5].color() != pen[-0.5].color()


def test_hovering_an_edge_shows_its_weight(window, qtbot):
    scene, view, g = window.scene, window.view, window.document.graph
    key = key_of(window, "Z2", "D0")
    window.undo_stack.push(SetWeightCommand(g, *key, -1.25))
    item = scene.edges[key]
    line = item._line
    middle = line.pointAt(0.3)  # on the line, away from the label and the arrow
    view.centerOn(middle)
    QTest.mouseMove(view.viewport(), view.mapFromScene(middle) + QPoint(1, 0))
    QTest.mouseMove(view.viewport(), view.mapFromScene(middle))
    qtbot.waitUntil(lambda: item.hovered, timeout=2000)
    assert item.toolTip() == "Z2 → D0: weight -1.25"
    QTest.mouseMove(view.viewport(), QPoint(2, 2))  # leave it
    qtbot.waitUntil(lambda: not item.hovered, timeout=2000)


def label_coverage(item, zoom: float) -> float:
    """Share of the label's box painted when the item alone is drawn at ``zoom``."""
    box = item.label_rect()
    whole = item.boundingRect()
    image = QImage(int(whole.width() * zoom) + 4, int(whole.height() * zoom) + 4,
                   QImage.Format_ARGB32_Premultiplied)
    image.fill(Qt.transparent)
    p = QPainter(image)
    p.scale(zoom, zoom)
    p.translate(-whole.topLeft())
    item.paint(p, None, None)
    p.end()
    r = QRectF((box.topLeft() - whole.topLeft()) * zoom, box.size() * zoom).toRect().adjusted(2, 2, -2, -2)
    painted = sum(image.pixelColor(x, y).alpha() > 0 for x in range(r.left(), r.right() + 1)
                  for y in range(r.top(), r.bottom() + 1))
    return painted / (r.width() * r.height())


def test_the_weight_label_shows_when_zoomed_in_and_hides_when_zoomed_out(window):
    item = window.scene.edges[key_of(window, "Z2", "D0")]
    assert not item.hovered and not item.isSelected()
    near, far = style.LOD_EDGE_LABELS * 1.5, style.LOD_EDGE_LABELS * 0.7
    assert label_coverage(item, near) > 0.95  # the label's box is drawn over the line
    assert label_coverage(item, far) < 0.8  # only the line crosses it (about half of its box)
    item.setSelected(True)  # a selected edge keeps its label at any zoom
    assert label_coverage(item, far) > 0.95
