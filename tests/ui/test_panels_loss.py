"""The loss curve holds one point per recorded epoch; restarts, exports, readout, log y."""

import csv

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.presets import load_preset
from bpstudio.training.snapshot import Snapshot, frozen
from bpstudio.ui.panels.demo import DemoRun
from bpstudio.ui.panels.loss import HistoryTable, LossPanel


def _history_snapshot(epochs, losses, test=None, acc=None, total=None):
    e = np.asarray(epochs, dtype=float)
    return Snapshot(epoch=int(e[-1]) if len(e) else 0, steps=0, loss=0.0, state="paused",
                    unit_ids=(), edge_keys=(), weights=frozen(np.zeros(0)), bias_ids=(),
                    biases=frozen(np.zeros(0)), new_epochs=frozen(e), new_losses=frozen(losses),
                    new_test_losses=None if test is None else frozen(test),
                    new_accuracy=None if acc is None else frozen(acc),
                    history_len=len(e) if total is None else total)


def test_one_point_per_recorded_epoch(qtbot):
    run = DemoRun(load_preset("xor"))
    panel = LossPanel()
    qtbot.addWidget(panel)
    for chunk in (1, 7, 30, 2):
        run.run(chunk)
        panel.show_snapshot(run.snapshot())
    x, y = panel.train_curve.xData, panel.train_curve.yData  # all points, not the clipped view
    assert len(x) == len(run.trainer.history) == 40
    assert x.tolist() == [float(e) for e in run.trainer.history_epochs]
    assert np.array_equal(y, np.array(run.trainer.history))
    assert panel.acc_plot.isVisible()  # classification: accuracy shown too (its own visibility flag)
    assert len(panel.acc_curve.xData) == 40


def test_restart_replaces_the_old_history(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(_history_snapshot([1, 2, 3], [3.0, 2.0, 1.0]))
    panel.show_snapshot(_history_snapshot([1, 2], [5.0, 4.0]))  # training started again
    assert panel.table.column("epoch").tolist() == [1, 2]
    assert panel.table.column("train_loss").tolist() == [5.0, 4.0]
    panel.show_snapshot(_history_snapshot([], [], total=0))
    assert len(panel.table) == 0


def test_readout_and_csv(qtbot, tmp_path):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(_history_snapshot([1, 2, 3], [0.5, 0.25, 0.125], test=[0.6, 0.3, 0.2],
                                          acc=[0.5, 0.75, 1.0]))
    assert panel.readout_at(2.4) == "epoch 2  train 0.25  test 0.3  accuracy 75.0%"
    assert panel.readout_at(99) .startswith("epoch 3  train 0.125")
    assert panel.test_curve.yData.tolist() == [0.6, 0.3, 0.2]
    path = tmp_path / "loss.csv"
    panel.export_csv(str(path))
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "train_loss", "test_loss", "accuracy"]
    assert [float(v) for v in rows[2]] == [2, 0.25, 0.3, 0.75]


def test_png_and_svg_export(qtbot, tmp_path):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 300)
    panel.show()
    panel.show_snapshot(_history_snapshot(np.arange(1, 101), np.linspace(1, 0.01, 100)))
    png, svg = tmp_path / "l.png", tmp_path / "l.svg"
    panel.export_png(str(png))
    panel.export_svg(str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_log_y_draws_a_zero_loss(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(_history_snapshot([1, 2, 3], [1.0, 0.1, 0.0]))
    panel.set_log_y(True)
    assert panel.log_y.isChecked()
    y = panel.train_curve.getData()[1]  # what is drawn, in log10
    assert np.all(np.isfinite(y)) and y[1] == pytest.approx(-1.0)  # log10 of 0.1


def test_a_million_epochs_stay_bounded_compact_and_downsampled(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    n, chunk = 1_000_000, 2_000  # snapshots bring a few thousand new epochs at a time
    for start in range(0, n, chunk):
        e = np.arange(start + 1, start + chunk + 1)
        panel.table.append(e, 1.0 / e)
    panel.show_snapshot(_history_snapshot([n + 1], [1.0 / (n + 1)], total=n + 1))
    t = panel.table
    assert t.cap // 2 <= len(t) <= t.cap == 250_000
    assert t.nbytes <= 16 * (t.cap + 4096)  # int64 epoch + float64 loss a row: ~4 MB, no lists
    assert t.column("epoch").dtype == np.int64 and t.column("train_loss").dtype == np.float64
    e = t.column("epoch")
    assert e[0] == 1 and e[-1] == n + 1 and np.all(np.diff(e) > 0)
    assert np.all(np.diff(e[-1000:]) == 1)  # the recent past is kept in full
    assert panel.train_curve.opts["autoDownsample"] and panel.train_curve.opts["clipToView"]
    assert panel.train_curve.opts["downsampleMethod"] == "peak"
    # the whole run is drawn, with about two points per pixel, keeping the extremes
    width = int(panel.plot.vb.width()) or 1000
    assert panel.drawn <= 2 * max(width, 16) + 2 * (len(t) // max(width, 16))
    x, y = panel.train_curve.xData, panel.train_curve.yData
    assert x[0] == 1 and x[-1] == n + 1 and y.max() == 1.0 and y.min() == pytest.approx(1.0 / (n + 1))
    # zooming into the recent past brings back every epoch of the range
    panel.plot.vb.setXRange(n - 100, n, padding=0)
    panel.refresh()
    x = panel.train_curve.xData
    assert x[0] <= n - 100 and x[-1] >= n and np.all(np.diff(x) == 1)


def test_a_big_append_is_thinned_below_the_cap_at_once():
    t = HistoryTable(cap=1000)
    t.append(np.arange(1, 10_001), np.ones(10_000), test=np.full(10_000, 0.5))
    assert len(t) <= 1000 and t.column("epoch")[0] == 1 and t.column("epoch")[-1] == 10_000
    assert len(t.points("test_loss")[0]) <= 1000


def test_peak_decimation_keeps_spikes():
    from bpstudio.ui.panels.loss import peak_decimate
    x = np.arange(1, 100_001, dtype=float)
    y = 1 / x
    y[54_321] = 7.0
    xd, (yd,) = peak_decimate(x, [y], 1, 100_000, 500)
    assert len(xd) <= 1100 and yd.max() == 7.0 and yd.min() == y.min()
    xs, (ys,) = peak_decimate(x, [y], 10, 20, 500)  # few rows: returned as they are
    assert xs.tolist() == list(range(9, 22)) and np.array_equal(ys, y[8:21])


def test_history_table_thins_past_its_cap():
    t = HistoryTable(capacity=4, cap=10)
    t.append(np.arange(1, 12), np.ones(11))
    assert len(t) <= 10 and t.column("epoch")[-1] == 11
    assert np.all(np.diff(t.column("epoch")) > 0)


def test_running_snapshots_redraw_at_most_ten_times_a_second(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    from dataclasses import replace
    panel.show_snapshot(replace(_history_snapshot([1, 2], [1.0, 0.5]), state="running"))
    assert len(panel.table) == 2
    assert panel.train_curve.xData is None or len(panel.train_curve.xData) == 0  # not yet drawn
    qtbot.waitUntil(lambda: panel.train_curve.xData is not None and len(panel.train_curve.xData) == 2,
                    timeout=2000)
    panel.show_snapshot(_history_snapshot([3], [0.25], total=3))  # a quiet snapshot: drawn now
    assert panel.train_curve.xData.tolist() == [1, 2, 3]


def test_a_gap_switches_the_curve_to_finite_connection():
    t = HistoryTable()
    t.append([1, 2], [1.0, 0.5], test=[0.5, 0.4])
    assert t.all_finite("train_loss") and t.all_finite("test_loss") and not t.all_finite("accuracy")
    t.append([3], [np.inf])
    assert not t.all_finite("train_loss")
    t.append([3], [0.1])  # the diverged epoch replaced by a restart
    assert t.all_finite("train_loss")


def test_sparse_test_loss_and_accuracy_are_joined(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    nan = np.nan
    panel.show_snapshot(_history_snapshot([1, 2, 3, 4], [4.0, 3.0, 2.0, 1.0],
                                          test=[nan, 3.5, nan, 1.5], acc=[nan, 0.5, nan, 1.0]))
    assert panel.test_curve.xData.tolist() == [2, 4] and panel.test_curve.yData.tolist() == [3.5, 1.5]
    assert panel.acc_curve.xData.tolist() == [2, 4]
    assert panel.train_curve.xData.tolist() == [1, 2, 3, 4]


def test_sparse_columns_keep_only_measured_points_and_restart_cleanly():
    t = HistoryTable()
    nan = np.nan
    t.append([1, 2, 3, 4], [4.0, 3.0, 2.0, 1.0], test=[nan, 3.5, nan, 1.5])
    assert t.points("test_loss")[0].tolist() == [2, 4]
    assert np.isnan(t.column("test_loss")).tolist() == [True, False, True, False]
    assert t.row(1) == (2, 3.0, 3.5, t.row(1)[3]) and np.isnan(t.row(1)[3])
    t.append([3], [9.0], test=[8.0])  # restart at epoch 3: the old 3 and 4 go, in every column
    assert t.column("epoch").tolist() == [1, 2, 3] and t.points("test_loss")[1].tolist() == [3.5, 8.0]


def test_no_test_rows_no_test_entry_in_the_legend(qtbot):
    panel = LossPanel()
    qtbot.addWidget(panel)
    names = lambda: [label.text for _, label in panel.legend.items]  # noqa: E731
    panel.show_snapshot(_history_snapshot([1, 2], [1.0, 0.5]))
    assert names() == ["train"]
    panel.show_snapshot(_history_snapshot([3], [0.25], test=[0.3], total=3))
    assert names() == ["train", "test"]
    panel.clear()
    assert names() == ["train"]


def test_history_reset_flag_starts_afresh(qtbot):
    from dataclasses import replace
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.show_snapshot(_history_snapshot([1, 2, 3], [3.0, 2.0, 1.0]))
    panel.show_snapshot(replace(_history_snapshot([5, 6], [9.0, 8.0]), history_reset=True))
    assert panel.table.column("epoch").tolist() == [5, 6]
    # stepping back over an epoch end: the whole (shorter) history comes again, no duplicates
    panel.show_snapshot(replace(_history_snapshot([5], [9.0], total=1), history_reset=True))
    assert panel.table.column("epoch").tolist() == [5] and panel.train_curve.xData.tolist() == [5]
    panel.show_snapshot(replace(_history_snapshot([], [], total=0), history_reset=True))
    drawn = panel.train_curve.xData
    assert len(panel.table) == 0 and (drawn is None or len(drawn) == 0)
