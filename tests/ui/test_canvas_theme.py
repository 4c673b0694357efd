"""The canvas follows the theme (a dark page with light text in the dark theme, readable in both),
and the toolbars fit a narrow window without hiding Play or Step."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyleOptionGraphicsItem

import pytest

from bpstudio.ui import theme as themes
from bpstudio.ui.canvas import style
from bpstudio.ui.canvas.edge_item import opaque_pens
from bpstudio.ui.canvas.node_item import NodeItem


@pytest.mark.parametrize("name", ["light", "dark"])
def test_canvas_text_is_readable_on_its_background_in_both_themes(name):
    c = style.CANVAS_THEMES[name]
    t = themes.get(name)
    assert t.canvas_background == c.background  # the view's page is the one the items are styled for
    for role, fill in c.fill.items():  # unit names on their role fill
        assert themes.contrast_ratio(c.text, fill) >= 4.5, role
    assert themes.contrast_ratio(c.muted, c.background) >= 4.5  # activation names under units
    assert themes.contrast_ratio(c.label_text, c.label_bg) >= 4.5  # weight labels
    assert themes.contrast_ratio(t.canvas_text, c.background) >= 4.5
    for colour in (c.positive, c.negative):  # full-size edges stand out from the page
        assert themes.contrast_ratio(colour, c.background) >= 4.5


def test_dark_canvas_is_dark_and_light_canvas_light():
    dark, light = style.CANVAS_THEMES["dark"], style.CANVAS_THEMES["light"]
    assert themes.relative_luminance(dark.background) < 0.05
    assert themes.relative_luminance(light.background) > 0.9
    assert themes.relative_luminance(dark.text) > 0.8 > 0.05 > themes.relative_luminance(light.text)


def test_faint_edges_stay_visible_on_either_page():
    faint = int(style.MID)  # |w| ≈ 0: the most translucent colour, mixed most with the page
    for name in ("light", "dark"):
        bg = QColor(style.CANVAS_THEMES[name].background)
        pen = opaque_pens(bg.rgb() & 0xFFFFFF)[faint]
        assert pen.color().alpha() == 255 and pen.capStyle() == Qt.FlatCap  # fast to draw
        assert themes.contrast_ratio(pen.color().name(), bg.name()) >= 1.5, name


def render_node(item: NodeItem, background: str) -> QImage:
    image = QImage(80, 80, QImage.Format_ARGB32_Premultiplied)
    image.fill(QColor(background))
    p = QPainter(image)
    p.translate(40, 34)

    item.paint(p, QStyleOptionGraphicsItem(), None)
    p.end()
    return image


def test_switching_the_theme_repaints_units_and_view(window, qapp):
    node = window.document.graph.find("Z1")
    try:
        themes.apply_theme("dark", root=window)
        dark = style.CANVAS_THEMES["dark"]
        assert window.view.backgroundBrush().color().name() == dark.background
        image = render_node(NodeItem(node), dark.background)
        assert image.pixelColor(40 - 15, 34 + 12).name() == dark.fill["hidden"]  # inside the circle
        inks = {image.pixelColor(x, y).name() for x in range(25, 55) for y in range(26, 42)}
        assert dark.text in inks  # the name is drawn in the dark theme's light ink
        themes.apply_theme("light", root=window)
        light = style.CANVAS_THEMES["light"]
        assert window.view.backgroundBrush().color().name() == light.background
        image = render_node(NodeItem(node), light.background)
        assert image.pixelColor(40 - 15, 34 + 12).name() == light.fill["hidden"]
    finally:
        themes.apply_theme("light", root=window)


def test_a_value_coloured_unit_keeps_ink_that_suits_its_fill(window):
    """Units painted with a delta take dark ink on pale colours and white on deep ones, whatever the theme."""
    item = NodeItem(window.document.graph.find("Z1"))
    try:
        themes.apply_theme("dark", root=window)
        for b in (int(style.MID), 0, style.N_BUCKETS - 1):
            item.set_value(0.5, "delta", b)
            image = render_node(item, style.CANVAS_THEMES["dark"].background)
            fill = style.COLORS[b].name()
            ink = "#ffffff" if style.TEXT_IS_LIGHT[b] else style.INK_DARK.name()
            assert themes.contrast_ratio(ink, fill) >= 4.5
            inks = {image.pixelColor(x, y).name() for x in range(25, 55) for y in range(14, 44)}
            assert ink in inks
    finally:
        themes.apply_theme("light", root=window)


def test_the_legend_card_follows_the_theme(window, qtbot):
    from bpstudio.ui.panels.legend import DeltaLegend

    legend = window.view.findChild(DeltaLegend)
    assert legend is not None
    legend.set_scale(4.0)
    try:
        for name in ("dark", "light"):
            themes.apply_theme(name, root=window)
            base = themes.get(name).base  # the palette reaches the widgets on the next event round
            qtbot.waitUntil(lambda base=base: legend.palette().color(QPalette.Base).name() == base, timeout=2000)
            image = legend.grab().toImage()
            card = image.pixelColor(4, image.height() // 2)
            assert abs(card.lightness() - QColor(base).lightness()) < 40, name
            title = {image.pixelColor(x, y).name() for x in range(8, 120) for y in range(2, 18)}
            best = max(themes.contrast_ratio(c, card.name()) for c in title)
            assert best >= 4.5, name  # the title's ink stands out from the card
    finally:
        themes.apply_theme("light", root=window)


def test_toolbars_fit_a_narrow_window_and_step_stays_visible(window, qtbot):
    fit = window.toolbar_fit
    step = window.controls.step_action if hasattr(window, "controls") else None
    bar = fit.second
    step = step or next(a for a in bar.actions() if a.text() == "Step")
    window.resize(800, 600)
    qtbot.waitUntil(lambda: fit.two_rows, timeout=2000)
    qtbot.waitUntil(lambda: bar.widgetForAction(step).isVisible(), timeout=2000)
    button = bar.widgetForAction(step)
    assert QRectF(bar.rect()).contains(QRectF(button.geometry()))
    assert fit.first.width() <= window.width() and bar.width() <= window.width()
    window.resize(1800, 900)
    assert not fit.two_rows and not fit.compact
    top = window.view.geometry().top()  # the canvas moved up at once (a fit-to-view now is final)
    qtbot.wait(50)
    assert window.view.geometry().top() == top
    assert fit.first.widgetForAction(window.act["fit"]).toolButtonStyle() == Qt.ToolButtonTextBesideIcon


def test_a_small_value_fits_inside_its_unit(window):
    """0.00512 or -2.7e-4 stay inside the circle: a smaller font, a short exponent."""
    from PySide6.QtGui import QFontMetricsF

    from bpstudio.ui.canvas.node_item import VALUE_WIDTH, R, value_font

    item = NodeItem(window.document.graph.find("Z1"))
    for value, text in ((-0.00512, "-0.00512"), (-2.7e-4, "-2.7e-4"), (4.0, "4"), (-12345.0, "-1.2e4")):
        item.set_value(value, "delta", 0)
        assert item.value_text == text
        width = QFontMetricsF(value_font(text)).horizontalAdvance(text)
        assert width <= VALUE_WIDTH < 2 * R
    assert value_font("4").pointSizeF() == style.VALUE_FONT.pointSizeF()  # short values keep the big font
