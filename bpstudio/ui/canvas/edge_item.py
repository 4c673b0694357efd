"""A weighted connection on the canvas: colour by sign, width by |w|, value on hover and when zoomed in."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from . import style

R = style.NODE_RADIUS
_METRICS = None


def _metrics() -> QFontMetricsF:
    global _METRICS
    if _METRICS is None:
        _METRICS = QFontMetricsF(style.LABEL_FONT)
    return _METRICS


_OPAQUE: dict[int, list[QPen]] = {}  # background rgb -> one opaque pen per colour bucket


def opaque_pens(background: int) -> list[QPen]:
    """:func:`source_pens` with each translucent colour pre-mixed over ``background`` (an rgb int)
    and flat caps: Qt's raster engine draws an opaque, flat-capped antialiased line about 15x
    faster (measured: 337 edges of a 2-16-16-1 net, 470 ms → 27 ms on a 2x canvas), and on a
    plain background it looks the same."""
    pens = _OPAQUE.get(background)
    if pens is None:
        bg = QColor.fromRgb(background)
        pens = []
        for pen in source_pens(background):
            c = pen.color()
            a = c.alphaF()
            mixed = QColor(round(c.red() * a + bg.red() * (1 - a)),
                           round(c.green() * a + bg.green() * (1 - a)),
                           round(c.blue() * a + bg.blue() * (1 - a)))
            q = QPen(pen)
            q.setColor(mixed)
            q.setCapStyle(Qt.FlatCap)
            pens.append(q)
        _OPAQUE[background] = pens
    return pens


def source_pens(background: int) -> list[QPen]:
    """The translucent pens drawn on ``background``: the dark theme's (lighter colours) on a dark
    page, the light theme's otherwise, so small weights stay visible on either."""
    dark = QColor.fromRgb(background).lightnessF() < 0.5
    return style.EDGE_PENS_OF["dark" if dark else "light"]


def background_of(widget) -> int:
    """The rgb of the canvas behind the items painted on ``widget`` (a view's viewport)."""
    try:
        view = widget.parentWidget()
        rgb = getattr(view, "background_rgb", None)  # kept by GraphView: asked once per edge per paint
        if rgb is not None:
            return rgb
        brush = view.backgroundBrush()
    except AttributeError:  # no widget, or not a view's viewport
        return 0xFFFFFF
    return 0xFFFFFF if brush.style() == Qt.NoBrush else brush.color().rgb() & 0xFFFFFF


class EdgeItem(QGraphicsItem):
    """Draws ``source → target`` with the weight ``value``; the scene keeps the geometry up to date."""

    kind = "edge"
    change: float | None = None  # new − old after an update, shown beside the weight (None: hidden)
    label_shown = True  # the scene's label layout found room for it (else: only on hover)
    short_label = False  # room only for the weight, not its change

    def __init__(self, source, target, key, value: float, scale: float) -> None:
        super().__init__()
        self.source, self.target = source, target
        self.key = key
        self.value = float(value)
        self.bucket = style.bucket(self.value, scale)
        self.hovered = False
        self._line = QLineF()
        self._centres = QLineF()
        self._label_rect = QRectF()
        self._bounds = QRectF()  # boundingRect(), kept with the line and label (asked twice a paint)
        self._text = style.format_value(self.value)
        self._placed: QPointF | None = None  # the label's centre chosen by the scene's layout
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(style.Z_EDGE)
        self.adjust()

    # ------------------------------------------------------------------ state
    def names(self) -> tuple[str, str]:
        return self.source.node.name, self.target.node.name

    def refresh_tooltip(self) -> None:
        s, t = self.names()
        moved = "" if self.change is None else f" (changed by {self.change:+.6g} in the last update)"
        self.setToolTip(f"{s} → {t}: weight {self.value:.6g}{moved}")

    def label_text(self) -> str:
        """The weight, and its change after an update: "0.6 (−0.4)"."""
        text = style.format_value(self.value)
        if self.change is None:
            return text
        return f"{text} ({'+' if self.change >= 0 else '−'}{style.format_value(abs(self.change))})"

    def set_value(self, value: float, scale: float) -> None:
        b = style.bucket(value, scale)
        if value == self.value and b == self.bucket:
            return
        self.value, self.bucket = float(value), b
        self._text_changed()

    def set_change(self, change: float | None) -> None:
        """Show ``new − old`` beside the weight (None or NaN hides it)."""
        if change is not None and not math.isfinite(change):
            change = None
        if change == self.change:
            return
        self.change = change
        self._text_changed()

    def _text_changed(self) -> None:
        if self._hidden_in_dense_net():
            self._text = None  # made when it is shown (hover, selection): scrubbing a 300-edge
            return             # network recolours every edge ~20 times a second
        old = self._text if self._text is not None else self.label_text()
        self._text = self.label_text()
        m = _metrics()
        if m.horizontalAdvance(self._text) != m.horizontalAdvance(old):  # may need another place
            self._ask_layout()
        self._place_label()
        self.update()

    def _ask_layout(self) -> None:
        scene = self.scene()
        if scene is not None and hasattr(scene, "request_label_layout"):
            scene.request_label_layout()

    def set_bucket(self, b: int) -> None:
        if b != self.bucket:
            self.bucket = b
            self.update()

    def adjust(self) -> None:
        """Recompute the line between the two units' rims (after either moved)."""
        p1, p2 = self.source.pos(), self.target.pos()
        line = QLineF(p1, p2)
        self._centres = line  # labels sit at a fixed fraction of the centre-to-centre line
        length = line.length()
        self.prepareGeometryChange()
        if length <= 2 * R + 1:
            self._line = QLineF(p1, p1)
        else:
            u = (p2 - p1) / length
            self._line = QLineF(p1 + u * R, p2 - u * (R + 2))
        self._placed = None
        self._place_label()
        self._ask_layout()

    def label_sizes(self) -> tuple[tuple[float, float], ...]:
        """(width, height) of the full label ("0.6 (−0.4)") and, when it has a change, the short one."""
        m = _metrics()
        h = m.height() + 2
        full = (m.horizontalAdvance(self.label_text()) + 8, h)
        if self.change is None:
            return (full,)
        return full, (m.horizontalAdvance(style.format_value(self.value)) + 8, h)

    def place(self, centre: QPointF | None, short: bool = False) -> None:
        """Put the label at ``centre`` (short: the weight only), or hide it (None) but for hover."""
        if centre is None and not self.label_shown:
            return  # already hidden (a dense network re-hides every label on each layout)
        self.label_shown = centre is not None
        self.short_label = bool(short) and centre is not None
        self._placed = centre
        self._place_label()
        self.update()

    def _hidden_in_dense_net(self) -> bool:
        """A label only hover shows, in a network too dense for the label layout (it never gets a place)."""
        if self.label_shown or self.hovered or self.isSelected():
            return False
        scene = self.scene()
        return scene is not None and len(getattr(scene, "edges", ())) > style.LABEL_LAYOUT_LIMIT

    def shown_text(self) -> str:
        if self.short_label and not self.hovered:
            return style.format_value(self.value)
        if self._text is None:
            self._text = self.label_text()
        return self._text

    def itemChange(self, change, value):  # noqa: N802 - Qt's name
        if change == QGraphicsItem.ItemSelectedHasChanged and self._text is None:
            self._place_label()  # a lazily kept label is drawn while selected: its size, now
        return super().itemChange(change, value)

    def _place_label(self) -> None:
        m = _metrics()
        w = m.horizontalAdvance(self.shown_text()) + 8
        h = m.height() + 2
        c = self._placed if self._placed is not None else self._centres.pointAt(style.LABEL_T)
        self._label_rect = QRectF(c.x() - w / 2, c.y() - h / 2, w, h)
        m = style.EDGE_MAX_WIDTH + 8
        r = QRectF(self._line.p1(), self._line.p2()).normalized().adjusted(-m, -m, m, m)
        bounds = r.united(self._label_rect)
        if bounds != self._bounds:  # Qt's geometry bookkeeping only when the item really grew or moved
            self.prepareGeometryChange()
            self._bounds = bounds

    def label_rect(self) -> QRectF:
        return QRectF(self._label_rect)

    def label_pos(self) -> QPointF:
        return self._label_rect.center()

    # ------------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        p = QPainterPath(self._line.p1())
        p.lineTo(self._line.p2())
        s = QPainterPathStroker()
        s.setWidth(style.EDGE_HIT_WIDTH)
        path = s.createStroke(p)
        path.addRect(self._label_rect)
        return path

    # ------------------------------------------------------------------ painting
    def paint(self, painter, option, widget=None) -> None:
        if self._line.isNull():
            return
        lod = painter.worldTransform().m11()  # the view only scales and translates
        selected = self.isSelected()
        pen = opaque_pens(background_of(widget))[self.bucket]
        if selected or self.hovered:
            pen = type(pen)(pen)
            pen.setWidthF(pen.widthF() + 2.0)
            if selected:
                pen.setColor(style.SELECTED)
        painter.setPen(pen)
        painter.drawLine(self._line)
        if lod >= 0.5:
            self._draw_arrow(painter, pen.color())
        if (self.label_shown and lod >= style.LOD_EDGE_LABELS) or self.hovered or selected:
            painter.setPen(style.LABEL_PEN)
            painter.setBrush(style.LABEL_BG)
            painter.drawRoundedRect(self._label_rect, 3, 3)
            painter.setFont(style.LABEL_FONT)
            painter.drawText(self._label_rect, Qt.AlignCenter, self.shown_text())

    def label_visible_at(self, lod: float) -> bool:
        """Whether the label is drawn at view scale ``lod`` when nothing is hovered or selected."""
        return self.label_shown and lod >= style.LOD_EDGE_LABELS

    def _draw_arrow(self, painter, color) -> None:
        line = self._line
        angle = math.atan2(line.dy(), line.dx())
        tip = line.p2()
        size = 8.0
        a1 = QPointF(tip.x() - size * math.cos(angle - 0.45), tip.y() - size * math.sin(angle - 0.45))
        a2 = QPointF(tip.x() - size * math.cos(angle + 0.45), tip.y() - size * math.sin(angle + 0.45))
        painter.setPen(style.NO_PEN)
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([tip, a1, a2]))

    # ------------------------------------------------------------------ interaction
    def hoverEnterEvent(self, event) -> None:
        self.refresh_tooltip()  # made when needed, not on every recolour
        self.hovered = True
        self.setZValue(style.Z_EDGE_HOVER)
        self._place_label()  # the full text, even where only the short one fits
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.setZValue(style.Z_EDGE)
        self._place_label()
        self.update()

    def mouseDoubleClickEvent(self, event) -> None:
        self.scene().edit_label(self)
        event.accept()

    def __repr__(self) -> str:
        s, t = self.names()
        return f"EdgeItem({s} → {t}, w={self.value:g})"
