"""Lesson files: versioned JSON (``"format": "bpstudio-lesson"``), checked field by field.

Every refusal is a :class:`LessonFileError` that names the place (``steps[3].question.ask``) and
says what is wrong in plain words, as project files do (docs/lesson-format.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..activations import ACTIVATIONS
from ..fileformat_checks import (
    ProjectFileError,
    need_list,
    need_number,
    need_object,
    need_text,
    need_whole,
    no_duplicate_keys,
    show,
)
from ..init import INITS
from ..presets import PRESETS
from ..settings import MODES, TrainingSettings
from .model import ACTIONS, ASKS, FORMAT, QUESTION_TYPES, VERSION, Action, Lesson, QuestionSpec, Step
from .names import NameError_, find_name

MAX_BYTES = 2 * 1024 * 1024
MAX_STEPS = 500
MAX_EPOCHS = 100_000
ACTION_FIELDS = {
    "step_phase": ((), ("until", "times")),
    "finish_step": ((), ("times",)),
    "train": (("epochs",), ()),
    "set_activation": (("units", "activation"), ()),
    "add_unit": (("depth",), ()),
    "set_learning_rate": (("value",), ()),
    "reinitialise": (("init",), ("seed",)),
    "set_mode": (("mode",), ()),
}
STRUCTURAL = ("set_activation", "add_unit")


class LessonFileError(ValueError):
    """A lesson file the studio cannot read; the message says what and where."""


def _wrap(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except ProjectFileError as exc:
        raise LessonFileError(str(exc)) from None


def _fail(where: str, message: str):
    raise LessonFileError(f"{where}: {message}" if where else message)


def lesson_from_dict(data, name: str = "lesson") -> Lesson:
    """Validate everything and build the lesson; LessonFileError names the first problem."""
    if not isinstance(data, dict):
        _fail("", f"a lesson file holds one JSON object ({{...}}), not {show(data)}")
    fmt = data.get("format")
    if fmt != FORMAT:
        found = "it has no \"format\" field" if fmt is None else f"its format is {show(fmt)}"
        _fail("format", f"this is not a Backprop Studio lesson ({found}; expected {FORMAT!r})")
    version = data.get("version")
    if type(version) is not int:
        _fail("version", f"the format version must be a whole number, not {show(version)}")
    if version > VERSION:
        _fail("", f"this lesson was written for a newer Backprop Studio (format version {version}); "
                  f"this version reads up to {VERSION}")
    if version < 1:
        _fail("version", f"format version {version} does not exist (versions start at 1)")
    _wrap(need_object, data, "", required=("format", "version", "title", "start", "steps"),
          optional=("summary", "tolerance"))
    title = _wrap(need_text, data["title"], "title")
    summary = _wrap(need_text, data.get("summary", ""), "summary", empty_ok=True)
    tolerance = _wrap(need_number, data.get("tolerance", 1e-3), "tolerance")
    if tolerance <= 0:
        _fail("tolerance", f"must be positive, not {tolerance}")
    start = _read_start(data["start"])
    lesson = Lesson(name, title, summary, start, (), tolerance)
    try:
        project = lesson.start_project()
    except (ProjectFileError, ValueError, KeyError) as exc:
        _fail("start", f"the starting project cannot be built: {exc}")
    steps_in = _wrap(need_list, data["steps"], "steps", MAX_STEPS, "steps")
    if not steps_in:
        _fail("steps", "a lesson needs at least one step")
    steps, names_valid = [], True
    for i, item in enumerate(steps_in):
        step = _read_step(item, f"steps[{i}]")
        if names_valid:
            _check_names(step, f"steps[{i}]", project.graph)
        if step.action is not None and step.action.do in STRUCTURAL:
            names_valid = False  # the network changes here: later names are checked when asked
        steps.append(step)
    return Lesson(name, title, summary, start, tuple(steps), tolerance)


def _read_start(value) -> dict:
    start = _wrap(need_object, value, "start", optional=("preset", "project", "training",
                                                         "reinitialise"))
    if ("preset" in start) == ("project" in start):
        _fail("start", "give either \"preset\" (a built-in project's name) or \"project\" (a whole "
                       "project, as in a project file), one of them")
    if "preset" in start:
        p = _wrap(need_text, start["preset"], "start.preset")
        if p not in PRESETS:
            _fail("start.preset", f"unknown preset {p!r}; the presets are {', '.join(PRESETS)}")
    if "project" in start:
        from ..fileformat_read import project_from_dict

        try:
            project_from_dict(start["project"])
        except ProjectFileError as exc:
            _fail("start.project", str(exc))
    if "training" in start:
        _wrap(need_object, start["training"], "start.training",
              optional=tuple(TrainingSettings.__dataclass_fields__))
    if "reinitialise" in start and not isinstance(start["reinitialise"], bool):
        _fail("start.reinitialise", f"must be true or false, not {show(start['reinitialise'])}")
    return dict(start)


def _read_step(item, where: str) -> Step:
    _wrap(need_object, item, where, optional=("title", "text", "action", "question"))
    if not any(k in item for k in ("text", "action", "question")):
        _fail(where, "a step needs a \"text\", an \"action\" or a \"question\"")
    title = _wrap(need_text, item.get("title", ""), f"{where}.title", empty_ok=True)
    text = _wrap(need_text, item.get("text", ""), f"{where}.text", empty_ok=True)
    action = _read_action(item["action"], f"{where}.action") if "action" in item else None
    question = _read_question(item["question"], f"{where}.question") if "question" in item else None
    return Step(text, action, question, title)


def _read_action(value, where: str) -> Action:
    if not isinstance(value, dict):
        _fail(where, f"must be an object ({{...}}), not {show(value)}")
    do = value.get("do")
    if do not in ACTIONS:
        _fail(f"{where}.do", f"unknown action {show(do)}; use one of {', '.join(ACTIONS)}")
    required, optional = ACTION_FIELDS[do]
    _wrap(need_object, value, where, required=("do", *required), optional=("hint", *optional))
    hint = _wrap(need_text, value.get("hint", ""), f"{where}.hint", empty_ok=True)
    params = {k: v for k, v in value.items() if k not in ("do", "hint")}
    if "until" in params:
        _wrap(need_text, params["until"], f"{where}.until")
    if "times" in params:
        _wrap(need_whole, params["times"], f"{where}.times", 1)
    if "epochs" in params:
        n = _wrap(need_whole, params["epochs"], f"{where}.epochs", 1)
        if n > MAX_EPOCHS:
            _fail(f"{where}.epochs", f"{n} epochs is too many for a lesson (at most {MAX_EPOCHS})")
    if do == "set_activation":
        units = params["units"]
        if units not in ("hidden", "output", "all") and not (
                isinstance(units, list) and units and all(isinstance(u, str) for u in units)):
            _fail(f"{where}.units", f"must be \"hidden\", \"output\", \"all\" or a list of unit names, "
                                    f"not {show(units)}")
        if params["activation"] not in ACTIVATIONS:
            _fail(f"{where}.activation", f"unknown activation {show(params['activation'])}; use one "
                                         f"of {', '.join(ACTIVATIONS)}")
    if do == "add_unit":
        _wrap(need_whole, params["depth"], f"{where}.depth", 1)
    if do == "set_learning_rate":
        v = _wrap(need_number, params["value"], f"{where}.value")
        if v <= 0:
            _fail(f"{where}.value", f"the learning rate must be positive, not {v}")
    if do == "reinitialise":
        if params["init"] not in INITS:
            _fail(f"{where}.init", f"unknown initialisation {show(params['init'])}; use one of "
                                   f"{', '.join(INITS)}")
        _wrap(need_whole, params.get("seed", 0), f"{where}.seed", 0)
    if do == "set_mode" and params["mode"] not in MODES:
        _fail(f"{where}.mode", f"unknown mode {show(params['mode'])}; use one of {', '.join(MODES)}")
    return Action(do, params, hint)


def _read_question(value, where: str) -> QuestionSpec:
    if not isinstance(value, dict):
        _fail(where, f"must be an object ({{...}}), not {show(value)}")
    qtype = value.get("type")
    if qtype not in QUESTION_TYPES:
        _fail(f"{where}.type", f"unknown question type {show(qtype)}; use one of "
                               f"{', '.join(QUESTION_TYPES)}")
    if qtype == "choice":
        _wrap(need_object, value, where, required=("type", "prompt", "options", "answer"),
              optional=("explain",))
        prompt = _wrap(need_text, value["prompt"], f"{where}.prompt")
        options = [_wrap(need_text, o, f"{where}.options[{i}]")
                   for i, o in enumerate(_wrap(need_list, value["options"], f"{where}.options"))]
        if len(options) < 2:
            _fail(f"{where}.options", "a choice question needs at least two options")
        answer = _wrap(need_whole, value["answer"], f"{where}.answer")
        if answer >= len(options):
            _fail(f"{where}.answer", f"option {answer} does not exist (options are numbered 0 to "
                                     f"{len(options) - 1})")
        explain = [_wrap(need_text, e, f"{where}.explain[{i}]", empty_ok=True)
                   for i, e in enumerate(_wrap(need_list, value.get("explain", []), f"{where}.explain"))]
        if explain and len(explain) != len(options):
            _fail(f"{where}.explain", f"{len(explain)} explanations for {len(options)} options: give "
                                      "one per option (or none)")
        return QuestionSpec("choice", prompt=prompt, options=tuple(options), answer=answer,
                            explain=tuple(explain))
    _wrap(need_object, value, where, required=("type",), optional=("ask", "name", "row", "tolerance"))
    ask = value.get("ask", "auto")
    if ask not in ASKS:
        _fail(f"{where}.ask", f"unknown quantity {show(ask)}; use one of {', '.join(ASKS)}")
    name = _wrap(need_text, value["name"], f"{where}.name") if "name" in value else None
    if ask in ("net_input", "value", "delta", "new_weight", "gradient") and name is None:
        _fail(where, f"a question asking for {ask!r} needs the \"name\" of its unit or weight")
    row = _wrap(need_whole, value["row"], f"{where}.row", 1) if "row" in value else None
    if ask == "output" and row is None:
        _fail(where, "a question asking for 'output' needs the data \"row\" (counted from 1)")
    tol = value.get("tolerance")
    if tol is not None:
        tol = _wrap(need_number, tol, f"{where}.tolerance")
        if tol <= 0:
            _fail(f"{where}.tolerance", f"must be positive, not {tol}")
    if qtype == "sign" and ask not in ("delta", "gradient"):
        _fail(f"{where}.ask", f"a sign question asks for a 'delta' or a 'gradient', not {ask!r}")
    return QuestionSpec(qtype, ask, name, row, tol)


def _check_names(step: Step, where: str, graph) -> None:
    q = step.question
    if q is not None and q.name is not None:
        try:
            rec = find_name(graph, q.name)
        except NameError_ as exc:
            _fail(f"{where}.question.name", str(exc))
        kind = rec[0] if isinstance(rec, tuple) and isinstance(rec[0], str) and rec[0] in (
            "bias", "bias_unit") else ("unit" if isinstance(rec, str) else "weight")
        if q.ask in ("net_input", "value") and kind != "unit":
            _fail(f"{where}.question.name", f"{q.name!r} is not a unit")
        if q.ask == "delta" and kind not in ("unit", "bias_unit"):
            _fail(f"{where}.question.name", f"{q.name!r} is not a unit or a bias unit")
        if q.ask in ("new_weight", "gradient") and kind not in ("weight", "bias"):
            _fail(f"{where}.question.name", f"{q.name!r} is not a weight")
    a = step.action
    if a is not None and a.do == "set_activation" and isinstance(a.params["units"], list):
        for i, u in enumerate(a.params["units"]):
            try:
                if not isinstance(find_name(graph, u), str):
                    raise NameError_(f"{u!r} is not a unit")
            except NameError_ as exc:
                _fail(f"{where}.action.units[{i}]", str(exc))


def loads(text: str, name: str = "lesson") -> Lesson:
    from ..safe_read import json_loads  # integers too large for a float named, not an OverflowError

    try:
        data = json_loads(text, object_pairs_hook=_no_dupes)
    except json.JSONDecodeError as exc:
        raise LessonFileError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") \
            from None
    except RecursionError:
        raise LessonFileError("the file is nested too deeply to be a lesson") from None
    return lesson_from_dict(data, name)


def _no_dupes(pairs):
    try:
        return no_duplicate_keys(pairs)
    except ProjectFileError as exc:
        raise LessonFileError(str(exc)) from None


def load(path) -> Lesson:
    """Read and validate a lesson file; LessonFileError (or OSError) in plain words."""
    from ..safe_read import UnsafeFile, read_bytes  # regular files only, size capped (issue 10)

    path = Path(path)
    try:
        raw = read_bytes(path, MAX_BYTES, "lesson file")
    except UnsafeFile as exc:
        raise LessonFileError(str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LessonFileError(f"{path.name} is not a text file (UTF-8)") from None
    try:
        return loads(text, path.stem)
    except LessonFileError as exc:
        raise LessonFileError(f"{path.name}: {exc}") from None


def shipped() -> list[Path]:
    """The lessons that ship with the studio, in order."""
    from ...assets import assets

    return assets("lessons", ".json")


def find_lesson(name: str) -> Lesson:
    """A shipped lesson by its name (the file stem, or its number: ``1`` or ``01-article``),
    or a path to a lesson file."""
    p = Path(name)
    if p.suffix == ".json" and p.exists():
        return load(p)
    files = shipped()
    for f in files:
        if name in (f.stem, f.name) or f.stem.split("-", 1)[0].lstrip("0") == name.lstrip("0"):
            return load(f)
    raise LessonFileError(f"no lesson called {name!r}; the lessons are "
                          f"{', '.join(f.stem for f in files)}")
