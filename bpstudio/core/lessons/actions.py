"""What a lesson asks the learner to do, and the check that it was done (on a :class:`Walk`).

A check compares the walk now with the walk when the step began (its :class:`Mark`): the
phase named in ``until`` shown since, ``epochs`` trained since, a unit more at ``depth``, the
activation, learning rate, mode or initialisation asked for in place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph import HIDDEN, INPUT, OUTPUT
from ..init import initial_values
from ..settings import TrainingSettings
from .model import Action
from .names import find_name
from .walk import Walk


@dataclass(frozen=True)
class Mark:
    """Where the walk was when a step began."""

    shown: int
    epochs: int
    steps: int
    units_at: dict
    diverged: bool = False

    @classmethod
    def of(cls, walk: Walk) -> Mark:
        d = walk.graph.depths()
        counts: dict[int, int] = {}
        for n in walk.graph:
            if n.role == HIDDEN:
                counts[d[n.id]] = counts.get(d[n.id], 0) + 1
        return cls(len(walk.shown), walk.epochs, walk.steps, counts, walk.diverged)


def units_of(walk: Walk, units) -> list[str]:
    g = walk.graph
    if units == "hidden":
        return [n.id for n in g if n.role == HIDDEN]
    if units == "output":
        return [n.id for n in g if n.role == OUTPUT]
    if units == "all":
        return [n.id for n in g if n.role != INPUT]
    return [find_name(g, u) for u in units]


def describe(action: Action) -> str:
    """The action in words, for a prompt."""
    p = action.params
    if action.hint:
        return action.hint
    if action.do == "step_phase":
        if "until" in p:
            return f"Step phase by phase until the phase '{p['until']}' is shown."
        n = p.get("times", 1)
        return f"Step {n} phase{'s' if n != 1 else ''}."
    if action.do == "finish_step":
        return "Finish the step (show the rest of its phases)."
    if action.do == "train":
        return f"Train {p['epochs']} epochs."
    if action.do == "set_activation":
        what = p["units"] if isinstance(p["units"], str) else ", ".join(p["units"])
        return f"Change the activation of the {what} units to {p['activation']}."
    if action.do == "add_unit":
        return f"Add a hidden unit at depth {p['depth']} (connected like its neighbours)."
    if action.do == "set_learning_rate":
        return f"Set the learning rate alpha to {p['value']:g}."
    if action.do == "reinitialise":
        return f"Re-initialise the weights with {p['init']} (seed {p.get('seed', 0)})."
    if action.do == "set_mode":
        return f"Switch the training mode to {p['mode']}."
    return action.do


def is_done(walk: Walk, action: Action, mark: Mark) -> bool:
    """True when the learner has done what ``action`` asks since ``mark``."""
    p = action.params
    if action.do == "step_phase":
        since = walk.shown[mark.shown:]
        return p["until"] in since if "until" in p else len(since) >= p.get("times", 1)
    if action.do == "finish_step":
        return walk.steps - mark.steps >= p.get("times", 1) and (
            walk.phase_index is None or walk.phase_index == len(walk.plan) - 1)
    if action.do == "train":
        return walk.epochs - mark.epochs >= p["epochs"] or (walk.diverged and not mark.diverged)
    if action.do == "set_activation":
        ids = units_of(walk, p["units"])
        return bool(ids) and all(walk.graph.nodes[u].activation == p["activation"] for u in ids)
    if action.do == "add_unit":
        now = Mark.of(walk).units_at.get(p["depth"], 0)
        return now > mark.units_at.get(p["depth"], 0)
    if action.do == "set_learning_rate":
        return abs(walk.settings.learning_rate - p["value"]) <= 1e-12 * max(1.0, p["value"])
    if action.do == "set_mode":
        return walk.settings.mode == p["mode"]
    if action.do == "reinitialise":
        s = walk.settings
        if s.init != p["init"] or s.seed != p.get("seed", 0):
            return False
        w, b = initial_values(walk.graph, s.init, s.seed, s.init_value, s.init_scale)
        g = walk.graph
        return all(np.isclose(g.edges[k].weight, v) for k, v in w.items()) and all(
            np.isclose(g.nodes[u].bias, v) for u, v in b.items())
    raise ValueError(f"unknown action {action.do!r}")


def perform(walk: Walk, action: Action, mark: Mark) -> None:
    """Do the action on the walk's project (the terminal player and tests; the studio lets the
    learner do it on the canvas)."""
    p = action.params
    proj = walk.project
    if action.do == "step_phase":
        guard = 0
        while not is_done(walk, action, mark):
            walk.step_phase()
            guard += 1
            if guard > 10_000:
                raise ValueError(f"the phase {p.get('until')!r} never comes in this network")
    elif action.do == "finish_step":
        for _ in range(p.get("times", 1)):
            walk.finish_step()
    elif action.do == "train":
        walk.train(max(0, p["epochs"] - (walk.epochs - mark.epochs)))
    elif action.do == "set_activation":
        for u in units_of(walk, p["units"]):
            proj.graph.set_activation(u, p["activation"])
    elif action.do == "add_unit":
        add_hidden_unit(proj, p["depth"])
    elif action.do == "set_learning_rate":
        proj.settings = _settings(proj, learning_rate=float(p["value"]))
    elif action.do == "set_mode":
        proj.settings = _settings(proj, mode=p["mode"])
    elif action.do == "reinitialise":
        walk.reinitialise(p["init"], p.get("seed", 0))
    walk.sync()


def _settings(project, **changes) -> TrainingSettings:
    return TrainingSettings(**{**project.settings.to_dict(), **changes}).validate()


def add_hidden_unit(project, depth: int) -> str:
    """A hidden unit at ``depth``, wired like the layer's first unit (weights 0.5 in, 0.5 out)."""
    g = project.graph
    d = g.depths()
    mates = [n.id for n in g if n.role == HIDDEN and d[n.id] == depth]
    if not mates:
        raise ValueError(f"there is no hidden layer at depth {depth}")
    like = mates[0]
    first = g.nodes[like]
    letter = first.name.rstrip("0123456789") or "H"
    taken = {n.name for n in g}
    k = len(mates) + 1
    while f"{letter}{k}" in taken:
        k += 1
    node = g.add_node(HIDDEN, f"{letter}{k}", first.activation, 0.5, first.x, first.y + 80)
    for e in g.incoming(like):
        g.connect(e.source, node.id, 0.5)
    for e in g.outgoing(like):
        g.connect(node.id, e.target, 0.5)
    return node.id
