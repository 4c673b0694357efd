"""GUI responsiveness while training runs at full speed on the worker thread.

With the main window open (canvas, training controls and, when installed, the panels), training
runs as fast as it can on (a) the xor preset and (b) a 2-16-16-1 tanh network on 200 samples of two
Gaussians. A 10 ms QTimer probe on the GUI thread records how late each tick is (p50/p99/max) and
how many ticks were missed; the in-app training speed (steps/s from the snapshots) is compared
with the headless engine (``Trainer.step`` in a loop) measured in the same run.
Targets: p99 lateness ≤ 16 ms; in-app ≥ 70 % of headless. No assertion: figures are printed.

``python -m benchmarks responsiveness`` (offscreen) or ``python -m benchmarks.bench_responsiveness``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

SECONDS = 4.0
TICK = 0.010
P99_TARGET_MS = 16.0
RATIO_TARGET = 0.70


def headless_rate(project, seconds: float) -> float:
    """Trainer.step in a loop on a copy of the project: steps per second."""
    from bpstudio.core.engine import Engine
    from bpstudio.core.trainer import Trainer

    p = project.copy()
    trainer = Trainer(Engine(p.graph, p.settings.loss), p.dataset, p.settings)
    step = trainer.step
    for _ in range(200):  # warm-up
        step()
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(100):
            step()
        n += 100
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def probe_stats(stamps: list[float]) -> dict:
    gaps = np.diff(np.asarray(stamps))
    if len(gaps) == 0:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan"), "missed": 0, "ticks": 0}
    late = np.maximum(gaps - TICK, 0.0) * 1000.0
    missed = int(np.sum(np.maximum(np.floor(gaps / TICK + 1e-9) - 1, 0)))
    return {"p50": float(np.percentile(late, 50)), "p99": float(np.percentile(late, 99)),
            "max": float(late.max()), "missed": missed, "ticks": len(gaps)}


class Probe:
    """A 10 ms timer on the GUI thread; records when each tick really arrives."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.stamps: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(int(TICK * 1000))
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.stamps.append(time.perf_counter())

    def start(self) -> None:
        self.stamps.clear()
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        return probe_stats(self.stamps)


def run_loop(app, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def open_window(project, panels: bool = True):
    """The studio's main window on ``project`` with training; ``panels=False`` closes the panel
    docks and disconnects them (canvas, controls and status bar only)."""
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.document import Document
    from bpstudio.ui.main_window import MainWindow
    from bpstudio.ui.train_controls import install_training

    window = MainWindow(Document(project.copy()))
    if getattr(window, "controller", None) is None:
        install_training(window)
    found = getattr(window, "panels", None)
    if found is None and panels:
        try:
            from bpstudio.ui.panels.install import install_panels

            found = install_panels(window, window.controller)
        except ImportError:
            pass
    if found is not None and not panels:
        for p in found.all():
            try:
                window.controller.snapshot_ready.disconnect(p.show_snapshot)
            except (RuntimeError, TypeError):
                pass
        for key, dock in window.docks.items():
            if key not in ("inspector", "training", "data"):
                dock.close()
    window.show()
    QApplication.processEvents()
    return window


def in_app(app, project, seconds: float, panels: bool = True) -> dict:
    """Full-speed training in the window: probe figures and steps per second."""
    window = open_window(project, panels)
    ctl = window.controller
    arrivals: list[tuple[float, int]] = []
    ctl.snapshot_ready.connect(lambda s: arrivals.append((time.perf_counter(), s.steps))
                               if s.state == "running" else None)
    probe = Probe()
    run_loop(app, 0.5)  # settle: first paint, fit
    idle = Probe()
    idle.start()
    run_loop(app, 1.0)
    idle_stats = idle.stop()
    ctl.set_speed(0)
    t_play = time.perf_counter()
    ctl.play()
    run_loop(app, 0.5)  # warm-up: thread start, first snapshots
    probe.start()
    run_loop(app, seconds)
    stats = probe.stop()
    t_pause = time.perf_counter()
    ctl.pause()
    run_loop(app, 0.3)
    final = ctl.latest
    window.close()
    ctl.shutdown()
    window.deleteLater()
    run_loop(app, 0.1)
    rate = final.steps / (t_pause - t_play) if final is not None else float("nan")
    shown = [t for t, _ in arrivals if t >= t_play + 0.5]
    return {"probe": stats, "idle": idle_stats, "rate": rate, "snapshots": len(arrivals),
            "snapshot_hz": len(shown) / seconds}


def cases():
    from bpstudio.core.presets import initialise, layered_graph, load_preset
    from bpstudio.core.project import Project
    from bpstudio.core.settings import TrainingSettings

    xor = load_preset("xor")
    xor.settings = TrainingSettings(**{**xor.settings.to_dict(), "max_epochs": 0, "target_loss": 0.0})
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-1.0, 0.7, (100, 2)), rng.normal(1.0, 0.7, (100, 2))])
    Y = np.r_[np.zeros(100), np.ones(100)][:, None]
    from bpstudio.core.dataset import Dataset

    g = layered_graph([2, 16, 16, 1], "tanh", "sigmoid")
    s = TrainingSettings(loss="cross_entropy", learning_rate=0.1, init="xavier", seed=1,
                         max_epochs=0).validate()
    initialise(g, s)
    deep = Project(g, Dataset(X, Y, ["X1", "X2"], ["Y"], name="two gaussians"), s, name="2-16-16-1")
    return [("(a) xor preset 2-3-1, 4 samples", xor), ("(b) 2-16-16-1, 200 samples", deep)]


def main(seconds: float = SECONDS) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bpstudio.app import create_app

    app = create_app()
    import pyqtgraph  # noqa: F401  (after PySide6)

    print(f"GUI probe every {TICK * 1000:.0f} ms; {seconds:g} s of full-speed training per case; "
          f"switch interval {sys.getswitchinterval():g} s; targets p99 ≤ {P99_TARGET_MS:g} ms, "
          f"in-app ≥ {RATIO_TARGET:.0%} of headless")
    for name, project in cases():
        print(name)
        for label, panels in (("canvas + controls", False), ("whole window, panels", True)):
            # headless just before and just after, so a busy machine shows in both figures
            before = headless_rate(project, min(seconds, 2.0) / 2)
            r = in_app(app, project, seconds, panels)
            ref = (before + headless_rate(project, min(seconds, 2.0) / 2)) / 2
            p, idle = r["probe"], r["idle"]
            ratio = r["rate"] / ref
            print(f"  {label}")
            print(f"    GUI idle      lateness p50 {idle['p50']:6.2f} ms  p99 {idle['p99']:6.2f} ms  "
                  f"max {idle['max']:6.2f} ms  missed {idle['missed']} of {idle['ticks']}")
            print(f"    GUI training  lateness p50 {p['p50']:6.2f} ms  p99 {p['p99']:6.2f} ms  "
                  f"max {p['max']:6.2f} ms  missed {p['missed']} of {p['ticks']}  "
                  f"[{'ok' if p['p99'] <= P99_TARGET_MS else 'MISSED'}]")
            print(f"    steps/s       in-app {r['rate']:9.0f}  headless {ref:9.0f}  ratio {ratio:5.2f}  "
                  f"[{'ok' if ratio >= RATIO_TARGET else 'MISSED'}]  "
                  f"({r['snapshot_hz']:.1f} snapshots/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS))
