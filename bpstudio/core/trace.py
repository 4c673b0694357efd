"""StepTrace: every number of one training step, recorded only when someone asks.

Columns follow ``engine.unit_ids`` (inputs first, then by depth). Inputs have no net input and no
delta (NaN there); bias units are not units of the graph: a bias is a parameter of its unit, shown
as coming from the article's bias unit (X0, Z0, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine import Engine


@dataclass
class StepTrace:
    unit_ids: list[str]
    names: dict[str, str]
    depth_of: dict[str, int]
    sample_indices: np.ndarray  # rows of the training set in this batch
    X: np.ndarray
    Y: np.ndarray
    net_input: np.ndarray  # (n, units), NaN for inputs
    activation: np.ndarray  # (n, units), the inputs' values for inputs
    delta: np.ndarray  # (n, units), ∂E/∂net input per sample, NaN for inputs
    yhat: np.ndarray  # (n, outputs)
    loss_per_sample: np.ndarray  # (n,)
    loss: float  # mean over the batch
    edge_keys: list[tuple[str, str]]
    weight_old: np.ndarray
    weight_grad: np.ndarray  # mean over the batch
    bias_ids: list[str]
    bias_old: np.ndarray
    bias_grad: np.ndarray
    output_ids: list[str]
    loss_name: str
    learning_rate: float
    optimizer: str
    weight_new: np.ndarray = field(default=None)  # NaN until the update is applied
    bias_new: np.ndarray = field(default=None)
    regularization: str = "none"  # none | l1 | l2, on the weights only (weight_grad includes it)
    reg_rate: float = 0.0
    penalty: float = 0.0  # added to ``loss`` (the data loss) to give the loss that is minimised

    def __post_init__(self) -> None:
        if self.weight_new is None:
            self.weight_new = np.full_like(self.weight_old, np.nan)
        if self.bias_new is None:
            self.bias_new = np.full_like(self.bias_old, np.nan)
        self.column = {nid: i for i, nid in enumerate(self.unit_ids)}

    @property
    def applied(self) -> bool:
        return bool(np.all(np.isfinite(self.weight_new))) and bool(np.all(np.isfinite(self.bias_new)))

    @property
    def n_samples(self) -> int:
        return len(self.X)

    def record_update(self, engine: Engine) -> None:
        """Read the parameters after the optimiser step."""
        self.weight_new = engine.theta[engine.edge_slots].copy()
        self.bias_new = engine.theta[engine.bias_slots].copy()

    def unit_delta(self, nid: str) -> np.ndarray:
        return self.delta[:, self.column[nid]]

    def __repr__(self) -> str:
        return (f"StepTrace({self.n_samples} samples, loss={self.loss:.6g}, "
                f"{len(self.edge_keys)} weights, applied={self.applied})")


def trace_step(engine: Engine, X: np.ndarray, Y: np.ndarray, sample_indices=None,
               learning_rate: float = 0.0, optimizer: str = "gd") -> StepTrace:
    """Forward and backward on a batch with every number recorded; ``engine.grad`` is filled.

    The update is not applied: call the optimiser, then :meth:`StepTrace.record_update`. A network
    on its way to diverging overflows quietly here: the trace records the inf/NaN, and the panels
    and the diagnostics say so in words.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        fw = engine.forward(X)
        deltas = engine.backward(fw, Y)
        per_sample = engine.loss_per_sample(fw, Y)
    if sample_indices is None:
        sample_indices = np.arange(len(X))
    return StepTrace(
        unit_ids=list(engine.unit_ids),
        names=dict(engine.names),
        depth_of=dict(engine.depth_of),
        sample_indices=np.asarray(sample_indices),
        X=X.copy(), Y=Y.copy(),
        net_input=engine.per_unit(fw.net),
        activation=engine.per_unit(fw.act),
        delta=engine.per_unit(deltas),
        yhat=fw.yhat.copy(),
        loss_per_sample=per_sample,
        loss=float(np.mean(per_sample)),
        edge_keys=list(engine.edge_keys),
        weight_old=engine.theta[engine.edge_slots].copy(),
        weight_grad=engine.grad[engine.edge_slots].copy(),
        bias_ids=list(engine.bias_ids),
        bias_old=engine.theta[engine.bias_slots].copy(),
        bias_grad=engine.grad[engine.bias_slots].copy(),
        output_ids=list(engine.output_ids),
        loss_name=engine.loss.name,
        learning_rate=learning_rate,
        optimizer=optimizer,
        regularization=getattr(engine, "regularization", "none"),
        reg_rate=float(getattr(engine, "reg_rate", 0.0)),
        penalty=float(engine.penalty()) if hasattr(engine, "penalty") else 0.0,
    )
