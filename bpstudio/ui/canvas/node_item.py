"""A unit on the canvas: a circle with its name, activation, an optional value, and a connection handle."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyle

from bpstudio.core.graph import INPUT, Node

from . import style

R = style.NODE_RADIUS
H = style.HANDLE_RADIUS
HANDLE_CENTRE = QPointF(R + 2.0, 0.0)

_M = style.HIGHLIGHT_PEN.widthF()
BOUNDS = QRectF(-R - _M, -R - _M, 2 * R + 2 * _M + H + 2, 2 * R + 2 * _M + 17)
DOT = QRectF(-R, -R, 2 * R, 2 * R)
ACT_RECT = QRectF(-R - 10, R + _M + 1, 2 * R + 20, 14)  # the activation's name, below the highlight ring
VALUE_WORDS = {"delta": "delta δ = ∂E/∂net", "activation": "value z", "net_input": "net input a"}
LOD_DOT = 0.12  # below this scale a unit is a few pixels: a plain square, no outline or text

SHORT_ACT = {"identity": "identity", "sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky",
             "softplus": "softplus"}


VALUE_WIDTH = 2 * R - 8  # the circle's width just below its centre, less a margin for the outline
_VALUE_FONTS: list = []  # (font, metrics), largest first; made when first needed (needs a QApplication)
_FONT_OF: dict[str, object] = {}


def value_font(text: str):
    """The largest value font in which ``text`` fits inside the circle (0.00439 stays inside)."""
    found = _FONT_OF.get(text)
    if found is None:
        if not _VALUE_FONTS:
            _VALUE_FONTS.extend((f, QFontMetricsF(f)) for f in (style.VALUE_FONT, style.font(7.0, True),
                                                               style.font(6.0, True)))
        found = next((f for f, m in _VALUE_FONTS if m.horizontalAdvance(text) <= VALUE_WIDTH),
                     _VALUE_FONTS[-1][0])
        if len(_FONT_OF) > 4096:
            _FONT_OF.clear()
        _FONT_OF[text] = found
    return found


class NodeItem(QGraphicsItem):
    """Draws one :class:`Node`; moving it by hand asks the scene to record an undoable move."""

    net_input: float | None = None  # beside a value z in the hover text (the forward pass)

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.value: float | None = None
        self.value_kind = ""
        self.bucket: int | None = None  # colour bucket when a value is shown
        self.highlighted = False
        self.hovered = False
        self.edges: list = []  # EdgeItems touching this unit (kept by the scene)
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(style.Z_NODE)
        self.setPos(node.x, node.y)
        self.setCursor(Qt.OpenHandCursor)

    # ------------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        return BOUNDS

    def shape(self) -> QPainterPath:
        p = QPainterPath()
        p.addEllipse(QPointF(0, 0), R, R)
        p.addEllipse(HANDLE_CENTRE, H + 2, H + 2)
        return p

    def in_handle(self, pos: QPointF) -> bool:
        d = pos - HANDLE_CENTRE
        return d.x() * d.x() + d.y() * d.y() <= (H + 3) ** 2

    # ------------------------------------------------------------------ state
    def set_value(self, value: float | None, kind: str, bucket: int | None) -> None:
        """Show a training value (None clears); cheap: the text is made only when painted."""
        if value == self.value and bucket == self.bucket and kind == self.value_kind:
            return
        self.value, self.value_kind, self.bucket = value, kind, bucket
        self.update()

    @property
    def value_text(self) -> str:
        """The value as drawn inside the circle: 3 significant digits (the tooltip has them all)."""
        if self.value is None:
            return ""
        v = self.value
        if v != v:
            return "—"
        if v == 0:
            return "0"
        if 1e-3 <= abs(v) < 1e4:
            return f"{v:.3g}"
        mantissa, exponent = f"{v:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"  # -2.7e-4, not -2.7e-04: it has to fit in the circle

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()

    def refresh_tooltip(self) -> None:
        n = self.node
        lines = [f"{n.name} ({n.role})"]
        if n.role != INPUT:
            lines.append(f"activation: {n.activation}, bias: {style.format_value(n.bias)}")
        if self.value is not None and self.net_input is not None and self.value_kind == "activation":
            lines.append(f"net input a: {self.net_input:.6g}")
        if self.value is not None:
            kind = VALUE_WORDS.get(self.value_kind, self.value_kind)
            lines.append(f"{kind}: {self.value:.6g}")
        self.setToolTip("\n".join(lines))

    # ------------------------------------------------------------------ painting
    def paint(self, painter, option, widget=None) -> None:
        lod = painter.worldTransform().m11()  # the view only scales and translates
        role = self.node.role
        brush = style.BRUSHES[self.bucket] if self.bucket is not None else style.ROLE_BRUSH[role]
        if lod < LOD_DOT:
            painter.fillRect(DOT, brush if self.bucket is not None else style.ROLE_DOT[role])
            return
        selected = bool(option.state & QStyle.State_Selected)
        if self.highlighted:
            painter.setPen(style.HIGHLIGHT_PEN)
            painter.setBrush(Qt.NoBrush)
            painter.drawEllipse(QPointF(0, 0), R + 3.5, R + 3.5)
        painter.setPen(style.SELECTED_PEN if selected else style.ROLE_PEN[role])
        painter.setBrush(brush)
        painter.drawEllipse(QPointF(0, 0), R, R)
        if lod < style.LOD_TEXT:
            return
        if self.bucket is None:  # the theme's role fill: the theme's text colour
            painter.setPen(style.TEXT)
        else:  # a value colour of the diverging map: dark or light ink, whatever the theme
            painter.setPen(style.TEXT_LIGHT if style.TEXT_IS_LIGHT[self.bucket] else style.INK_DARK)
        value_text = self.value_text
        if value_text:
            painter.setFont(style.NAME_FONT)
            painter.drawText(QRectF(-R, -R + 5, 2 * R, R - 3), Qt.AlignHCenter | Qt.AlignBottom,
                             self.node.name)
            painter.setFont(value_font(value_text))
            painter.drawText(QRectF(-R - 6, 1, 2 * R + 12, R - 4), Qt.AlignHCenter | Qt.AlignTop,
                             value_text)
        else:
            painter.setFont(style.NAME_FONT)
            painter.drawText(QRectF(-R, -R, 2 * R, 2 * R), Qt.AlignCenter, self.node.name)
        if role != INPUT:
            painter.setPen(style.MUTED)
            painter.setFont(style.SMALL_FONT)
            painter.drawText(ACT_RECT, Qt.AlignHCenter | Qt.AlignTop,
                             SHORT_ACT.get(self.node.activation, self.node.activation))
        if self.hovered or selected:
            painter.setPen(style.HANDLE_PEN)
            painter.setBrush(style.HANDLE_BRUSH)
            painter.drawEllipse(HANDLE_CENTRE, H, H)

    # ------------------------------------------------------------------ interaction
    def hoverEnterEvent(self, event) -> None:
        self.refresh_tooltip()  # made when needed: recolouring thousands of units stays cheap
        self.hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event) -> None:
        self.setCursor(Qt.CrossCursor if self.in_handle(event.pos()) else Qt.OpenHandCursor)
        super().hoverMoveEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event) -> None:
        scene = self.scene()
        if event.button() == Qt.LeftButton and self.in_handle(event.pos()):
            scene.begin_connection(self, event.scenePos())
            event.accept()
            return
        if event.button() == Qt.LeftButton:
            scene.begin_drag()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        scene = self.scene()
        if scene.connecting_from is self:
            scene.update_connection(event.scenePos())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        scene = self.scene()
        if scene.connecting_from is self:
            scene.end_connection(event.scenePos())
            return
        super().mouseReleaseEvent(event)
        scene.end_drag()

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            scene = self.scene()
            if scene is not None:
                scene.node_item_moved(self)
        return super().itemChange(change, value)

    def __repr__(self) -> str:
        return f"NodeItem({self.node.name}, pos=({self.pos().x():g}, {self.pos().y():g}))"
