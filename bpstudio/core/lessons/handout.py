"""A lesson's worked steps as a Markdown handout, with the learner's answers when there are any."""

from __future__ import annotations

from .actions import describe
from .model import Lesson
from .player import LessonPlayer


def _answer_text(asked, verdict) -> str:
    if asked.question is None:
        return asked.spec.options[asked.spec.answer]
    return verdict.message.removeprefix("Right: ").removeprefix("Right. ")


def handout_markdown(lesson: Lesson, answers: dict | None = None, score_text: str = "") -> str:
    """Every step of ``lesson`` played on a fresh copy of its project, each question with its
    answer and worked arithmetic; ``answers`` (step index → list of {"answer", "right",
    "diagnosis"}) adds what the learner said."""
    answers = answers or {}
    player = LessonPlayer(lesson)
    out = [f"# {lesson.title}", ""]
    if lesson.summary:
        out += [lesson.summary, ""]
    if score_text:
        out += [f"*{score_text}*", ""]
    while not player.finished:
        i, step = player.index, player.step
        out.append(f"## {i + 1}. {step.title or ('Do' if step.action else 'Question')}")
        out.append("")
        if step.text:
            out += [step.text, ""]
        if step.action is not None:
            out += [f"**Do:** {describe(step.action)}", ""]
            player.do_action()
        asked = player.question()
        if asked is not None:
            out += [f"**Question:** {asked.prompt}", ""]
            for k, option in enumerate(asked.options):
                out.append(f"{k}. {option}")
            if asked.options:
                out.append("")
            given = answers.get(i) or answers.get(str(i)) or []
            for a in given:
                mark = "right" if a.get("right") else "wrong"
                why = f" ({a['diagnosis'].replace('_', ' ')})" if a.get("diagnosis") else ""
                out.append(f"- Your answer: {a.get('answer')} — {mark}{why}")
            if given:
                out.append("")
            verdict = player.reveal()
            out += [f"**Answer:** {_answer_text(asked, verdict)}", ""]
            if verdict.reveal.lines:
                out += ["```", *verdict.reveal.lines, "```", ""]
            if verdict.reveal.factors:
                out += ["Where the factors come from: " + "; ".join(f.text for f in verdict.reveal.factors),
                        ""]
        player.next()
    return "\n".join(out).rstrip() + "\n"
