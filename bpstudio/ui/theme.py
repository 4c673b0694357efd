"""Light and dark themes: a Qt palette for the widgets, and matching pyqtgraph colours for the plots.

Both palettes keep every text colour at a WCAG contrast ratio of at least 4.5 against the
background it is drawn on (checked in tests/ui/test_settings.py with :func:`contrast_ratio`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import shiboken6
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

import pyqtgraph as pg

from bpstudio.ui.canvas import style as canvas_style


@dataclass(frozen=True)
class Theme:
    """The colours of one theme, as ``#rrggbb`` text."""

    name: str
    window: str  # panels, docks, toolbars
    window_text: str
    base: str  # text fields, lists, the canvas
    alternate_base: str
    text: str
    button: str
    button_text: str
    highlight: str
    highlighted_text: str
    link: str
    disabled_text: str
    tooltip_base: str
    tooltip_text: str
    plot_background: str
    plot_foreground: str  # axes, tick labels, titles
    canvas_background: str  # the canvas page; its items follow (bpstudio/ui/canvas/style.py)
    canvas_text: str

    def __repr__(self) -> str:
        return f"Theme({self.name!r}, window={self.window}, text={self.window_text})"


LIGHT = Theme(
    name="light", window="#f0f0f0", window_text="#1a1a1a", base="#ffffff",
    alternate_base="#f5f5f7", text="#1a1a1a", button="#e6e6e6", button_text="#1a1a1a",
    highlight="#2f65ca", highlighted_text="#ffffff", link="#1f5bb5", disabled_text="#6b6b6b",
    tooltip_base="#ffffdc", tooltip_text="#1a1a1a", plot_background="#ffffff",
    plot_foreground="#262626", canvas_background="#fbfbfb", canvas_text="#1a1a1a",
)

DARK = Theme(
    name="dark", window="#2b2b2e", window_text="#e8e8e8", base="#1e1e21",
    alternate_base="#26262a", text="#e8e8e8", button="#3a3a3e", button_text="#e8e8e8",
    highlight="#2f65ca", highlighted_text="#ffffff", link="#8cb8ff", disabled_text="#9a9a9a",
    tooltip_base="#3a3a3e", tooltip_text="#f0f0f0", plot_background="#1e1e21",
    plot_foreground="#d8d8d8", canvas_background="#1c1c1f", canvas_text="#f0f0f0",
)

THEMES = {"light": LIGHT, "dark": DARK}

# (text colour, the background it sits on) pairs that must stay readable
READABLE_PAIRS = (
    ("window_text", "window"), ("text", "base"), ("text", "alternate_base"),
    ("button_text", "button"), ("highlighted_text", "highlight"), ("link", "base"),
    ("disabled_text", "window"), ("tooltip_text", "tooltip_base"),
    ("plot_foreground", "plot_background"), ("canvas_text", "canvas_background"),
)


def get(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; use one of {', '.join(THEMES)}") from None


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    c = QColor(colour)

    def channel(v: int) -> float:
        s = v / 255.0
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1 … 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def palette(theme: Theme) -> QPalette:
    p = QPalette()
    R = QPalette.ColorRole
    for role, value in (
        (R.Window, theme.window), (R.WindowText, theme.window_text), (R.Base, theme.base),
        (R.AlternateBase, theme.alternate_base), (R.Text, theme.text), (R.Button, theme.button),
        (R.ButtonText, theme.button_text), (R.Highlight, theme.highlight),
        (R.HighlightedText, theme.highlighted_text), (R.Link, theme.link),
        (R.ToolTipBase, theme.tooltip_base), (R.ToolTipText, theme.tooltip_text),
        (R.PlaceholderText, theme.disabled_text), (R.BrightText, "#ff5555"),
    ):
        p.setColor(role, QColor(value))
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.disabled_text))
    return p


def style_plot(widget: pg.GraphicsView, theme: Theme) -> None:
    """Recolour one existing pyqtgraph view (PlotWidget, GraphicsLayoutWidget, ...): background,
    every axis and its tick labels, plot titles."""
    widget.setBackground(theme.plot_background)
    scene = widget.scene()
    if scene is None:
        return
    for item in scene.items():
        if isinstance(item, pg.AxisItem):
            item.setPen(pg.mkPen(theme.plot_foreground))
            item.setTextPen(pg.mkPen(theme.plot_foreground))
        elif isinstance(item, pg.PlotItem) and item.titleLabel is not None and item.titleLabel.text:
            item.setTitle(item.titleLabel.text, color=theme.plot_foreground)


_PLOTS: weakref.WeakSet[pg.GraphicsView] = weakref.WeakSet()


def register_plot(widget: pg.GraphicsView) -> pg.GraphicsView:
    """Let ``apply_theme`` without a window restyle this plot (held weakly); returns it."""
    _PLOTS.add(widget)
    return widget


def apply_theme(name: str, app: QApplication | None = None, root: QWidget | None = None) -> Theme:
    """Switch the whole application to a theme; plots already on screen follow, new ones too.

    With ``root`` (the window) its live plots are restyled, without it the registered ones
    (:func:`register_plot`). Never walks ``app.allWidgets()`` or ``app.topLevelWidgets()``: they
    hold widgets half-way through destruction (closed windows of earlier tests), and wrapping
    those in Python crashed the process."""
    theme = get(name)
    app = app or QApplication.instance()
    if app is not None:
        if app.style().name().lower() != "fusion":  # setStyle repolishes every widget: only once
            app.setStyle("Fusion")  # the only built-in style that honours a palette everywhere
        app.setPalette(palette(theme))
        app.setProperty("bpstudio_theme", theme.name)
    pg.setConfigOptions(background=theme.plot_background, foreground=theme.plot_foreground)
    for w in plots_of([root]) if root is not None else [w for w in list(_PLOTS) if _alive(w)]:
        style_plot(w, theme)
    canvas_style.use_canvas_theme(theme.name)
    view = getattr(root, "view", None) if root is not None else None
    if view is not None and _alive(view) and hasattr(view, "setBackgroundBrush"):
        view.setBackgroundBrush(QColor(theme.canvas_background))  # also repaints every item
    return theme


def _alive(widget) -> bool:
    return widget is not None and shiboken6.isValid(widget)


def plots_of(roots) -> list[pg.GraphicsView]:
    """The live pyqtgraph views that are, or are inside, the given widgets."""
    found: list[pg.GraphicsView] = []
    for root in roots:
        if not _alive(root):
            continue
        if isinstance(root, pg.GraphicsView):
            found.append(root)
        found.extend(v for v in root.findChildren(pg.GraphicsView) if _alive(v))
    return found


def current_theme(app: QApplication | None = None) -> Theme:
    app = app or QApplication.instance()
    name = app.property("bpstudio_theme") if app is not None else None
    return THEMES.get(name or "light", LIGHT)


def install_theme_menu(menu, window, settings) -> dict:
    """View → Theme → Light / Dark (exclusive); the choice is applied at once and remembered."""
    from PySide6.QtGui import QAction, QActionGroup

    sub = menu.addMenu("&Theme")
    group = QActionGroup(sub)
    group.setExclusive(True)
    actions = {}
    for name in THEMES:
        action = QAction(name.capitalize(), sub, checkable=True)
        action.setChecked(name == settings.theme)
        action.triggered.connect(lambda _checked=False, n=name: _choose(n, window, settings))
        group.addAction(action)
        sub.addAction(action)
        actions[name] = action
    return actions


def _choose(name: str, window, settings) -> None:
    settings.theme = name
    apply_theme(name, root=window)
