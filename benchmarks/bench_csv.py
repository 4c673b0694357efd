"""Importing a 100,000-row CSV: time and peak memory against numpy's loadtxt, and GUI health.

1. ``csv_import.parse`` (sniff, row/column checks, standardisation, sha256) against
   ``np.loadtxt`` on the same file (no checks): minimum of a few alternating rounds, and the ratio.
2. Peak traced memory of each (tracemalloc), against the final arrays' size.
3. The import dialog's worker thread on the same file while a 10 ms QTimer probe runs in the GUI
   thread: tick gaps (p50 / p99 / max) show whether the window stays responsive.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from bpstudio.core import csv_import

ROWS = 100_000
COLUMNS = ["x1", "x2", "x3", "label", "y"]


def write_file(path: Path, rows: int = ROWS, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (rows, 3))
    y = (X.sum(axis=1) > 0).astype(int)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        for i in range(rows):
            a, b, c = X[i]
            fh.write(f"{a:.6f},{b:.6f},{c:.6f},s{i},{y[i]}\n")


def ours(path: Path):
    return csv_import.parse(path, ["x1", "x2", "x3"], ["y"], standardise=True).dataset


def reference(path: Path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1, 2, 4))
    return data[:, :3], data[:, 3:]


def timed(fn, path: Path) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn(path)
    return time.perf_counter() - t0


def peak_mb(fn, path: Path) -> float:
    gc.collect()
    tracemalloc.start()
    fn(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def gui_probe(path: Path, switch_interval: float | None) -> tuple[float, float, float, float]:
    """(import seconds, p50, p99, max tick gap in ms) for the dialog's threaded import."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.csv_dialog import CsvImportDialog

    app = QApplication.instance() or QApplication([])
    old = sys.getswitchinterval()
    if switch_interval is not None:
        sys.setswitchinterval(switch_interval)
    dialog = CsvImportDialog(None, str(path))
    dialog.standardise.setChecked(True)
    # the dialog's own choice: numeric columns in, the last numeric column (y) out
    assert dialog.checked(dialog.inputs) == [0, 1, 2] and dialog.checked(dialog.targets) == [4]
    clock = QElapsedTimer()
    gaps: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps.append(now - last[0])
        last[0] = now

    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(tick)
    clock.start()
    probe.start()
    t0 = time.perf_counter()
    dialog.start_import()
    while dialog.running:
        app.processEvents()
        time.sleep(0.001)
    seconds = time.perf_counter() - t0
    probe.stop()
    ok = dialog.result_ is not None and dialog.result_.dataset.n_samples == ROWS
    dialog.deleteLater()
    app.processEvents()
    sys.setswitchinterval(old)
    if not ok:
        raise RuntimeError(f"the threaded import failed: {dialog.status.text()}")
    g = np.array(gaps[1:] or [0.0])
    return seconds, float(np.percentile(g, 50)), float(np.percentile(g, 99)), float(g.max())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        write_file(path)
        size = path.stat().st_size / 1e6
        ds = ours(path)
        X, Y = reference(path)
        raw = csv_import.parse(path, ["x1", "x2", "x3"], ["y"]).dataset
        assert np.allclose(raw.X, X) and np.array_equal(ds.Y, Y), "numbers differ from loadtxt"
        t_ours, t_ref = [], []
        for _ in range(3):  # alternate so that load from other processes hits both alike
            t_ours.append(timed(ours, path))
            t_ref.append(timed(reference, path))
        a, b = min(t_ours), min(t_ref)
        print(f"file: {ROWS:,} rows × {len(COLUMNS)} columns, {size:.1f} MB")
        print(f"parse (checks + standardise + sha256): {a * 1e3:8.1f} ms  ({ROWS / a:,.0f} rows/s)")
        print(f"np.loadtxt reference (no checks):      {b * 1e3:8.1f} ms")
        print(f"ratio ours / reference: {a / b:.2f}")
        final = (ds.X.nbytes + ds.Y.nbytes) / 1e6
        m_ours, m_ref = peak_mb(ours, path), peak_mb(reference, path)
        print(f"peak traced memory: ours {m_ours:.1f} MB, loadtxt {m_ref:.1f} MB, "
              f"final arrays {final:.1f} MB (ours / final {m_ours / final:.1f}×)")
        for label, interval in (("default switch interval", None), ("switch interval 1e-4 (app)", 1e-4)):
            secs, p50, p99, worst = gui_probe(path, interval)
            print(f"threaded import, {label}: {secs * 1e3:.0f} ms; GUI 10 ms tick gaps "
                  f"p50 {p50:.1f} / p99 {p99:.1f} / max {worst:.1f} ms")


if __name__ == "__main__":
    main()
