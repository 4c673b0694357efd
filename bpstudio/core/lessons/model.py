"""A lesson in memory: a starting project and steps of text, actions and questions (plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field

FORMAT = "bpstudio-lesson"
VERSION = 1
ACTIONS = ("step_phase", "finish_step", "train", "set_activation", "add_unit",
           "set_learning_rate", "reinitialise", "set_mode")
ASKS = ("auto", "net_input", "value", "loss", "delta", "new_weight", "gradient", "batch_loss",
        "output")
QUESTION_TYPES = ("predict", "sign", "choice")


@dataclass(frozen=True)
class Action:
    """Something the learner must do; ``params`` as in the file (``until``, ``epochs``, ...)."""

    do: str
    params: dict = field(default_factory=dict)
    hint: str = ""

    def __repr__(self) -> str:
        return f"Action({self.do}, {self.params})"


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the lesson writes it; the numbers come from the engine when it is asked."""

    type: str  # "predict" | "sign" | "choice"
    ask: str = "auto"  # what a predict/sign question asks for
    name: str | None = None  # the unit, weight or bias unit it is about ("Z1", "W10", "Z0")
    row: int | None = None  # data row (1-based) for "output"
    tolerance: float | None = None
    prompt: str = ""  # a choice question's question (a predict question's words are made)
    options: tuple[str, ...] = ()
    answer: int | None = None  # index of the right option
    explain: tuple[str, ...] = ()  # per option: why it is right or wrong

    def __repr__(self) -> str:
        return f"QuestionSpec({self.type}, {self.ask}, {self.name})"


@dataclass(frozen=True)
class Step:
    """Text (formulas allowed), then an optional action, then an optional question."""

    text: str = ""
    action: Action | None = None
    question: QuestionSpec | None = None
    title: str = ""


@dataclass(frozen=True)
class Lesson:
    name: str  # the file's stem ("01-article")
    title: str
    summary: str
    start: dict  # {"preset": name, "training": {...}} or {"project": {...}}
    steps: tuple[Step, ...]
    tolerance: float = 1e-3

    def start_project(self):
        """A fresh copy of the lesson's starting project."""
        from ..fileformat import project_from_dict
        from ..presets import load_preset
        from ..settings import TrainingSettings

        if "project" in self.start:
            project = project_from_dict(self.start["project"])
        else:
            project = load_preset(self.start["preset"])
        if self.start.get("training"):
            merged = {**project.settings.to_dict(), **self.start["training"]}
            project.settings = TrainingSettings.from_dict(merged)
        if self.start.get("reinitialise"):
            from ..presets import initialise

            initialise(project.graph, project.settings)
        project.name = self.name
        return project

    def __repr__(self) -> str:
        return f"Lesson({self.name!r}, {len(self.steps)} steps)"
