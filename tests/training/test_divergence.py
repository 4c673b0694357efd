"""A diverged run: the snapshot marks where the numbers broke; the document keeps the last finite
weights (so the project can still be saved), and the message suggests a smaller learning rate."""

from __future__ import annotations

import numpy as np

from bpstudio.core import fileformat
from bpstudio.core.settings import TrainingSettings
from bpstudio.training.compose import make_snapshot
from bpstudio.training.session import DIVERGED, TrainingSession

from .test_controller import make, wait_for  # noqa: F401  (fixtures and helpers)

HUGE = 1e300  # one update overflows the weights to ±inf


def session_of(project, **changes) -> TrainingSession:
    s = TrainingSettings(**{**project.settings.to_dict(), **changes})
    return TrainingSession(project.graph.copy(), project.dataset, s)


def test_an_overflowing_run_keeps_the_last_finite_parameters(article):
    s = session_of(article, learning_rate=HUGE)
    assert s.play()
    with np.errstate(all="ignore"):
        s.run(budget=1.0)
    assert s.state == DIVERGED and not np.isfinite(s.engine.theta).all()
    snap = make_snapshot(s, final=True)
    assert not np.isfinite(snap.weights).all() and snap.non_finite  # where it broke, still shown
    assert snap.finite_weights is not None and np.isfinite(snap.finite_weights).all()
    assert np.isfinite(snap.finite_biases).all()
    # the first update gave huge but finite weights, the second overflowed: the first's are kept
    one = session_of(article, learning_rate=HUGE)
    one.play()
    with np.errstate(all="ignore"):
        one.run(budget=1.0, max_steps=1)
    assert np.isfinite(one.engine.theta).all() and s.trainer.steps == 2
    np.testing.assert_array_equal(s.finite_parameters(), one.engine.theta)
    np.testing.assert_array_equal(snap.finite_weights, one.engine.theta[one.engine.edge_slots])
    assert "too large" in snap.message and f"try {HUGE / 10:g}" in snap.message


def test_a_finite_session_sends_no_finite_copy(article):
    s = session_of(article)
    s.play()
    s.run(budget=5.0, max_steps=20)
    snap = make_snapshot(s)
    assert snap.finite_weights is None and snap.finite_biases is None


def test_a_traced_step_that_overflows_keeps_the_weights_before_it(article):
    s = session_of(article, learning_rate=HUGE)
    with np.errstate(all="ignore"):
        s.step_traced()  # huge but finite weights
        assert np.isfinite(s.engine.theta).all()
        before = s.engine.theta.copy()
        s.step_traced()  # overflows
    assert s.state == DIVERGED
    np.testing.assert_array_equal(s.finite_parameters(), before)


def test_the_document_keeps_the_last_finite_weights_and_can_be_saved(qtbot, make):  # noqa: F811
    doc, ctl = make(learning_rate=HUGE, max_epochs=0)
    with np.errstate(all="ignore"):
        wait_for(qtbot, ctl, lambda: ctl.step("batch"), lambda s: s.steps == 1)
    trained = {k: e.weight for k, e in doc.graph.edges.items()}
    assert all(np.isfinite(w) and abs(w) > 1e250 for w in trained.values())  # huge, finite
    snap = wait_for(qtbot, ctl, lambda: ctl.step("batch"), lambda s: s.state == DIVERGED)
    assert not np.isfinite(snap.weights).all() and snap.non_finite
    assert "smaller" in snap.message or "too large" in snap.message
    # the graph holds the weights from before the step that overflowed, every one of them
    assert {k: e.weight for k, e in doc.graph.edges.items()} == trained
    assert all(np.isfinite(n.bias) for n in doc.graph)
    text = fileformat.dumps(doc.project)  # refuses NaN/inf (allow_nan=False)
    assert fileformat.loads(text).graph.snapshot() == doc.graph.snapshot()


def test_playing_into_an_overflow_leaves_finite_weights_in_the_document(qtbot, make):  # noqa: F811
    # at 1e100 the overflowing update leaves one bias finite (−4.6e302) and every weight infinite:
    # the document must not mix that bias with older weights, it keeps one consistent state
    doc, ctl = make(learning_rate=1e100, max_epochs=0)
    snap = wait_for(qtbot, ctl, ctl.play, lambda s: s.state == DIVERGED)
    assert snap.finite_weights is not None and np.isfinite(snap.biases).any()
    got = [doc.graph.edges[k].weight for k in snap.edge_keys]
    assert got == snap.finite_weights.tolist()
    assert [doc.graph.nodes[n].bias for n in snap.bias_ids] == snap.finite_biases.tolist()
    assert all(np.isfinite(got)) and ctl.state == DIVERGED
    fileformat.dumps(doc.project)
