"""Softmax output groups: probabilities from logits and the predicted class (numpy only)."""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS


def softmax(a) -> np.ndarray:
    """p = e^(a − lse(a)) along each row (log-sum-exp: no overflow for any logits)."""
    return ACTIVATIONS["softmax"].f(np.atleast_2d(np.asarray(a, dtype=float)))


def predicted_class(p) -> np.ndarray:
    """The index of the most probable output of each row (ties: the first)."""
    return np.argmax(np.atleast_2d(np.asarray(p, dtype=float)), axis=1)
