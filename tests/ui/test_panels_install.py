"""The panels in the real window, fed by the real training controller through its worker thread."""

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.presets import load_preset
from bpstudio.training.controller import TrainingController
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow

WAIT = 10_000  # ms, generous on a loaded machine; nothing is timed


@pytest.fixture
def studio(qtbot):
    made = []

    def build(preset="article-xor"):
        window = MainWindow(Document(load_preset(preset)))
        qtbot.addWidget(window)
        ctl = getattr(window, "controller", None) or TrainingController(window.document, window)
        window.panels.connect_controller(ctl)
        window.show()
        qtbot.waitExposed(window)
        made.append(ctl)
        return window, ctl

    yield build
    for ctl in made:
        assert ctl.shutdown(), "the training thread did not stop"


def test_window_has_the_panel_docks(studio, qtbot):
    window, _ = studio()
    for key in ("loss", "deltas", "arithmetic", "gradients", "boundary"):
        assert key in window.docks
        assert window.docks[key].toggleViewAction() in window.menus["View"].actions()
    # the diagnostics: a banner over the canvas, at its top, inside the view
    banner = window.panels.banner
    assert window.panels.diagnostics.kinds() == ["symmetric", "linear"]
    assert banner.isVisible() and banner.parentWidget() is window.view
    assert banner.geometry().top() == 8 and banner.geometry().right() <= window.view.width()
    banner.dismiss()
    assert not banner.isVisible()
    window.panels.diagnostics.reinitialise(seed=4)  # the findings change: it comes back
    qtbot.waitUntil(lambda: window.panels.diagnostics.kinds() == ["linear"], timeout=WAIT)
    assert banner.isVisible()
    # the delta legend sits in the canvas's bottom-left corner
    assert window.panels.legend.parentWidget() is window.view


def test_a_step_through_the_worker_reaches_every_panel(studio, qtbot):
    window, ctl = studio()
    window.docks["arithmetic"].raise_()
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.steps >= 1 and s.delta is not None) as blocker:
        ctl.step("batch")  # a traced step (an epoch step pauses with a preview of the next)
    snap = blocker.args[0]
    p = window.panels
    d0 = window.document.graph.find("D0").id
    qtbot.waitUntil(lambda: np.isfinite(p.deltas.bar_values().get(d0, np.nan)), timeout=WAIT)
    assert p.deltas.bar_values()[d0] == 4.0 == window.scene.nodes[d0].value
    qtbot.waitUntil(lambda: p.arithmetic.title.text().startswith("Step 1"), timeout=WAIT)
    text = p.arithmetic.plain_text()
    assert "delta_D0 = (y_hat - y) . f'(a) = (4 - 0) . 1 = 4" in text
    assert "= 0.6" in text and "1.4" not in text
    assert len(p.loss.table) == snap.history_len >= 1
    assert p.gradients.history.n >= 1
    assert p.boundary.grid is not None
    want = np.asarray(snap.boundary)
    assert np.array_equal(p.boundary.image.image, want)
    assert p.arithmetic.title.text().startswith("Step 1")
    # an epoch step ends with a preview of the next step, and the panel says so
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.steps >= 2 and s.state != "running") as blocker:
        ctl.step("epoch")
    preview = blocker.args[0]
    qtbot.waitUntil(lambda: p.arithmetic.title.text().startswith("Preview"), timeout=WAIT)
    want = preview.delta[0, preview.unit_ids.index(d0)]  # D0 at the new weights, sample 1
    assert p.deltas.bar_values()[d0] == want == window.scene.nodes[d0].value
    assert "delta_D0 = (y_hat - y)" in p.arithmetic.plain_text()
    # selecting an edge on the canvas highlights its arithmetic
    z1 = window.document.graph.find("Z1").id
    window.scene.select((z1, d0))
    assert p.arithmetic.selected == (z1, d0)
    assert any(t.startswith("dE/dV01 = mean(Z_Z1 . delta_D0)") for t in p.arithmetic.highlighted_text())


def test_walking_a_step_phase_by_phase_lights_the_error_flowing_back(studio, qtbot):
    window, ctl = studio()
    p = window.panels
    g = window.document.graph
    d0, z1 = g.find("D0").id, g.find("Z1").id
    seen = {}
    for _ in range(5):  # forward hidden, forward output, loss, backward output, backward hidden
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                              check_params_cb=lambda s: s.phase is not None) as blocker:
            ctl.step("phase")
        snap = blocker.args[0]
        qtbot.waitUntil(lambda snap=snap: p.deltas.status.text().endswith(snap.phase.label), timeout=WAIT)
        seen[snap.phase.label] = (dict(p.deltas.bar_values()), window.scene.nodes[z1].value,
                                  window.scene.highlighted_depth, p.arithmetic.plain_text())
    bars, z1_value, lit, text = seen["forward output"]
    # the forward pass lights values z on the canvas (Z1 = 1 on sample 0); the delta bars stay empty
    assert all(np.isnan(v) for v in bars.values()) and z1_value == 1.0
    assert "Unit D0: h(x)" in text and "delta_D0" not in text
    bars, z1_value, lit, text = seen["backward output"]
    assert bars[d0] == 4.0 and np.isnan(bars[z1]) and z1_value is None and lit == 2
    assert "delta_D0 = (y_hat - y) . f'(a) = (4 - 0) . 1 = 4" in text and "delta_Z1" not in text
    bars, z1_value, lit, text = seen["backward hidden"]
    assert bars[z1] == 4.0 == z1_value and lit == 1
    assert "delta_Z1 = V1 . delta_D0 . f'(a) = 1 . 4 . 1 = 4" in text and "Updates" not in text


def test_the_first_screen_shows_the_next_step_and_a_new_project_starts_afresh(studio, qtbot):
    window, ctl = studio()
    p = window.panels
    qtbot.waitUntil(lambda: p.arithmetic.recalled is not None, timeout=WAIT)
    title, text = p.arithmetic.title.text(), p.arithmetic.plain_text()
    assert "Preview of the next step" in title and "nothing applied yet" in title
    assert p.arithmetic.context.text().startswith("Batch mode: a step uses all 4 samples")
    assert "Unit Z1: h(x) = W0.X0 + W1.X1 + W2.X2 = 1 . 1 + 1 . 0 + 1 . 0 = 1" in text
    assert "= 0.6" in text and "1.4" not in text
    assert not p.deltas.hint.isHidden() and [window.document.graph.nodes[u].name for u in p.deltas.ids] \
        == ["Z1", "Z2", "Z3", "D0"]
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT, check_params_cb=lambda s: s.steps >= 1):
        ctl.step("batch")
    qtbot.waitUntil(lambda: p.deltas.hint.isHidden(), timeout=WAIT)
    window.document.set_modified(False)
    window.load_preset("xor")  # tanh hidden units, sigmoid output, random weights
    qtbot.waitUntil(lambda: not p.deltas.hint.isHidden() and p.deltas._heat_steps == [], timeout=WAIT)
    qtbot.waitUntil(lambda: p.arithmetic.title.text().startswith("Preview of the next step"), timeout=WAIT)
    assert "tanh" in p.arithmetic.plain_text() or "sigmoid" in p.arithmetic.plain_text()
