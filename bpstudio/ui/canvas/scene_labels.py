"""Where the canvas puts its weight labels: a mixin of :class:`~bpstudio.ui.canvas.scene.GraphScene`
that lays every edge label out with bpstudio/core/label_layout.py (no label over another or over a unit)
on the next event-loop turn after a label's width or an edge's geometry changed."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QTimer

from bpstudio.core.label_layout import LabelRequest, place_labels, preferred_t

from . import style


class SceneLabels:
    """Label layout of the canvas scene (uses the scene's ``edges``, ``bias_edges``, ``nodes``,
    ``bias_units`` and ``bundled``)."""

    _labels_pending = False

    def request_label_layout(self) -> None:
        """Lay the weight labels out again on the next turn of the event loop (coalesced)."""
        if not self._labels_pending:
            self._labels_pending = True
            QTimer.singleShot(0, self.layout_labels)

    def layout_labels(self) -> None:
        """Give every edge label a place along its edge where it overlaps no other label and no unit
        (bpstudio/core/label_layout.py); labels that find none are shown on hover only."""
        self._labels_pending = False
        items = list(self.edges.values()) + list(self.bias_edges.values())
        if self.bundled or not items:
            return
        if len(items) > style.LABEL_LAYOUT_LIMIT:  # a dense net: labels on hover (and in the inspector)
            for it in items:
                it.place(None)
            return
        obstacles = [_rect(n.sceneBoundingRect()) for n in self.nodes.values()]
        obstacles += [_rect(b.sceneBoundingRect()) for b in self.bias_units.values()]
        fan_out: dict = {}
        fan_in: dict = {}
        for it in items:
            fan_out[it.source] = fan_out.get(it.source, 0) + 1
            fan_in[it.target] = fan_in.get(it.target, 0) + 1
        requests = []
        for it in items:
            c = it._centres
            important = abs(it.change) if it.change is not None else 0.0
            requests.append(LabelRequest(
                (c.x1(), c.y1()), (c.x2(), c.y2()), it.label_sizes(),
                preferred_t(fan_out[it.source], fan_in[it.target]),
                priority=important * 1e6 + abs(it.value) if math.isfinite(important + it.value) else 0.0))
        for it, p in zip(items, place_labels(requests, obstacles)):
            it.place(None if p is None else QPointF(p.x, p.y), short=p is not None and p.size > 0)


def _rect(r) -> tuple[float, float, float, float]:
    return r.left(), r.top(), r.right(), r.bottom()
