"""Shared test set-up: Qt offscreen before anything imports Qt."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc  # noqa: E402
import weakref  # noqa: E402

import pytest  # noqa: E402

_started_threads: "weakref.WeakSet" = weakref.WeakSet()  # every QThread started by a test
_plot_menus: list = []  # (menu, owner) weak references: pyqtgraph's parentless context menus


@pytest.fixture(scope="session", autouse=True)
def _track_qthreads_and_plot_menus():
    """Record each QThread a test starts (``QThread.start`` wrapped) and each parentless context
    menu pyqtgraph makes for a plot (``ViewBoxMenu``, ``PlotItem.ctrlMenu``), for
    :func:`_qt_left_clean`."""
    from PySide6.QtCore import QThread

    from pyqtgraph.graphicsItems.PlotItem.PlotItem import PlotItem
    from pyqtgraph.graphicsItems.ViewBox.ViewBoxMenu import ViewBoxMenu

    start, menu_init, plot_init = QThread.start, ViewBoxMenu.__init__, PlotItem.__init__

    def tracked_start(self, *args, **kwargs):
        _started_threads.add(self)
        return start(self, *args, **kwargs)

    def tracked_menu_init(self, view, *args, **kwargs):
        menu_init(self, view, *args, **kwargs)
        _plot_menus.append((weakref.ref(self), weakref.ref(view)))

    def tracked_plot_init(self, *args, **kwargs):
        plot_init(self, *args, **kwargs)
        _plot_menus.append((weakref.ref(self.ctrlMenu), weakref.ref(self)))

    QThread.start, ViewBoxMenu.__init__, PlotItem.__init__ = tracked_start, tracked_menu_init, tracked_plot_init
    yield
    QThread.start, ViewBoxMenu.__init__, PlotItem.__init__ = start, menu_init, plot_init


def _delete_orphan_plot_menus() -> None:
    """Delete (in Qt) the context menus whose plot is gone. They hang in reference cycles, so
    otherwise only the garbage collector frees them — at a random moment in a later test, clearing
    their Python half while Qt may still call into it."""
    import shiboken6

    kept = []
    for menu_ref, owner_ref in _plot_menus:
        menu, owner = menu_ref(), owner_ref()
        if menu is None or not shiboken6.isValid(menu):
            continue
        if owner is None or not shiboken6.isValid(owner):
            shiboken6.delete(menu)
        else:
            kept.append((menu_ref, owner_ref))
    _plot_menus[:] = kept


@pytest.fixture(autouse=True)
def _qt_left_clean(request):
    """After each test (once pytest-qt has closed and ``deleteLater``-ed its widgets):

    - no QThread it started may still run: its owner is about to be deleted, and destroying a
      running QThread aborts the process ("QThread: Destroyed while thread is still running").
      One found running is stopped, and the test fails with its name;
    - the pending deferred deletes run now. ``processEvents`` alone never runs them, so closed
      windows of earlier tests piled up half alive and were destroyed later inside another test, at
      a random moment: the source of order-dependent crashes. (Walking ``app.topLevelWidgets()``
      here to close strays crashed the process itself, 1 run in 3: wrapping such widgets is the
      hazard, so strays are left to pytest-qt's ``qtbot.addWidget``);
    - pyqtgraph's context menus of deleted plots are deleted now (:func:`_delete_orphan_plot_menus`)."""
    yield
    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    running = [t for t in list(_started_threads) if shiboken6.isValid(t) and t.isRunning()]
    for t in running:
        t.quit()
        t.wait(5000)
    app = QApplication.instance()
    if app is not None:
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    _delete_orphan_plot_menus()
    # Collect this test's reference cycles now, in its own teardown, with no worker thread
    # running: left to the automatic collector, a Document, QTimer or QSettings of this test was
    # freed in the middle of a later one ("Garbage-collecting" in a segfault while that test's
    # training thread ran). The survivors are frozen, so each collection only walks the objects of
    # one test and stays cheap (a full collection of the suite's heap costs ~0.15 s).
    gc.collect()
    gc.freeze()
    if running:
        names = ", ".join(t.objectName() or type(t).__name__ for t in running)
        pytest.fail(f"the test left QThread(s) running: {names} (stop them, e.g. controller.shutdown())",
                    pytrace=False)


@pytest.fixture
def window(qtbot):
    """A shown MainWindow on the article preset (offscreen), closed after the test."""
    from bpstudio.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    _release_stuck_buttons(w.statusBar())
    w.view.fit()
    yield w
    w.close()


def _release_stuck_buttons(widget) -> None:
    """Qt keeps the mouse buttons' state process-wide: a double-click whose last release went to a
    widget that then hid (an inline editor opening) leaves the left button "pressed", and every
    later test's mouse move is then a drag, never a hover. Release it on a harmless widget."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for button in (Qt.LeftButton, Qt.RightButton, Qt.MiddleButton):
        if QApplication.mouseButtons() & button:
            QTest.mouseRelease(widget, button, Qt.NoModifier, QPoint(1, 1))


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
