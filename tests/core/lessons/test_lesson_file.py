"""Lesson files: validated field by field, with messages that name the place."""

from __future__ import annotations

import copy
import json

import pytest

from bpstudio.core import fileformat
from bpstudio.core.lessons import LessonFileError, find_lesson, lesson_from_dict, load, loads, shipped
from bpstudio.core.presets import load_preset

GOOD = {
    "format": "bpstudio-lesson", "version": 1, "title": "A lesson",
    "start": {"preset": "article-xor", "training": {"mode": "online"}},
    "steps": [
        {"text": "Hello"},
        {"action": {"do": "step_phase", "until": "loss"}},
        {"question": {"type": "predict", "ask": "delta", "name": "Z0"}},
        {"question": {"type": "choice", "prompt": "?", "options": ["a", "b"], "answer": 0}},
    ],
}


def bad(path: str, value, message: str) -> None:
    data = copy.deepcopy(GOOD)
    parts = path.split(".")
    node = data
    for p in parts[:-1]:
        node = node[int(p)] if p.isdigit() else node[p]
    last = parts[-1]
    if value is KeyError:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    with pytest.raises(LessonFileError) as info:
        lesson_from_dict(data)
    assert message in str(info.value), str(info.value)


def test_a_good_lesson_reads():
    lesson = lesson_from_dict(GOOD, "x")
    assert lesson.title == "A lesson" and len(lesson.steps) == 4
    assert lesson.steps[1].action.params == {"until": "loss"}
    assert lesson.start_project().settings.mode == "online"


@pytest.mark.parametrize("path,value,message", [
    ("format", "bpstudio-project", "this is not a Backprop Studio lesson (its format is the text"),
    ("version", 2, "format version 2"),
    ("version", "1", "version: the format version must be a whole number"),
    ("title", KeyError, "the field 'title' is missing"),
    ("extra", 1, "unknown field 'extra'"),
    ("start.preset", "nope", "start.preset: unknown preset 'nope'"),
    ("start.training", {"learning_rate": -1}, "start: the starting project cannot be built"),
    ("steps", [], "steps: a lesson needs at least one step"),
    ("steps.0", {}, "steps[0]: a step needs"),
    ("steps.1.action.do", "dance", "steps[1].action.do: unknown action the text 'dance'"),
    ("steps.1.action.times", 0, "steps[1].action.times: must be at least 1"),
    ("steps.2.question.ask", "colour", "steps[2].question.ask: unknown quantity"),
    ("steps.2.question.name", "Z9", "steps[2].question.name: there is no unit, weight or bias unit named 'Z9'"),
    ("steps.2.question.tolerance", 0, "steps[2].question.tolerance: must be positive"),
    ("steps.3.question.answer", 5, "steps[3].question.answer: option 5 does not exist"),
    ("steps.3.question.options", ["only"], "needs at least two options"),
])
def test_problems_are_named_in_plain_words(path, value, message):
    bad(path, value, message)


def test_a_question_about_the_wrong_kind_of_thing():
    data = copy.deepcopy(GOOD)
    data["steps"][2]["question"] = {"type": "predict", "ask": "new_weight", "name": "Z1"}
    with pytest.raises(LessonFileError, match="'Z1' is not a weight"):
        lesson_from_dict(data)


def test_an_embedded_project_and_bad_json(tmp_path):
    data = copy.deepcopy(GOOD)
    data["start"] = {"project": fileformat.project_to_dict(load_preset("and"))}
    data["steps"] = [{"question": {"type": "predict", "ask": "value", "name": "D0"}}]
    assert lesson_from_dict(data).start_project().graph.find("D0").activation == "sigmoid"
    data["start"]["project"]["network"]["edges"][0]["weight"] = "heavy"
    with pytest.raises(LessonFileError, match=r"start.project: network.edges\[0\].weight: must be a number"):
        lesson_from_dict(data)
    with pytest.raises(LessonFileError, match="not valid JSON"):
        loads("{")
    with pytest.raises(LessonFileError, match="appears twice"):
        loads('{"format": "bpstudio-lesson", "format": "x"}')
    f = tmp_path / "mine.json"
    f.write_text(json.dumps(GOOD))
    assert load(f).name == "mine" and find_lesson(str(f)).title == "A lesson"


def test_shipped_lessons_are_found_through_assets():
    names = [p.stem for p in shipped()]
    assert names[0] == "01-article"
    assert find_lesson("1").name == "01-article" and find_lesson("01-article").name == "01-article"
    with pytest.raises(LessonFileError, match="no lesson called 'zzz'"):
        find_lesson("zzz")


def test_the_documented_example_reads_and_plays():
    import re
    from pathlib import Path

    from bpstudio.core.lessons import LessonPlayer

    text = (Path(__file__).resolve().parents[3] / "docs" / "lesson-format.md").read_text()
    example = re.search(r"## A full example\n\n```json\n(.*?)```", text, re.S).group(1)
    player = LessonPlayer(loads(example))
    while not player.finished:
        player.do_action()
        asked = player.question()
        if asked is not None:
            assert player.reveal().right  # the revealed answer is the engine's own
        assert player.next()
    assert player.walk.epochs == 500
