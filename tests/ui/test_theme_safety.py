"""apply_theme touches only live plots it can reach safely, and sets the style once."""

import shiboken6
from PySide6.QtWidgets import QApplication

import pyqtgraph as pg

from bpstudio.ui import theme as themes


def test_the_style_is_set_once_not_at_every_switch(qtbot, qapp):
    try:
        themes.apply_theme("dark", qapp)
        style = qapp.style()
        assert style.name().lower() == "fusion"
        themes.apply_theme("light", qapp)
        themes.apply_theme("dark", qapp)
        assert qapp.style() is style  # setStyle would have made (and repolished with) a new one
    finally:
        themes.apply_theme("light", qapp)


def test_a_deleted_registered_plot_is_skipped(qtbot, qapp):
    gone = themes.register_plot(pg.PlotWidget())
    kept = themes.register_plot(pg.PlotWidget())
    qtbot.addWidget(kept)
    shiboken6.delete(gone)  # Qt deleted it; Python still holds the wrapper
    try:
        themes.apply_theme("dark", qapp)
        assert kept.backgroundBrush().color().name() == themes.DARK.plot_background
    finally:
        themes.apply_theme("light", qapp)


def test_a_window_restyles_its_own_plots_only(qtbot, qapp, window):
    outside = pg.PlotWidget()  # neither in the window nor registered
    qtbot.addWidget(outside)
    plots = themes.plots_of([window])
    assert len(plots) >= 4  # loss, deltas, gradients, boundary (and its thumbnails)
    try:
        themes.apply_theme("dark", root=window)
        assert {p.backgroundBrush().color().name() for p in plots} == {themes.DARK.plot_background}
        assert outside.backgroundBrush().color().name() != themes.DARK.plot_background
        assert window.view.backgroundBrush().color().name() == themes.DARK.canvas_background
    finally:
        themes.apply_theme("light", root=window)
    assert {p.backgroundBrush().color().name() for p in plots} == {themes.LIGHT.plot_background}
    assert QApplication.instance() is qapp
