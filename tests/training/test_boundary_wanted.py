"""While training runs, the worker makes decision-boundary grids only when a panel shows one."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from bpstudio.core.settings import TrainingSettings  # noqa: E402
from bpstudio.training.session import RUNNING  # noqa: E402
from bpstudio.ui.document import Document  # noqa: E402
from bpstudio.ui.main_window import MainWindow  # noqa: E402

WAIT = 10_000


@pytest.fixture
def window(qtbot):
    doc = Document()
    doc.project.settings = TrainingSettings(**{**doc.project.settings.to_dict(), "max_epochs": 0})
    w = MainWindow(doc)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    assert w.controller.shutdown()


def running_snapshots(qtbot, ctl, n: int, until=lambda got: False) -> list:
    """Running snapshots, at least ``n`` of them (or up to the first for which ``until`` holds)."""
    got = []

    def keep(s) -> None:
        if s.state == RUNNING:
            got.append(s)

    ctl.snapshot_ready.connect(keep)
    qtbot.waitUntil(lambda: len(got) >= n or until(got), timeout=WAIT)
    ctl.snapshot_ready.disconnect(keep)
    return got


def test_a_hidden_boundary_panel_gets_no_running_grids(qtbot, window):
    if getattr(window, "panels", None) is None:
        pytest.skip("no panels in this window")
    ctl, docks = window.controller, window.docks
    docks["loss"].raise_()  # the boundary tab (if tabbed) goes behind; else close its dock
    if window.panels.boundary.isVisible():
        docks["boundary"].close()
    qtbot.waitUntil(lambda: not window.panels.boundary.isVisible(), timeout=WAIT)
    assert not ctl.boundary_wanted()
    ctl.play()
    late = running_snapshots(qtbot, ctl, 12)[4:]  # after the first heartbeats
    assert all(s.boundary is None for s in late)
    docks["boundary"].show()
    docks["boundary"].raise_()
    qtbot.waitUntil(lambda: window.panels.boundary.isVisible(), timeout=WAIT)
    assert ctl.boundary_wanted()
    shown = running_snapshots(qtbot, ctl, 10**6, lambda got: got[-1].boundary is not None if got else False)
    assert shown[-1].boundary is not None
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT, check_params_cb=lambda s: s.state != RUNNING):
        ctl.pause()
    assert ctl.latest.boundary is not None  # a paused state always has its grid
