"""Step goes through here: a lesson's Step shows the lesson's next phase; with "Predict before
reveal" on, a free-play Step first asks for the number it is about to show."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

import numpy as np

from bpstudio.core.engine import Engine
from bpstudio.core.lessons import ask
from bpstudio.core.lessons.player import Asked
from bpstudio.core.trace import trace_step


class StepGate(QObject):
    """Sits between the Step action and the training controls."""

    def __init__(self, window, session, dock, dock_widget) -> None:
        super().__init__(window)
        self.window, self.session, self.dock, self.dock_widget = window, session, dock, dock_widget
        self.predict = False
        self.controls = getattr(window, "train_controls", None)
        if self.controls is not None:
            action = self.controls.step_action
            action.triggered.disconnect(self.controls._step)
            action.triggered.connect(self.step)
        dock.step_requested.connect(self.show_step)

    def set_predict(self, on: bool) -> None:
        self.predict = bool(on)
        if not on and self.session.free_asked is not None:
            self.session.free_asked = None
            self.session.changed.emit()

    @Slot()
    def step(self) -> None:
        s = self.session
        if s.player is not None:  # a lesson: its own walk shows the phases
            a = None if s.player.finished else s.player.step.action
            if a is not None and a.do in ("step_phase", "finish_step") and not s.player.action_done():
                s.step_phase()
            else:
                self.window.show_message("This step of the lesson asks for no Step: see the lesson dock")
            return
        if not self.predict:
            self.show_step()
            return
        if s.free_asked is not None:  # Step again while a question waits: reveal, then show it
            self.dock.reveal()
            return
        asked = self.free_question()
        if asked is None:
            self.show_step()
            return
        s.free_asked = asked
        s.last_verdict = None
        s.changed.emit()
        self.dock_widget.show()
        self.dock_widget.raise_()
        self.dock.answer_box.setFocus()

    @Slot()
    def show_step(self) -> None:
        if self.controls is not None:
            self.controls._step()

    # ---------------------------------------------------------------- which question
    def free_question(self) -> Asked | None:
        """The question for what the next Step shows, from the worker's state and the selection;
        None when a Step shows more than one traced step (an epoch of online training)."""
        doc = self.window.document
        controller = getattr(self.window, "controller", None)
        granularity = controller.granularity if controller is not None else "phase"
        selection = self.window.scene.selection()
        snap = getattr(controller, "latest", None) if controller is not None else None
        graph = doc.graph
        walking = (snap is not None and snap.trace is not None and snap.phase_index is not None
                   and snap.phases and snap.phase_index < len(snap.phases) - 1
                   and set(snap.trace.unit_ids) == set(graph.nodes))
        if walking:  # the step being walked: its own trace
            if granularity == "phase":
                phase = snap.phases[snap.phase_index + 1]
                q = ask(graph, snap.trace, phase.kind, phase.depth, selection)
            else:  # the rest of the step is shown at once: ask for its update (or its loss)
                kind = "update" if selection is not None else "loss"
                q = ask(graph, snap.trace, kind, None, selection)
            return Asked(None, q, snap.trace, graph)
        s = doc.settings
        if granularity == "epoch" and s.mode != "batch":
            return None
        if s.shuffle and s.mode != "batch":
            return None  # the worker's next sample is drawn at random: nothing exact to ask
        X, Y = doc.dataset.train()
        n = len(X)
        rows = np.arange(n)
        if s.mode != "batch":
            size = 1 if s.mode == "online" else min(s.batch_size, n)
            start = 0
            if snap is not None and snap.sample_indices is not None and len(snap.sample_indices) \
                    and snap.steps:
                start = (int(np.asarray(snap.sample_indices)[-1]) + 1) % n
            rows = np.arange(start, min(start + size, n))  # the batch the worker takes next
        engine = Engine(graph, s.loss)
        with np.errstate(over="ignore", invalid="ignore"):
            trace = trace_step(engine, X[rows], Y[rows], rows, s.learning_rate, s.optimizer)
        if granularity == "phase":
            q = ask(graph, trace, "forward", 1, selection)
        elif isinstance(selection, tuple) or (isinstance(selection, str)
                                              and graph.nodes[selection].role != "input"):
            q = ask(graph, trace, "update", None, selection)
        else:
            q = ask(graph, trace, "loss", None, selection)
        return Asked(None, q, trace, graph)
