"""A diverged run names AND marks where it broke: the unit or weight is selected on the canvas."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.settings import TrainingSettings
from bpstudio.training.compose import make_snapshot
from bpstudio.training.divergence import culprit
from bpstudio.training.session import DIVERGED, RUNNING, TrainingSession

WAIT = 10_000


def session_of(project, **changes) -> TrainingSession:
    s = TrainingSettings(**{**project.settings.to_dict(), **changes})
    return TrainingSession(project.graph.copy(), project.dataset, s)


def test_culprit_names_a_nan_weight_and_gives_its_edge_key(article):
    e = Engine(article.graph.copy(), "squared_error")
    g = article.graph
    key = (g.find("X2").id, g.find("Z3").id)
    e.theta[e.edge_slots[e.edge_keys.index(key)]] = np.nan
    assert culprit(e, article.dataset.X) == ("the weight X2 → Z3", key)


def test_culprit_names_a_nan_bias_by_its_unit(article):
    e = Engine(article.graph.copy(), "squared_error")
    z2 = article.graph.find("Z2").id
    e.theta[e.bias_slots[e.bias_ids.index(z2)]] = np.inf
    assert culprit(e, article.dataset.X) == ("the bias of Z2", z2)


def test_culprit_names_the_first_unit_that_overflows(article):
    e = Engine(article.graph.copy(), "squared_error")
    e.theta[:] = 1e200  # every Z is 1e200 (finite), D0 = 4e400 overflows
    assert culprit(e, article.dataset.X) == ("the unit D0", article.graph.find("D0").id)


def test_an_exploded_loss_marks_the_largest_weight(article):
    s = session_of(article, learning_rate=10.0)
    assert s.play()
    s.run(budget=1.0)
    assert s.state == DIVERGED
    key = s.non_finite_record
    e = s.engine
    weights = np.abs(e.theta[e.edge_slots])
    assert np.isfinite(weights).all()  # the loss exploded; no weight is NaN yet
    assert weights[e.edge_keys.index(key)] == weights.max() > 1e6
    names = s.graph.nodes[key[0]].name, s.graph.nodes[key[1]].name
    assert s.non_finite.startswith(f"the weight {names[0]} → {names[1]} (grew to ")
    snap = make_snapshot(s, final=True)
    assert snap.non_finite_record == key and snap.non_finite == s.non_finite


def test_the_record_goes_with_the_words_after_a_reset(article):
    s = session_of(article, learning_rate=10.0)
    s.play()
    s.run(budget=1.0)
    assert s.state == DIVERGED and s.non_finite_record is not None
    s.reset(article.graph.copy())
    snap = make_snapshot(s, final=True)
    assert snap.non_finite is None and snap.non_finite_record is None


# ---------------------------------------------------------------------------- in the window
@pytest.fixture
def window(qtbot):
    from bpstudio.ui.document import Document
    from bpstudio.ui.main_window import MainWindow

    doc = Document()
    doc.project.settings = TrainingSettings(**{**doc.project.settings.to_dict(), "max_epochs": 0,
                                               "learning_rate": 10.0})
    w = MainWindow(doc)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    assert w.controller.shutdown()


def test_divergence_pauses_and_selects_the_culprit_on_the_canvas(qtbot, window):
    ctl = window.controller
    assert window.scene.selection() is None
    with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT, check_params_cb=lambda s: s.state == DIVERGED):
        window.train_controls.play_action.trigger()
    snap = ctl.latest
    key = snap.non_finite_record
    assert isinstance(key, tuple) and key in window.document.graph.edges
    assert window.scene.selection() == key and window.scene.edges[key].isSelected()
    assert window.inspector.record == key  # the inspector shows that weight
    assert window.train_controls.play_action.text() == "Play" and ctl.state != RUNNING
    assert "try 1," in window.statusBar().currentMessage()  # a smaller learning rate is suggested
    qtbot.waitUntil(lambda: "non_finite" in window.panels.diagnostics.kinds(), timeout=WAIT)
    message = window.panels.diagnostics.findings()[0].message
    # the weight is huge but finite: the banner must not call it "not a finite number"
    assert "grew too large: training has diverged" in message
    assert "is not a finite number" not in message
