"""The article's bias units (X0, Z0, ...): drawn units of value 1 whose edges carry each unit's bias.

A bias is a parameter of its unit in the core graph; the canvas shows it the way the article does,
as a weight from a constant unit in the previous column. Editing such an edge edits the bias.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem

from . import style
from .edge_item import EdgeItem

R = style.NODE_RADIUS


class BiasNode:
    """Stands in for a Node: what an EdgeItem needs to name its source."""

    role = "bias"

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"BiasNode({self.name})"


class BiasUnitItem(QGraphicsItem):
    """A constant unit (value 1) drawn above a column; placed by the scene, not movable."""

    def __init__(self, depth: int, name: str) -> None:
        super().__init__()
        self.depth = depth
        self.node = BiasNode(name)
        self.setZValue(style.Z_NODE)
        self.setToolTip(f"{name}: bias unit, always 1 (its weights are the biases of the next column)")

    def boundingRect(self) -> QRectF:
        return QRectF(-R - 2, -R - 2, 2 * R + 4, 2 * R + 4)

    def paint(self, painter, option, widget=None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setPen(style.BIAS_PEN)
        painter.setBrush(style.ROLE_BRUSH["bias"])
        painter.drawEllipse(QPointF(0, 0), R, R)
        if lod < style.LOD_TEXT:
            return
        painter.setPen(style.MUTED)
        painter.setFont(style.NAME_FONT)
        painter.drawText(QRectF(-R, -R + 5, 2 * R, R - 3), Qt.AlignHCenter | Qt.AlignBottom, self.node.name)
        painter.setFont(style.SMALL_FONT)
        painter.drawText(QRectF(-R, 1, 2 * R, R - 4), Qt.AlignHCenter | Qt.AlignTop, "= 1")

    def __repr__(self) -> str:
        return f"BiasUnitItem({self.node.name}, depth={self.depth})"


class BiasEdgeItem(EdgeItem):
    """The edge bias unit → unit; ``key`` is the unit's id and ``value`` its bias."""

    kind = "bias"

    def refresh_tooltip(self) -> None:
        s, t = self.names()
        self.setToolTip(f"{s} → {t}: bias of {t} = {self.value:.6g}")

    def __repr__(self) -> str:
        s, t = self.names()
        return f"BiasEdgeItem({s} → {t}, bias={self.value:g})"
