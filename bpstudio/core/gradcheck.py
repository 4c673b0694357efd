"""Gradient check: backpropagation's gradients against central finite differences.

For every weight and bias θ_i the numeric derivative of the batch mean loss is

    n_i = (E(θ_i + ε) − E(θ_i − ε)) / (2ε)

(ε is the actual step after rounding, so the difference quotient is exact in its denominator),
and the relative error of the row is

    rel_error = |b − n| / max(|b|, |n|, floor)

where b is backprop's value. The floor keeps two gradients that are both (near) zero from
dividing by zero, and stops rounding noise from failing a correct gradient: E itself is only
known to about u·|E| (u = 2.2e-16), so n carries noise of about u·|E|/ε however exact backprop is.
By default ``floor = max(1e-8, 32·u·|E| / ε / tolerance)``: a gradient too small for finite
differences to resolve to the tolerance is instead judged by its absolute error, which must stay
under 32·u·|E|/ε (about 9e-10 for E = 0.125, ε = 1e-6). Pass ``floor=1e-8`` for the bare
formula. ``theta`` is restored exactly afterwards, and so is ``grad``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import Engine

FLOOR = 1e-8
ROUNDING = 32 * np.finfo(float).eps  # generous bound on the relative rounding error of E


def auto_floor(loss: float, eps: float, tolerance: float) -> float:
    """The smallest gradient that central differences resolve to ``tolerance`` (at least 1e-8)."""
    noise = ROUNDING * abs(loss) / eps
    return max(FLOOR, noise / tolerance) if tolerance > 0 else FLOOR


@dataclass(frozen=True)
class GradRow:
    """One parameter: backprop's derivative, the finite difference, and how far apart they are."""

    name: str  # "w(X1→Z1)" or "bias(Z1)"
    key: tuple | str  # edge key (source id, target id) or the unit id of a bias
    backprop: float
    numeric: float
    rel_error: float  # |b − n| / max(|b|, |n|, floor)

    def __repr__(self) -> str:
        return (f"GradRow({self.name}: backprop={self.backprop:.10g}, numeric={self.numeric:.10g}, "
                f"rel_error={self.rel_error:.2e})")


@dataclass(frozen=True)
class GradCheck:
    """Every row of a gradient check, the worst one, and the tolerance it was judged by."""

    rows: list[GradRow]
    max_rel_error: float
    worst: GradRow | None
    tolerance: float
    floor: float = FLOOR  # the denominator's floor used for every row

    @property
    def ok(self) -> bool:
        """True when every relative error is within the tolerance (and none is NaN)."""
        return bool(np.isfinite(self.max_rel_error)) and self.max_rel_error <= self.tolerance

    def table(self) -> str:
        """An aligned plain-text table, one parameter a line, and a summary line."""
        head = ("parameter", "backprop", "numeric", "rel. error")
        body = [(r.name, f"{r.backprop:.10g}", f"{r.numeric:.10g}", f"{r.rel_error:.2e}")
                for r in self.rows]
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(4)]

        def line(cells) -> str:
            first = cells[0].ljust(widths[0])
            rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:]))
            return "  ".join([first, *rest]).rstrip()

        out = [line(head), line(["-" * w for w in widths])]
        out += [line(row) for row in body]
        out.append(self.summary())
        return "\n".join(out)

    def summary(self) -> str:
        if not self.rows:
            return "no weights or biases to check"
        verdict = "OK" if self.ok else "MISMATCH"
        return (f"{verdict}: largest relative error {self.max_rel_error:.2e} at {self.worst.name} "
                f"(tolerance {self.tolerance:.0e}, {len(self.rows)} parameters; "
                f"rel. error = |backprop - numeric| / max(|backprop|, |numeric|, {self.floor:.1e}))")

    def __repr__(self) -> str:
        return f"GradCheck({len(self.rows)} rows, max_rel_error={self.max_rel_error:.2e}, ok={self.ok})"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def relative_error(b: float, n: float, floor: float = FLOOR) -> float:
    """|b − n| / max(|b|, |n|, floor); infinity when a value is not finite (and they differ)."""
    if not (np.isfinite(b) and np.isfinite(n)):
        return float("inf") if b != n else 0.0
    return abs(b - n) / max(abs(b), abs(n), floor)


def parameter_names(engine: Engine) -> list[tuple[str, tuple | str, int]]:
    """(display name, key, slot in theta) for every weight, then every bias."""
    names = engine.names
    rows = [(f"w({names[s]}→{names[t]})", (s, t), int(slot))
            for (s, t), slot in zip(engine.edge_keys, engine.edge_slots)]
    rows += [(f"bias({names[u]})", u, int(slot))
             for u, slot in zip(engine.bias_ids, engine.bias_slots)]
    return rows


def numeric_gradient(engine: Engine, X: np.ndarray, Y: np.ndarray, slots, eps: float = 1e-6
                     ) -> np.ndarray:
    """Central differences of the batch mean loss for the given slots of ``theta``."""
    theta = engine.theta
    out = np.empty(len(slots))
    for k, slot in enumerate(slots):
        old = theta[slot]
        try:
            theta[slot] = old + eps
            up_at = theta[slot]
            up = engine.loss_of(X, Y)
            theta[slot] = old - eps
            down_at = theta[slot]
            down = engine.loss_of(X, Y)
        finally:
            theta[slot] = old
        out[k] = (up - down) / (up_at - down_at)
    return out


def gradient_check(engine: Engine, X, Y, eps: float = 1e-6, tolerance: float = 1e-6,
                   floor: float | None = None) -> GradCheck:
    """Compare backprop with central differences for every weight and bias on the batch (X, Y).

    ``floor`` None: :func:`auto_floor` from the batch loss (see the module's docstring).
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if eps <= 0 or not np.isfinite(eps):
        raise ValueError(f"the finite-difference step must be a positive number, not {eps}")
    n_in, n_out = len(engine.input_ids), len(engine.output_ids)
    if X.shape[1] != n_in or Y.shape != (len(X), n_out):
        raise ValueError(
            f"the network has {_count(n_in, 'input')} and {_count(n_out, 'output')}, but the data "
            f"has {_count(X.shape[1], 'input column')} and targets of shape {Y.shape}"
        )
    saved_theta = engine.theta.copy()
    saved_grad = engine.grad.copy()
    try:
        loss = engine.gradient(X, Y)
        analytic = engine.grad.copy()
        params = parameter_names(engine)
        numeric = numeric_gradient(engine, X, Y, [slot for *_, slot in params], eps)
    finally:
        engine.theta[:] = saved_theta
        engine.grad[:] = saved_grad
    if floor is None:
        floor = auto_floor(loss, eps, tolerance)
    rows = []
    for (name, key, slot), n in zip(params, numeric):
        b = float(analytic[slot])
        rows.append(GradRow(name, key, b, float(n), relative_error(b, float(n), floor)))
    worst = max(rows, key=lambda r: r.rel_error, default=None)  # rel_error is never NaN
    max_err = worst.rel_error if worst is not None else 0.0
    return GradCheck(rows, float(max_err), worst, tolerance, float(floor))
