"""Pick a question from the coming phase and the selection, on any network, with the exact answer.

A :class:`Target` names one number of a traced step: a unit's net input or value (forward), the
loss of a sample, a unit's delta (backward; a bias unit has none), a weight's new value (update,
gradient descent) or its gradient (other optimisers). The expected value is read from the trace,
so it is the engine's own number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..graph import INPUT, OUTPUT, Graph
from ..notation import Notation
from ..trace import StepTrace

KINDS = ("net_input", "value", "loss", "delta", "new_weight", "gradient")
DEFAULT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Target:
    """One number of a step: ``kind`` of ``unit`` (or of the weight ``edge`` / the bias of
    ``unit`` when ``edge`` is None), on ``sample`` of the batch. ``bias_unit``: the delta asked of
    the bias unit that feeds ``unit`` (it has none)."""

    kind: str
    unit: str | None = None
    edge: tuple[str, str] | None = None
    bias_unit: bool = False
    sample: int = 0

    def record(self):
        """The canvas record of the thing asked about."""
        if self.edge is not None:
            return self.edge
        if self.kind in ("new_weight", "gradient") or self.bias_unit:
            return ("bias", self.unit)
        return self.unit


@dataclass(frozen=True)
class Question:
    """A question asked: what, in words and as a symbol, and the engine's answer."""

    target: Target
    symbol: str  # "a_Z1", "z_Z1", "E", "delta_Z1", "W10"
    prompt: str
    expected: float | None  # None: there is no such number (a bias unit has no delta)
    tolerance: float = DEFAULT_TOLERANCE
    answer_kind: str = "number"  # "number" or "sign"

    def __repr__(self) -> str:
        return f"Question({self.symbol} = {self.expected!r})"


def updated(trace: StepTrace) -> StepTrace:
    """The trace with its gradient-descent update filled in (W − α·dE/dW) when not applied yet."""
    if trace.applied or trace.optimizer != "gd":
        return trace
    lr = trace.learning_rate
    return replace(trace, weight_new=trace.weight_old - lr * trace.weight_grad,
                   bias_new=trace.bias_old - lr * trace.bias_grad)


def expected_value(trace: StepTrace, target: Target) -> float | None:
    """The engine's number for ``target`` (None for a bias unit's delta)."""
    s, k = target.sample, target.kind
    col = trace.column
    if k == "net_input":
        return float(trace.net_input[s, col[target.unit]])
    if k == "value":
        return float(trace.activation[s, col[target.unit]])
    if k == "loss":
        return float(trace.loss_per_sample[s])
    if k == "delta":
        return None if target.bias_unit else float(trace.delta[s, col[target.unit]])
    if target.edge is not None:
        i = trace.edge_keys.index(target.edge)
        new, grad = updated(trace).weight_new[i], trace.weight_grad[i]
    else:
        i = trace.bias_ids.index(target.unit)
        new, grad = updated(trace).bias_new[i], trace.bias_grad[i]
    return float(grad if k == "gradient" else new)


def symbol_of(graph: Graph, target: Target) -> str:
    nt = Notation(graph)
    k = target.kind
    if k == "loss":
        return "E"
    if target.bias_unit:
        return f"delta_{nt.bias_unit(target.unit)}"
    if k in ("new_weight", "gradient"):
        w = nt.weight(target.edge[0] if target.edge else None, target.edge[1] if target.edge
                      else target.unit)
        return w if k == "new_weight" else f"dE/d{w}"
    prefix = {"net_input": "a", "value": "z", "delta": "delta"}[k]
    return f"{prefix}_{nt.name(target.unit)}"


def prompt_of(graph: Graph, trace: StepTrace, target: Target) -> str:
    nt = Notation(graph)
    k = target.kind
    row = int(trace.sample_indices[target.sample]) + 1 if len(trace.sample_indices) else 1
    on = f" on data row {row}" if trace.n_samples > 1 or k != "new_weight" else ""
    if k == "net_input":
        return f"What is the net input a = h(x) of {nt.name(target.unit)}{on}?"
    if k == "value":
        return f"What is the value z = f(a) of {nt.name(target.unit)}{on}?"
    if k == "loss":
        return f"What is the loss E = 1/2 . (y_hat - y)^2 of this sample{on}?" \
            if trace.loss_name == "squared_error" else f"What is the loss E of this sample{on}?"
    if k == "delta":
        name = nt.bias_unit(target.unit) if target.bias_unit else nt.name(target.unit)
        return f"What is delta_{name}{on}? (type 'none' if it has no delta)"
    sym = symbol_of(graph, target)
    mean = " (the mean over the batch)" if trace.n_samples > 1 else ""
    if k == "gradient":
        return f"What is the gradient {sym}{mean}?"
    return f"What is the new value of {sym} after the update W := W - alpha . dE/dW{mean}?"


def make_question(graph: Graph, trace: StepTrace, target: Target,
                  tolerance: float = DEFAULT_TOLERANCE, answer_kind: str = "number") -> Question:
    """The question for ``target``, its expected value read from ``trace``."""
    if target.kind not in KINDS:
        raise ValueError(f"unknown question kind {target.kind!r}; use one of {', '.join(KINDS)}")
    if target.kind == "new_weight" and trace.optimizer != "gd" and not trace.applied:
        target = replace(target, kind="gradient")
    return Question(target, symbol_of(graph, target), prompt_of(graph, trace, target),
                    expected_value(trace, target), tolerance, answer_kind)


def _units_at(graph: Graph, depth: int) -> list[str]:
    d = graph.depths()
    return [n.id for n in graph if n.role != INPUT and d[n.id] == depth]


def pick_target(graph: Graph, trace: StepTrace, kind: str, depth: int | None, selection=None,
                sample: int = 0) -> Target:
    """The number to ask about when the phase (``kind``, ``depth``) comes next, from the selection:
    a unit, a weight, or ``("bias", unit)``; the first fitting thing when the selection does not fit."""
    depths = graph.depths()
    sel_unit = selection if isinstance(selection, str) and selection in graph.nodes else None
    sel_edge = selection if isinstance(selection, tuple) and selection in graph.edges else None
    sel_bias = selection[1] if isinstance(selection, tuple) and len(selection) == 2 \
        and selection[0] == "bias" and selection[1] in graph.nodes else None
    if kind == "loss":
        return Target("loss", sample=sample)
    if kind in ("forward", "backward"):
        units = _units_at(graph, depth)
        chosen = None
        for cand in (sel_unit, sel_edge[1] if sel_edge else None, sel_bias):
            if cand in units:
                chosen = cand
                break
        if chosen is None:
            if sel_bias is not None and kind == "backward" and depths.get(sel_bias) == depth:
                chosen = sel_bias
            else:
                chosen = units[0]
        if kind == "backward":
            return Target("delta", chosen, sample=sample)
        fn = graph.nodes[chosen].activation
        return Target("net_input" if fn == "identity" else "value", chosen, sample=sample)
    if kind == "update":
        if sel_edge is not None:
            return Target("new_weight", sel_edge[1], sel_edge, sample=sample)
        bias_of = sel_bias or (sel_unit if sel_unit and graph.nodes[sel_unit].role != INPUT else None)
        if bias_of is not None:
            return Target("new_weight", bias_of, sample=sample)
        first = next(n.id for n in graph if n.role != INPUT)
        return Target("new_weight", first, sample=sample)
    raise ValueError(f"unknown phase kind {kind!r}")


def ask(graph: Graph, trace: StepTrace, kind: str, depth: int | None, selection=None,
        sample: int = 0, tolerance: float = DEFAULT_TOLERANCE) -> Question:
    """The question for the coming phase and the selection (see :func:`pick_target`)."""
    return make_question(graph, trace, pick_target(graph, trace, kind, depth, selection, sample),
                         tolerance)


def is_close(answer: float, expected: float, tolerance: float) -> bool:
    if not (math.isfinite(answer) and math.isfinite(expected)):
        return answer == expected
    return abs(answer - expected) <= tolerance * max(1.0, abs(expected))


def output_unit(graph: Graph) -> str:
    return next(n.id for n in graph if n.role == OUTPUT)


__all__ = ["Target", "Question", "KINDS", "ask", "pick_target", "make_question", "expected_value",
           "is_close", "updated", "DEFAULT_TOLERANCE"]
