"""Activation functions, each beside its derivative f'(a) with respect to the net input a.

Every activation also knows ``delta_from(g, a, z) = g . f'(a)``: the step of backpropagation
through the unit (``g`` = ∂E/∂z from the units it feeds). The built-in ones compute it with the
fewest temporaries, reusing ``g``'s buffer, which the engine owns (tanh' = 1 − z², sigmoid' =
z(1 − z) come from the activation z, not from a).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

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
    # g . f'(a), free to overwrite g (which must be a fresh float64 array); None: g * prime_from
    backprop: Callable[[Array, Array, Array], Array] | None = None

    def prime(self, a: Array) -> Array:
        a = np.asarray(a, dtype=float)
        return self.prime_from(a, self.f(a))

    def delta_from(self, g: Array, a: Array, z: Array) -> Array:
        """``g . f'(a)``; may reuse ``g``'s memory (pass a copy to keep it)."""
        if self.backprop is not None:
            return self.backprop(g, a, z)
        return g * self.prime_from(a, z)

    def __repr__(self) -> str:
        return f"Activation({self.name}: f(a) = {self.formula}, f'(a) = {self.derivative})"


def _sigmoid(a: Array) -> Array:
    # 1 / (1 + e^-a) = e^(-ln(1 + e^-a)): no exp overflows, whatever the sign of a, and tiny
    # values keep their relative precision
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return np.exp(-np.logaddexp(0.0, -a))
    t = np.negative(a)
    np.logaddexp(0.0, t, t)
    np.negative(t, t)
    return np.exp(t, t)


def _softplus(a: Array) -> Array:
    return np.logaddexp(0.0, a)


def _identity_back(g: Array, a: Array, z: Array) -> Array:
    return g


def _sigmoid_back(g: Array, a: Array, z: Array) -> Array:
    t = np.subtract(1.0, z)  # z . (1 - z) . g
    np.multiply(t, z, t)
    np.multiply(t, g, t)
    return t


def _tanh_back(g: Array, a: Array, z: Array) -> Array:
    t = np.multiply(z, z)  # (1 - z²) . g
    np.subtract(1.0, t, t)
    np.multiply(t, g, t)
    return t


def _relu_back(g: Array, a: Array, z: Array) -> Array:
    return np.multiply(g, a > 0, g)


LEAKY_SLOPE = 0.01

ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation("identity", lambda a: a, lambda a, z: np.ones_like(a), "a", "1",
                           backprop=_identity_back),
    "sigmoid": Activation(
        "sigmoid", _sigmoid, lambda a, z: z * (1.0 - z), "1 / (1 + e^-a)", "z . (1 - z)", 0.0, 1.0,
        backprop=_sigmoid_back,
    ),
    "tanh": Activation("tanh", np.tanh, lambda a, z: 1.0 - z * z, "tanh(a)", "1 - z^2", -1.0, 1.0,
                       backprop=_tanh_back),
    "relu": Activation(
        "relu", lambda a: np.maximum(a, 0.0), lambda a, z: (a > 0).astype(float),
        "max(0, a)", "1 if a > 0 else 0", 0.0, backprop=_relu_back,
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
}


def get(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; use one of {', '.join(ACTIVATIONS)}"
        ) from None
