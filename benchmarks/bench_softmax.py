"""One training step of a 4-16-3 softmax network (categorical cross-entropy) on 150 samples: the
engine against a hand-written numpy softmax MLP, timed in the same run.

The data are three Gaussian blobs in 4 dimensions (iris-sized: 150 × 4, 3 classes, one-hot
targets). Both start from the same weights; one step of each is checked to give the same
numbers, then ``Trainer.step()`` (forward + backward + update, batch gradient descent) and the
reference's step are timed in alternating rounds (see bench_engine: min per step, ratio = median
of the per-round ratios).
"""

from __future__ import annotations

import gc
import os
import time

import numpy as np

from bpstudio.core.dataset import Dataset
from bpstudio.core.engine import Engine
from bpstudio.core.presets import initialise, layered_graph
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trainer import Trainer

SIZES, SAMPLES, LR = [4, 16, 3], 150, 0.1


class ReferenceSoftmaxMLP:
    """tanh hidden layers, a softmax output, mean categorical cross-entropy, plain gradient descent."""

    def __init__(self, Ws, bs, lr: float) -> None:
        self.Ws = [np.array(W, dtype=float) for W in Ws]
        self.bs = [np.array(b, dtype=float) for b in bs]
        self.lr = lr

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        Ws, bs = self.Ws, self.bs
        zs = [X]
        z = X
        for W, b in zip(Ws[:-1], bs[:-1]):
            z = np.tanh(z @ W + b)
            zs.append(z)
        a = z @ Ws[-1] + bs[-1]
        m = a.max(axis=1, keepdims=True)
        lse = m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))
        loss = float(np.sum(Y * (lse - a))) / len(X)
        delta = (np.exp(a - lse) - Y) / len(X)
        for k in range(len(Ws) - 1, -1, -1):
            gW = zs[k].T @ delta
            gb = delta.sum(axis=0)
            if k:
                delta = (delta @ Ws[k].T) * (1.0 - zs[k] * zs[k])
            Ws[k] -= self.lr * gW
            bs[k] -= self.lr * gb
        return loss

    def __repr__(self) -> str:
        return f"ReferenceSoftmaxMLP({len(self.Ws)} layers, lr={self.lr:g})"


def blobs(n: int = SAMPLES, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    centres = rng.normal(0.0, 2.0, (3, SIZES[0]))
    X = centres[labels] + rng.normal(0.0, 1.0, (n, SIZES[0]))
    return Dataset(X, np.eye(3)[labels], [f"x{i + 1}" for i in range(SIZES[0])], ["c0", "c1", "c2"])


def make_pair() -> tuple[Trainer, ReferenceSoftmaxMLP, Dataset]:
    graph = layered_graph(SIZES, "tanh", "softmax")
    settings = TrainingSettings(loss="categorical_cross_entropy", optimizer="gd", mode="batch",
                                learning_rate=LR, init="xavier", seed=1)
    initialise(graph, settings)
    data = blobs()
    engine = Engine(graph, settings.loss)
    trainer = Trainer(engine, data, settings)
    Ws = [L.blocks[0].W.copy() for L in engine.layers]
    bs = [L.b.copy() for L in engine.layers]
    return trainer, ReferenceSoftmaxMLP(Ws, bs, LR), data


def check_same_numbers() -> float:
    trainer, ref, data = make_pair()
    for _ in range(3):
        a, b = trainer.step(), ref.step(data.X, data.Y)
        assert abs(a - b) <= 1e-12 * max(1.0, abs(b)), (a, b)
    return max(max(float(np.max(np.abs(L.blocks[0].W - W))), float(np.max(np.abs(L.b - b))))
               for L, W, b in zip(trainer.engine.layers, ref.Ws, ref.bs))


def _per_step(fn, number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def time_pair(rounds: int = 21, budget: float = 0.01) -> tuple[float, float, float]:
    trainer, ref, data = make_pair()
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
    ratio = float(np.median(np.array(e_times) / np.array(r_times)))
    return min(e_times), min(r_times), ratio


def main() -> dict:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print("engine vs hand-written numpy softmax MLP: one training step, categorical cross-entropy")
    print(f"(machine load average {load} on {os.cpu_count()} CPUs)")
    diff = check_same_numbers()
    t_e, t_r, ratio = time_pair()
    print(f"4-16-3 softmax, {SAMPLES} samples: engine {t_e * 1e6:.1f} µs, numpy {t_r * 1e6:.1f} µs, "
          f"ratio {ratio:.2f}× (median of paired rounds; same numbers: max |Δθ| = {diff:.1e})")
    return {"engine_s": t_e, "reference_s": t_r, "ratio": ratio, "max_param_diff": diff}


if __name__ == "__main__":
    main()
