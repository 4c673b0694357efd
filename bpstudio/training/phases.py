"""The phases of one training step, and what a trace shows once a phase has been reached (Qt-free).

For a network whose deepest units sit at depth D the plan is: forward 1..D, loss, backward D..1,
update. The article's 2-3-1 gives: forward hidden, forward output, loss, backward output,
backward hidden, update.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.trace import StepTrace
from .snapshot import BACKWARD, FORWARD, LOSS, UPDATE, Phase


def layer_name(depth: int, n_depths: int) -> str:
    """"output" for the deepest layer, "hidden" (one hidden layer) or "hidden k" (several)."""
    if depth == n_depths:
        return "output"
    return "hidden" if n_depths == 2 else f"hidden {depth}"


def phase_plan(n_depths: int) -> list[Phase]:
    """The phases of one step for a network with ``n_depths`` non-input depths (D ≥ 1)."""
    if n_depths < 1:
        raise ValueError("a network needs at least one layer of units after its inputs")
    plan = [Phase(FORWARD, d, f"forward {layer_name(d, n_depths)}") for d in range(1, n_depths + 1)]
    plan.append(Phase(LOSS, None, "loss"))
    plan += [Phase(BACKWARD, d, f"backward {layer_name(d, n_depths)}")
             for d in range(n_depths, 0, -1)]
    plan.append(Phase(UPDATE, None, "update"))
    return plan


@dataclass(frozen=True)
class Revealed:
    """The parts of a trace that are visible once phase ``index`` of the plan has been shown."""

    net_input: np.ndarray
    activation: np.ndarray
    delta: np.ndarray
    weight_grad: np.ndarray
    bias_grad: np.ndarray
    loss_known: bool
    forward_depth: int  # deepest layer whose values are shown (0: only the inputs)
    backward_depth: int | None  # shallowest layer whose deltas are shown (None: none yet)


def reveal(trace: StepTrace, n_depths: int, index: int) -> Revealed:
    """Mask a full trace down to what phase ``index`` (0-based, into :func:`phase_plan`) has lit.

    Hidden numbers are NaN: net inputs and activations of layers the forward pass has not
    reached, deltas and gradients of layers the backward pass has not reached.
    """
    D = n_depths
    n_phases = 2 * D + 2
    if not 0 <= index < n_phases:
        raise IndexError(f"phase {index} is outside 0..{n_phases - 1}")
    forward_depth = min(index + 1, D)
    if index <= D:  # forward phases and the loss
        backward_depth = None
    elif index < n_phases - 1:
        backward_depth = D - (index - D - 1)
    else:
        backward_depth = 1
    unit_depth = np.array([trace.depth_of[u] for u in trace.unit_ids])
    ahead = unit_depth > forward_depth
    net = trace.net_input.copy()
    act = trace.activation.copy()
    net[:, ahead] = np.nan
    act[:, ahead] = np.nan
    delta = trace.delta.copy()
    wgrad = trace.weight_grad.copy()
    bgrad = trace.bias_grad.copy()
    if backward_depth is None:
        delta[:] = np.nan
        wgrad[:] = np.nan
        bgrad[:] = np.nan
    else:
        delta[:, unit_depth < backward_depth] = np.nan
        edge_depth = np.array([trace.depth_of[t] for _, t in trace.edge_keys], dtype=int)
        bias_depth = np.array([trace.depth_of[b] for b in trace.bias_ids], dtype=int)
        wgrad[edge_depth < backward_depth] = np.nan
        bgrad[bias_depth < backward_depth] = np.nan
    return Revealed(net, act, delta, wgrad, bgrad, index >= D, forward_depth, backward_depth)
