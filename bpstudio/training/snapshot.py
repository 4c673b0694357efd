"""Snapshot: a frozen copy of the training state that the worker hands to the GUI (Qt-free).

Every array is a private, read-only copy, so the GUI thread can keep it while the worker goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# phase kinds, in the order one training step walks through them
FORWARD, LOSS, BACKWARD, UPDATE = "forward", "loss", "backward", "update"


@dataclass(frozen=True)
class Phase:
    """One piece of one training step, e.g. ("backward", depth 1): the hidden layer's deltas."""

    kind: str
    depth: int | None  # the layer lit by this phase; None for the loss
    label: str  # "forward hidden", "backward output", ...

    def __repr__(self) -> str:
        return f"Phase({self.label})"


def frozen(a) -> np.ndarray | None:
    """A read-only private copy of an array (None stays None)."""
    if a is None:
        return None
    c = np.array(a, dtype=float, copy=True)
    c.setflags(write=False)
    return c


@dataclass(frozen=True)
class Snapshot:
    epoch: int
    steps: int
    loss: float  # the latest recorded loss (epoch mean, or the current batch's)
    state: str  # "idle" | "running" | "paused" | "finished" | "diverged"
    unit_ids: tuple[str, ...]
    edge_keys: tuple[tuple[str, str], ...]
    weights: np.ndarray  # in edge_keys order
    bias_ids: tuple[str, ...]
    biases: np.ndarray
    # the last traced batch (None when training ran without a trace)
    net_input: np.ndarray | None = None  # (n, units), NaN for inputs
    activation: np.ndarray | None = None
    delta: np.ndarray | None = None  # NaN for inputs and for layers the backward pass has not reached
    weight_grad: np.ndarray | None = None
    sample_indices: np.ndarray | None = None
    batch_label: str = ""  # "all 4 samples", "sample 2 of 4", "mini-batch 3 of 5"
    phase: Phase | None = None  # the phase just shown, when stepping by phase
    next_phase: Phase | None = None
    # history: only what is new since the previous snapshot, plus the total count
    new_epochs: np.ndarray = field(default_factory=lambda: frozen(np.zeros(0)))
    new_losses: np.ndarray = field(default_factory=lambda: frozen(np.zeros(0)))
    new_test_losses: np.ndarray | None = None
    new_accuracy: np.ndarray | None = None
    history_len: int = 0
    layer_grad_norms: np.ndarray | None = None  # (depths-1,) per target depth
    layer_weight_norms: np.ndarray | None = None
    boundary: np.ndarray | None = None  # (H, W) output over the input plane, for two inputs
    boundary_extent: tuple[float, float, float, float] | None = None  # x0, x1, y0, y1
    hidden_thumbnails: dict | None = None  # unit id -> (h, w) array
    boundary_classes: object = None  # core.boundary.ClassPicture, for one-hot targets (boundary: its share)
    fit: object = None  # core.fit_view.FitView, for regression targets
    diagnostics: tuple = ()
    message: str = ""
    non_finite: str | None = None  # what became NaN/inf first
    non_finite_record: object = None  # its unit id or edge key, to mark it on the canvas
    # --- added by the training session (all optional) ---
    # True: forget the history you hold; new_epochs/new_losses then carry the whole history
    # (after Reset weights, a new project, or stepping back over the end of an epoch)
    history_reset: bool = False
    new_test_accuracy: np.ndarray | None = None
    # new_test_losses / new_accuracy / new_test_accuracy have one entry per new epoch: measured at
    # snapshot time for the newest epoch, NaN for older ones (measuring each epoch would halve speed)
    batch_loss: float | None = None  # the traced batch's loss, once the loss phase is shown
    bias_grad: np.ndarray | None = None  # in bias_ids order, NaN where not yet known
    weight_change: np.ndarray | None = None  # new − old after the update phase / a traced step
    bias_change: np.ndarray | None = None
    phases: tuple[Phase, ...] = ()  # the whole plan of one step for this network
    phase_index: int | None = None  # index of ``phase`` in ``phases``
    trace: object | None = None  # a private copy of the StepTrace (all its numbers; read-only)
    generation: int = 0  # which load of the network this state belongs to (stale ones are dropped)
    # after a divergence: the last weights/biases known to be finite (what the document keeps);
    # None while every number is finite
    finite_weights: np.ndarray | None = None
    finite_biases: np.ndarray | None = None
    # --- rewind (bpstudio/training/rewind.py) ---
    checkpoints: tuple = ()  # the timeline's TrainingCheckpoints (immutable, shared with the worker)
    viewing_epoch: int | None = None  # a past epoch shown by the timeline (not the live state)
    branch_epoch: int | None = None  # "Continue from here" went back to this epoch (not confirmed yet)
    later_checkpoints: tuple = ()  # ... and the history after it, kept (dimmed) until confirmed
    later_epochs: np.ndarray | None = None
    later_losses: np.ndarray | None = None
    explained: tuple | None = None  # (sample, worked-arithmetic lines) made in the worker for a view

    def __repr__(self) -> str:
        phase = f", {self.phase.label}" if self.phase else ""
        return f"Snapshot(epoch={self.epoch}, steps={self.steps}, loss={self.loss:.6g}, {self.state}{phase})"
