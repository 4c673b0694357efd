"""Each shipped lesson played through the engine: every action done, every question answered
wrong once (the diagnosis asserted where the lesson sets a trap) and then right."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpstudio.core.diagnostics import symmetric_groups
from bpstudio.core.lessons import LessonPlayer, find_lesson, shipped
from bpstudio.core.lessons.names import find_name


def wrong_answer(asked):
    """An answer that is wrong and fits no diagnosis but 'choice' / 'bias_delta'."""
    if asked.question is None:
        return (asked.spec.answer + 1) % len(asked.spec.options)
    q = asked.question
    if q.answer_kind == "sign":
        return "+" if (q.expected or 0) <= 0 else "-"
    if q.expected is None:
        return 7.0
    return q.expected + 13.0 * max(1.0, abs(q.expected))


def right_answer(asked):
    if asked.question is None:
        return asked.spec.answer
    q = asked.question
    if q.answer_kind == "sign":
        return "0" if q.expected == 0 else ("+" if q.expected > 0 else "-")
    return "none" if q.expected is None else repr(q.expected)


def play(name: str, traps: dict[str, tuple] | None = None, at=None) -> LessonPlayer:
    """Play lesson ``name``. ``traps``: step title → (wrong answer, diagnosis expected).
    ``at(player)`` runs before each step's action, to check numbers along the way."""
    traps = dict(traps or {})
    player = LessonPlayer(find_lesson(name))
    seen = set()
    while not player.finished:
        step = player.step
        if at is not None:
            at(player)
        if step.action is not None:
            assert not player.action_done(), step
            assert not player.next()  # a step is not done before its action
            player.do_action()
            assert player.action_done()
        asked = player.question()
        if step.question is not None:
            assert asked is not None
            answer, diagnosis = traps.get(step.title, (wrong_answer(asked), None))
            verdict = player.answer(answer)
            assert not verdict.right, (step.title, answer, asked)
            if step.title in traps:
                seen.add(step.title)
                assert verdict.diagnosis == diagnosis, (step.title, verdict.message)
            elif asked.question is None:
                assert verdict.diagnosis == "choice"
            assert verdict.reveal.lines
            assert not player.next()
            verdict = player.answer(right_answer(asked))
            assert verdict.right, (step.title, verdict.message)
        assert player.next()
    assert seen == set(traps), set(traps) - seen
    assert player.score.right == 0 and player.score.asked == sum(
        1 for s in player.lesson.steps if s.question is not None)
    return player


def weight(player, name):
    rec = find_name(player.project.graph, name)
    g = player.project.graph
    return g.nodes[rec[1]].bias if rec[0] == "bias" else g.edges[rec].weight


def test_every_lesson_ships_and_six_are_there():
    assert [p.stem for p in shipped()] == ["01-article", "02-linear", "03-symmetry", "04-xor-learns",
                                          "05-vanishing", "06-learning-rate"]


def test_lesson_1_the_article_corrected():
    p = play("01-article", {
        "Predict Z1": ("0", "no_bias"),
        "The loss": ("-4", "article_loss"),
        "The output's delta": ("-4", "sign"),
        "A hidden delta": ("-4", "sign"),
        "The bias unit Z0": ("-4", "bias_delta"),
        "The first update": ("1.4", "sign"),
        "A weight fed by a zero input": ("1.4", "zero_input"),
        "An output weight": ("1", "old_weight"),
    })
    for name in ("W10", "W20", "W30", "V00", "V01", "V02", "V03"):
        assert weight(p, name) == pytest.approx(0.6)
    for name in ("W11", "W21", "W31", "W12", "W22", "W32"):
        assert weight(p, name) == 1.0


def test_lesson_2_linear_settles_at_one_half():
    p = play("02-linear", {"Before training": ("4", None)})
    assert p.walk.dataset_loss() == pytest.approx(0.125, abs=1e-6)
    assert np.allclose(p.walk.predictions(), 0.5, atol=1e-3)
    assert p.walk.hidden_count(1) == 4  # the unit added did not help


def test_lesson_3_symmetry_stays_until_random_init():
    def check(player):
        g = player.project.graph
        if player.step.title == "After 300 epochs":
            assert symmetric_groups(g, 1e-12), "equal weights must stay equal"
        if player.step.title == "Now it learns":
            assert not symmetric_groups(g, 1e-6)

    p = play("03-symmetry", {"delta_Z2": ("0", None)}, at=check)
    assert p.walk.predictions()[1, 0] > 0.95 and p.walk.dataset_loss() < 0.01


def test_lesson_3_deltas_are_equal_exactly():
    player = LessonPlayer(find_lesson("03-symmetry"))
    values = {}
    while not player.finished and player.index < 6:
        player.do_action()
        a = player.question()
        if a is not None and a.question is not None:
            values[a.question.symbol] = a.question.expected
            player.reveal()
        player.next()
    assert values["delta_Z1"] == values["delta_Z2"] and values["W11"] == values["W21"]


def test_lesson_4_xor_learns():
    p = play("04-xor-learns", {
        "A tanh unit": ("-1.48442", "no_activation"),
        "The output's delta": ("-", "sign"),
    })
    assert p.walk.dataset_loss() < 0.01
    assert np.array_equal(np.round(p.walk.predictions()[:, 0]), [0, 1, 1, 0])


def test_lesson_5_deltas_vanish_with_sigmoid_and_tanh_helps():
    deltas = {}

    def record(player):
        title = player.step.title
        if title in ("How small?", "With tanh"):
            t = player.walk.step_trace()
            col = t.column
            g = player.project.graph
            d0 = abs(t.delta[0, col[g.find("D0").id]])
            z1 = max(abs(t.delta[0, col[g.find(n).id]]) for n in ("Z1", "Z2"))
            deltas[title] = z1 / d0

    p = play("05-vanishing", at=record)
    assert deltas["How small?"] < 1e-4  # sigmoid: 0.13 → a few millionths
    assert deltas["With tanh"] > 100 * deltas["How small?"]
    assert all(n.activation == "tanh" for n in p.project.graph.hidden)


def test_lesson_5_forgetting_the_derivative():
    player = LessonPlayer(find_lesson("05-vanishing"))
    player.next()
    player.do_action()
    player.next()
    asked = player.question()
    g = player.project.graph
    t = asked.trace
    m1, d0 = g.find("M1").id, g.find("D0").id
    w = g.edges[(m1, d0)].weight
    without_prime = w * t.delta[0, t.column[d0]]
    v = player.answer(without_prime)
    assert v.diagnosis == "no_prime" and "sigmoid" in v.message


def test_lesson_6_divergence_and_recovery():
    history = {}

    def record(player):
        if player.step.title == "The loss curve":
            history["diverged"] = player.walk.diverged
            history["losses"] = list(player.walk.history)

    p = play("06-learning-rate", {"The first update": ("2.95", "sign")}, at=record)
    assert history["diverged"]
    losses = history["losses"]
    assert losses[0] == pytest.approx(23.5) and losses[1] == pytest.approx(52.215803125)
    assert not math.isfinite(losses[-1]) or losses[-1] > 1e100
    assert all(np.isfinite(e.weight) for e in p.project.graph.edges.values())  # last finite kept
    assert p.walk.dataset_loss() == pytest.approx(0.125, abs=1e-6)
