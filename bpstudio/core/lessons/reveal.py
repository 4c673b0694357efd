"""The worked arithmetic of exactly one number, in the article's notation, and where its factors
are on the canvas (from core/explain.py's lines, never written a second time)."""

from __future__ import annotations

from dataclasses import dataclass

from ..explain import explain_lines
from ..graph import Graph
from ..notation import Notation, num
from ..trace import StepTrace
from .ask import Target, updated


@dataclass(frozen=True)
class Factor:
    """One factor of a reveal: its words (``Z_X1 = 0, the value of unit X1``) and canvas record."""

    text: str
    record: object  # a unit id, an edge key, or ("bias", unit id)


@dataclass(frozen=True)
class Reveal:
    lines: tuple[str, ...]
    factors: tuple[Factor, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def records(self) -> list:
        out = []
        for f in self.factors:
            if f.record not in out:
                out.append(f.record)
        return out


def _lines(trace: StepTrace, graph: Graph, t: Target) -> list[str]:
    lines = explain_lines(updated(trace), graph, t.sample)
    if t.kind in ("net_input", "value"):
        return [ln.text for ln in lines if ln.section == "forward" and ln.unit == t.unit]
    if t.kind == "loss":
        return [ln.text for ln in lines if ln.section == "loss"][:1]
    if t.kind == "delta":
        if t.bias_unit:
            return [ln.text for ln in lines if ln.section == "deltas" and ln.unit is None]
        return [ln.text for ln in lines if ln.section == "deltas" and ln.unit == t.unit]
    return [ln.text.strip() for ln in lines if ln.section == "updates"
            and ln.unit == t.unit and ln.edge == t.edge]


def _factors(trace: StepTrace, graph: Graph, t: Target) -> list[Factor]:
    nt = Notation(graph)
    s, col = t.sample, trace.column

    def z(u):
        return num(trace.activation[s, col[u]])

    def w(src, dst):
        if src is None:
            return num(trace.bias_old[trace.bias_ids.index(dst)])
        return num(trace.weight_old[trace.edge_keys.index((src, dst))])

    def d(u):
        return num(trace.delta[s, col[u]])

    out: list[Factor] = []
    if t.kind in ("net_input", "value"):
        u = t.unit
        out.append(Factor(f"{nt.weight(None, u)} = {w(None, u)}: the bias of {nt.name(u)}, from the "
                          f"bias unit {nt.bias_unit(u)} = 1", ("bias", u)))
        for e in graph.incoming(u):
            out.append(Factor(f"{nt.weight(e.source, u)} = {w(e.source, u)}: the weight "
                              f"{nt.name(e.source)} → {nt.name(u)}", e.key))
            out.append(Factor(f"Z_{nt.name(e.source)} = {z(e.source)}: the value of unit "
                              f"{nt.name(e.source)}", e.source))
        if t.kind == "value":
            out.append(Factor(f"f = {graph.nodes[u].activation}: the activation of {nt.name(u)}", u))
    elif t.kind == "loss":
        for k, o in enumerate(trace.output_ids):
            out.append(Factor(f"y_hat = {num(trace.yhat[s, k])}: the value of the output "
                              f"{nt.name(o)}; y = {num(trace.Y[s, k])} from the data", o))
    elif t.kind == "delta" and t.bias_unit:
        out.append(Factor(f"{nt.bias_unit(t.unit)}: a bias unit, always 1, fed by nothing",
                          ("bias", t.unit)))
    elif t.kind == "delta":
        u = t.unit
        out.append(Factor(f"f'(a) of {nt.name(u)} ({graph.nodes[u].activation}, a = "
                          f"{num(trace.net_input[s, col[u]])})", u))
        if u in trace.output_ids:
            k = trace.output_ids.index(u)
            out.append(Factor(f"y_hat - y = {num(trace.yhat[s, k])} - {num(trace.Y[s, k])}: the "
                              f"output {nt.name(u)} and its target", u))
        for e in graph.outgoing(u):
            out.append(Factor(f"{nt.weight(u, e.target)} = {w(u, e.target)}: the weight "
                              f"{nt.name(u)} → {nt.name(e.target)}", e.key))
            out.append(Factor(f"delta_{nt.name(e.target)} = {d(e.target)}: the delta of "
                              f"{nt.name(e.target)}", e.target))
    else:
        src = t.edge[0] if t.edge else None
        u = t.unit
        rec = t.edge if t.edge else ("bias", u)
        out.append(Factor(f"{nt.weight(src, u)} = {w(src, u)}: the old weight", rec))
        if src is None:
            out.append(Factor(f"Z_{nt.bias_unit(u)} = 1: the bias unit {nt.bias_unit(u)}", rec))
        else:
            out.append(Factor(f"Z_{nt.name(src)} = {z(src)}: the value of unit {nt.name(src)}", src))
        out.append(Factor(f"delta_{nt.name(u)} = {d(u)}: the delta of unit {nt.name(u)}", u))
        out.append(Factor(f"alpha = {num(trace.learning_rate)}: the learning rate", rec))
    return out


def reveal(trace: StepTrace, graph: Graph, target: Target) -> Reveal:
    """The lines of worked arithmetic that give ``target``'s number, and its factors."""
    return Reveal(tuple(_lines(trace, graph, target)), tuple(_factors(trace, graph, target)))
