"""A saved project reopens where it stopped: the loss panel shows its saved curve at once, and the
next epoch is number N+1, appended to that curve (and to the history saved next)."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core import fileformat
from bpstudio.core.engine import Engine
from bpstudio.core.presets import load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trainer import Trainer

WAIT = 20_000  # ms; generous for a loaded machine (no timing is asserted)
N = 5


@pytest.fixture
def windows(qtbot):
    from bpstudio.ui.main_window import MainWindow

    made = []

    def make():
        w = MainWindow()
        qtbot.addWidget(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.file_actions.autosaver.stop()
        w.document.set_modified(False)
        assert w.controller.shutdown()


def step_epoch(qtbot, w, epoch: int):
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.epoch == epoch and s.state != "running") as b:
        w.controller.step("epoch")
    return b.args[0]


def xor_without_limits():
    p = load_preset("xor")
    p.settings = TrainingSettings(**{**p.settings.to_dict(), "max_epochs": 0, "target_loss": 0.0})
    return p


def test_a_reopened_project_shows_its_curve_and_goes_on_at_epoch_n_plus_1(windows, qtbot, tmp_path):
    w = windows()
    w.document.replace_project(xor_without_limits())
    for k in range(1, N + 1):
        step_epoch(qtbot, w, k)
    table = w.panels.loss.table
    epochs, losses = table.column("epoch").copy(), table.column("train_loss").copy()
    assert epochs.tolist() == list(range(1, N + 1))
    path = tmp_path / "trained.bpstudio"
    assert w.file_actions.save_as(str(path))
    saved = fileformat.load(path)
    assert saved.epoch == N and saved.loss_history == losses.tolist()

    again = windows()
    panel = again.panels.loss
    with qtbot.waitSignal(again.controller.snapshot_ready, timeout=WAIT) as b:
        assert again.file_actions.load(str(path))
    first = b.args[0]
    # the file's latest checkpoint (format version 2) brings the step count and optimiser state too
    assert first.history_reset and first.epoch == N and first.steps == N
    assert panel.table.column("epoch").tolist() == epochs.tolist()
    assert panel.table.column("train_loss").tolist() == losses.tolist()  # exact, as saved
    assert not again.document.modified  # opening is not work

    snap = step_epoch(qtbot, again, N + 1)
    # the same epoch trained headless from the saved weights (batch gradient descent: no state)
    trainer = Trainer(Engine(saved.graph.copy(), saved.settings.loss), saved.dataset, saved.settings)
    expected = trainer.run_epoch()
    assert snap.new_epochs.tolist() == [N + 1] and snap.new_losses[0] == expected
    assert panel.table.column("epoch").tolist() == list(range(1, N + 2))
    assert np.array_equal(panel.table.column("train_loss")[:N], losses)
    assert panel.table.column("train_loss")[N] == expected

    assert again.file_actions.save_as(str(tmp_path / "again.bpstudio"))
    resaved = fileformat.load(tmp_path / "again.bpstudio")
    assert resaved.epoch == N + 1 and resaved.loss_history == losses.tolist() + [expected]


def test_a_project_without_history_starts_at_epoch_zero(windows, qtbot, tmp_path):
    fileformat.save(xor_without_limits(), tmp_path / "fresh.bpstudio")
    w = windows()
    assert w.file_actions.load(str(tmp_path / "fresh.bpstudio"))
    assert len(w.panels.loss.table) == 0
    snap = step_epoch(qtbot, w, 1)
    assert snap.epoch == 1 and snap.new_epochs.tolist() == [1]
    assert w.panels.loss.table.column("epoch").tolist() == [1]


def test_reset_weights_after_reopening_saves_epoch_zero_and_no_history(windows, qtbot, tmp_path):
    p = xor_without_limits()
    p.epoch, p.loss_history = 3, [0.7, 0.6, 0.5]
    p.graph.set_weights({next(iter(p.graph.edges)): 2.5}, {})  # stands for trained weights
    fileformat.save(p, tmp_path / "three.bpstudio")
    w = windows()
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=WAIT):
        assert w.file_actions.load(str(tmp_path / "three.bpstudio"))
    assert w.panels.loss.table.column("train_loss").tolist() == [0.7, 0.6, 0.5]
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.epoch == 0):
        w.controller.reset_weights()
    assert len(w.panels.loss.table) == 0
    assert w.file_actions.save_as(str(tmp_path / "reset.bpstudio"))
    reset = fileformat.load(tmp_path / "reset.bpstudio")
    assert reset.epoch == 0 and reset.loss_history == []
    assert reset.graph.snapshot() == xor_without_limits().graph.snapshot()  # seeded init again
