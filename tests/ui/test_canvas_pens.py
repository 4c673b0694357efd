"""Edge pens are opaque (pre-mixed over the canvas background) with flat caps: Qt's raster engine
draws those ~15x faster than translucent round-capped lines, and they look the same."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from bpstudio.ui.canvas import style
from bpstudio.ui.canvas.edge_item import opaque_pens, source_pens


def test_pens_are_the_translucent_colours_mixed_over_the_background():
    for background in (0xFFFFFF, 0x1E1E21):
        bg = QColor.fromRgb(background)
        pens = opaque_pens(background)
        assert len(pens) == len(source_pens(background)) == style.N_BUCKETS
        for pen, original in zip(pens, source_pens(background)):
            c, o = pen.color(), original.color()
            a = o.alphaF()
            assert c.alpha() == 255 and pen.capStyle() == Qt.FlatCap
            assert pen.widthF() == original.widthF()
            assert abs(c.red() - (o.red() * a + bg.red() * (1 - a))) <= 1
            assert abs(c.blue() - (o.blue() * a + bg.blue() * (1 - a))) <= 1
    assert opaque_pens(0xFFFFFF) is opaque_pens(0xFFFFFF)  # made once per background
    faint = int(style.MID)  # |w| ≈ 0: the most translucent colour, so the background shows most
    assert opaque_pens(0xFFFFFF)[faint].color() != opaque_pens(0x1E1E21)[faint].color()
