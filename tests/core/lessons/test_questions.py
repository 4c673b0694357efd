"""Predict-then-reveal on networks that are not presets: picking, exact values, diagnoses, reveal."""

from __future__ import annotations

import numpy as np
import pytest

from bpstudio.core.dataset import Dataset
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph
from bpstudio.core.lessons import AnswerError, LessonPlayer, Walk, free_question, grade, parse_answer
from bpstudio.core.lessons.ask import Target, make_question
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings


def hand_built() -> Project:
    """One input, a skip edge, a sigmoid hidden unit and a tanh output: nothing like a preset."""
    g = Graph()
    a = g.add_node(INPUT, "A").id
    h = g.add_node(HIDDEN, "H", "sigmoid", 0.25).id
    o = g.add_node(OUTPUT, "O", "tanh", -0.5).id
    g.connect(a, h, 0.8)
    g.connect(h, o, 1.5)
    g.connect(a, o, -0.3)  # skips a layer: the names fall back to w(A→O)
    data = Dataset(np.array([[2.0], [0.0]]), np.array([[0.5], [-0.5]]), ["A"], ["y"])
    return Project(g, data, TrainingSettings(mode="online", learning_rate=0.2))


def by_hand(p: Project):
    """The same step with plain floats: the numbers the questions must expect."""
    x, y = 2.0, 0.5
    ah = 0.8 * x + 0.25
    zh = 1 / (1 + np.exp(-ah))
    ao = 1.5 * zh - 0.3 * x - 0.5
    zo = np.tanh(ao)
    d_o = (zo - y) * (1 - zo ** 2)
    d_h = 1.5 * d_o * zh * (1 - zh)
    return dict(ah=ah, zh=zh, ao=ao, zo=zo, E=0.5 * (zo - y) ** 2, d_o=d_o, d_h=d_h,
                w_ho=1.5 - 0.2 * zh * d_o, w_ah=0.8 - 0.2 * x * d_h)


def test_free_play_follows_the_phases_and_selection_with_exact_values():
    p = hand_built()
    n = by_hand(p)
    walk = Walk(p)
    g = p.graph
    h, o = g.find("H").id, g.find("O").id
    expect = [("value", h, n["zh"]), ("value", o, n["zo"]), ("loss", None, n["E"]),
              ("delta", o, n["d_o"]), ("delta", h, n["d_h"]), ("new_weight", o, n["w_ho"])]
    for kind, unit, value in expect:
        sel = (h, o) if kind == "new_weight" else None
        q = free_question(walk, sel).question
        assert q.target.kind == kind and q.target.unit == unit
        assert q.expected == pytest.approx(value, rel=1e-12)
        assert grade(g, walk.next_trace(), q, value).right
        walk.step_phase()
    assert g.edges[(h, o)].weight == pytest.approx(n["w_ho"], rel=1e-12)  # the update was applied


def test_selection_picks_the_unit_of_the_coming_layer():
    p = hand_built()
    walk = Walk(p)
    h = p.graph.find("H").id
    for _ in range(4):  # forward H, forward O, loss, backward O: next is backward H
        walk.step_phase()
    q = free_question(walk, h).question
    assert (q.target.kind, q.target.unit, q.symbol) == ("delta", h, "delta_H")


def test_forgetting_the_derivative_and_the_activation_are_diagnosed():
    p = hand_built()
    n = by_hand(p)
    walk = Walk(p)
    g = p.graph
    o, h = g.find("O").id, g.find("H").id
    trace = walk.next_trace()
    q = make_question(g, trace, Target("delta", o))
    v = grade(g, trace, q, n["zo"] - 0.5)  # (y_hat - y) without f'(a)
    assert not v.right and v.diagnosis == "no_prime"
    assert "f'(a)" in v.message and "tanh" in v.message
    q = make_question(g, trace, Target("delta", h))
    assert grade(g, trace, q, 1.5 * n["d_o"]).diagnosis == "no_prime"
    assert grade(g, trace, q, -n["d_h"]).diagnosis == "sign"
    q = make_question(g, trace, Target("value", h))
    assert grade(g, trace, q, n["ah"]).diagnosis == "no_activation"
    v = grade(g, trace, q, 0.123)
    assert not v.right and v.diagnosis is None and "Not quite" in v.message


def test_new_weight_mistakes_and_zero_input():
    p = hand_built()
    g = p.graph
    a, h, o = (g.find(x).id for x in "AHO")
    walk = Walk(p)
    walk.finish_step()  # the sample with A = 2; the next one has A = 0
    trace = walk.next_trace()
    q = make_question(g, trace, Target("new_weight", h, (a, h)))
    assert q.expected == g.edges[(a, h)].weight  # fed by A = 0: it cannot change
    v = grade(g, trace, q, q.expected - 0.01)
    assert v.diagnosis == "zero_input" and "A = 0" in v.message
    q = make_question(g, trace, Target("new_weight", o, (h, o)))
    old = g.edges[(h, o)].weight
    grad = trace.weight_grad[trace.edge_keys.index((h, o))]
    assert grade(g, trace, q, old + 0.2 * grad).diagnosis == "sign"
    assert grade(g, trace, q, old).diagnosis == "old_weight"
    assert grade(g, trace, q, old - grad).diagnosis == "no_alpha"
    assert grade(g, trace, q, old - 0.2 * grad).right


def test_reveal_is_the_arithmetic_of_that_number_and_names_its_factors():
    p = hand_built()
    g = p.graph
    a, h, o = (g.find(x).id for x in "AHO")
    walk = Walk(p)
    trace = walk.next_trace()
    q = make_question(g, trace, Target("net_input", o))
    shown = grade(g, trace, q, 0).reveal
    assert shown.lines[0].startswith("Unit O: h(x) = ")
    assert shown.lines[0].endswith(f"= {float(q.expected):.6g}")
    assert {(h, o), (a, o), ("bias", o), h, a} <= set(shown.records)
    q = make_question(g, trace, Target("new_weight", o, (h, o)))
    shown = grade(g, trace, q, 0).reveal
    assert len(shown.lines) == 1 and shown.lines[0].startswith("w(H→O) := w(H→O) - alpha . ")
    assert (h, o) in shown.records and h in shown.records and o in shown.records


def test_bias_unit_has_no_delta_and_a_unit_does():
    p = hand_built()
    g = p.graph
    o = g.find("O").id
    walk = Walk(p)
    trace = walk.next_trace()
    q = make_question(g, trace, Target("delta", o, bias_unit=True))
    assert q.expected is None and q.symbol.startswith("delta_")
    assert grade(g, trace, q, "no delta").right
    assert grade(g, trace, q, 0.3).diagnosis == "bias_delta"
    q = make_question(g, trace, Target("delta", o))
    assert grade(g, trace, q, "none").diagnosis == "none_for_unit"


def test_answers_are_parsed_in_plain_words():
    assert parse_answer("−4") == -4.0 and parse_answer("0,6") == 0.6 and parse_answer(" none ") is None
    assert parse_answer("-", "sign") == -1 and parse_answer("zero", "sign") == 0
    with pytest.raises(AnswerError, match="type a number"):
        parse_answer("four")
    with pytest.raises(AnswerError):
        parse_answer("up", "sign")


def test_an_edit_between_questions_is_seen_by_the_next_one():
    p = hand_built()
    walk = Walk(p)
    g = p.graph
    h = g.find("H").id
    walk.step_phase()
    g.set_activation(h, "relu")  # an edit mid-step ends the walk and recompiles
    q = free_question(walk, h).question
    assert walk.upcoming().label == "forward hidden"
    assert q.expected == pytest.approx(max(0.0, 0.8 * 2 + 0.25))


def test_score_and_streak():
    from bpstudio.core.lessons import lesson_from_dict

    lesson = lesson_from_dict({"format": "bpstudio-lesson", "version": 1, "title": "t",
                               "start": {"preset": "article-xor"},
                               "steps": [{"question": {"type": "predict", "ask": "loss"}}] * 3})
    player = LessonPlayer(lesson)
    results = []
    for answer in (1.0, 1.0, 1.0):  # batch loss of the article's first step is 4.25; row 1: 8
        results.append(player.answer(answer).right)
        player.reveal()
        player.next()
    assert results == [False, False, False] and player.score.asked == 3 and player.score.streak == 0
    player = LessonPlayer(lesson)
    for answer in (8, 7, 8):
        player.answer(answer)
        player.answer(8)  # a second try does not count
        player.next()
    assert (player.score.asked, player.score.right, player.score.streak, player.score.best) == (3, 2, 1, 1)
