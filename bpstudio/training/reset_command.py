"""Reset weights as one undoable command (the Train menu's "Reset weights")."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ..core.graph import INPUT
from ..core.init import initial_values
from ..core.settings import TrainingSettings


class ResetWeightsCommand(QUndoCommand):
    """Re-initialise every weight and bias from the settings' init scheme and seed (undoable)."""

    def __init__(self, graph, settings: TrainingSettings) -> None:
        super().__init__(f"Reset weights ({settings.init}, seed {settings.seed})")
        self.graph = graph
        self.old = ({k: e.weight for k, e in graph.edges.items()},
                    {n.id: n.bias for n in graph if n.role != INPUT})
        self.new = initial_values(graph, settings.init, settings.seed, settings.init_value,
                                  settings.init_scale)

    def redo(self) -> None:
        self.graph.set_weights(*self.new)

    def undo(self) -> None:
        self.graph.set_weights(*self.old)
