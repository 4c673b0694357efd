"""Worked arithmetic of one training step, in the article's notation and order (signs corrected).

From a :class:`~bpstudio.core.trace.StepTrace`: the conventions, the forward pass unit by unit
(``Unit Z1: h(x) = W0.X0 + W1.X1 + W2.X2 = 1 . 1 + 1 . 0 + 1 . 0 = 1``), the loss, the deltas from
the output back (``delta_Z1 = V1 . delta_D0 . f'(a) = 1 . 4 . 1 = 4``) and every update
(``W10 := W10 - alpha . Z_X0 . delta_Z1 = 1 - 0.1 . 1 . 4 = 0.6``). Every number comes from the
trace; the graph only gives names and activations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations as _act
from . import losses as _loss
from .graph import INPUT, OUTPUT, Graph
from .notation import Notation, bias_unit_name, factor, layer_letter, num, weight_name
from .trace import StepTrace

__all__ = ["Line", "explain_lines", "explain_text", "explain_markdown", "weight_name",
           "bias_unit_name", "SECTIONS", "SECTION_TITLES"]

SECTIONS = ("conventions", "forward", "loss", "deltas", "updates")
SECTION_TITLES = {
    "conventions": "Conventions",
    "forward": "Forward pass",
    "loss": "Loss",
    "deltas": "Deltas (from the output back)",
    "updates": "Updates",
}
OPTIMIZER_TITLES = {"gd": "gradient descent", "momentum": "momentum", "adam": "Adam"}
_SHOW_TERMS = 8  # write out per-sample terms of a mean up to this batch size


@dataclass(frozen=True)
class Line:
    """One line of worked arithmetic and what it is about (for the GUI to highlight)."""

    text: str
    section: str  # "conventions" | "forward" | "loss" | "deltas" | "updates"
    unit: str | None = None
    edge: tuple[str, str] | None = None  # a bias update has unit set and edge None


class _Explainer:
    """Builds the lines for one sample of one trace."""

    def __init__(self, trace: StepTrace, graph: Graph, sample: int) -> None:
        if set(trace.unit_ids) != set(graph.nodes) or set(trace.edge_keys) != set(graph.edges):
            raise ValueError("the network has changed since this step was computed; "
                             "take a new step to explain it")
        n = trace.n_samples
        if not isinstance(sample, (int, np.integer)) or not 0 <= sample < n:
            raise ValueError(f"sample {sample} is out of range: this step used {n} sample(s), "
                             f"numbered 0 to {n - 1}")
        self.t, self.g, self.s = trace, graph, int(sample)
        self.nt = Notation(graph)
        self.loss = _loss.get(trace.loss_name)
        self.col = trace.column
        self.edge_index = {k: i for i, k in enumerate(trace.edge_keys)}
        self.bias_index = {u: i for i, u in enumerate(trace.bias_ids)}
        order = {u: i for i, u in enumerate(trace.unit_ids)}
        self.sources: dict[str, list[str]] = {u: [] for u in trace.unit_ids}
        self.targets: dict[str, list[str]] = {u: [] for u in trace.unit_ids}
        for s, t in sorted(trace.edge_keys, key=lambda k: (order[k[0]], order[k[1]])):
            self.sources[t].append(s)
            self.targets[s].append(t)
        self.units = [u for u in trace.unit_ids if graph.nodes[u].role != INPUT]
        self.inputs = [u for u in trace.unit_ids if graph.nodes[u].role == INPUT]
        self.outputs = list(trace.output_ids)
        self.lines: list[Line] = []

    # ---------------------------------------------------------------- small helpers
    def add(self, text: str, section: str, unit: str | None = None,
            edge: tuple[str, str] | None = None) -> None:
        self.lines.append(Line(text, section, unit, edge))

    def name(self, uid: str) -> str:
        return self.nt.name(uid)

    def z(self, uid: str | None, row: int | None = None) -> float:
        """A source's value on a sample; a bias unit (None) is always 1."""
        if uid is None:
            return 1.0
        return float(self.t.activation[self.s if row is None else row, self.col[uid]])

    def a(self, uid: str) -> float:
        return float(self.t.net_input[self.s, self.col[uid]])

    def delta(self, uid: str, row: int | None = None) -> float:
        return float(self.t.delta[self.s if row is None else row, self.col[uid]])

    def w(self, source: str | None, target: str) -> float:
        if source is None:
            return float(self.t.bias_old[self.bias_index[target]])
        return float(self.t.weight_old[self.edge_index[(source, target)]])

    def act(self, uid: str) -> _act.Activation:
        return _act.get(self.g.nodes[uid].activation)

    def prime(self, uid: str) -> float:
        a, z = np.array([self.a(uid)]), np.array([self.z(uid)])
        return float(self.act(uid).prime_from(a, z)[0])

    def src_name(self, source: str | None, target: str) -> str:
        return self.nt.bias_unit(target) if source is None else self.name(source)

    def y_names(self, k: int) -> tuple[str, str]:
        if len(self.outputs) == 1:
            return "y_hat", "y"
        o = self.name(self.outputs[k])
        return f"y_hat_{o}", f"y_{o}"

    # ---------------------------------------------------------------- sections
    def conventions(self) -> None:
        c = "conventions"
        self.add("The article's signs are corrected here: it takes delta = actual - predicted and "
                 "still subtracts alpha . Z . delta, which climbs the loss; here delta = y_hat - y "
                 "at the output, so every step goes downhill.", c)
        if self.loss.name == "squared_error":
            self.add("Loss of one sample: E = 1/2 . (y_hat - y)^2, summed over the outputs.", c)
        elif self.loss.name == "categorical_cross_entropy":
            for text in softmax_steps():
                self.add(text, c)
        else:
            self.add("Loss of one sample (binary cross-entropy, the logistic-regression cost): "
                     "E = -(y . ln(y_hat) + (1 - y) . ln(1 - y_hat)), summed over the outputs.", c)
            self.add("Large net inputs: the studio takes ln(y_hat) and ln(1 - y_hat) from the net input "
                     "a, not from a rounded y_hat, so the loss stays exact when y_hat rounds to 0 or 1: "
                     "for a sigmoid output E = ln(1 + e^a) - y . a (a = 40, y = 0 gives E = 40), for a "
                     "gaussian output ln(y_hat) = -a^2 and ln(1 - y_hat) = ln(1 - e^(-a^2)) computed "
                     "without cancelling.", c)
        self.add("Net input of a unit: a = h(x) = sum of weight . value over its sources, the "
                 "bias unit included; its value z = f(a).", c)
        self.add("delta of a unit = dE/d(net input a): at an output, delta = dE/dy_hat . f'(a); "
                 "at a hidden unit, delta = sum over the units it feeds of w . delta_next . f'(a).", c)
        self.add("Gradient of a weight: dE/dW = Z_source . delta_target; for a batch, the mean "
                 "over its samples.", c)
        self.add(f"Update: W := W - alpha . dE/dW, with learning rate alpha = "
                 f"{num(self.t.learning_rate)}.", c)
        bias_units = self._bias_units()
        self.add(f"Bias units ({', '.join(bias_units)}) always have the value 1 and have no delta: "
                 "a unit's bias is the weight from its layer's bias unit.", c)

    def _bias_units(self) -> list[str]:
        seen: list[str] = []
        for u in self.units:
            b = self.nt.bias_unit(u)
            if b not in seen:
                seen.append(b)
        return seen

    def sample_line(self) -> str:
        t, s = self.t, self.s
        xs = ", ".join(f"{self.name(u)} = {num(self.z(u))}" for u in self.inputs)
        ys = ", ".join(f"{self.y_names(k)[1]} = {num(t.Y[s, k])}" for k in range(len(self.outputs)))
        row = int(t.sample_indices[s]) + 1 if len(t.sample_indices) > s else s + 1
        if t.n_samples == 1:
            return f"Sample: data row {row}: {xs}, {ys}"
        return f"Sample {s + 1} of {t.n_samples} in this batch (data row {row}): {xs}, {ys}"

    def forward(self) -> None:
        f = "forward"
        self.add(self.sample_line(), f)
        for u in self.units:
            srcs: list[str | None] = [None, *self.sources[u]]
            names = self.nt.short_weights(u, self.sources[u])
            symbols = " + ".join(f"{names[s]}.{self.src_name(s, u)}" for s in srcs)
            numbers = " + ".join(f"{factor(self.w(s, u))} . {factor(self.z(s))}" for s in srcs)
            self.add(f"Unit {self.name(u)}: h(x) = {symbols} = {numbers} = {num(self.a(u))}", f, u)
            fn = self.act(u)
            if fn.name == "identity":
                self.add(f"    z = f(a) = a => z = f({num(self.a(u))}) = {num(self.z(u))}", f, u)
            elif fn.name == "softmax":  # p over the whole group, not a function of this a alone
                group = [v for v in self.outputs if self.act(v).name == "softmax"]
                den = " + ".join(f"e^{factor(self.a(v))}" for v in group)
                self.add(f"    z = p = e^a / (sum of e^a over the softmax outputs "
                         f"{', '.join(self.name(v) for v in group)}) = e^{factor(self.a(u))} / ({den}) = "
                         f"{num(self.z(u))}", f, u)
            else:
                self.add(f"    z = f(a) = {fn.formula} => z = {fn.name}({num(self.a(u))}) = "
                         f"{num(self.z(u))}", f, u)

    def loss_section(self) -> None:
        t, s, sec = self.t, self.s, "loss"
        unit = self.outputs[0] if len(self.outputs) == 1 else None
        syms, nums = [], []
        for k in range(len(self.outputs)):
            yh_n, y_n = self.y_names(k)
            yh, y = num(t.yhat[s, k]), num(t.Y[s, k])
            if self.loss.name == "squared_error":
                syms.append(f"1/2 . ({yh_n} - {y_n})^2")
                nums.append(f"1/2 . ({yh} - {y})^2")
            elif self.loss.name == "categorical_cross_entropy":
                syms.append(f"{y_n} . ln({yh_n})")
                nums.append(f"{y} . ln({yh})")
            else:
                syms.append(f"({y_n} . ln({yh_n}) + (1 - {y_n}) . ln(1 - {yh_n}))")
                nums.append(f"({y} . ln({yh}) + (1 - {y}) . ln(1 - {yh}))")
        if self.loss.name == "squared_error":
            sym, val = " + ".join(syms), " + ".join(nums)
        else:
            sym, val = "-" + " - ".join(syms), "-" + " - ".join(nums)
        self.add(f"E = {sym} = {val} = {num(t.loss_per_sample[s])}", sec, unit)
        if self.loss.name == "cross_entropy":
            self.add(self._large_values_note(), sec, unit)
        n = t.n_samples
        if n > 1:
            terms = ""
            if n <= _SHOW_TERMS:
                terms = f" = ({' + '.join(num(v) for v in t.loss_per_sample)}) / {n}"
            self.add(f"Batch loss = mean of E over the {n} samples{terms} = {num(t.loss)}", sec)

    def _large_values_note(self) -> str:
        """How the studio evaluates cross-entropy so that saturated outputs stay exact."""
        parts = []
        for k, u in enumerate(self.outputs):
            a, y = self.a(u), float(self.t.Y[self.s, k])
            if self.act(u).name == "gaussian":
                parts.append(f"y . a^2 - (1 - y) . ln(1 - e^(-a^2)) = {num(y)} . {factor(a)}^2 - "
                             f"(1 - {num(y)}) . ln(1 - e^(-{factor(a)}^2))")
            else:
                parts.append(f"ln(1 + e^a) - y . a = ln(1 + e^{factor(a)}) - {num(y)} . {factor(a)}")
        return ("    (computed from the net input a, so large values stay exact when y_hat rounds to 0 or 1: "
                f"E = {' + '.join(parts)} = {num(self.t.loss_per_sample[self.s])})")

    def _output_term(self, u: str) -> tuple[str, str, str | None]:
        """(symbols, numbers, note) of an output unit's own part of its delta."""
        k = self.outputs.index(u)
        yh_n, y_n = self.y_names(k)
        yh, y = float(self.t.yhat[self.s, k]), float(self.t.Y[self.s, k])
        fn = self.act(u)
        if self.loss.name == "squared_error":
            return (f"({yh_n} - {y_n}) . f'(a)", f"({num(yh)} - {num(y)}) . {factor(self.prime(u))}",
                    None)
        if self.loss.name == "categorical_cross_entropy":
            return (f"({yh_n} - {y_n})", f"({num(yh)} - {num(y)})",
                    "    (softmax with categorical cross-entropy: the Jacobian collapses to p - y)")
        if fn.name == "sigmoid":
            return (f"({yh_n} - {y_n})", f"({num(yh)} - {num(y)})",
                    "    (cross-entropy with a sigmoid output: dE/dy_hat . f'(a) = "
                    "(y_hat - y) / (y_hat . (1 - y_hat)) . y_hat . (1 - y_hat) = y_hat - y)")
        if fn.name == "gaussian":  # from a in closed form (exact when y_hat underflows)
            a = self.a(u)
            return (f"2a . {y_n} - (1 - {y_n}) . 2a / (e^(a^2) - 1)",
                    f"2 . {factor(a)} . {num(y)} - (1 - {num(y)}) . 2 . {factor(a)} / (e^({factor(a)}^2) - 1)",
                    "    (cross-entropy with a gaussian output, from the net input a: ln(y_hat) = -a^2, "
                    "ln(1 - y_hat) = ln(1 - e^(-a^2)))")
        if fn.name == "gaussian":  # dE/dy_hat . f'(a), with y_hat = e^(-a^2), in terms of a
            a = self.a(u)
            return ("2a . y - (1 - y) . 2a / (e^(a^2) - 1)",
                    f"2 . {factor(a)} . {factor(y)} - (1 - {num(y)}) . 2 . {factor(a)} / (e^({num(a)}^2) - 1)",
                    f"    (cross-entropy with a gaussian output: dE/d{yh_n} . f'(a) = "
                    f"-({y_n} / {yh_n} - (1 - {y_n}) / (1 - {yh_n})) . (-2a . {yh_n}), written in a so that "
                    "it stays exact when y_hat rounds to 0 or 1)")
        g = float(self.loss.grad(np.array([[yh]]), np.array([[y]]))[0, 0])
        return (f"dE/d{yh_n} . f'(a)", f"{factor(g)} . {factor(self.prime(u))}",
                f"    where dE/d{yh_n} = ({yh_n} - {y_n}) / ({yh_n} . (1 - {yh_n})) = {num(g)}")

    def _delta_weight_name(self, u: str, target: str) -> str:
        full = self.nt.weight(u, target)
        if len(self.targets[u]) == 1 and not full.startswith("w("):
            n = self.nt.number(u)
            return f"{layer_letter(self.nt.depth[target])}{n}"
        return full

    def deltas(self) -> None:
        sec = "deltas"
        backward = sorted(self.units, key=lambda v: -self.nt.depth[v])  # stable within a depth
        for u in backward:
            syms, nums, notes = [], [], []
            if self.g.nodes[u].role == OUTPUT:
                sym, val, note = self._output_term(u)
                syms.append(sym)
                nums.append(val)
                if note:
                    notes.append(note)
            fp = self.prime(u)
            for t in self.targets[u]:
                syms.append(f"{self._delta_weight_name(u, t)} . delta_{self.name(t)} . f'(a)")
                nums.append(f"{factor(self.w(u, t))} . {factor(self.delta(t))} . {factor(fp)}")
            name = self.name(u)
            if not syms:
                self.add(f"delta_{name} = 0 ({name} feeds no unit, so no error reaches it)", sec, u)
                continue
            self.add(f"delta_{name} = {' + '.join(syms)} = {' + '.join(nums)} = "
                     f"{num(self.delta(u))}", sec, u)
            fn = self.act(u)
            simplified = self.g.nodes[u].role == OUTPUT and not self.targets[u] and (
                (self.loss.name == "cross_entropy" and fn.name in ("sigmoid", "gaussian"))
                or self.loss.name == "categorical_cross_entropy")
            if fn.name != "identity" and not simplified:
                notes.append(f"    where f'(a) = {fn.derivative} = {num(fp)} "
                             f"(a = {num(self.a(u))}, z = {num(self.z(u))})")
            for note in notes:
                self.add(note, sec, u)
        inputs = ", ".join(self.name(u) for u in self.inputs)
        self.add(f"No delta for the bias units {', '.join(self._bias_units())} or the inputs "
                 f"{inputs}: their values are fixed (1 for a bias unit, the data for an input), "
                 "so there is nothing to correct in them.", sec)

    def _params(self) -> list[tuple[str | None, str]]:
        """(source or None for a bias, target) in the article's order: layer by layer, the
        biases first, then source by source."""
        out: list[tuple[str | None, str]] = []
        for d in sorted({self.nt.depth[u] for u in self.units}):
            layer = [u for u in self.units if self.nt.depth[u] == d]
            out += [(None, u) for u in layer]
            for s in self.t.unit_ids:
                out += [(s, u) for u in self.targets[s] if self.nt.depth[u] == d]
        return out

    def updates(self) -> None:
        t, sec = self.t, "updates"
        n, lr, opt = t.n_samples, t.learning_rate, t.optimizer
        if n > 1:
            self.add(f"Each gradient is the mean over the {n} samples of this batch.", sec)
        # a diverged update leaves some new values non-finite: it was applied all the same
        applied = t.applied or bool(np.isfinite(t.weight_new).any() or np.isfinite(t.bias_new).any())
        if not applied:
            self.add("The update has not been applied yet: these are the gradients dE/dW.", sec)
        elif opt != "gd":
            self.add(f"The optimiser is {OPTIMIZER_TITLES.get(opt, opt)} (alpha = {num(lr)}): "
                     "its step also depends on earlier gradients, so each line shows the gradient "
                     "and the new value it gave.", sec)
        reg, lam = t.regularization, t.reg_rate
        if reg != "none" and lam:
            term = "lambda . W" if reg == "l2" else "lambda . sign(W)"
            pen = "lambda/2 . sum(W^2)" if reg == "l2" else "lambda . sum(|W|)"
            self.add(f"{reg.upper()} regularisation, lambda = {num(lam)}: the loss minimised is the data loss "
                     f"{num(t.loss)} + penalty {pen} = {num(t.penalty)}, total {num(t.loss + t.penalty)}; each "
                     f"weight's gradient gains {term}; biases are not regularised.", sec)
        for s, u in self._params():
            edge = None if s is None else (s, u)
            regularised = s is not None and reg != "none" and bool(lam)
            wn = self.nt.weight(s, u)
            zs, du = f"Z_{self.src_name(s, u)}", f"delta_{self.name(u)}"
            if s is None:
                i = self.bias_index[u]
                old, grad, new = t.bias_old[i], t.bias_grad[i], t.bias_new[i]
            else:
                i = self.edge_index[edge]
                old, grad, new = t.weight_old[i], t.weight_grad[i], t.weight_new[i]
            if n == 1:
                g_sym = f"{zs} . {du}"
                g_num = f"{factor(self.z(s))} . {factor(self.delta(u))}"
            else:
                g_sym = f"mean({zs} . {du})"
                g_num = factor(grad)
                if n <= _SHOW_TERMS:
                    terms = " + ".join(f"{factor(self.z(s, r))} . {factor(self.delta(u, r))}"
                                       for r in range(n))
                    self.add(f"    {g_sym} = ({terms}) / {n} = {num(grad)}", sec, u, edge)
            if not applied:
                tail = f" = {g_num} = {num(grad)}" if n == 1 else f" = {num(grad)}"
                self.add(f"dE/d{wn} = {g_sym}{tail} (not applied yet)", sec, u, edge)
            elif opt == "gd" and regularised:
                r_sym, r_val = ("lambda . W", lam * old) if reg == "l2" else ("lambda . sign(W)", lam * np.sign(old))
                data = grad - r_val
                self.add(f"{wn} := {wn} - alpha . ({g_sym} + {r_sym}) = {num(old)} - {num(lr)} . "
                         f"({factor(data)} + {factor(r_val)}) = {num(new)}", sec, u, edge)
            elif opt == "gd":
                self.add(f"{wn} := {wn} - alpha . {g_sym} = {num(old)} - {num(lr)} . {g_num} = "
                         f"{num(new)}", sec, u, edge)
            else:
                tail = f" = {g_num} = {num(grad)}" if n == 1 else f" = {num(grad)}"
                self.add(f"{wn}: dE/d{wn} = {g_sym}{tail}; {OPTIMIZER_TITLES.get(opt, opt)} "
                         f"moves {wn} from {num(old)} to {num(new)}", sec, u, edge)

    def build(self) -> list[Line]:
        self.conventions()
        self.forward()
        self.loss_section()
        self.deltas()
        self.updates()
        return self.lines


def softmax_steps() -> list[str]:
    """The softmax Jacobian and its collapse with categorical cross-entropy, in plain steps."""
    return [
        "Loss of one sample (categorical cross-entropy over a softmax group): E = -sum_k y_k . ln(p_k), "
        "where p_k = e^(a_k) / sum_j e^(a_j); the studio takes ln(p_k) = a_k - ln(sum_j e^(a_j)) "
        "(log-sum-exp, shifted by the largest a), so no e^a overflows and no p rounds to a 0 inside ln.",
        "Softmax Jacobian, step 1: p_i depends on every a_j of the group, because all of them are in "
        "the denominator.",
        "Step 2: for j = i, the quotient rule gives dp_i/da_i = p_i - p_i^2 = p_i . (1 - p_i).",
        "Step 3: for j != i only the denominator changes: dp_i/da_j = -p_i . p_j.",
        "Together: dp_i/da_j = p_i . (delta_ij - p_j), with delta_ij = 1 if i = j, else 0.",
        "Step 4: dE/dp_i = -y_i / p_i, so delta_j = dE/da_j = sum_i (-y_i / p_i) . p_i . (delta_ij - p_j) "
        "= -y_j + p_j . sum_i y_i.",
        "Step 5: the targets of a sample sum to 1 (one class is 1, the rest 0), so delta_j = p_j - y_j: "
        "the p_i of the Jacobian cancels the 1/p_i of ln, and nothing is divided by a small p.",
    ]


def explain_lines(trace: StepTrace, graph: Graph, sample: int = 0) -> list[Line]:
    """Every line of the worked arithmetic, in order, each tagged with its section and refs."""
    return _Explainer(trace, graph, sample).build()


def _by_section(lines: list[Line]) -> list[tuple[str, list[Line]]]:
    return [(sec, [ln for ln in lines if ln.section == sec]) for sec in SECTIONS
            if any(ln.section == sec for ln in lines)]


def explain_text(trace: StepTrace, graph: Graph, sample: int = 0) -> str:
    """The worked arithmetic as plain text, one titled block per section."""
    out: list[str] = []
    for sec, lines in _by_section(explain_lines(trace, graph, sample)):
        title = SECTION_TITLES[sec]
        out += [title, "-" * len(title), *(ln.text for ln in lines), ""]
    return "\n".join(out).rstrip() + "\n"


def explain_markdown(trace: StepTrace, graph: Graph, sample: int = 0) -> str:
    """The worked arithmetic as Markdown: a heading per section, the arithmetic in code blocks."""
    out: list[str] = ["# One training step, worked by hand", ""]
    for sec, lines in _by_section(explain_lines(trace, graph, sample)):
        out += [f"## {SECTION_TITLES[sec]}", ""]
        if sec == "conventions":
            out += [f"- {ln.text}" for ln in lines]
        else:
            out += ["```", *(ln.text for ln in lines), "```"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
