"""Loss functions E(ŷ, y) per sample, each beside dE/dŷ.

Conventions (used everywhere in the studio): the loss of one sample is summed over the output
units; the loss of a batch is the mean over its samples; the delta of an output unit is
dE/d(net input) = dE/dŷ . f'(a).

Cross-entropy is computed from the net input a, never from a rounded ŷ: ln ŷ and ln(1 − ŷ) come
in closed form from a (sigmoid: ln σ(a) = −softplus(−a), ln(1 − σ(a)) = −softplus(a), so
E = softplus(a) − y.a; gaussian ŷ = e^(−a²): ln ŷ = −a², ln(1 − ŷ) = ln(−expm1(−a²))), exact for
any a however saturated ŷ is. ``per_sample(ŷ, y)`` (from ŷ, clipped where ŷ is exactly 0 or 1)
stays for callers that only have ŷ; the engine uses :func:`per_sample_from_net`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import Activation, logsumexp_rows

Array = np.ndarray
# ŷ is clipped into [P_LOW, P_HIGH] only where it has reached exactly 0 or 1 (where ln would be
# -inf): any smaller clip would make the loss flat where backprop's gradient is not.
P_LOW = float(np.finfo(float).tiny)
P_HIGH = float(np.nextafter(1.0, 0.0))


class LossError(ValueError):
    """A loss that cannot be used with this network or these values."""


@dataclass(frozen=True)
class Loss:
    name: str
    title: str
    per_sample: Callable[[Array, Array], Array]  # (n, k), (n, k) -> (n,)
    grad: Callable[[Array, Array], Array]  # dE/dŷ, (n, k)
    formula: str
    # the batch mean from dE/dŷ alone, when the loss allows it (saves recomputing ŷ − y)
    mean_from_grad: Callable[[Array], float] | None = None

    def mean(self, yhat: Array, y: Array) -> float:
        """Mean over the samples of the per-sample loss (equal to ``np.mean``, bit for bit)."""
        per = self.per_sample(yhat, y)
        n = len(per)
        return float(per.sum()) / n if n else float("nan")

    def __repr__(self) -> str:
        return f"Loss({self.name}: {self.formula})"


def _se(yhat: Array, y: Array) -> Array:
    d = yhat - y
    return 0.5 * np.sum(d * d, axis=1)


def _se_mean_from_diff(d: Array) -> float:
    """Batch mean of ½ Σ_k d² from d = ŷ − y; the same bits as ``mean`` of ``_se``."""
    n = len(d)
    if not n:
        return float("nan")
    sq = d * d
    if sq.shape[1] == 1:  # ½ is a power of two: ½ . Σ x = Σ ½ . x exactly
        return float(sq.sum()) * 0.5 / n
    return float((0.5 * np.sum(sq, axis=1)).sum()) / n


def _bce(yhat: Array, y: Array) -> Array:
    p = np.clip(yhat, P_LOW, P_HIGH)
    return -np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p), axis=1)


def _bce_grad(yhat: Array, y: Array) -> Array:
    p = np.clip(yhat, P_LOW, P_HIGH)
    return (p - y) / (p * (1.0 - p))


def _cce(yhat: Array, y: Array) -> Array:
    return -np.sum(y * np.log(np.clip(yhat, P_LOW, 1.0)), axis=1)


def _cce_grad(yhat: Array, y: Array) -> Array:
    return -y / np.clip(yhat, P_LOW, 1.0)


LOSSES: dict[str, Loss] = {
    "squared_error": Loss(
        "squared_error", "squared error", _se, lambda yhat, y: yhat - y, "E = 1/2 . (y_hat - y)^2",
        _se_mean_from_diff,
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        "binary cross-entropy (logistic regression cost)",
        _bce,
        _bce_grad,
        "E = -(y . ln(y_hat) + (1 - y) . ln(1 - y_hat))",
    ),
    "categorical_cross_entropy": Loss(
        "categorical_cross_entropy",
        "categorical cross-entropy (softmax outputs)",
        _cce,
        _cce_grad,
        "E = -Σ_k y_k . ln(p_k)",
    ),
}


def _softplus(a: Array) -> Array:
    return np.logaddexp(0.0, a)


def _ce_sigmoid(a: Array, y: Array) -> Array:
    """y.softplus(−a) + (1 − y).softplus(a) = softplus(a) − y.a, each term exact (no cancellation)."""
    return y * _softplus(-a) + (1.0 - y) * _softplus(a)


def _ce_gaussian(a: Array, y: Array) -> Array:
    """−(y.(−a²) + (1 − y).ln(−expm1(−a²))); +inf where a = 0 and y < 1 (ŷ = 1 exactly)."""
    a2 = a * a
    with np.errstate(divide="ignore"):
        log_rest = np.log(-np.expm1(-a2))
    rest = np.where(y == 1.0, 0.0, (1.0 - y) * log_rest)  # 0 . ln 0 = 0
    return y * a2 - rest


def _ce_gaussian_delta(a: Array, y: Array) -> Array:
    """dE/da = 2a.y − (1 − y).2a / (e^(a²) − 1) (expm1 overflowing to inf gives the exact 0)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rest = 2.0 * a / np.expm1(a * a)
    rest = np.where(y == 1.0, 0.0, (1.0 - y) * rest)
    return 2.0 * a * y - rest


# cross-entropy per unit from the net input, and its delta, for the activations that have ln ŷ
# and ln(1 − ŷ) in closed form; other activations are refused with cross-entropy
CE_FROM_NET: dict[str, tuple[Callable[[Array, Array], Array], Callable[[Array, Array], Array] | None]] = {
    "sigmoid": (_ce_sigmoid, None),  # delta: ŷ − y, with ŷ = σ(a) computed stably
    "gaussian": (_ce_gaussian, _ce_gaussian_delta),
}


def per_sample_from_net(loss: Loss, groups, a: Array, yhat: Array, y: Array) -> Array:
    """Per-sample loss (n,) from the output net inputs ``a`` and ŷ (both (n, k), output order).

    ``groups``: (activation, output positions) covering every output once.
    """
    if loss.name == "categorical_cross_entropy":  # ln p_k = a_k - lse(a) over the softmax group
        lse = logsumexp_rows(a)
        return np.sum(y * (lse - a), axis=1)
    if loss.name != "cross_entropy":
        return loss.per_sample(yhat, y)
    total = np.zeros(len(a))
    for act, pos in groups:
        fn = CE_FROM_NET[act.name][0]
        total += np.sum(fn(a[:, pos], y[:, pos]), axis=1)
    return total


def get(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise LossError(f"unknown loss {name!r}; use one of {', '.join(LOSSES)}") from None


def check_output_activations(loss: Loss, names: list[str], activations: list[Activation]) -> None:
    """Refuse cross-entropy on an output whose values are not confined to (0, 1), or whose
    ln(y_hat) and ln(1 - y_hat) have no closed form in the net input (the studio would have to
    take them from a rounded y_hat, wrong once the output saturates)."""
    if loss.name == "categorical_cross_entropy":
        for name, act in zip(names, activations):
            if act.name != "softmax":
                raise LossError(f"categorical cross-entropy needs every output in one softmax group, but "
                                f"output {name} uses {act.name}: give it the softmax activation")
        return
    if loss.name != "cross_entropy":
        return
    for name, act in zip(names, activations):
        if act.name == "softmax":
            raise LossError(f"output {name} is a softmax output: use categorical cross-entropy "
                            f"(binary cross-entropy treats each output on its own)")
        if act.low < 0.0 or act.high > 1.0:
            raise LossError(
                f"cross-entropy needs every output in (0, 1) because it takes ln(y_hat) and "
                f"ln(1 - y_hat), but output {name} uses {act.name}, whose values can leave (0, 1); "
                f"give {name} the sigmoid activation or use squared error"
            )
        if act.name not in CE_FROM_NET:
            raise LossError(
                f"cross-entropy is computed from the net input for {' and '.join(CE_FROM_NET)} "
                f"outputs only (so it stays exact when the output saturates); output {name} uses "
                f"{act.name}: give it the sigmoid activation or use squared error"
            )


def output_delta(loss: Loss, act: Activation | None, a: Array, yhat: Array, y: Array,
                 grad: Array | None = None) -> Array:
    """dE/da for output units; exact ŷ − y for sigmoid + cross-entropy (no 0/0 when saturated).

    ``grad``: dE/dŷ when already computed (it is returned as is for identity outputs).
    """
    if loss.name == "cross_entropy" and act is not None and act.name in CE_FROM_NET:
        exact = CE_FROM_NET[act.name][1]
        return yhat - y if exact is None else exact(a, y)
    if loss.name == "categorical_cross_entropy":  # δ_k = p_k . Σ_j y_j - y_k (p - y, one-hot)
        return yhat * np.sum(y, axis=1, keepdims=True) - y
    g = loss.grad(yhat, y) if grad is None else grad
    if act is None or act.name == "identity":
        return g
    if act.name == "softmax":  # the whole Jacobian, not its diagonal
        return act.delta_from(np.array(g, dtype=float), a, yhat)
    return g * act.prime_from(a, yhat)
