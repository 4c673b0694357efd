"""Play a lesson: its steps in order over a :class:`Walk`, the learner's answers, score and streak.

A step is done when its action's check holds (if it has one) and its question (if it has one) has
been answered right or revealed. A free-play question (no lesson) comes from :meth:`Walk.upcoming`
and the selection (see :func:`free_question`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..explain import explain_lines
from ..notation import num
from .actions import Mark, describe, is_done, perform
from .ask import Question, Target, ask, make_question
from .grade import AnswerError, Verdict, grade, parse_answer
from .model import Lesson, QuestionSpec
from .names import find_name
from .reveal import Factor, Reveal
from .walk import Walk


@dataclass
class Score:
    """Per session: questions answered, right the first time, the streak and the best streak."""

    asked: int = 0
    right: int = 0
    streak: int = 0
    best: int = 0

    def record(self, right: bool) -> None:
        self.asked += 1
        if right:
            self.right += 1
            self.streak += 1
            self.best = max(self.best, self.streak)
        else:
            self.streak = 0

    def text(self) -> str:
        return f"Score {self.right}/{self.asked} · streak {self.streak} (best {self.best})"


@dataclass(frozen=True)
class Asked:
    """A question put to the learner: a numeric/sign :class:`Question` with the trace it came
    from, or a multiple choice (``spec``)."""

    spec: QuestionSpec | None
    question: Question | None
    trace: object = None
    graph: object = None

    @property
    def prompt(self) -> str:
        if self.question is not None:
            if self.question.answer_kind == "sign":
                return f"Is {self.question.symbol} positive, negative or zero? (+, - or 0)"
            return self.question.prompt
        return self.spec.prompt

    @property
    def options(self) -> tuple[str, ...]:
        return self.spec.options if self.spec is not None and self.spec.type == "choice" else ()

    def grade(self, answer) -> Verdict:
        if self.question is not None:
            return grade(self.graph, self.trace, self.question, answer)
        return _grade_choice(self.spec, answer)


def _grade_choice(spec: QuestionSpec, answer) -> Verdict:
    try:
        k = int(str(answer).strip()) if not isinstance(answer, int) else answer
    except ValueError:
        letters = "abcdefghij"
        t = str(answer).strip().lower()
        if len(t) == 1 and t in letters[:len(spec.options)]:
            k = letters.index(t)
        else:
            raise AnswerError(f"pick an option by its number (0 to {len(spec.options) - 1}) or "
                              f"letter, not {answer!r}") from None
    if not 0 <= k < len(spec.options):
        raise AnswerError(f"there is no option {k}; pick 0 to {len(spec.options) - 1}")
    right = k == spec.answer
    why = spec.explain[k] if spec.explain else ""
    message = ("Right. " if right else "Not quite. ") + why
    shown = Reveal((f"The answer: {spec.options[spec.answer]}",
                    *([spec.explain[spec.answer]] if spec.explain and not right else [])), ())
    return Verdict(right, k, float(spec.answer), None if right else "choice", message.strip(), shown)


def free_question(walk: Walk, selection=None, tolerance: float = 1e-3) -> Asked:
    """Free play: a question about the phase the next Step shows, from the selection."""
    phase = walk.upcoming()
    trace = walk.next_trace()
    q = ask(walk.graph, trace, phase.kind, phase.depth, selection, 0, tolerance)
    return Asked(None, q, trace, walk.graph)


def _quantity(walk: Walk, spec: QuestionSpec, tol: float) -> Asked:
    """A question about the network as it is now: the batch loss or the output on a data row."""
    g = walk.graph
    if spec.ask == "batch_loss":
        trace = walk.full_trace()
        value = float(trace.loss)
        lines = [ln.text for ln in explain_lines(trace, g, 0) if ln.section == "loss"][-1:]
        outs = list(trace.output_ids)
        q = Question(Target("loss"), "E_batch", f"What is the batch loss (the mean of E over the "
                     f"{trace.n_samples} training rows) now?", value, tol)
        rv = Reveal(tuple(lines), tuple(Factor(f"the output {trace.names[o]}", o) for o in outs))
        return Asked(spec, q, _Fixed(rv, value), g)
    row = spec.row - 1
    trace = walk.full_trace([row])
    out = trace.output_ids[0]
    value = float(trace.yhat[0, 0])
    lines = [ln.text for ln in explain_lines(trace, g, 0) if ln.section == "forward"]
    q = Question(Target("value", out), f"y_hat(row {spec.row})", f"What does the network output "
                 f"on data row {spec.row} now?", value, tol)
    return Asked(spec, q, _Fixed(Reveal(tuple(lines), (Factor("the output", out),)), value), g)


class _Fixed:
    """Stands in for a trace when the question is about a whole-dataset quantity."""

    def __init__(self, reveal: Reveal, value: float) -> None:
        self.reveal, self.value = reveal, value


def _grade_fixed(asked: Asked, answer) -> Verdict:
    from .ask import is_close

    q = asked.question
    v = parse_answer(answer)
    if v is None:
        raise AnswerError("type a number")
    right = is_close(v, q.expected, q.tolerance)
    msg = f"Right: {num(q.expected)}." if right else f"Not quite: the engine gives {num(q.expected)}."
    return Verdict(right, v, q.expected, None, msg, asked.trace.reveal)


class LessonPlayer:
    """One learner going through one lesson (or free play with ``lesson=None``)."""

    def __init__(self, lesson: Lesson | None, project=None) -> None:
        """``project``: a Project, or a callable returning the current one (the studio's document
        replaces its Project object when settings change hands); default: the lesson's start."""
        self.lesson = lesson
        self._project = project if project is not None else lesson.start_project()
        self.walk = Walk(self._project if callable(self._project) else (lambda: self._project))
        self.score = Score()
        self.index = 0
        self.answers: dict[int, list[dict]] = {}  # step index -> answers given, in order
        self.revealed: set[int] = set()
        self.done_steps: set[int] = set()
        self._asked: dict[int, Asked] = {}
        self._mark = Mark.of(self.walk)

    @property
    def project(self):
        return self._project() if callable(self._project) else self._project

    # ---------------------------------------------------------------- the current step
    @property
    def step(self):
        return self.lesson.steps[self.index]

    @property
    def finished(self) -> bool:
        return self.index >= len(self.lesson.steps)

    def action_text(self) -> str | None:
        a = self.step.action
        return describe(a) if a else None

    def action_done(self) -> bool:
        a = self.step.action
        return a is None or is_done(self.walk, a, self._mark)

    def do_action(self) -> None:
        """Do the step's action for the learner (the terminal player, tests)."""
        if self.step.action is not None and not self.action_done():
            perform(self.walk, self.step.action, self._mark)

    def question(self) -> Asked | None:
        """The step's question, asked once (its numbers fixed from the walk when first asked)."""
        spec = self.step.question
        if spec is None or not self.action_done():
            return None
        if self.index not in self._asked:
            self._asked[self.index] = self._ask(spec)
        return self._asked[self.index]

    def _ask(self, spec: QuestionSpec) -> Asked:
        tol = spec.tolerance or self.lesson.tolerance
        if spec.type == "choice":
            return Asked(spec, None)
        if spec.ask in ("batch_loss", "output"):
            return _quantity(self.walk, spec, tol)
        g = self.walk.graph
        kind = "sign" if spec.type == "sign" else "number"
        sel = find_name(g, spec.name) if spec.name else None
        if spec.ask == "auto":
            if isinstance(sel, tuple) and sel[0] == "bias_unit":
                sel = ("bias", sel[1][0])
            phase = self.walk.upcoming()
            trace = self.walk.next_trace()
            q = ask(g, trace, phase.kind, phase.depth, sel, 0, tol)
            return Asked(spec, q, trace, g)
        trace = self.walk.step_trace()
        sample = 0
        if spec.row is not None:
            rows = [int(r) for r in trace.sample_indices]
            if spec.row - 1 not in rows:
                raise AnswerError(f"data row {spec.row} is not in this step's batch (rows "
                                  f"{', '.join(str(r + 1) for r in rows)})")
            sample = rows.index(spec.row - 1)
        if isinstance(sel, tuple) and sel[0] == "bias_unit":
            target = Target("delta", sel[1][0], bias_unit=True, sample=sample)
        elif isinstance(sel, tuple) and sel[0] == "bias":
            target = Target(spec.ask, sel[1], sample=sample)
        elif isinstance(sel, tuple):
            target = Target(spec.ask, sel[1], sel, sample=sample)
        else:
            target = Target(spec.ask, sel, sample=sample)
        return Asked(spec, make_question(g, trace, target, tol, kind), trace, g)

    def answer(self, text) -> Verdict:
        """Grade an answer to the current question (AnswerError when it is not an answer)."""
        asked = self.question()
        if asked is None:
            raise AnswerError("this step asks no question yet" if self.step.question else
                              "this step asks no question")
        verdict = _grade_fixed(asked, text) if isinstance(asked.trace, _Fixed) else asked.grade(text)
        given = self.answers.setdefault(self.index, [])
        if not given and self.index not in self.revealed:
            self.score.record(verdict.right)
        given.append({"answer": str(text), "right": verdict.right, "diagnosis": verdict.diagnosis})
        return verdict

    def reveal(self) -> Verdict | None:
        """Give up on the question: the answer and its worked arithmetic (counts as wrong)."""
        asked = self.question()
        if asked is None:
            return None
        if self.index not in self.answers and self.index not in self.revealed:
            self.score.record(False)
        self.revealed.add(self.index)
        if asked.question is None:
            return _grade_choice(asked.spec, asked.spec.answer)
        if isinstance(asked.trace, _Fixed):
            return _grade_fixed(asked, asked.question.expected)
        exp = asked.question.expected
        ans = "none" if exp is None else (
            (0 if exp == 0 else int(np.sign(exp))) if asked.question.answer_kind == "sign" else exp)
        return asked.grade(ans)

    def answered(self) -> bool:
        if self.step.question is None:
            return True
        return self.index in self.revealed or any(a["right"] for a in self.answers.get(self.index, []))

    def can_advance(self) -> bool:
        return not self.finished and self.action_done() and self.answered()

    def next(self) -> bool:
        """Go to the next step when this one is done; False (and stay) when it is not."""
        if not self.can_advance():
            return False
        self.done_steps.add(self.index)
        self.index += 1
        self._mark = Mark.of(self.walk)
        return True

    def back(self) -> bool:
        """Back one step, to read it again (the network stays as it is now)."""
        if self.index == 0:
            return False
        self.index -= 1
        self._mark = Mark.of(self.walk)
        return True

    # ---------------------------------------------------------------- progress
    def progress(self) -> dict:
        """What to remember to resume: the step reached, the answers and the score."""
        return {"index": self.index, "answers": {str(k): v for k, v in self.answers.items()},
                "revealed": sorted(self.revealed),
                "score": [self.score.asked, self.score.right, self.score.streak, self.score.best]}

    @classmethod
    def resume(cls, lesson: Lesson, progress: dict, project=None) -> LessonPlayer:
        """Replay the lesson's actions up to the step reached (the walk is deterministic)."""
        p = cls(lesson, project)
        target = max(0, min(int(progress.get("index", 0)), len(lesson.steps)))
        answers = {int(k): list(v) for k, v in dict(progress.get("answers", {})).items()}
        revealed = {int(i) for i in progress.get("revealed", [])}
        while p.index < target:
            p.do_action()
            p.question()  # fixes the numbers at the same point as the first time
            p.revealed.add(p.index)
            p.next()
        p.revealed = revealed
        p.answers = answers
        asked, right, streak, best = (list(progress.get("score", [])) + [0, 0, 0, 0])[:4]
        p.score = Score(int(asked), int(right), int(streak), int(best))
        return p

    def __repr__(self) -> str:
        name = self.lesson.name if self.lesson else "free play"
        return f"LessonPlayer({name!r}, step {self.index + 1}, {self.score.text()})"
