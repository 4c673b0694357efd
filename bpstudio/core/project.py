"""A project: the network, its dataset, its training settings and (optionally) its loss history."""

from __future__ import annotations

from dataclasses import dataclass, field

from .dataset import Dataset
from .graph import Graph
from .settings import TrainingSettings


@dataclass
class Project:
    graph: Graph
    dataset: Dataset
    settings: TrainingSettings = field(default_factory=TrainingSettings)
    name: str = "untitled"
    loss_history: list[float] = field(default_factory=list)
    epoch: int = 0
    description: str = ""
    # the timeline's TrainingCheckpoints (bpstudio/core/checkpoints.py), oldest first; immutable
    checkpoints: tuple = ()

    def copy(self) -> Project:
        return Project(self.graph.copy(), self.dataset.copy(),
                       TrainingSettings(**self.settings.to_dict()), self.name,
                       list(self.loss_history), self.epoch, self.description, tuple(self.checkpoints))

    def history_epochs(self) -> list[int]:
        """The epoch of each ``loss_history`` entry: the last ones up to ``epoch`` (1..N when there
        is one loss per epoch; a history longer than ``epoch`` counts from 1)."""
        n = len(self.loss_history)
        last = max(int(self.epoch), n)
        return list(range(last - n + 1, last + 1))

    def __repr__(self) -> str:
        return f"Project({self.name!r}, {self.graph!r}, {self.dataset!r}, epoch={self.epoch})"
