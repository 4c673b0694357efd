"""Weight initialisation schemes; every random one takes a seed."""

from __future__ import annotations

import numpy as np

INITS = ("constant", "uniform", "normal", "xavier", "he")


def draw(scheme: str, fan_in: np.ndarray, fan_out: np.ndarray, rng: np.random.Generator,
         value: float = 1.0, scale: float = 0.5) -> np.ndarray:
    """One value per weight; ``fan_in``/``fan_out`` are arrays giving each weight's target/source fans.

    constant: every weight = ``value`` (the article's 1.0); uniform: U(-scale, scale);
    normal: N(0, scale²); xavier (Glorot uniform): U(±sqrt(6 / (fan_in + fan_out)));
    he (normal): N(0, 2 / fan_in).
    """
    n = len(fan_in)
    if scheme == "constant":
        return np.full(n, float(value))
    if scheme == "uniform":
        return rng.uniform(-scale, scale, n)
    if scheme == "normal":
        return rng.normal(0.0, scale, n)
    if scheme == "xavier":
        limit = np.sqrt(6.0 / np.maximum(fan_in + fan_out, 1))
        return rng.uniform(-1.0, 1.0, n) * limit
    if scheme == "he":
        return rng.normal(0.0, 1.0, n) * np.sqrt(2.0 / np.maximum(fan_in, 1))
    raise ValueError(f"unknown initialisation {scheme!r}; use one of {', '.join(INITS)}")


def initial_values(graph, scheme: str = "constant", seed: int = 0, value: float = 1.0,
                   scale: float = 0.5) -> tuple[dict, dict]:
    """New weights (by edge key) and biases (by unit id) for ``graph``, deterministic for a seed.

    Biases: ``value`` for constant init (the article's bias weights are 1 too), drawn like the
    weights for uniform and normal, and 0 for Xavier and He (the usual practice).
    """
    from .graph import INPUT  # local: keeps this module importable on its own

    rng = np.random.default_rng(seed)
    keys = list(graph.edges)
    fan_in = np.array([len(graph.incoming(t)) for _, t in keys], dtype=float)
    fan_out = np.array([len(graph.outgoing(s)) for s, _ in keys], dtype=float)
    w = draw(scheme, fan_in, fan_out, rng, value, scale)
    units = [n.id for n in graph if n.role != INPUT]
    if scheme in ("constant", "uniform", "normal"):
        ones = np.ones(len(units))
        b = draw(scheme, ones, ones, rng, value, scale)
    else:
        b = np.zeros(len(units))
    return ({k: float(v) for k, v in zip(keys, w)}, {u: float(v) for u, v in zip(units, b)})
