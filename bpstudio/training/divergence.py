"""Where a diverged run went wrong, and what to tell the learner (Qt-free)."""

from __future__ import annotations

import numpy as np

from ..core.engine import Engine


def first_bad_unit(engine: Engine, X: np.ndarray) -> str | None:
    """The first unit (input side first) whose net input or activation is not finite on ``X``."""
    with np.errstate(all="ignore"):
        fw = engine.forward(X)
    for d, ids in enumerate(engine.layer_ids):
        if d == 0:
            continue
        bad = ~np.isfinite(fw.net[d]).all(axis=0) | ~np.isfinite(fw.act[d]).all(axis=0)
        if bad.any():
            return f"the unit {engine.names[ids[int(np.argmax(bad))]]}"
    return None


def largest_weight(engine: Engine) -> str | None:
    """The weight with the largest magnitude, named (None for a network without weights)."""
    if not len(engine.edge_slots):
        return None
    w = engine.theta[engine.edge_slots]
    k = int(np.argmax(np.abs(w)))
    s, t = engine.edge_keys[k]
    return f"the weight {engine.names[s]} → {engine.names[t]} (grew to {w[k]:.3g})"


def culprit(engine: Engine, X: np.ndarray) -> tuple[str | None, object]:
    """Where a diverged run broke, as (words, record): the first non-finite weight or bias, else
    the first unit whose numbers are not finite on ``X``, else the largest weight. The record is a
    unit id (a unit, or the unit whose bias it is) or an edge key, for marking it on the canvas."""
    bad = ~np.isfinite(engine.theta)
    for slot, key in zip(engine.edge_slots, engine.edge_keys):
        if bad[slot]:
            return f"the weight {engine.names[key[0]]} → {engine.names[key[1]]}", tuple(key)
    for slot, nid in zip(engine.bias_slots, engine.bias_ids):
        if bad[slot]:
            return f"the bias of {engine.names[nid]}", nid
    with np.errstate(all="ignore"):
        fw = engine.forward(X)
    for d, ids in enumerate(engine.layer_ids[1:], start=1):
        broken = ~np.isfinite(fw.net[d]).all(axis=0) | ~np.isfinite(fw.act[d]).all(axis=0)
        if broken.any():
            nid = ids[int(np.argmax(broken))]
            return f"the unit {engine.names[nid]}", nid
    if not len(engine.edge_slots):
        return None, None
    k = int(np.argmax(np.abs(engine.theta[engine.edge_slots])))
    return largest_weight(engine), tuple(engine.edge_keys[k])


def divergence_message(epoch: int, loss: float, where: str | None, learning_rate: float) -> str:
    """Plain words: what happened, where to look, and a smaller learning rate to try."""
    what = (f"the loss exploded to {loss:.3g}" if np.isfinite(loss)
            else "the numbers became infinite or NaN (not a number)")
    look = f" Look at {where}." if where else ""
    return (f"Training diverged at epoch {epoch}: {what}.{look} The learning rate "
            f"{learning_rate:g} is too large; try {learning_rate / 10:g}, then reset the weights. "
            "The network keeps its last finite weights.")
