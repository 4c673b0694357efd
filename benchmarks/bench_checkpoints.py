"""Checkpoint memory over 10⁶ epochs of a 2-16-16-1 network, against the 50 MB budget.

A real 2-16-16-1 trainer (Adam: θ plus two moment arrays; minibatch with shuffling: the random
generator's state and a 200-sample order per checkpoint, the heaviest kind) is captured at the
start of each of 10⁶ epochs into a :class:`CheckpointLadder`, as the training session does (the
epochs themselves are not trained: the checkpoints have the real shapes, and training 10⁶ epochs
would take minutes). Memory is measured with tracemalloc (everything the ladder holds, objects and
containers included) and compared with the reference measured in the same run: the bytes of one θ.
Second part: what recording costs a real training session against the same session training
without it (XOR-sized batch mode, the worst case: one 30 µs step per epoch; free-running play then
records every k-th epoch, k a power of two chosen so that recording takes ≤ 5 % of the time).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

BUDGET_MB = 50.0
EPOCHS = 1_000_000


def _deep_trainer():
    from bpstudio.core.engine import Engine
    from bpstudio.core.trainer import Trainer
    from tests.training.helpers import deep_project

    p = deep_project(n=200, optimizer="adam", mode="minibatch", batch_size=16, shuffle=True)
    return Trainer(Engine(p.graph, p.settings.loss), p.dataset, p.settings)


def memory() -> None:
    from bpstudio.core.checkpoints import CheckpointLadder, capture, count_bound

    t = _deep_trainer()
    t.run_epoch()
    theta_bytes = t.engine.theta.nbytes  # the reference
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    ladder = CheckpointLadder()
    t0 = time.perf_counter()
    peak_count = 0
    for e in range(EPOCHS + 1):
        t.epoch = e
        ladder.record(capture(t, 0.5))
        peak_count = max(peak_count, len(ladder))
    took = time.perf_counter() - t0
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held_mb, peak_mb = (held - base) / 2**20, (peak - base) / 2**20
    print(f"network 2-16-16-1: {t.engine.n_params} parameters; reference: one θ = {theta_bytes:,} bytes")
    print(f"{EPOCHS:,} epochs recorded (Adam, shuffled minibatch) in {took:.1f} s under tracemalloc "
          f"({took / EPOCHS * 1e6:.1f} µs per epoch)")
    print(f"checkpoints held: {len(ladder)} (most at any time {peak_count}; bound {count_bound(EPOCHS)}), "
          f"epochs {ladder.first}..{ladder.latest}")
    print(f"memory held: {held_mb:.2f} MB = {(held - base) / theta_bytes:,.0f} × one θ "
          f"({held_mb / BUDGET_MB:.1%} of the {BUDGET_MB:.0f} MB budget); peak {peak_mb:.2f} MB "
          f"({peak_mb / BUDGET_MB:.1%})")
    print(f"ladder's own count of array bytes: {ladder.nbytes / 2**20:.2f} MB; per checkpoint "
          f"{(held - base) / len(ladder) / theta_bytes:.1f} × one θ")
    newest = ladder.epochs()[-40:]
    print(f"newest epochs kept: every one of the last 32 ({newest[-32]}..{newest[-1]}); oldest gaps: "
          f"{np.diff(ladder.epochs()[:5]).tolist()}")


def overhead() -> None:
    from bpstudio.core.presets import load_preset
    from bpstudio.training.session import TrainingSession

    rates: list[int] = []

    def rate(record: bool, seconds: float = 1.5) -> float:
        p = load_preset("article-xor")
        s = TrainingSession(p.graph, p.dataset, p.settings)
        s.settings.max_epochs = 0
        s.trainer.settings.max_epochs = 0
        if not record:
            s.record_checkpoint = lambda: None
        s.play()
        t0 = time.perf_counter()
        n = 0
        while time.perf_counter() - t0 < seconds:  # 5 ms chunks, as the worker trains
            n += s.run(budget=0.005)
        rates.append(s.checkpoint_every)
        return n / (time.perf_counter() - t0)

    rate(True, 0.3)  # warm up
    rows = [(rate(False), rate(True)) for _ in range(3)]
    without = max(r[0] for r in rows)
    with_ = max(r[1] for r in rows)
    print(f"article XOR, batch mode (one step = one epoch): {without:,.0f} epochs/s without recording "
          f"(reference), {with_:,.0f} with it: {with_ / without:.2f} × the speed (an epoch this short "
          f"is recorded every {rates[-1]}th: recording may take ≤ 5 % of the time)")


def main() -> None:
    memory()
    overhead()


if __name__ == "__main__":
    main()
