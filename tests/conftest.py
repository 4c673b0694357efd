"""Shared test set-up: Qt offscreen before anything imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _deferred_deletes_run_now():
    """After each test (once pytest-qt has closed and ``deleteLater``-ed its widgets) run the pending
    deferred deletes now. ``processEvents`` alone never does, so closed windows of earlier tests
    piled up half alive and were destroyed later inside another test, at a random moment: the
    source of order-dependent crashes. (Walking ``app.topLevelWidgets()`` here to close strays
    crashed the process itself, 1 run in 3: wrapping such a widget in Python is the hazard.)"""
    yield
    if "PySide6.QtWidgets" not in sys.modules:  # a core test: Qt was never loaded
        return
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(qtbot):
    """A shown MainWindow on the article preset (offscreen), closed after the test."""
    from bpstudio.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.view.fit()
    yield w
    w.close()


def mouse_drag(view, start, end, steps: int = 6, button=None) -> None:
    """Press at scene point ``start``, move in steps, release at ``end`` — real mouse events on the viewport."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    button = Qt.LeftButton if button is None else button
    vp = view.viewport()
    p0, p1 = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(vp, button, Qt.NoModifier, p0)
    for i in range(1, steps + 1):
        p = QPoint(p0.x() + (p1.x() - p0.x()) * i // steps, p0.y() + (p1.y() - p0.y()) * i // steps)
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, button, Qt.NoModifier, p1)
