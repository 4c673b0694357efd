"""Grade a learner's answer against the engine's number and say what went wrong, when it can.

The mistakes recognised: the article's sign error (delta = actual - predicted, so -4 for +4, and
its update 1.4 for 0.6), forgetting f'(a) in a delta (or f in a value), the old weight instead of
the new one, a delta for a bias unit, changing a weight fed by a zero input, the article's
"loss = actual - predicted", leaving out the bias or alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import activations as _act
from ..graph import Graph
from ..notation import Notation, num
from ..trace import StepTrace
from .ask import Question, is_close, updated
from .reveal import Reveal, reveal

NONE_WORDS = {"none", "no delta", "no", "n/a", "na", "-", "nothing", "no_delta"}
SIGN_WORDS = {"+": 1, "positive": 1, "plus": 1, "-": -1, "negative": -1, "minus": -1, "0": 0,
              "zero": 0}


class AnswerError(ValueError):
    """An answer that is not a number (or 'none', or a sign)."""


@dataclass(frozen=True)
class Verdict:
    """Right or wrong, the mistake recognised (``diagnosis`` kind and words) and the reveal."""

    right: bool
    answer: object
    expected: float | None
    diagnosis: str | None  # "sign" | "no_prime" | "no_activation" | "old_weight" | ...
    message: str
    reveal: Reveal

    def __repr__(self) -> str:
        return f"Verdict({'right' if self.right else 'wrong'}, {self.diagnosis})"


def parse_answer(text, answer_kind: str = "number"):
    """A number, None for 'none' / 'no delta', or for a sign question +1, -1 or 0."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if text is None:
        return None
    t = str(text).strip().lower().replace("−", "-").replace("\u2212", "-")
    if answer_kind == "sign":
        if t in SIGN_WORDS:
            return SIGN_WORDS[t]
        raise AnswerError(f"answer with a sign: +, - or 0 (not {text!r})")
    if t in NONE_WORDS:
        return None
    t = t.replace(",", ".") if t.count(",") == 1 and "." not in t else t
    try:
        value = float(t)
    except ValueError:
        raise AnswerError(f"type a number like 0.6 or -4 (or 'none' when there is no such "
                          f"number), not {text!r}") from None
    if not math.isfinite(value):
        raise AnswerError("type a finite number")
    return value


def _prime(graph: Graph, trace: StepTrace, uid: str, s: int) -> float:
    fn = _act.get(graph.nodes[uid].activation)
    col = trace.column[uid]
    a, z = np.array([trace.net_input[s, col]]), np.array([trace.activation[s, col]])
    return float(fn.prime_from(a, z)[0])


def _delta_without_prime(graph: Graph, trace: StepTrace, uid: str, s: int) -> float | None:
    """The delta the learner gets by leaving out f'(a) (None when that is no different)."""
    if abs(_prime(graph, trace, uid, s) - 1.0) < 1e-12:
        return None
    total = 0.0
    if uid in trace.output_ids:
        k = trace.output_ids.index(uid)
        if trace.loss_name != "squared_error" and graph.nodes[uid].activation == "sigmoid":
            return None  # cross-entropy with a sigmoid: f'(a) cancels, nothing to forget
        total += float(trace.yhat[s, k] - trace.Y[s, k])
    for e in graph.outgoing(uid):
        i = trace.edge_keys.index(e.key)
        total += float(trace.weight_old[i] * trace.delta[s, trace.column[e.target]])
    return total


def _candidates(graph: Graph, trace: StepTrace, q: Question) -> list[tuple[str, float, str]]:
    """(diagnosis, the wrong number it gives, the words) for each mistake that fits this question."""
    t, s, exp = q.target, q.target.sample, q.expected
    nt = Notation(graph)
    out: list[tuple[str, float, str]] = []
    if t.kind == "delta" and exp is not None:
        if exp != 0:
            out.append(("sign", -exp,
                        f"That is the article's sign error: it takes delta = actual - predicted "
                        f"(y - y_hat). With E = 1/2 . (y_hat - y)^2 the output delta is "
                        f"(y_hat - y) . f'(a), and {q.symbol} = {num(exp)}, not {num(-exp)}."))
        no_prime = _delta_without_prime(graph, trace, t.unit, s)
        if no_prime is not None:
            out.append(("no_prime", no_prime,
                        f"You left out f'(a): {nt.name(t.unit)} uses "
                        f"{graph.nodes[t.unit].activation}, so f'(a) = "
                        f"{num(_prime(graph, trace, t.unit, s))}, not 1; multiply by it."))
    elif t.kind == "value":
        a = float(trace.net_input[s, trace.column[t.unit]])
        out.append(("no_activation", a,
                    f"That is the net input a = {num(a)}; the value is z = f(a) with f = "
                    f"{graph.nodes[t.unit].activation}."))
    elif t.kind == "net_input":
        b = float(trace.bias_old[trace.bias_ids.index(t.unit)])
        if b != 0:
            out.append(("no_bias", exp - b,
                        f"You left out the bias: {nt.weight(None, t.unit)} . "
                        f"{nt.bias_unit(t.unit)} = {num(b)} . 1 belongs in h(x)."))
    elif t.kind == "loss" and len(trace.output_ids) == 1:
        yh, y = float(trace.yhat[s, 0]), float(trace.Y[s, 0])
        out.append(("article_loss", y - yh,
                    f"That is the article's 'loss = actual_y - predicted_y' = {num(y - yh)}. The "
                    f"loss is E = 1/2 . (y_hat - y)^2 = {num(exp)}; y_hat - y is the output's "
                    f"delta, and a loss is never negative."))
        if trace.loss_name == "squared_error":
            out.append(("no_half", (yh - y) ** 2,
                        "You forgot the 1/2 in E = 1/2 . (y_hat - y)^2."))
            out.append(("no_square", yh - y,
                        "That is y_hat - y, the output's delta; the loss squares and halves it."))
    elif t.kind in ("new_weight", "gradient"):
        tr = updated(trace)
        if t.edge is not None:
            i = tr.edge_keys.index(t.edge)
            old, grad = float(tr.weight_old[i]), float(tr.weight_grad[i])
        else:
            i = tr.bias_ids.index(t.unit)
            old, grad = float(tr.bias_old[i]), float(tr.bias_grad[i])
        lr = tr.learning_rate
        if t.kind == "gradient":
            if grad != 0:
                out.append(("sign", -grad, "The sign is flipped: dE/dW = Z . delta with "
                            "delta = y_hat - y at the output (the article uses actual - predicted)."))
        else:
            if grad != 0:
                out.append(("sign", old + lr * grad,
                            f"That is the article's sign error: with delta = actual - predicted "
                            f"its update climbs the loss (1.4 in the article). W := W - alpha . Z . "
                            f"delta gives {num(exp)}."))
                out.append(("old_weight", old,
                            f"That is the old weight. The update changes it by -alpha . dE/dW = "
                            f"{num(-lr * grad)}, to {num(exp)}."))
                out.append(("no_alpha", old - grad,
                            f"You forgot the learning rate: W := W - alpha . dE/dW with alpha = "
                            f"{num(lr)}."))
    return out


def _zero_input(trace: StepTrace, q: Question) -> str | None:
    """Words for 'this weight is fed by a zero input' when that is why it does not change."""
    t = q.target
    if t.kind not in ("new_weight", "gradient") or t.edge is None:
        return None
    src = t.edge[0]
    z = trace.activation[:, trace.column[src]]
    if not np.all(z == 0):
        return None
    name = trace.names.get(src, src)
    where = "on this sample" if trace.n_samples == 1 else "on every sample of the batch"
    stays = "stays the same" if t.kind == "new_weight" else "is 0"
    return (f"{name} = 0 {where}, so dE/dW = Z_{name} . delta = 0 and the weight {stays}: "
            f"{q.symbol} = {num(q.expected)}. A weight fed by a zero input does not learn from "
            "that sample.")


def grade(graph: Graph, trace: StepTrace, q: Question, answer) -> Verdict:
    """Right or wrong, with the diagnosis and the worked arithmetic of exactly that number."""
    value = parse_answer(answer, q.answer_kind)
    shown = reveal(trace, graph, q.target)
    exp = q.expected
    if q.answer_kind == "sign":
        want = 0 if exp is None or exp == 0 else (1 if exp > 0 else -1)
        if value == want:
            return Verdict(True, value, exp, None, f"Right: {q.symbol} = {num(exp)}.", shown)
        zero = _zero_input(trace, q)
        if zero and want == 0:
            return Verdict(False, value, exp, "zero_input", zero, shown)
        if value == -want and want != 0:
            return Verdict(False, value, exp, "sign", "The sign is flipped: that is the article's "
                           "delta = actual - predicted. Here delta = y_hat - y at the output.", shown)
        return Verdict(False, value, exp, None, f"Not quite: {q.symbol} = {num(exp)}.", shown)
    if exp is None:  # a bias unit's delta
        if value is None:
            return Verdict(True, value, exp, None, f"Right: {q.symbol[6:]} is a bias unit and has "
                           "no delta.", shown)
        name = q.symbol[len("delta_"):]
        return Verdict(False, value, exp, "bias_delta",
                       f"{name} is a bias unit: its value is always 1 and nothing feeds it, so "
                       f"there is nothing to correct in it and it has no delta (the article "
                       f"writes delta_Z0 = -4; there is no such number).", shown)
    if value is None:
        return Verdict(False, value, exp, "none_for_unit",
                       f"{q.symbol} does exist: only bias units (and inputs) have no delta. "
                       f"{q.symbol} = {num(exp)}.", shown)
    if is_close(value, exp, q.tolerance):
        return Verdict(True, value, exp, None, f"Right: {q.symbol} = {num(exp)}.", shown)
    zero = _zero_input(trace, q)
    if zero is not None:
        return Verdict(False, value, exp, "zero_input", zero, shown)
    for kind, wrong, words in _candidates(graph, trace, q):
        if not is_close(wrong, exp, q.tolerance) and is_close(value, wrong, q.tolerance):
            return Verdict(False, value, exp, kind, words, shown)
    return Verdict(False, value, exp, None, f"Not quite: {q.symbol} = {num(exp)} (you said "
                   f"{num(value)}). The worked arithmetic shows where it comes from.", shown)
