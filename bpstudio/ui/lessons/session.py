"""LessonSession: a lesson (or free play) over the window's document, in the GUI thread.

The lesson's :class:`~bpstudio.core.lessons.Walk` follows ``document.project``: the learner's
canvas edits (undo commands) and settings are what its checks see. Stepping a lesson's phases
runs in the GUI thread (lesson networks are tiny) and shows the numbers on the canvas through
the scene's own API. Progress is saved in QSettings after every answer and every step.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, QPointF, Signal

from bpstudio.core.graph import HIDDEN
from bpstudio.core.lessons import AnswerError, LessonPlayer, Walk, free_question
from bpstudio.core.lessons.walk import BACKWARD, FORWARD, LOSS
from bpstudio.core.settings import TrainingSettings
from bpstudio.ui.canvas import commands as cmd
from bpstudio.weak_events import follow

PROGRESS_KEY = "lessons/progress/{}"


class LessonSession(QObject):
    """The lesson being played in a window, its free-play questions and the canvas highlights."""

    changed = Signal()  # the step, its check or the question changed: redraw
    verdict_ready = Signal(object)  # a Verdict, after an answer or a reveal

    def __init__(self, window, store=None) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.store = store if store is not None else self._default_store(window)
        self.player: LessonPlayer | None = None
        self.free_asked = None  # a free-play question waiting for its answer
        self.last_verdict = None
        self.training_summary = ""  # the loss curve of the lesson's last training, in numbers
        events = self.document.graph.events
        for name in ("structure_changed", "reset", "node_added", "node_removed"):
            follow(getattr(events, name), self, "_graph_changed")
        self.document.settings_changed.connect(self._graph_changed)

    @staticmethod
    def _default_store(window):
        actions = getattr(window, "file_actions", None)
        if actions is not None:
            return actions.settings.store
        from bpstudio.ui.settings import default_qsettings

        return default_qsettings()

    # ---------------------------------------------------------------- lessons
    def open(self, lesson, resume: bool = True) -> None:
        """Load the lesson's starting project (one undo-less replace) and start or resume it."""
        self.document.replace_project(lesson.start_project())
        source = self._project
        progress = self.saved_progress(lesson.name) if resume else None
        if progress and progress.get("index", 0) > 0:
            self.player = LessonPlayer.resume(lesson, progress, source)
        else:
            self.player = LessonPlayer(lesson, source)
        self.last_verdict = None
        self._show_walk()
        self.save()
        self.changed.emit()

    def close(self) -> None:
        self.player = None
        self.last_verdict = None
        self.window.scene.highlight_depth(None)
        self.changed.emit()

    def restart(self) -> None:
        if self.player is not None:
            self.store.remove(PROGRESS_KEY.format(self.player.lesson.name))
            self.open(self.player.lesson, resume=False)

    def _project(self):
        return self.document.project

    @property
    def walk(self) -> Walk | None:
        return self.player.walk if self.player is not None else None

    def saved_progress(self, name: str) -> dict | None:
        raw = self.store.value(PROGRESS_KEY.format(name))
        if not raw:
            return None
        try:
            data = json.loads(str(raw))
        except ValueError:
            return None  # a hand-edited store: start from the beginning
        return data if isinstance(data, dict) else None

    def save(self) -> None:
        if self.player is not None:
            self.store.setValue(PROGRESS_KEY.format(self.player.lesson.name),
                                json.dumps(self.player.progress()))
            self.store.sync()

    def _graph_changed(self, *_args) -> None:
        if self.player is not None:
            self.changed.emit()

    # ---------------------------------------------------------------- the learner's tools
    def step_phase(self) -> None:
        """Show the next phase of the lesson's walk on the canvas."""
        if self.player is None:
            return
        self.player.walk.step_phase()
        self._show_walk()
        self.save()
        self.changed.emit()

    def train(self) -> None:
        """Train the epochs the step's action asks for (synchronously: lessons are small)."""
        a = self.player.step.action if self.player is not None else None
        if a is None or a.do != "train":
            return
        before = self.player.walk.epochs
        self.player.do_action()
        self.training_summary = self._summary(before)
        self.window.scene.set_unit_values(None)
        self.window.scene.highlight_depth(None)
        self.save()
        self.changed.emit()

    def _summary(self, before: int) -> str:
        """The loss by epoch of the training just done: the first epochs, then every power of two."""
        walk = self.player.walk
        losses = walk.history[before:]
        if not losses:
            return ""
        from bpstudio.core.notation import num

        picks = sorted(set(range(min(3, len(losses))))
                       | {2 ** k - 1 for k in range(2, 20) if 2 ** k - 1 < len(losses)}
                       | {len(losses) - 1})
        lines = [f"Loss by epoch (the loss curve, in numbers), alpha = {num(walk.settings.learning_rate)}:"]
        lines += [f"  epoch {before + i + 1:>6}: {num(losses[i])}" for i in picks]
        if walk.diverged:
            lines.append("Training diverged: the numbers overflowed, and the last finite weights are kept.")
        return "\n".join(lines)

    def do_for_me(self) -> None:
        """Do the step's action through the studio's own tools (undo commands, settings)."""
        p = self.player
        if p is None or p.step.action is None or p.action_done():
            return
        a = p.step.action
        par = a.params
        doc = self.document
        if a.do in ("step_phase", "finish_step"):
            while not p.action_done():
                self.step_phase()
            return
        if a.do == "train":
            self.train()
            return
        if a.do == "set_activation":
            from bpstudio.core.lessons.actions import units_of

            doc.undo_stack.beginMacro(f"Set activations to {par['activation']}")
            for u in units_of(p.walk, par["units"]):
                if doc.graph.nodes[u].activation != par["activation"]:
                    doc.undo_stack.push(cmd.SetActivationCommand(doc.graph, u, par["activation"]))
            doc.undo_stack.endMacro()
        elif a.do == "add_unit":
            d = doc.graph.depths()
            mates = [n for n in doc.graph if n.role == HIDDEN and d[n.id] == par["depth"]]
            x = mates[0].x
            y = max(n.y for n in mates) + 80
            self.window.scene.add_hidden_unit(QPointF(x, y))
        elif a.do in ("set_learning_rate", "set_mode"):
            key = "learning_rate" if a.do == "set_learning_rate" else "mode"
            doc.set_settings(TrainingSettings(**{**doc.settings.to_dict(), key: par["value" if key ==
                                                                                  "learning_rate" else "mode"]}))
        elif a.do == "reinitialise":
            doc.set_settings(TrainingSettings(**{**doc.settings.to_dict(), "init": par["init"],
                                                 "seed": par.get("seed", 0)}))
            controller = getattr(self.window, "controller", None)
            if controller is not None:
                controller.reset_weights()
            else:
                from bpstudio.training.reset_command import ResetWeightsCommand

                doc.undo_stack.push(ResetWeightsCommand(doc.graph, doc.settings))
        self.changed.emit()

    # ---------------------------------------------------------------- questions
    def current_question(self):
        if self.player is not None:
            return self.player.question()
        return self.free_asked

    def answer(self, text):
        """Grade ``text`` (AnswerError when it is no answer); highlight where the factors are."""
        if self.player is None and self.free_asked is not None:
            verdict = self.free_asked.grade(text)
        elif self.player is not None:
            verdict = self.player.answer(text)
            self.save()
        else:
            raise AnswerError("there is no question to answer")
        self._verdict(verdict)
        return verdict

    def reveal(self):
        if self.player is not None:
            verdict = self.player.reveal()
            self.save()
        elif self.free_asked is not None:
            q = self.free_asked.question
            verdict = self.free_asked.grade("none" if q.expected is None else q.expected)
        else:
            return None
        if verdict is not None:
            self._verdict(verdict)
        return verdict

    def _verdict(self, verdict) -> None:
        self.last_verdict = verdict
        self.highlight(verdict.reveal.records)
        self.verdict_ready.emit(verdict)
        self.changed.emit()

    def highlight(self, records) -> None:
        """Select on the canvas the items the factors came from (the scene's own selection)."""
        scene = self.window.scene
        scene.blockSignals(True)
        try:
            scene.clearSelection()
            for rec in records:
                if isinstance(rec, str):
                    item = scene.nodes.get(rec)
                elif rec[0] == "bias":
                    item = scene.bias_edges.get(rec[1])
                else:
                    item = scene.edges.get(rec)
                if item is not None:
                    item.setSelected(True)
        finally:
            scene.blockSignals(False)
        scene._on_selection_changed()

    def _clear_highlight(self) -> None:
        """The factors of the last answer stop being selected when the learner moves on."""
        if self.last_verdict is not None and self.last_verdict.reveal.records:
            self.window.scene.clearSelection()

    def ask_free(self, selection=None):
        """Free play: the question for the phase the next Step shows, on the current network."""
        walk = Walk(self.document.project)
        self.free_asked = free_question(walk, selection)
        self.last_verdict = None
        self.changed.emit()
        return self.free_asked

    def next(self) -> bool:
        if self.player is None:
            return False
        moved = self.player.next()
        if moved:
            self._clear_highlight()
            self.last_verdict = None
            self.save()
            self.changed.emit()
        return moved

    def back(self) -> bool:
        if self.player is None:
            return False
        moved = self.player.back()
        if moved:
            self._clear_highlight()
            self.last_verdict = None
            self.changed.emit()
        return moved

    # ---------------------------------------------------------------- canvas
    def _show_walk(self) -> None:
        """The numbers of the phase last shown, on the canvas (values forward, deltas back)."""
        walk = self.walk
        scene = self.window.scene
        phase = walk.current() if walk is not None else None
        if phase is None or walk.trace is None:
            scene.set_unit_values(None)
            scene.highlight_depth(None)
            return
        t = walk.trace
        depth = walk.graph.depths()
        if phase.kind in (FORWARD, LOSS):
            upto = phase.depth if phase.kind == FORWARD else max(depth.values())
            values = {u: float(t.activation[0, t.column[u]]) for u in t.unit_ids if depth[u] <= upto}
            scene.set_unit_values(values, "value")
        elif phase.kind == BACKWARD:
            values = {u: float(t.delta[0, t.column[u]]) for u in t.unit_ids
                      if depth[u] >= phase.depth and depth[u] > 0}
            scene.set_unit_values(values, "delta")
        else:
            scene.set_unit_values(None)
        scene.highlight_depth(phase.depth)

    def __repr__(self) -> str:
        return f"LessonSession({self.player!r})"
