"""Per-snapshot update cost of the panels with the canvas, against the 16 ms frame budget.

The real main window (offscreen) with every panel visible (floated, 520 × 360) and the
diagnostics banner over the canvas; the loss panel already holds
10⁶ epochs and each snapshot brings 30 more; the boundary is 200×200; the network is the XOR 2-3-1
(deltas, canvas) plus a 2-16-16-1 run for a bigger delta panel.

Two kinds of figures. "One full redraw": ``show_snapshot`` of a quiet (paused) snapshot, drawn at
once, plus one turn of the event loop (pyqtgraph's deferred range updates and the paint). "30 Hz
snapshots": running snapshots every 33 ms for 3 s, as the worker sends them; panels take each one
and redraw at most every 100 ms; printed: the share of time the GUI thread was busy and the
frame times. References measured in the same run: one idle canvas repaint (×ref), and the same
30 Hz stream repainting only the canvas.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtWidgets  # noqa: E402

import numpy as np  # noqa: E402
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
        # new deltas and a new boundary grid each time, as if the worker had made them for every
        # snapshot (it makes a grid only now and then, and deltas only for traced steps)
        wobble = 1.0 + 1e-3 * (epoch[0] % 97)
        return replace(s, boundary=base.boundary * wobble, delta=base.delta * wobble, state=state)

    def frame():
        app.processEvents()

    def idle():
        window.view.viewport().update()
        frame()

    ref = _timed(idle)[0]

    def drawn(panel):
        def go():
            panel.show_snapshot(next_snapshot("paused"))  # quiet: drawn at once, in full
            frame()
        return go

    rows = [
        ("canvas deltas + legend", drawn(panels.canvas)),
        ("loss (10⁶ epochs, +30)", drawn(panels.loss)),
        ("deltas (bars + heatmap)", drawn(panels.deltas)),
        ("boundary 200×200 + contour", drawn(panels.boundary)),
        ("gradient norms", drawn(panels.gradients)),
        ("diagnostics", drawn(panels.diagnostics)),
    ]
    print(f"reference: one event-loop turn repainting the idle XOR canvas = {ref:.2f} ms")
    print(f"{'one full redraw of':32s} {'median ms':>10s} {'p95 ms':>8s} {'×ref':>7s} {'of 16 ms':>9s}")
    for name, fn in rows:
        med, p95 = _timed(fn)
        print(f"{name:32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")
    paused = run.snapshot(state="paused")
    med, p95 = _timed(lambda: (panels.arithmetic.show_snapshot(paused), frame()), 10)
    print(f"{'arithmetic on pause (2-3-1)':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")
    med, p95 = _timed(lambda: (panels.show_snapshot(next_snapshot("paused")), frame()), 10)
    print(f"{'ALL at once (a pause)':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")

    # training: running snapshots at 30 Hz for 3 s; each panel takes every snapshot, draws ≤ 10 Hz
    def stream(feed, seconds: float = 3.0) -> tuple[float, float, float, float]:
        frames, busy = [], 0.0
        t_end = time.perf_counter() + seconds
        next_at = time.perf_counter()
        while time.perf_counter() < t_end:
            now = time.perf_counter()
            if now < next_at:
                t0 = time.perf_counter()
                frame()
                dt = time.perf_counter() - t0
                busy += dt
                frames.append(dt * 1e3)
                time.sleep(max(0.0, min(0.002, next_at - time.perf_counter())))
                continue
            next_at += 1 / 30
            t0 = time.perf_counter()
            feed()
            frame()
            dt = time.perf_counter() - t0
            busy += dt
            frames.append(dt * 1e3)
        frames.sort()
        return (busy / seconds, statistics.median(frames),
                frames[int(0.95 * (len(frames) - 1))], frames[-1])

    print(f"{'30 Hz snapshots for 3 s':32s} {'GUI busy':>10s} {'p50 ms':>8s} {'p95 ms':>7s} {'max ms':>9s}")
    base_busy = stream(lambda: window.view.viewport().update())
    print(f"{'reference: canvas repaint only':32s} {base_busy[0]:10.0%} {base_busy[1]:8.2f} "
          f"{base_busy[2]:7.2f} {base_busy[3]:9.2f}")
    res = stream(lambda: panels.show_snapshot(next_snapshot("running")))
    print(f"{'ALL panels + canvas, running':32s} {res[0]:10.0%} {res[1]:8.2f} {res[2]:7.2f} {res[3]:9.2f}")

    # a wider network in the delta panel and on the canvas
    from bpstudio.core.presets import initialise, layered_graph
    from bpstudio.core.project import Project
    from bpstudio.core.settings import TrainingSettings

    s = TrainingSettings(init="xavier", seed=0).validate()
    g = layered_graph([2, 16, 16, 1], "tanh", "identity")
    initialise(g, s)
    window.document.replace_project(Project(g, load_preset("xor").dataset, s))
    app.processEvents()
    big = DemoRun(window.document.project.copy(), boundary_resolution=200).run(5).snapshot(state="paused")
    med, p95 = _timed(lambda: (panels.deltas.show_snapshot(replace(big, delta=big.delta * 1.01)), frame()))
    print(f"{'deltas, 2-16-16-1':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")
    med, p95 = _timed(lambda: (panels.canvas.show_snapshot(replace(big, delta=-big.delta)), frame()))
    print(f"{'canvas deltas, 2-16-16-1':32s} {med:10.2f} {p95:8.2f} {med / ref:7.1f} {med / BUDGET_MS:9.0%}")
    window.close()
    QtWidgets.QApplication.processEvents()


if __name__ == "__main__":
    main()
