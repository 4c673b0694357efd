"""The window opens centred on its screen, never larger than the screen's free area."""

from __future__ import annotations


def test_the_window_opens_centred_on_the_screen(window):
    avail = window.screen().availableGeometry()
    frame = window.frameGeometry()
    assert avail.contains(frame)
    assert abs(frame.center().x() - avail.center().x()) <= 1
    assert abs(frame.center().y() - avail.center().y()) <= 1
