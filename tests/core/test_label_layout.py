"""Label and unit placement geometry (no Qt): labels never overlap each other or obstacles, a unit
always finds free room, and arithmetic wraps before operators with a hanging indent."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bpstudio.core.label_layout import LabelRequest, candidate_ts, overlaps, place_labels, preferred_t
from bpstudio.core.layout import free_spot
from bpstudio.core.text_wrap import wrap_line


def test_labels_of_edges_converging_on_one_unit_are_staggered_not_stacked():
    target = (400.0, 0.0)
    unit = (376.0, -24.0, 424.0, 24.0)
    reqs = [LabelRequest((0.0, y), target, ((90.0, 18.0), (40.0, 18.0)), prefer_t=0.7) for y in (-60, 0, 60)]
    placed = place_labels(reqs, [unit])
    assert all(p is not None for p in placed)
    rects = [p.rect for p in placed]
    assert not any(overlaps(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])
    assert not any(overlaps(r, unit) for r in rects)


def test_the_least_important_label_is_shortened_then_hidden_when_there_is_no_room():
    def label(priority):  # four labels on one 110-long edge: room for one full and two short ones
        return LabelRequest((0.0, 0.0), (110.0, 0.0), ((50.0, 18.0), (20.0, 18.0)), priority=priority)

    placed = place_labels([label(1), label(2), label(9), label(0)], [])
    assert placed[2] is not None and placed[2].size == 0  # the most important keeps its full text
    assert placed[1] is not None and placed[1].size == 1  # the next ones fit only shortened
    assert placed[0] is not None and placed[0].size == 1
    assert placed[3] is None  # the least important: no room left, shown on hover only


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_random_labels_never_overlap(seed):
    rng = random.Random(seed)
    obstacles = []
    for _ in range(rng.randint(0, 6)):
        x, y = rng.uniform(0, 500), rng.uniform(0, 500)
        obstacles.append((x - 25, y - 25, x + 25, y + 25))
    reqs = [LabelRequest((rng.uniform(0, 500), rng.uniform(0, 500)), (rng.uniform(0, 500), rng.uniform(0, 500)),
                         ((rng.uniform(20, 90), 16.0), (18.0, 16.0)), rng.random(), rng.random())
            for _ in range(rng.randint(1, 40))]
    rects = [p.rect for p in place_labels(reqs, obstacles) if p is not None]
    assert not any(overlaps(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])
    assert not any(overlaps(r, o) for r in rects for o in obstacles)


def test_fan_out_labels_prefer_the_source_and_fan_in_labels_the_target():
    assert preferred_t(3, 1) < 0.5 < preferred_t(1, 3)
    ts = candidate_ts(0.7)
    assert abs(ts[0] - 0.7) < 0.03 and min(ts) >= 0.12 and max(ts) <= 0.88


def test_a_unit_gets_the_nearest_free_room_straight_below_or_above_first():
    taken = [(0.0, 0.0), (0.0, 110.0)]
    assert free_spot(300.0, 0.0, taken, 66, 75) == (300.0, 0.0)  # already free: unchanged
    x, y = free_spot(5.0, 10.0, taken, 66, 75)  # between two units 110 apart: no room in the column
    assert all(abs(x - tx) >= 66 or abs(y - ty) >= 75 for tx, ty in taken)
    assert abs(x - 5.0) < 66  # the nearest free room is beside them, not far below
    x, y = free_spot(0.0, 180.0, taken, 66, 75)  # just below the column: nudged straight down
    assert x == 0.0 and 185.0 <= y < 185.0 + 66 / 4 + 1e-9


def test_wrapping_breaks_before_operators_keeps_parentheses_whole_and_loses_nothing():
    line = "W10 := W10 - alpha . mean(Z_X0 . delta_Z1) = 1 - 0.1 . 6.5 = 0.35"
    pieces = wrap_line(line, 40, indent=6)
    assert pieces == ["W10 := W10 - alpha", "      . mean(Z_X0 . delta_Z1)", "      = 1 - 0.1 . 6.5 = 0.35"]
    assert " ".join(p.strip() for p in pieces) == line
    sum_line = "Unit D0: h(x) = W0.Z0 + W1.Z1 + W2.Z2 + W3.Z3 = 1 . 1 + 1 . 1 + 1 . 1 + 1 . 1 = 4"
    assert wrap_line(sum_line, 50)[1].startswith("      = 1 . 1")  # the equation's sides, not a product
    assert wrap_line("short", 40) == ["short"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab=+-.() 0123456789", min_size=0, max_size=300), st.integers(10, 120))
def test_wrapped_pieces_fit_and_rejoin(text, width):
    pieces = wrap_line(text, width)
    assert all(len(p) <= max(width, 14) for p in pieces)
    joined = "".join(p if i == 0 else p[6:] for i, p in enumerate(pieces))
    assert joined.replace(" ", "") == text.replace(" ", "")
