"""Activation functions, each beside its derivative f'(a) with respect to the net input a.

Every activation also knows ``delta_from(g, a, z) = g . f'(a)``: the step of backpropagation
through the unit (``g`` = ∂E/∂z from the units it feeds), and ``f_into(a, out)``. The built-in
ones compute both without temporaries, in buffers the engine owns and reuses from step to step
(tanh' = 1 − z², sigmoid' = z(1 − z) come from the activation z, not from a).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """``f(a)`` and ``f'(a)``; ``prime_from`` computes f'(a) from a and z = f(a) cheaply."""

    name: str
    f: Callable[[Array], Array]
    prime_from: Callable[[Array, Array], Array]
    formula: str
    derivative: str
    low: float = -np.inf  # open range of f, used to refuse cross-entropy on a wrong output
    high: float = np.inf
    # backprop(g, a, z, work) = g . f'(a), free to overwrite g (a float64 array the caller owns)
    # and ``work`` (scratch of the same shape, or None); None: g * prime_from(a, z)
    backprop: Callable[..., Array] | None = None
    # into(a, out) = f(a) written into ``out`` (or a new array when out is None); may return a
    # itself (identity). None: f(a), copied into out.
    into: Callable[[Array, Array | None], Array] | None = None

    def prime(self, a: Array) -> Array:
        a = np.asarray(a, dtype=float)
        return self.prime_from(a, self.f(a))

    def delta_from(self, g: Array, a: Array, z: Array, work: Array | None = None) -> Array:
        """``g . f'(a)``; may reuse ``g``'s memory (pass a copy to keep it) and ``work``'s."""
        if self.backprop is not None:
            return self.backprop(g, a, z, work)
        return g * self.prime_from(a, z)

    def f_into(self, a: Array, out: Array | None = None) -> Array:
        """``f(a)``, in ``out`` when given (the result may also be ``a`` itself, for identity)."""
        if self.into is not None:
            return self.into(a, out)
        z = self.f(a)
        if out is None:
            return z
        out[...] = z
        return out

    def __repr__(self) -> str:
        return f"Activation({self.name}: f(a) = {self.formula}, f'(a) = {self.derivative})"


def _sigmoid(a: Array) -> Array:
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return np.exp(-np.logaddexp(0.0, -a))
    return _sigmoid_into(a, None)


def _sigmoid_into(a: Array, out: Array | None) -> Array:
    # 1 / (1 + e^-a) = e^(-ln(1 + e^-a)): no exp overflows, whatever the sign of a, and tiny
    # values keep their relative precision
    t = np.negative(a, out)
    np.logaddexp(0.0, t, t)
    np.negative(t, t)
    return np.exp(t, t)


def _softplus(a: Array) -> Array:
    return np.logaddexp(0.0, a)


def _identity_back(g: Array, a: Array, z: Array, work: Array | None = None) -> Array:
    return g


def _sigmoid_back(g: Array, a: Array, z: Array, work: Array | None = None) -> Array:
    t = np.subtract(1.0, z, work)  # (1 - z) . z . g
    np.multiply(t, z, t)
    return np.multiply(t, g, g)


def _tanh_back(g: Array, a: Array, z: Array, work: Array | None = None) -> Array:
    t = np.multiply(z, z, work)  # (1 - z²) . g
    np.subtract(1.0, t, t)
    return np.multiply(t, g, g)


def _relu_back(g: Array, a: Array, z: Array, work: Array | None = None) -> Array:
    return np.multiply(g, a > 0, g)


def logsumexp_rows(a: Array) -> Array:
    """ln Σ_j e^(a_j) per row, (n, 1): shifted by the row's largest a, so nothing overflows."""
    m = a.max(axis=1, keepdims=True)
    m[~np.isfinite(m)] = 0.0
    return m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))


def _softmax_into(a: Array, out: Array | None) -> Array:
    """p = e^(a - m) / Σ e^(a - m) along each row, m = the row's largest a (no overflow)."""
    m = a.max(axis=1, keepdims=True)
    m[~np.isfinite(m)] = 0.0
    p = np.exp(np.subtract(a, m, out), out)
    p /= p.sum(axis=1, keepdims=True)
    return p


def _softmax(a: Array) -> Array:
    return _softmax_into(np.atleast_2d(np.asarray(a, dtype=float)), None)


def _softmax_back(g: Array, a: Array, z: Array, work: Array | None = None) -> Array:
    # Jacobian-vector product: dE/da_j = Σ_i g_i . p_i(δ_ij − p_j) = p_j . (g_j − Σ_i g_i . p_i)
    s = np.sum(g * z, axis=1, keepdims=True)
    np.subtract(g, s, g)
    return np.multiply(g, z, g)


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation("identity", lambda a: a, lambda a, z: np.ones_like(a), "a", "1",
                           backprop=_identity_back, into=lambda a, out: a),
    "sigmoid": Activation(
        "sigmoid", _sigmoid, lambda a, z: z * (1.0 - z), "1 / (1 + e^-a)", "z . (1 - z)", 0.0, 1.0,
        backprop=_sigmoid_back, into=_sigmoid_into,
    ),
    "tanh": Activation("tanh", np.tanh, lambda a, z: 1.0 - z * z, "tanh(a)", "1 - z^2", -1.0, 1.0,
                       backprop=_tanh_back, into=lambda a, out: np.tanh(a, out)),
    "relu": Activation(
        "relu", lambda a: np.maximum(a, 0.0), lambda a, z: (a > 0).astype(float),
        "max(0, a)", "1 if a > 0 else 0", 0.0, backprop=_relu_back,
        into=lambda a, out: np.maximum(a, 0.0, out=out),
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        lambda a: np.where(a > 0, a, LEAKY_SLOPE * a),
        lambda a, z: np.where(a > 0, 1.0, LEAKY_SLOPE),
        f"a if a > 0 else {LEAKY_SLOPE} . a",
        f"1 if a > 0 else {LEAKY_SLOPE}",
    ),
    "softplus": Activation(
        "softplus", _softplus, lambda a, z: _sigmoid(a), "ln(1 + e^a)", "1 / (1 + e^-a)", 0.0
    ),
    "sin": Activation("sin", np.sin, lambda a, z: np.cos(a), "sin(a)", "cos(a)", -1.0, 1.0),
    "gaussian": Activation(
        "gaussian", lambda a: np.exp(-a * a), lambda a, z: -2.0 * a * z, "e^(-a^2)", "-2a . z", 0.0, 1.0
    ),
    # softmax couples the units of its group (every softmax output of one layer): prime_from is
    # only the Jacobian's diagonal p(1 - p); backprop applies the whole Jacobian p_i(δ_ij - p_j)
    "softmax": Activation(
        "softmax", _softmax, lambda a, z: z * (1.0 - z), "e^a_k / Σ_j e^a_j (over the group)",
        "dp_i/da_j = p_i . (δ_ij - p_j)", 0.0, 1.0, backprop=_softmax_back, into=_softmax_into,
    ),
}


def get(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; use one of {', '.join(ACTIVATIONS)}"
        ) from None


GROUP_ACTIVATIONS = ("softmax",)  # couple the units of one output layer; never on a hidden unit
UNIT_ACTIVATIONS = {k: v for k, v in ACTIVATIONS.items() if k not in GROUP_ACTIVATIONS}  # per unit
