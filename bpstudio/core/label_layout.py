"""Where each edge's weight label goes so that no two labels, and no label and unit, overlap.

Pure geometry (no Qt): a label slides along its edge. Labels are placed greedily, most important
first; each tries positions along its edge starting from the one it prefers (near the source when
its source fans out to many units, near the target when many edges converge on the target), first
with its full text ("0.6 (−0.4)") and then with its short text ("0.6"); a label with no free
position at all is hidden (the canvas still shows it on hover, and the inspector always does).
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

CELL = 64.0  # the spatial hash's cell size (scene units): a label is ~60 wide
GAP = 2.0  # the least clearance between two placed things
T_MIN, T_MAX, T_STEP = 0.12, 0.88, 0.04  # the stretch of an edge a label may sit on


@dataclass(frozen=True)
class LabelRequest:
    """One edge's label: the edge from ``p1`` to ``p2``, its sizes (full text first), where it prefers
    to sit (``prefer_t``, 0 = source, 1 = target) and how much it matters (higher goes first)."""

    p1: tuple[float, float]
    p2: tuple[float, float]
    sizes: tuple[tuple[float, float], ...]
    prefer_t: float = 0.5
    priority: float = 0.0


@dataclass(frozen=True)
class Placement:
    """Where a label went: its centre, which of its sizes fitted (0 = full text) and its rectangle."""

    x: float
    y: float
    size: int
    rect: Rect


def overlaps(a: Rect, b: Rect, gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


class _Grid:
    """Rectangles bucketed by cell, for overlap queries that look only at neighbours."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[Rect]] = {}

    def _keys(self, r: Rect):
        for i in range(int(r[0] // CELL) - 1, int(r[2] // CELL) + 2):
            for j in range(int(r[1] // CELL) - 1, int(r[3] // CELL) + 2):
                yield i, j

    def add(self, r: Rect) -> None:
        for i in range(int(r[0] // CELL), int(r[2] // CELL) + 1):
            for j in range(int(r[1] // CELL), int(r[3] // CELL) + 1):
                self.cells.setdefault((i, j), []).append(r)

    def free(self, r: Rect) -> bool:
        cells = self.cells
        for key in self._keys(r):
            for other in cells.get(key, ()):
                if overlaps(r, other, GAP):
                    return False
        return True


def candidate_ts(prefer: float) -> list[float]:
    """Positions along an edge, nearest to ``prefer`` first."""
    n = round((T_MAX - T_MIN) / T_STEP)
    ts = [T_MIN + k * (T_MAX - T_MIN) / n for k in range(n + 1)]
    return sorted(ts, key=lambda t: (abs(t - prefer), t))


def place_labels(requests: list[LabelRequest], obstacles: list[Rect]) -> list[Placement | None]:
    """A placement (or None: hidden) for each request, in the order given."""
    grid = _Grid()
    for r in obstacles:
        grid.add(r)
    out: list[Placement | None] = [None] * len(requests)
    order = sorted(range(len(requests)), key=lambda i: -requests[i].priority)
    for i in order:
        req = requests[i]
        (x1, y1), (x2, y2) = req.p1, req.p2
        ts = candidate_ts(req.prefer_t)
        for size_index, (w, h) in enumerate(req.sizes):
            hw, hh = w / 2.0, h / 2.0
            for t in ts:
                cx, cy = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
                rect = (cx - hw, cy - hh, cx + hw, cy + hh)
                if grid.free(rect):
                    grid.add(rect)
                    out[i] = Placement(cx, cy, size_index, rect)
                    break
            if out[i] is not None:
                break
    return out


def preferred_t(fan_out: int, fan_in: int) -> float:
    """Near the source for an edge whose source feeds many units, near the target for one of many
    edges converging on a unit; in between otherwise."""
    if fan_out > fan_in:
        return 0.3
    if fan_in > fan_out:
        return 0.7
    return 0.5
