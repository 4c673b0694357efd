"""Per-snapshot update cost of the panels with the canvas, against the 16 ms frame budget.

The real main window (offscreen) with every panel visible (floated, 520 × 360) and the
diagnostics banner over the canvas; the loss panel already holds
10⁶ epochs and each snapshot brings 30 more; the boundary is 200×200; the network is the XOR 2-3-1
(deltas, canvas) plus a 2-16-16-1 run for a bigger delta panel. Each figure is the time of
``show_snapshot`` on the panel(s) plus one turn of the event loop, which runs pyqtgraph's deferred
range updates and paints whatever changed (what one frame costs). Reference, measured in the same
run: one event-loop turn after repainting the idle window's canvas (printed as ×ref).
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6 import QtWidgets  # noqa: E402
import pyqtgraph as pg  # noqa: E402

BUDGET_MS = 16.0
REPEATS = 40


def _timed(fn, repeats: int = REPEATS) -> tuple[float, float]:
    """(median, 95th percentile) milliseconds of ``fn()``."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def _history(snap, start: int, count: int):
    e = np.arange(start + 1, start + count + 1, dtype=float)
    return replace(snap, new_epochs=e, new_losses=1.0 / e, new_accuracy=np.ones(count),
                   history_len=start + count)


def main() -> None:
    from bpstudio.core.presets import load_preset
    from bpstudio.ui.document import Document
    from bpstudio.ui.main_window import MainWindow
    from bpstudio.ui.panels.demo import DemoRun

    app = pg.mkQApp("bench panels")
    window = MainWindow(Document(load_preset("xor")))
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    panels = window.panels
    # every panel visible at once, whatever the screen: float each dock as its own window
    for k, key in enumerate(("loss", "deltas", "boundary", "gradients", "arithmetic")):
        dock = window.docks[key]
        dock.setFloating(True)
        dock.resize(520, 360)
        dock.move(40 * k, 40 * k)
        dock.show()
    app.processEvents()

    run = DemoRun(window.document.project.copy(), boundary_resolution=200).run(50)
    base = run.snapshot(state="running")
    assert base.boundary.shape == (200, 200)
    n = 1_000_000
    panels.loss.show_snapshot(_history(base, 0, n))
    epoch = [n]

    def next_snapshot(state="running"):
        s = _history(base, epoch[0], 30)
        epoch[0] += 30
        # a new boundary grid each time, as if the worker had made one for every snapshot
        return replace(s, boundary=base.boundary.copy(), state=state)

    def frame():
        app.processEvents()

    def idle():
        window.view.viewport().update()
        frame()

    ref = _timed(idle)[0]

    def one(panel, widget):
        def go():
            panel.show_snapshot(next_snapshot())
            widget.update()
            frame()
        return go

    def loss_redraw():
        panels.loss.show_snapshot(next_snapshot("paused"))  # a quiet snapshot redraws at once
        frame()

    rows = [
        ("canvas deltas + legend", one(panels.canvas, window.view.viewport())),
        ("loss (10⁶ points, +30)", one(panels.loss, panels.loss)),
        ("loss redraw (≤ 10 Hz, on pause)", loss_redraw),
        ("deltas (bars + heatmap)", one(panels.deltas, panels.deltas)),
        ("boundary 200×200", one(panels.boundary, panels.boundary)),
        ("gradient norms", one(panels.gradients, panels.gradients)),
        ("diagnostics", one(panels.diagnostics, panels.diagnostics)),
        ("arithmetic (running: waits)", one(panels.arithmetic, panels.arithmetic)),
    ]

    def everything():
        s = next_snapshot()
        panels.show_snapshot(s)
        frame()

    print(f"reference: one event-loop turn repainting the idle XOR canvas = {ref:.2f} ms")
    print(f"{'per snapshot':32s} {'median ms':>10s} {'p95 ms':>8s} {'×ref':>7s} {'of 16 ms':>9s}")
    for name, fn in rows:
        med, p95 = _timed(fn)
        print(f"{name:32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")
    med, p95 = _timed(everything, 20)
    print(f"{'ALL panels + canvas, window':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")

    # a paused snapshot: the arithmetic panel writes the step out (XOR 2-3-1)
    paused = run.snapshot(state="paused")
    med, p95 = _timed(lambda: (panels.arithmetic.show_snapshot(paused), frame()), 10)
    print(f"{'arithmetic on pause (2-3-1)':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")

    # a wider network in the delta panel and on the canvas
    from bpstudio.core.presets import initialise, layered_graph
    from bpstudio.core.project import Project
    from bpstudio.core.settings import TrainingSettings

    s = TrainingSettings(init="xavier", seed=0).validate()
    g = layered_graph([2, 16, 16, 1], "tanh", "identity")
    initialise(g, s)
    window.document.replace_project(Project(g, load_preset("xor").dataset, s))
    app.processEvents()
    big = DemoRun(window.document.project.copy(), boundary_resolution=200).run(5).snapshot(state="running")
    med, p95 = _timed(lambda: (panels.deltas.show_snapshot(big), frame()))
    print(f"{'deltas, 2-16-16-1':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")
    med, p95 = _timed(lambda: (panels.canvas.show_snapshot(big), frame()))
    print(f"{'canvas deltas, 2-16-16-1':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")
    window.close()
    QtWidgets.QApplication.processEvents()


if __name__ == "__main__":
    main()
