"""Which deltas the delta panel and the canvas show, from a snapshot or a graph (Qt-free)."""

from __future__ import annotations

import numpy as np

MEAN = -1  # the "sample" meaning the mean over the batch


def graph_depths(graph) -> tuple[list[str], dict[str, int]]:
    """The non-input units of ``graph`` in depth order (the engine's order) and every depth."""
    depth = graph.depths()
    order = {nid: i for i, nid in enumerate(n.id for n in graph)}
    ids = sorted((nid for nid, d in depth.items() if d > 0), key=lambda u: (depth[u], order[u]))
    return ids, depth


def snapshot_depths(snap) -> dict[str, int]:
    """Depth of every unit from the snapshot alone: inputs (units without a bias) are 0, others
    1 + the deepest source (the engine's longest-path rule)."""
    has_bias = set(snap.bias_ids)
    sources: dict[str, list[str]] = {u: [] for u in snap.unit_ids}
    for s, t in snap.edge_keys:
        sources[t].append(s)
    depth: dict[str, int] = {}
    for u in snap.unit_ids:  # unit_ids are ordered by depth, so sources come first
        depth[u] = 0 if u not in has_bias else 1 + max((depth.get(s, 0) for s in sources[u]), default=0)
    return depth


def unit_deltas(snap, sample: int = 0) -> np.ndarray | None:
    """Per unit (``snap.unit_ids`` order) the delta of row ``sample`` of the batch, or the batch mean
    (``MEAN``); NaN for inputs and unreached layers. None when the snapshot has no deltas."""
    return unit_row(snap.delta, sample)


def unit_row(table, sample: int = 0) -> np.ndarray | None:
    """Like :func:`unit_deltas` for any per-unit table of a snapshot (e.g. its activations)."""
    if table is None or len(table) == 0:
        return None
    if sample == MEAN:
        out = np.full(table.shape[1], np.nan)
        cols = ~np.all(np.isnan(table), axis=0)
        out[cols] = table[:, cols].mean(axis=0)
        return out
    return np.array(table[min(max(sample, 0), len(table) - 1)], dtype=float)
