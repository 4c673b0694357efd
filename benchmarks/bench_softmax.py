"""One training step of a softmax net (4-16-3, categorical cross-entropy) against hand-written numpy.

The reference is textbook code: tanh hidden layer, softmax output via log-sum-exp, loss
−Σ y_k ln p_k (batch mean), output delta p − y, plain gradient descent. Both start from the same
weights; the numbers are checked equal after three steps, then timed in alternating rounds
(``bench_engine.time_case``'s method): minimum per-step times and the median per-round ratio.
"""

from __future__ import annotations

import gc
import os

import numpy as np

from bpstudio.core.dataset import Dataset
from bpstudio.core.engine import Engine
from bpstudio.core.presets import initialise, layered_graph
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trainer import Trainer

from .bench_engine import _per_step

CASES = [("4-16-3", [4, 16, 3], 150), ("4-64-64-5", [4, 64, 64, 5], 1000)]


class ReferenceSoftmaxMLP:
    """tanh hidden layers, a softmax output, categorical cross-entropy, batch gradient descent."""

    def __init__(self, Ws: list[np.ndarray], bs: list[np.ndarray], lr: float) -> None:
        self.Ws = [np.array(W, dtype=float) for W in Ws]
        self.bs = [np.array(b, dtype=float) for b in bs]
        self.lr = lr

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        zs = [X]
        z = X
        for W, b in zip(self.Ws[:-1], self.bs[:-1]):
            z = np.tanh(z @ W + b)
            zs.append(z)
        a = z @ self.Ws[-1] + self.bs[-1]
        m = a.max(axis=1, keepdims=True)
        lse = m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))
        loss = float(np.sum(Y * (lse - a)) / len(X))
        delta = (np.exp(a - lse) - Y) / len(X)
        for k in range(len(self.Ws) - 1, -1, -1):
            gW = zs[k].T @ delta
            gb = delta.sum(axis=0)
            if k:
                delta = (delta @ self.Ws[k].T) * (1.0 - zs[k] * zs[k])
            self.Ws[k] -= self.lr * gW
            self.bs[k] -= self.lr * gb
        return loss

    def __repr__(self) -> str:
        return f"ReferenceSoftmaxMLP({len(self.Ws)} layers, lr={self.lr:g})"


def make_data(n: int, k: int, seed: int = 0) -> Dataset:
    """Four features, k classes (blobs), one-hot targets."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    X = rng.normal(0.0, 1.0, (n, 4)) + labels[:, None]
    Y = np.eye(k)[labels]
    return Dataset(X, Y, [f"X{i + 1}" for i in range(4)], [f"C{j + 1}" for j in range(k)], name="blobs")


def make_pair(sizes: list[int], n: int, lr: float = 0.1):
    graph = layered_graph(sizes, "tanh", "softmax")
    settings = TrainingSettings(loss="categorical_cross_entropy", optimizer="gd", mode="batch",
                                learning_rate=lr, init="xavier", seed=1)
    initialise(graph, settings)
    data = make_data(n, sizes[-1])
    engine = Engine(graph, settings.loss)
    trainer = Trainer(engine, data, settings)
    Ws = [L.blocks[0].W.copy() for L in engine.layers]
    bs = [L.b.copy() for L in engine.layers]
    return trainer, ReferenceSoftmaxMLP(Ws, bs, lr), data


def check_same_numbers(sizes: list[int], n: int) -> float:
    trainer, ref, data = make_pair(sizes, n)
    for _ in range(3):
        a, b = trainer.step(), ref.step(data.X, data.Y)
        assert abs(a - b) <= 1e-12 * max(1.0, abs(b)), (a, b)
    return max(max(float(np.max(np.abs(L.blocks[0].W - W))), float(np.max(np.abs(L.b - b))))
               for L, W, b in zip(trainer.engine.layers, ref.Ws, ref.bs))


def time_case(sizes: list[int], n: int, rounds: int = 21, budget: float = 0.01):
    trainer, ref, data = make_pair(sizes, n)
    X, Y = data.X, data.Y
    engine_step = trainer.step

    def ref_step() -> float:
        return ref.step(X, Y)

    once = max(_per_step(engine_step, 3), _per_step(ref_step, 3), 1e-7)
    number = max(1, int(budget / once))
    e_times, r_times = [], []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for k in range(rounds):
            pair = (engine_step, ref_step) if k % 2 else (ref_step, engine_step)
            for fn in pair:
                (e_times if fn is engine_step else r_times).append(_per_step(fn, number))
    finally:
        if was_enabled:
            gc.enable()
    return min(e_times), min(r_times), float(np.median(np.array(e_times) / np.array(r_times)))


def main() -> list[dict]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print("softmax net: engine vs hand-written numpy, one training step (categorical cross-entropy)")
    print(f"(machine load average {load} on {os.cpu_count()} CPUs)")
    print(f"{'network':<12} {'samples':>7} {'engine µs':>10} {'numpy µs':>10} {'ratio':>6}")
    results = []
    for label, sizes, n in CASES:
        diff = check_same_numbers(sizes, n)
        t_e, t_r, ratio = time_case(sizes, n)
        print(f"{label:<12} {n:>7} {t_e * 1e6:>10.1f} {t_r * 1e6:>10.1f} {ratio:>5.2f}×"
              f"   (same numbers: max |Δθ| = {diff:.1e})")
        results.append({"case": label, "samples": n, "engine_s": t_e, "reference_s": t_r, "ratio": ratio,
                        "max_param_diff": diff})
    return results


if __name__ == "__main__":
    main()
