"""One training step of the engine against the hand-written numpy MLP, timed in the same run.

Each case builds a layered tanh/sigmoid network, copies its weights into
:class:`~benchmarks.reference_mlp.ReferenceMLP`, checks that one step of each gives the same
numbers, then times ``Trainer.step()`` (forward + backward + update on the whole dataset, as
the app runs it) against ``ReferenceMLP.step()``. Rounds alternate between the two so that load
from other processes hits both alike: the minimum per-step time of each is printed, and the
ratio is the median of the per-round ratios.
"""

from __future__ import annotations

import gc
import os
import time

import numpy as np

from bpstudio.core.dataset import Dataset, truth_table
from bpstudio.core.engine import Engine
from bpstudio.core.presets import initialise, layered_graph
from bpstudio.core.settings import TrainingSettings
from bpstudio.core.trainer import Trainer

from .reference_mlp import ReferenceMLP

# (label, layer sizes, samples, target ratio)
CASES = [
    ("XOR 2-3-1", [2, 3, 1], 4, 1.3),
    ("2-16-16-1", [2, 16, 16, 1], 200, None),
    ("2-64-64-64-1", [2, 64, 64, 64, 1], 1000, 1.1),
]


def make_data(n: int, seed: int = 0) -> Dataset:
    """XOR's truth table for 4 samples, otherwise points in the square labelled by a circle."""
    if n == 4:
        return truth_table("xor")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, 2))
    Y = (np.sum(X * X, axis=1) < 0.5).astype(float)
    return Dataset(X, Y, ["X1", "X2"], ["Y"], name="circle")


def make_pair(sizes: list[int], n: int, lr: float = 0.1) -> tuple[Trainer, ReferenceMLP, Dataset]:
    """A trainer and a reference MLP holding the same weights."""
    graph = layered_graph(sizes, "tanh", "sigmoid")
    settings = TrainingSettings(loss="squared_error", optimizer="gd", mode="batch",
                                learning_rate=lr, init="xavier", seed=1)
    initialise(graph, settings)
    data = make_data(n)
    engine = Engine(graph, settings.loss)
    trainer = Trainer(engine, data, settings)
    Ws = [L.blocks[0].W.copy() for L in engine.layers]
    bs = [L.b.copy() for L in engine.layers]
    return trainer, ReferenceMLP(Ws, bs, lr), data


def check_same_numbers(sizes: list[int], n: int) -> float:
    """Largest difference between engine and reference parameters after three steps each."""
    trainer, ref, data = make_pair(sizes, n)
    for _ in range(3):
        a = trainer.step()
        b = ref.step(data.X, data.Y)
        assert abs(a - b) <= 1e-12 * max(1.0, abs(b)), (a, b)
    worst = 0.0
    for L, W, b in zip(trainer.engine.layers, ref.Ws, ref.bs):
        worst = max(worst, float(np.max(np.abs(L.blocks[0].W - W))),
                    float(np.max(np.abs(L.b - b))))
    return worst


def _per_step(fn, number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def time_case(sizes: list[int], n: int, rounds: int = 21, budget: float = 0.01
              ) -> tuple[float, float, float]:
    """(engine s/step, reference s/step, ratio) over rounds that alternate between the two.

    Times are the minimum per-step time of each; the ratio is the median of the per-round
    ratios, so a burst of load from other processes, which hits both halves of one round alike,
    does not skew it.
    """
    trainer, ref, data = make_pair(sizes, n)
    X, Y = data.X, data.Y
    engine_step = trainer.step

    def ref_step() -> float:
        return ref.step(X, Y)

    once = max(_per_step(engine_step, 3), _per_step(ref_step, 3), 1e-7)
    number = max(1, int(budget / once))
    engine_times, ref_times = [], []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for k in range(rounds):
            if k % 2:  # alternate which goes first
                engine_times.append(_per_step(engine_step, number))
                ref_times.append(_per_step(ref_step, number))
            else:
                ref_times.append(_per_step(ref_step, number))
                engine_times.append(_per_step(engine_step, number))
    finally:
        if was_enabled:
            gc.enable()
    ratio = float(np.median(np.array(engine_times) / np.array(ref_times)))
    return min(engine_times), min(ref_times), ratio


def main() -> list[dict]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print("engine vs hand-written numpy MLP: one training step (forward + backward + update)")
    print(f"(machine load average {load} on {os.cpu_count()} CPUs: figures are noisier under load)")
    print(f"{'network':<14} {'samples':>7} {'engine µs':>10} {'numpy µs':>10} {'ratio':>6}  target"
          "   (times: min per step; ratio: median of paired rounds)")
    results = []
    for label, sizes, n, target in CASES:
        diff = check_same_numbers(sizes, n)
        t_e, t_r, ratio = time_case(sizes, n)
        verdict = "" if target is None else f"≤ {target:g}× {'met' if ratio <= target else 'MISSED'}"
        print(f"{label:<14} {n:>7} {t_e * 1e6:>10.1f} {t_r * 1e6:>10.1f} {ratio:>5.2f}×  {verdict}"
              f"   (same numbers: max |Δθ| = {diff:.1e})")
        results.append({"case": label, "samples": n, "engine_s": t_e, "reference_s": t_r,
                        "ratio": ratio, "target": target, "max_param_diff": diff})
    return results


if __name__ == "__main__":
    main()
