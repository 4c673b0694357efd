"""The scrub feed spreads a past epoch over event-loop turns: one receiver a turn, newest wins."""

from __future__ import annotations

from bpstudio.ui.rewind_install import ScrubFeed


class Snap:
    def __init__(self, name):
        self.name = name


def test_one_receiver_per_turn_and_the_newest_snapshot_wins(qtbot, qapp):
    seen = []
    feed = ScrubFeed([lambda s, k=k: seen.append((k, s.name)) for k in range(3)])
    done = []
    feed.done = lambda: done.append(len(seen))
    a, b = Snap("a"), Snap("b")
    feed.show(a)
    assert seen == []  # nothing in the caller's turn
    qapp.processEvents()  # a 0 ms timer: at most one receiver per event-loop turn
    assert len(seen) <= 1
    qtbot.waitUntil(lambda: len(seen) >= 1)
    feed.show(b)  # a newer view arrives mid-round
    qtbot.waitUntil(lambda: not feed.pending)
    # receivers 1 and 2 never drew the stale "a"; receiver 0 drew "a", then "b"
    assert seen == [(0, "a"), (1, "b"), (2, "b"), (0, "b")]
    assert done == [4]


def test_a_receiver_with_more_to_do_gets_further_turns(qtbot):
    slices = []

    def canvas(s):
        slices.append(s.name)
        return len(slices) < 3  # three slices of the same snapshot

    other = []
    feed = ScrubFeed([canvas, lambda s: other.append(s.name)])
    feed.show(Snap("x"))
    qtbot.waitUntil(lambda: not feed.pending)
    assert slices == ["x", "x", "x"] and other == ["x"]
    assert feed.turn_of == [0, 1, 0, 0]  # the other panel did not wait for all the slices


def test_cancel_drops_what_was_not_handed_out(qtbot, qapp):
    seen = []
    feed = ScrubFeed([lambda s: seen.append(1), lambda s: seen.append(2)])
    feed.show(Snap("x"))
    feed.cancel()
    qtbot.wait(20)
    assert seen == [] and not feed.pending
