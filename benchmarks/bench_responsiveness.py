"""GUI responsiveness while training runs at full speed on the worker thread.

With the main window open (canvas, training controls and, when installed, the panels), training
runs as fast as it can on (a) the xor preset and (b) a 2-16-16-1 tanh network on 200 samples of two
Gaussians. A 10 ms QTimer probe on the GUI thread records how late each tick is (p50/p99/max) and
how many ticks were missed; the in-app training speed (steps/s from the snapshots) is compared
with the headless engine (``Trainer.step`` in a loop) measured in the same run.
Targets: p99 lateness ≤ 16 ms; in-app ≥ 70 % of headless. No assertion: figures are printed.

The machine is shared (2 cores), so every configuration runs ``REPEAT`` times, each run's figures
and the load average are printed, then the medians. The first whole-window run of each case also
prints where the GUI thread's time went: each ``snapshot_ready`` slot, each panel's throttled
redraws (and those put off because the panel was hidden), and how long the worker waited for the
GUI (the GUI-first gate, :mod:`bpstudio.training.gate`).

``python -m benchmarks responsiveness`` (offscreen) or
``python -m benchmarks.bench_responsiveness [seconds] [repeat]``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

SECONDS = 4.0
REPEAT = 3
TICK = 0.010
P99_TARGET_MS = 16.0
RATIO_TARGET = 0.70


def headless_rate(project, seconds: float, cpu: list | None = None) -> float:
    """Trainer.step in a loop on a copy of the project: steps per second (``cpu``: the loop's
    steps per CPU-second is appended)."""
    from bpstudio.core.engine import Engine
    from bpstudio.core.trainer import Trainer

    p = project.copy()
    trainer = Trainer(Engine(p.graph, p.settings.loss), p.dataset, p.settings)
    step = trainer.step
    for _ in range(200):  # warm-up
        step()
    n, start, cpu0 = 0, time.perf_counter(), time.thread_time()
    while True:
        for _ in range(100):
            step()
        n += 100
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            if cpu is not None:
                cpu.append(n / max(time.thread_time() - cpu0, 1e-9))
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


class SlotTimes:
    """Times every ``snapshot_ready`` receiver of the window (re-connected through a wrapper)."""

    def __init__(self, window) -> None:
        ctl, controls = window.controller, window.train_controls
        found = [("status bar (controls)", controls.show_snapshot),
                 ("canvas weights", controls.canvas_weights.show_snapshot)]
        panels = getattr(window, "panels", None)
        if panels is not None:
            found += [(type(p).__name__, p.show_snapshot) for p in panels.all()]
        self.times: dict[str, list[float]] = {}
        self.recording = False
        for label, slot in found:
            try:
                ctl.snapshot_ready.disconnect(slot)
            except (RuntimeError, TypeError):
                continue  # not connected (panels closed)
            ctl.snapshot_ready.connect(self._wrap(label, slot))
        self.redraws = self._redraws(window)

    def _wrap(self, label: str, slot):
        times = self.times.setdefault(label, [])

        def timed(snap) -> None:
            t0 = time.perf_counter()
            slot(snap)
            if self.recording:
                times.append(time.perf_counter() - t0)
        return timed

    @staticmethod
    def _redraws(window) -> dict:
        try:
            from bpstudio.ui.panels.throttle import Redraw
        except ImportError:
            return {}
        return {type(r.parent()).__name__: r for r in window.findChildren(Redraw)}

    def start(self) -> None:
        self.recording = True
        self.base = {k: (r.draws, r.draw_time, r.skipped) for k, r in self.redraws.items()}

    def stop(self) -> None:
        self.recording = False
        self.redraw_stats = {k: (r.draws - self.base[k][0], r.draw_time - self.base[k][1],
                                 r.skipped - self.base[k][2]) for k, r in self.redraws.items()}

    def report(self, seconds: float) -> list[str]:
        lines = [f"      {'snapshot slot':26s} {'calls':>5s} {'mean ms':>8s} {'p99 ms':>7s} "
                 f"{'max ms':>7s} {'share of GUI':>12s}"]
        for label, ts in self.times.items():
            if ts:
                t = np.asarray(ts) * 1000.0
                lines.append(f"      {label:26s} {len(t):5d} {t.mean():8.3f} {np.percentile(t, 99):7.2f} "
                             f"{t.max():7.2f} {t.sum() / 10 / seconds:11.2f}%")
        for label, (n, total, skipped) in self.redraw_stats.items():
            mean = 1000.0 * total / n if n else 0.0
            lines.append(f"      {'redraw ' + label:26s} {n:5d} {mean:8.3f} {'':>7s} {'':>7s} "
                         f"{100.0 * total / seconds:11.2f}%  (put off while hidden: {skipped})")
        return lines


def in_app(app, project, seconds: float, panels: bool = True, profile: bool = False) -> dict:
    """Full-speed training in the window: probe figures and steps per second (``profile``: also
    the per-slot table of the GUI thread's time)."""
    window = open_window(project, panels)
    ctl = window.controller
    slots = SlotTimes(window) if profile else None
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
    gate = getattr(ctl._worker, "gate", None)
    waits0 = (gate.waits, gate.waited) if gate is not None else (0, 0.0)
    if slots is not None:
        slots.start()
    cpu0, gui0, wall0 = time.process_time(), time.thread_time(), time.perf_counter()
    probe.start()
    run_loop(app, seconds)
    stats = probe.stop()
    wall = time.perf_counter() - wall0
    gui_cpu = (time.thread_time() - gui0) / wall  # this (the GUI) thread's share of one core
    other_cpu = (time.process_time() - cpu0) / wall - gui_cpu  # the worker (and Qt's helpers)
    if slots is not None:
        slots.stop()
    waited = ((gate.waits - waits0[0], gate.waited - waits0[1]) if gate is not None else None)
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
    window = [(t, n) for t, n in arrivals if wall0 <= t <= wall0 + wall]
    probe_rate = ((window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])
                  if len(window) > 1 and window[-1][0] > window[0][0] else float("nan"))
    return {"probe": stats, "idle": idle_stats, "rate": rate, "snapshots": len(arrivals),
            "snapshot_hz": len(shown) / seconds, "slots": slots, "waited": waited,
            "cpu": (gui_cpu, other_cpu), "per_cpu": probe_rate / max(other_cpu, 1e-9)}


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


def load() -> str:
    """The machine's load average (1 min) and core count: the bench shares them."""
    try:
        return f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    except OSError:  # pragma: no cover - not on every platform
        return "load unknown"


def run_once(app, project, seconds: float, panels: bool, profile: bool) -> dict:
    """One in-app run between two headless measurements (a busy machine shows in both)."""
    per_cpu: list[float] = []
    before = headless_rate(project, min(seconds, 2.0) / 2, per_cpu)
    r = in_app(app, project, seconds, panels, profile)
    r["headless"] = (before + headless_rate(project, min(seconds, 2.0) / 2, per_cpu)) / 2
    r["ratio"] = r["rate"] / r["headless"]
    # steps per CPU-second of the worker against the headless loop's: how much of the ratio is
    # lost in the app itself rather than to other programs taking the cores
    r["cpu_ratio"] = r["per_cpu"] / float(np.mean(per_cpu))
    r["load"] = load()
    return r


def show_run(i: int, r: dict, seconds: float) -> None:
    p = r["probe"]
    waited = r["waited"]
    wait_text = (f"; worker waited for the GUI {waited[0]} times, {1000 * waited[1]:.0f} ms"
                 if waited else "")
    print(f"    run {i + 1}: lateness p50 {p['p50']:6.2f}  p99 {p['p99']:6.2f}  max {p['max']:7.2f} ms  "
          f"missed {p['missed']:3d} of {p['ticks']};  steps/s {r['rate']:7.0f} vs headless "
          f"{r['headless']:7.0f} = {r['ratio']:4.2f};  {r['snapshot_hz']:4.1f} snapshots/s;  "
          f"CPU: GUI thread {r['cpu'][0]:.0%}, worker {r['cpu'][1]:.0%} of a core, its steps per "
          f"CPU-second {r['cpu_ratio']:.2f} of headless's;  "
          f"{r['load']}{wait_text}")
    if r["slots"] is not None:
        print("      GUI thread time while training (this run):")
        print("\n".join(r["slots"].report(seconds)))


def show_medians(runs: list[dict]) -> None:
    med = lambda xs: float(np.median(xs))  # noqa: E731
    p99 = med([r["probe"]["p99"] for r in runs])
    ratio = med([r["ratio"] for r in runs])
    idle = med([r["idle"]["p99"] for r in runs])
    print(f"    median of {len(runs)}: lateness p50 {med([r['probe']['p50'] for r in runs]):.2f}  "
          f"p99 {p99:.2f}  max {med([r['probe']['max'] for r in runs]):.2f} ms "
          f"[{'ok' if p99 <= P99_TARGET_MS else 'MISSED'}];  in-app {ratio:.2f} of headless "
          f"({med([r['rate'] for r in runs]):.0f} vs {med([r['headless'] for r in runs]):.0f} steps/s) "
          f"[{'ok' if ratio >= RATIO_TARGET else 'MISSED'}];  per CPU-second "
          f"{med([r['cpu_ratio'] for r in runs]):.2f};  GUI idle p99 {idle:.2f} ms")


def main(seconds: float = SECONDS, repeat: int = REPEAT) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bpstudio.app import create_app

    app = create_app()
    import pyqtgraph  # noqa: F401  (after PySide6)

    print(f"GUI probe every {TICK * 1000:.0f} ms; {seconds:g} s of full-speed training per run, "
          f"{repeat} runs per configuration; switch interval {sys.getswitchinterval():g} s; "
          f"targets p99 ≤ {P99_TARGET_MS:g} ms, in-app ≥ {RATIO_TARGET:.0%} of headless; {load()}")
    for name, project in cases():
        print(name)
        for label, panels in (("canvas + controls", False), ("whole window, panels", True)):
            print(f"  {label}")
            runs = []
            for i in range(repeat):
                runs.append(run_once(app, project, seconds, panels, profile=panels and i == 0))
                show_run(i, runs[-1], seconds)
            show_medians(runs)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    raise SystemExit(main(float(args[0]) if args else SECONDS, int(args[1]) if len(args) > 1 else REPEAT))
