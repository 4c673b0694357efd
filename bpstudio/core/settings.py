"""Training settings: what the learner picks beside Play (all plain data, validated)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from .init import INITS
from .losses import LOSSES

OPTIMIZERS = ("gd", "momentum", "adam")
MODES = ("batch", "online", "minibatch")
REGULARIZATIONS = ("none", "l1", "l2")  # penalty on the weights (never the biases)


class SettingsError(ValueError):
    """A setting with a value the studio cannot use."""


@dataclass
class TrainingSettings:
    """``mode``: batch = whole dataset per step (gradient = mean over it); online = one sample per
    step; minibatch = ``batch_size`` samples per step. ``shuffle`` reorders samples each epoch
    (seeded) in online and minibatch modes."""

    loss: str = "squared_error"
    optimizer: str = "gd"
    mode: str = "batch"
    batch_size: int = 4
    shuffle: bool = False
    learning_rate: float = 0.1
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    init: str = "constant"
    init_value: float = 1.0
    init_scale: float = 0.5
    seed: int = 0
    max_epochs: int = 1000
    target_loss: float = 0.0
    regularization: str = "none"  # l2: E + λ/2.ΣW², l1: E + λ.Σ|W|, over the weights only
    reg_rate: float = 0.0  # λ

    def validate(self) -> TrainingSettings:
        def need(cond: bool, msg: str) -> None:
            if not cond:
                raise SettingsError(msg)

        need(self.loss in LOSSES, f"unknown loss {self.loss!r}; use one of {', '.join(LOSSES)}")
        need(self.optimizer in OPTIMIZERS,
             f"unknown optimizer {self.optimizer!r}; use one of {', '.join(OPTIMIZERS)}")
        need(self.mode in MODES, f"unknown mode {self.mode!r}; use one of {', '.join(MODES)}")
        need(self.regularization in REGULARIZATIONS, f"unknown regularisation {self.regularization!r}; "
             f"use one of {', '.join(REGULARIZATIONS)}")
        need(self.init in INITS, f"unknown initialisation {self.init!r}; use one of {', '.join(INITS)}")
        for name in ("learning_rate", "momentum", "beta1", "beta2", "epsilon", "init_value",
                     "init_scale", "target_loss", "reg_rate"):
            v = getattr(self, name)
            need(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v),
                 f"{name.replace('_', ' ')} must be a finite number, not {v!r}")
        need(self.learning_rate > 0, f"the learning rate must be positive, not {self.learning_rate}")
        need(0 <= self.momentum < 1, f"momentum must be in [0, 1), not {self.momentum}")
        need(0 <= self.beta1 < 1 and 0 <= self.beta2 < 1, "Adam's betas must be in [0, 1)")
        need(self.epsilon > 0, "epsilon must be positive")
        need(self.reg_rate >= 0, f"the regularisation rate cannot be negative, not {self.reg_rate}")
        need(self.target_loss >= 0, "the target loss cannot be negative")
        for name in ("batch_size", "seed", "max_epochs"):
            v = getattr(self, name)
            need(isinstance(v, int) and not isinstance(v, bool),
                 f"{name.replace('_', ' ')} must be a whole number, not {v!r}")
        need(self.batch_size >= 1, f"the batch size must be at least 1, not {self.batch_size}")
        need(self.max_epochs >= 0, "max epochs cannot be negative")
        need(self.seed >= 0, "the seed cannot be negative")
        need(isinstance(self.shuffle, bool), "shuffle must be true or false")
        return self

    def to_dict(self) -> dict:
        """Every setting; the optional regularisation fields only when they are in use."""
        out = asdict(self)
        if self.regularization == "none" and self.reg_rate == 0.0:
            del out["regularization"], out["reg_rate"]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> TrainingSettings:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise SettingsError(f"unknown training setting(s): {', '.join(sorted(unknown))}")
        return cls(**data).validate()
