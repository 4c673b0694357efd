"""Soak: 10⁶ training steps with the window open; memory must stay flat and the loss history bounded.

The article's network (identity units, loss settles at 0.125, so nothing stops early) trains in
batch mode, one step per epoch, through the real window, controller, worker thread and loss panel,
until the session's ``max_epochs`` = 10⁶ ends it. Resident memory is sampled from /proc; the
baseline is taken after a warm-up, so start-up allocations do not count. Printed: steps per second,
RSS at the baseline, peak and end (target: ≤ +20 MB), the loss panel's rows and the snapshots seen.
A 10 ms QTimer probe in the real event loop prints the p99 and worst gaps between its ticks. No pass/fail
assertion on time; the memory figure is compared with the target and flagged.

``python -m benchmarks soak`` (offscreen), or ``python -m benchmarks.bench_soak [steps]``.
"""

from __future__ import annotations

import gc
import os
import sys
import time

STEPS = 1_000_000
WARMUP = 20_000
TARGET_MB = 20.0


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _wait(controller, goal: int, timeout: float, probe: list, rss: list,
          marks: dict | None = None) -> float:
    """Run the real event loop until ``goal`` steps are reached (or training ends); returns seconds.

    A 10 ms QTimer probe records the gap between its ticks (how late the GUI thread was), samples
    the RSS every 2 s, and ``marks`` the RSS when the step count first passes each tenth of ``goal``.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    start = time.perf_counter()
    last = [start]

    def tick() -> None:
        now = time.perf_counter()
        probe.append(now - last[0])
        last[0] = now
        if len(probe) % 200 == 0:
            rss.append(rss_mb())
        snap = controller.latest
        if snap is not None and marks is not None:
            tenth = min(10, snap.steps * 10 // max(goal, 1))
            if tenth and tenth not in marks:
                marks[tenth] = rss_mb()
        done = snap is not None and (snap.steps >= goal or snap.state in ("finished", "diverged"))
        if done or now - start > timeout:
            loop.quit()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    loop.exec()
    timer.stop()
    return time.perf_counter() - start


def run(steps: int = STEPS, timeout: float = 3600.0) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import pyqtgraph  # noqa: F401  (after PySide6)

    from bpstudio.core.presets import load_preset
    from bpstudio.core.settings import TrainingSettings
    from bpstudio.training.controller import TrainingController
    from bpstudio.ui.main_window import MainWindow
    from bpstudio.ui.panels.loss import LossPanel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow()
    document = window.document
    project = load_preset("article-xor")
    document.replace_project(project)
    settings = TrainingSettings(**{**project.settings.to_dict(), "max_epochs": steps, "target_loss": 0.0})
    document.set_settings(settings)
    controller = getattr(window, "controller", None)
    own_panel = None
    if controller is None:  # a window without its controller yet: make one, feed the window's panels
        controller = TrainingController(document, window)
        panels = getattr(window, "panels", None)
        if panels is not None:
            panels.connect_controller(controller)
        else:
            own_panel = LossPanel()
            window.add_dock("soak-loss", "Loss", own_panel)
            controller.snapshot_ready.connect(own_panel.show_snapshot)
    panels = window.findChildren(LossPanel)
    window.show()
    app.processEvents()

    probe: list[float] = []
    rss: list[float] = []
    controller.set_speed(0)
    controller.play()
    _wait(controller, min(WARMUP, steps), timeout, [], [])
    gc.collect()
    base = rss_mb()
    base_steps = controller.latest.steps if controller.latest else 0
    marks: dict[int, float] = {}
    seconds = _wait(controller, steps, timeout, probe, rss, marks)
    for _ in range(50):  # let the final snapshot arrive
        app.processEvents()
        time.sleep(0.01)
    gc.collect()
    end = rss_mb()
    snap = controller.latest
    done = snap.steps if snap else 0
    result = {
        "steps": done,
        "state": snap.state if snap else "none",
        "seconds": seconds,
        "steps_per_s": (done - base_steps) / seconds if seconds > 0 else 0.0,
        "rss_base": base,
        "rss_peak": max(rss + [end]),
        "rss_end": end,
        "rss_marks": marks,
        "loss": snap.loss if snap else float("nan"),
        "history_len": snap.history_len if snap else 0,
        "panel_rows": [len(p.table) for p in panels],
        "panel_buffer_mb": [getattr(p.table, "nbytes", 0) / 2**20 for p in panels],
        "worst_tick_ms": 1000 * max(probe) if probe else 0.0,
        "p99_tick_ms": 1000 * sorted(probe)[int(0.99 * (len(probe) - 1))] if probe else 0.0,
    }
    controller.shutdown(5000)
    window.document.set_modified(False)
    window.close()
    if own_panel is not None:
        own_panel.deleteLater()
    return result


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    steps = int(argv[0]) if argv and argv[0].isdigit() else STEPS  # "python -m benchmarks soak" passes "soak"
    r = run(steps)
    growth = r["rss_end"] - r["rss_base"]
    print(f"soak: {r['steps']:,} steps ({r['state']}) in {r['seconds']:.1f} s = {r['steps_per_s']:,.0f} steps/s")
    print(f"  final loss {r['loss']:.6g} (identity XOR settles at 0.125)")
    print(f"  RSS after warm-up {r['rss_base']:.1f} MB, peak {r['rss_peak']:.1f} MB, end {r['rss_end']:.1f} MB: "
          f"growth {growth:+.1f} MB (target ≤ +{TARGET_MB:.0f} MB) -> {'OK' if growth <= TARGET_MB else 'OVER'}")
    print("  RSS by progress: " + ", ".join(f"{10 * k}% {v:.1f}" for k, v in sorted(r["rss_marks"].items()))
          + " MB")
    print(f"  loss history: worker {r['history_len']:,} points; loss panel rows {r['panel_rows']}, "
          f"buffer {', '.join(f'{m:.1f}' for m in r['panel_buffer_mb'])} MB")
    print(f"  GUI 10 ms probe: p99 gap {r['p99_tick_ms']:.1f} ms, worst {r['worst_tick_ms']:.1f} ms")


if __name__ == "__main__":
    main()
