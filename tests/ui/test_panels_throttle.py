"""While training runs the panels take every snapshot but repaint at most every 100 ms."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg  # noqa: F401

from bpstudio.core.presets import load_preset
from bpstudio.ui.panels.boundary import BoundaryPanel
from bpstudio.ui.panels.deltas import DeltaPanel
from bpstudio.ui.panels.demo import DemoRun
from bpstudio.ui.panels.gradients import GradientPanel
from bpstudio.ui.panels.throttle import Redraw


def test_redraw_is_immediate_when_quiet_and_coalesced_when_running(qtbot):
    calls = []
    r = Redraw(lambda: calls.append(1), interval_ms=50)
    for _ in range(10):
        r.request(running=True)
    assert calls == []
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    r.request(running=False)
    assert calls == [1, 1]


def test_panels_draw_running_snapshots_later_and_quiet_ones_now(qtbot):
    project = load_preset("xor")
    run = DemoRun(project, boundary_resolution=20).run(2)
    doc = SimpleNamespace(graph=project.graph, dataset=project.dataset, settings=project.settings)
    deltas, boundary, grads = DeltaPanel(project.graph), BoundaryPanel(doc), GradientPanel(doc)
    for w in (deltas, boundary, grads):
        qtbot.addWidget(w)
    snap = run.snapshot(state="running")
    for p in (deltas, boundary, grads):
        p.show_snapshot(snap)
    # the data is taken at once ...
    assert len(deltas._heat_steps) == 1 and grads.history.n == 1
    # ... the drawing waits for the next redraw
    assert boundary.grid is None and len(grads.grad_curves[0].xData or []) == 0
    qtbot.waitUntil(lambda: boundary.grid is not None, timeout=2000)
    qtbot.waitUntil(lambda: len(grads.grad_curves[0].xData or []) == 1, timeout=2000)
    assert np.array_equal(boundary.image.image, snap.boundary)
    run.run(1)
    quiet = run.snapshot(state="paused")
    boundary.show_snapshot(quiet)
    assert boundary.grid is quiet.boundary  # drawn now
    deltas.show_snapshot(replace(quiet))
    assert deltas.bar_values() == {u: quiet.delta[0, quiet.unit_ids.index(u)] for u in deltas.ids}


def test_a_hidden_panel_waits_while_running_and_draws_when_shown(qtbot):
    from PySide6.QtWidgets import QTabWidget, QWidget

    tabs = QTabWidget()
    front, back = QWidget(), QWidget()
    tabs.addTab(front, "front")
    tabs.addTab(back, "back")
    qtbot.addWidget(tabs)
    tabs.show()
    qtbot.waitExposed(tabs)
    calls = []
    r = Redraw(lambda: calls.append(1), interval_ms=10, parent=back)
    assert r.hidden()  # its window is shown, it is not
    r.request(running=True)
    qtbot.wait(60)
    assert calls == [] and r.pending and r.skipped >= 1
    tabs.setCurrentWidget(back)  # shown: what waited is drawn
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    assert not r.pending and r.draws == 1
    tabs.setCurrentWidget(front)
    r.request(running=False)  # a quiet state is drawn even when hidden (it is exact and rare)
    assert calls == [1, 1]


def test_a_panel_never_shown_in_a_window_still_draws(qtbot):
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    qtbot.addWidget(w)
    calls = []
    r = Redraw(lambda: calls.append(1), interval_ms=10, parent=w)
    r.request(running=True)
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
