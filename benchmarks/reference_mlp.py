"""A hand-written numpy MLP: the yardstick the engine's speed is measured against.

Plain, tight textbook code: ``X @ W + b``, tanh hidden layers, a sigmoid output, squared error
E = ½(ŷ−y)² with batch means, and plain gradient descent W := W − α·∂E/∂W. It uses the same
conventions as the engine, so one step of each from the same weights gives the same numbers.
"""

from __future__ import annotations

import numpy as np


class ReferenceMLP:
    """Fully connected layers ``sizes[0] → … → sizes[-1]``; weights ``Ws[k]`` (n_in × n_out)."""

    def __init__(self, Ws: list[np.ndarray], bs: list[np.ndarray], lr: float) -> None:
        self.Ws = [np.array(W, dtype=float) for W in Ws]
        self.bs = [np.array(b, dtype=float) for b in bs]
        self.lr = lr

    @classmethod
    def random(cls, sizes: list[int], lr: float = 0.1, seed: int = 0) -> ReferenceMLP:
        rng = np.random.default_rng(seed)
        Ws = [rng.normal(0.0, 1.0 / np.sqrt(m), (m, n)) for m, n in zip(sizes, sizes[1:])]
        bs = [np.zeros(n) for n in sizes[1:]]
        return cls(Ws, bs, lr)

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        """One forward, backward and update on the whole batch; returns the loss before it."""
        Ws, bs = self.Ws, self.bs
        zs = [X]
        z = X
        for W, b in zip(Ws[:-1], bs[:-1]):
            z = np.tanh(z @ W + b)
            zs.append(z)
        yhat = 1.0 / (1.0 + np.exp(-(z @ Ws[-1] + bs[-1])))
        err = yhat - Y
        loss = 0.5 * np.sum(err * err) / len(X)
        delta = err * yhat * (1.0 - yhat) / len(X)
        for k in range(len(Ws) - 1, -1, -1):
            gW = zs[k].T @ delta
            gb = delta.sum(axis=0)
            if k:
                delta = (delta @ Ws[k].T) * (1.0 - zs[k] * zs[k])
            Ws[k] -= self.lr * gW
            bs[k] -= self.lr * gb
        return float(loss)

    def __repr__(self) -> str:
        shape = "-".join(str(W.shape[0]) for W in self.Ws) + f"-{self.Ws[-1].shape[1]}"
        return f"ReferenceMLP({shape}, lr={self.lr:g})"
