"""The engine's compiled pieces: weight blocks, layers with their activation functions, and the
reusable buffers of a training step.

A layer's ``f(a, out)`` and ``back(g, a, z, work)`` cover all its units, however many
activations they mix. A :class:`Workspace` holds every per-sample array of one batch size, so
repeated training steps allocate nothing: on a big batch, fresh arrays cost more than the
arithmetic (each new page of memory is a page fault).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .activations import Activation

Array = np.ndarray


@dataclass
class _Block:
    """The weights from one source depth into one target depth."""

    source: int
    W: Array  # view into theta, (n_s, n_d)
    dW: Array  # view into grad
    mask: Array | None  # float 0/1, None when every edge exists

    def __repr__(self) -> str:
        missing = 0 if self.mask is None else int((self.mask == 0).sum())
        return f"_Block(from depth {self.source}, {self.W.shape[0]}×{self.W.shape[1]}, {missing} missing)"


@dataclass
class _Layer:
    """All non-input units at one depth."""

    depth: int
    ids: list[str]
    blocks: list[_Block]
    b: Array  # view into theta, (n_d,)
    db: Array
    groups: list[tuple[Activation, Array | None]]  # (activation, columns or None = all)
    out_cols: Array | None  # columns of this layer that are outputs
    out_pos: Array | None  # positions of those outputs in the output vector
    all_outputs: bool  # every unit of this layer is an output, in output order
    # compiled: z = f(a, out) and delta = back(g, a, z, work) for the whole layer, and the
    # output units by activation: (activation, layer columns, output positions, their
    # positions within out_cols)
    f: Callable[[Array, Array | None], Array] = None
    back: Callable[..., Array] = None
    out_groups: list[tuple] = field(default_factory=list)

    def __repr__(self) -> str:
        acts = "+".join(fn.name for fn, _ in self.groups)
        return f"_Layer(depth={self.depth}, {len(self.ids)} units, {acts}, {len(self.blocks)} blocks)"


def layer_functions(groups: list[tuple[Activation, Array | None]]) -> tuple[Callable, Callable]:
    """One ``f(a, out)`` and one ``back(g, a, z, work)`` for a layer."""
    if len(groups) == 1:
        fn = groups[0][0]
        into = fn.into or fn.f_into
        back = fn.backprop or (lambda g, a, z, work=None: g * fn.prime_from(a, z))
        return into, back

    def f(a: Array, out: Array | None = None) -> Array:
        z = np.empty_like(a) if out is None else out
        for fn, cols in groups:
            z[:, cols] = fn.f(a[:, cols])
        return z

    def back(g: Array, a: Array, z: Array, work: Array | None = None) -> Array:
        for fn, cols in groups:
            g[:, cols] = fn.delta_from(g[:, cols], a[:, cols], z[:, cols])
        return g

    return f, back


class Workspace:
    """Every per-sample buffer of a training step for batches of ``n`` rows, per depth."""

    def __init__(self, layer_sizes: list[int], n: int) -> None:
        self.n = n
        self.net: list[Array | None] = [None] + [np.empty((n, k)) for k in layer_sizes[1:]]
        self.act: list[Array | None] = [None] + [np.empty((n, k)) for k in layer_sizes[1:]]
        self.up: list[Array | None] = [None] + [np.empty((n, k)) for k in layer_sizes[1:]]
        self.work: list[Array | None] = [None] + [np.empty((n, k)) for k in layer_sizes[1:]]

    def __repr__(self) -> str:
        return f"Workspace(n={self.n}, {len(self.net) - 1} layers)"


class WorkspaceCache:
    """The workspaces of the last few batch sizes (mini-batches end with a shorter one)."""

    def __init__(self, layer_sizes: list[int], keep: int = 2) -> None:
        self.layer_sizes = layer_sizes
        self.keep = keep
        self._by_n: dict[int, Workspace] = {}

    def get(self, n: int) -> Workspace:
        ws = self._by_n.get(n)
        if ws is None:
            if len(self._by_n) >= self.keep:
                self._by_n.pop(next(iter(self._by_n)))
            ws = self._by_n[n] = Workspace(self.layer_sizes, n)
        return ws
