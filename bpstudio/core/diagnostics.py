"""What is wrong with a network, in plain words: linear, symmetric units, non-finite numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .graph import HIDDEN, INPUT, Graph
from .trace import StepTrace

_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
          9: "nine", 10: "ten"}
# output functions that rise (or fall) with their net input: the decision boundary stays a line
_MONOTONE = {"identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus"}
_ADVICE = ("Training has diverged: the numbers grew too large. Lower the learning rate, "
           "re-initialise the weights and train again.")


@dataclass(frozen=True)
class Diagnostic:
    """One finding the studio shows a learner."""

    kind: str  # "linear" | "symmetric" | "non_finite"
    severity: str  # "note" | "warning" | "error"
    message: str
    units: tuple[str, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# ---------------------------------------------------------------- linear
def is_linear(graph: Graph) -> bool:
    """True when every non-input unit uses the identity activation (and there is at least one)."""
    units = [n for n in graph if n.role != INPUT]
    return bool(units) and all(n.activation == "identity" for n in units)


def _is_xor(dataset) -> bool:
    if dataset is None or dataset.n_inputs != 2 or dataset.n_outputs != 1:
        return False
    X, Y = dataset.train()
    if len(X) == 0 or not np.all(np.isin(X, (0.0, 1.0))):
        return False
    xor = np.logical_xor(X[:, 0] > 0.5, X[:, 1] > 0.5).astype(float)
    return len({(a, b) for a, b in X}) == 4 and bool(np.array_equal(Y[:, 0], xor))


def best_linear_loss(dataset) -> float:
    """The lowest mean squared-error loss any linear function of the inputs reaches on the data."""
    X, Y = dataset.train()
    A = np.hstack([np.ones((len(X), 1)), X])
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)
    r = A @ coef - Y
    return float(np.mean(0.5 * np.sum(r * r, axis=1)))


def _linear_diagnostic(graph: Graph, dataset) -> Diagnostic | None:
    units = tuple(n.id for n in graph if n.role != INPUT)
    fix = "Use tanh, sigmoid or ReLU hidden units."
    if is_linear(graph):
        head = ("The network is linear: every unit uses the identity activation, so the whole "
                "network computes a linear function of its inputs (one plane).")
        if _is_xor(dataset):
            body = (" XOR is not linearly separable, so no choice of weights can fit it; the best "
                    "a linear model can do on XOR is 0.5 everywhere (squared-error loss 0.125).")
        elif dataset is not None:
            best = best_linear_loss(dataset)
            if best < 1e-12:
                return Diagnostic("linear", "note", head + " A plane fits this data exactly, so "
                                  "that is enough here; for curved data " + fix[0].lower()
                                  + fix[1:], units)
            body = (f" No choice of weights can do better on this data than the best plane "
                    f"(squared-error loss {best:.4g}).")
        else:
            body = " It cannot learn anything a plane cannot fit, XOR for example."
        return Diagnostic("linear", "note", head + body + " " + fix, units)
    hidden = graph.hidden
    outs = graph.outputs
    if hidden and all(n.activation == "identity" for n in hidden) and all(
            n.activation in _MONOTONE for n in outs):
        return Diagnostic(
            "linear", "note",
            "Every hidden unit uses the identity activation, so the hidden layers add nothing: "
            "the network is a single layer in disguise and its decision boundary is a straight "
            "line (it cannot learn XOR). " + fix, tuple(n.id for n in hidden))
    return None


# ---------------------------------------------------------------- symmetry
def _signature(graph: Graph, nid: str) -> tuple:
    node = graph.nodes[nid]
    ins = tuple(sorted((e.source, e.weight) for e in graph.incoming(nid)))
    outs = tuple(sorted((e.target, e.weight) for e in graph.outgoing(nid)))
    return node.activation, node.bias, ins, outs


def _close(sig_a: tuple, sig_b: tuple, tol: float) -> bool:
    act_a, bias_a, ins_a, outs_a = sig_a
    act_b, bias_b, ins_b, outs_b = sig_b
    if act_a != act_b or abs(bias_a - bias_b) > tol:
        return False
    for xs, ys in ((ins_a, ins_b), (outs_a, outs_b)):
        if [k for k, _ in xs] != [k for k, _ in ys]:
            return False
        if any(abs(wa - wb) > tol for (_, wa), (_, wb) in zip(xs, ys)):
            return False
    return True


def symmetric_groups(graph: Graph, tol: float = 0.0) -> list[list[str]]:
    """Groups (≥ 2) of hidden units at one depth with the same activation, bias, incoming and
    outgoing weights (within ``tol``): gradient descent can never tell them apart. Units with no
    incoming or no outgoing connection are left out."""
    depth = graph.depths()
    groups: list[list[str]] = []
    for d in sorted({depth[n.id] for n in graph.hidden}):
        # a unit cut off on either side takes no part in training: not worth a warning
        ids = [n.id for n in graph if n.role == HIDDEN and depth[n.id] == d
               and graph.incoming(n.id) and graph.outgoing(n.id)]
        sigs = {nid: _signature(graph, nid) for nid in ids}
        found: list[list[str]] = []
        for nid in ids:
            for grp in found:
                if _close(sigs[grp[0]], sigs[nid], tol):
                    grp.append(nid)
                    break
            else:
                found.append([nid])
        groups += [g for g in found if len(g) > 1]
    return groups


def _symmetry_diagnostic(graph: Graph, group: list[str]) -> Diagnostic:
    names = [graph.nodes[n].name for n in group]
    count = _WORDS.get(len(names), str(len(names)))
    edges = tuple(e.key for n in group for e in (*graph.incoming(n), *graph.outgoing(n)))
    return Diagnostic(
        "symmetric", "warning",
        f"{_and(names)} are symmetric: they have the same bias and the same incoming and "
        f"outgoing weights, so they receive the same gradients and will stay identical forever "
        f"— {count} units doing the work of one. Re-initialise with random weights to break the "
        f"symmetry.", tuple(group), edges)


# ---------------------------------------------------------------- non-finite
def _what(x: float) -> str:
    return "not a number (NaN)" if np.isnan(x) else "infinite"


def _bad_parameter(graph: Graph, nid: str) -> Diagnostic | None:
    node = graph.nodes[nid]
    for e in graph.incoming(nid):
        if not np.isfinite(e.weight):
            s = graph.nodes[e.source].name
            return Diagnostic("non_finite", "error",
                              f"The weight {s} → {node.name} is {_what(e.weight)}. {_ADVICE}",
                              (e.source, nid), (e.key,))
    if node.role != INPUT and not np.isfinite(node.bias):
        return Diagnostic("non_finite", "error",
                          f"The bias of {node.name} is {_what(node.bias)}. {_ADVICE}", (nid,))
    return None


def _bad_column(trace: StepTrace, table: np.ndarray, nid: str, what: str) -> Diagnostic | None:
    col = table[:, trace.column[nid]]
    if trace.depth_of.get(nid, 0) == 0 and what != "value":
        return None  # inputs have no net input or delta (NaN by design)
    bad = np.flatnonzero(~np.isfinite(col))
    if len(bad) == 0:
        return None
    row = int(bad[0])
    name = trace.names.get(nid, nid)
    where = f" on sample {row + 1} of {trace.n_samples}" if trace.n_samples > 1 else ""
    return Diagnostic("non_finite", "error",
                      f"The {what} of unit {name} is {_what(col[row])}{where}. {_ADVICE}", (nid,))


def _bad_update(trace: StepTrace) -> Diagnostic | None:
    """A non-finite gradient, or new value (when the update has been applied)."""
    tables = [("gradient", trace.weight_grad, trace.bias_grad)]
    if np.isfinite(trace.weight_new).any() or np.isfinite(trace.bias_new).any():
        tables.append(("new value", trace.weight_new, trace.bias_new))  # NaN = not applied yet
    for word, w, b in tables:
        for v, (s, t) in zip(w, trace.edge_keys):
            if not np.isfinite(v):
                msg = (f"The {word} of the weight {trace.names.get(s, s)} → "
                       f"{trace.names.get(t, t)} is {_what(v)}. {_ADVICE}")
                return Diagnostic("non_finite", "error", msg, (s, t), ((s, t),))
        for v, nid in zip(b, trace.bias_ids):
            if not np.isfinite(v):
                msg = f"The {word} of the bias of {trace.names.get(nid, nid)} is {_what(v)}. {_ADVICE}"
                return Diagnostic("non_finite", "error", msg, (nid,))
    return None


def first_non_finite(graph: Graph, trace: StepTrace | None = None) -> Diagnostic | None:
    """The first NaN or infinite number, in the order the step computes them: layer by layer,
    each layer's weights and biases, then its units' net inputs and values (from ``trace``);
    then the deltas from the output back and the gradients and new weights."""
    layers = graph.layers()
    for ids in layers:
        for nid in ids:
            found = _bad_parameter(graph, nid)
            if found:
                return found
        if trace is None:
            continue
        for what, table in (("net input", trace.net_input), ("value", trace.activation)):
            for nid in ids:
                if nid in trace.column:
                    found = _bad_column(trace, table, nid, what)
                    if found:
                        return found
    if trace is None:
        return None
    loss = trace.loss_per_sample
    if not np.all(np.isfinite(loss)):
        row = int(np.flatnonzero(~np.isfinite(loss))[0])
        return Diagnostic("non_finite", "error",
                          f"The loss on sample {row + 1} is {_what(loss[row])}. {_ADVICE}",
                          tuple(trace.output_ids))
    for ids in reversed(layers):
        for nid in ids:
            if nid in trace.column:
                found = _bad_column(trace, trace.delta, nid, "delta")
                if found:
                    return found
    return _bad_update(trace)


# ---------------------------------------------------------------- all together
def diagnose(graph: Graph, values: dict | None = None, dataset=None,
             trace: StepTrace | None = None) -> list[Diagnostic]:
    """Every finding for ``graph``: non-finite numbers first (errors), then symmetric units
    (warnings), then linearity (a note). ``values`` maps unit ids to their current values
    (numbers or arrays, e.g. from a snapshot); ``dataset`` makes the linear note specific."""
    out: list[Diagnostic] = []
    bad = first_non_finite(graph, trace)
    if bad is None and values:
        for nid in graph.topological_order():
            if nid in values and not np.all(np.isfinite(np.asarray(values[nid], dtype=float))):
                name = graph.nodes[nid].name
                bad = Diagnostic("non_finite", "error",
                                 f"The value of unit {name} is not a finite number. {_ADVICE}",
                                 (nid,))
                break
    if bad is not None:
        out.append(bad)
    out += [_symmetry_diagnostic(graph, g) for g in symmetric_groups(graph)]
    lin = _linear_diagnostic(graph, dataset)
    if lin is not None:
        out.append(lin)
    return out


__all__ = ["Diagnostic", "diagnose", "symmetric_groups", "is_linear", "first_non_finite",
           "best_linear_loss"]
