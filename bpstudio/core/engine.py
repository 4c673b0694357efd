"""Compile a :class:`~bpstudio.core.graph.Graph` into arrays; forward, backward, vectorised.

Units are grouped by depth (longest path from an input). The weights into depth ``d`` from
depth ``s`` form one dense block ``W[s→d]`` (shape ``n_s × n_d``) with a 0/1 mask where edges are
missing, so a layered, fully connected net runs as the classic matrix MLP and skip connections or
pruned edges cost nothing extra. Every weight block and bias vector is a view into one flat
float64 vector ``theta`` (and every gradient into ``grad``), so optimisers update one array.

Conventions: delta of a unit = ∂E/∂(net input), per sample; the batch loss and every gradient
are means over the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations as _act
from . import losses as _loss
from .compiled import Workspace, WorkspaceCache, _Block, _Layer, layer_functions
from .graph import OUTPUT, Graph, GraphError

# training steps reuse buffers (no allocation per step) while one set of per-unit arrays for the
# batch holds at most this many numbers (32 MB over the 4 sets); larger batches allocate per step
WORKSPACE_LIMIT = 2 ** 20


@dataclass
class Forward:
    """Net inputs and activations of one forward pass, per depth (index 0: the inputs)."""

    net: list[np.ndarray | None]
    act: list[np.ndarray]
    yhat: np.ndarray


class Engine:
    """A compiled, trainable copy of a graph's numbers; :meth:`write_to` copies them back."""

    def __init__(self, graph: Graph, loss: str = "squared_error") -> None:
        self.loss = _loss.get(loss)
        self.regularization = "none"  # see set_regularization
        self.reg_rate = 0.0
        inputs = graph.inputs
        outputs = graph.outputs
        if not inputs:
            raise GraphError("the network has no input units")
        if not outputs:
            raise GraphError("the network has no output units")
        layers = graph.layers()
        self.layer_ids: list[list[str]] = layers
        self.input_ids = [n.id for n in inputs]
        self.output_ids = [n.id for n in outputs]
        self.unit_ids = [nid for layer in layers for nid in layer]
        self.unit_index = {nid: i for i, nid in enumerate(self.unit_ids)}
        self.depth_of = {nid: d for d, layer in enumerate(layers) for nid in layer}
        self.col_of = {nid: c for layer in layers for c, nid in enumerate(layer)}
        self.names = {n.id: n.name for n in graph}
        out_index = {nid: k for k, nid in enumerate(self.output_ids)}

        # parameter layout: per depth, each present source block then the biases
        sizes: list[int] = []
        layout = []
        for d in range(1, len(layers)):
            srcs = sorted({self.depth_of[e.source] for t in layers[d] for e in graph.incoming(t)})
            for s in srcs:
                layout.append(("W", d, s, len(layers[s]) * len(layers[d])))
            layout.append(("b", d, None, len(layers[d])))
        sizes = [n for *_, n in layout]
        self.n_params = int(sum(sizes))
        self.theta = np.zeros(self.n_params)
        self.grad = np.zeros(self.n_params)

        self.layers: list[_Layer] = []
        self.edge_keys: list[tuple[str, str]] = []
        edge_slots: list[int] = []
        self.bias_ids: list[str] = []
        bias_slots: list[int] = []
        offset = 0
        pending: list[_Block] = []
        for kind, d, s, n in layout:
            nd = len(layers[d])
            if kind == "W":
                ns = len(layers[s])
                W = self.theta[offset:offset + n].reshape(ns, nd)
                dW = self.grad[offset:offset + n].reshape(ns, nd)
                mask = np.zeros((ns, nd))
                for j, t in enumerate(layers[d]):
                    for e in graph.incoming(t):
                        if self.depth_of[e.source] == s:
                            i = self.col_of[e.source]
                            mask[i, j] = 1.0
                            W[i, j] = e.weight
                            self.edge_keys.append(e.key)
                            edge_slots.append(offset + i * nd + j)
                pending.append(_Block(s, W, dW, None if mask.all() else mask))
            else:
                b = self.theta[offset:offset + n]
                db = self.grad[offset:offset + n]
                for j, t in enumerate(layers[d]):
                    b[j] = graph.node(t).bias
                    self.bias_ids.append(t)
                    bias_slots.append(offset + j)
                self.layers.append(self._make_layer(graph, d, pending, b, db, out_index))
                pending = []
            offset += n
        # keep edge order the graph's own (stable for files and views)
        order = {k: i for i, k in enumerate(graph.edges)}
        perm = sorted(range(len(self.edge_keys)), key=lambda i: order[self.edge_keys[i]])
        self.edge_keys = [self.edge_keys[i] for i in perm]
        self.edge_slots = np.array([edge_slots[i] for i in perm], dtype=np.intp)
        self.bias_slots = np.array(bias_slots, dtype=np.intp)

        out_acts = [_act.get(graph.node(o).activation) for o in self.output_ids]
        _loss.check_output_activations(self.loss, [self.names[o] for o in self.output_ids], out_acts)
        soft = [nid for nid in self.unit_ids if graph.node(nid).activation == "softmax"]
        if soft:
            if any(graph.node(nid).role != OUTPUT for nid in soft):
                raise GraphError("softmax is for output units only: it turns the outputs of one layer "
                                 "into probabilities")
            if len({self.depth_of[nid] for nid in soft}) > 1 or len(soft) < 2:
                raise GraphError("the softmax outputs must form one group of at least 2 units at the same "
                                 "depth (one layer), so that their probabilities sum to 1")
        by_name: dict[str, list[int]] = {}
        for k, fn in enumerate(out_acts):
            by_name.setdefault(fn.name, []).append(k)
        # (activation, output positions): what the loss needs to be computed from the net input
        self.output_groups = [(_act.get(nm), np.array(ks, dtype=np.intp)) for nm, ks in by_name.items()]
        self._simple_out = (
            len(self.layers) > 0 and self.layers[-1].all_outputs
            and all(L.out_cols is None for L in self.layers[:-1])
        )
        self._out_layers = [L for L in self.layers if L.out_cols is not None]
        self._reversed_layers = self.layers[::-1]
        self._workspaces = WorkspaceCache([len(ids) for ids in layers])
        self._width = sum(len(ids) for ids in layers[1:])
        self._forward_plan = [
            (tuple((blk.source, blk.W, blk.mask) for blk in L.blocks), L.b, L.f) for L in self.layers
        ]
        self._input_passthrough = [nid for nid in self.output_ids if self.depth_of[nid] == 0]
        if self._input_passthrough:  # pragma: no cover - outputs are never inputs by role
            raise GraphError("an output cannot be an input")

    def _make_layer(self, graph: Graph, d: int, blocks: list[_Block], b, db, out_index) -> _Layer:
        ids = self.layer_ids[d]
        by_act: dict[str, list[int]] = {}
        for j, nid in enumerate(ids):
            by_act.setdefault(graph.node(nid).activation, []).append(j)
        if len(by_act) == 1:
            groups = [(_act.get(next(iter(by_act))), None)]
        else:
            groups = [(_act.get(a), np.array(cols, dtype=np.intp)) for a, cols in by_act.items()]
        cols = [j for j, nid in enumerate(ids) if graph.node(nid).role == OUTPUT]
        all_outputs = cols == list(range(len(ids))) and [out_index[i] for i in ids] == list(
            range(len(self.output_ids))
        )
        f, back = layer_functions(groups)
        out_groups = []
        for fn, gcols in groups:
            members = range(len(ids)) if gcols is None else gcols
            hit = [k for k, j in enumerate(cols) if j in set(members)]
            if hit:
                lcols = np.array([cols[k] for k in hit], dtype=np.intp)
                out_groups.append((fn, lcols, np.array([out_index[ids[j]] for j in lcols], dtype=np.intp),
                                   np.array(hit, dtype=np.intp)))
        return _Layer(
            depth=d, ids=ids, blocks=blocks, b=b, db=db, groups=groups,
            out_cols=np.array(cols, dtype=np.intp) if cols else None,
            out_pos=np.array([out_index[ids[j]] for j in cols], dtype=np.intp) if cols else None,
            all_outputs=all_outputs, f=f, back=back, out_groups=out_groups,
        )

    def set_regularization(self, kind: str, rate: float) -> None:
        """Add a penalty on the weights (biases are not regularised) to the loss and its gradient.

        ``l2``: E + λ/2 . Σ W², ∂/∂W += λ . W;  ``l1``: E + λ . Σ |W|, ∂/∂W += λ . sign(W);
        ``none`` (or λ = 0): the data loss alone.
        """
        if kind not in ("none", "l1", "l2"):
            raise ValueError(f"unknown regularisation {kind!r}; use none, l1 or l2")
        if not (np.isfinite(rate) and rate >= 0):
            raise ValueError(f"the regularisation rate must be a number ≥ 0, not {rate}")
        self.regularization, self.reg_rate = kind, float(rate)

    def penalty(self) -> float:
        """The regularisation term added to the batch mean loss (0 without regularisation)."""
        if self.regularization == "none" or self.reg_rate == 0.0:
            return 0.0
        W = self.theta[self.edge_slots]
        if self.regularization == "l2":
            return 0.5 * self.reg_rate * float(W @ W)
        return self.reg_rate * float(np.abs(W).sum())

    def _add_penalty_gradient(self) -> None:
        if self.regularization == "none" or self.reg_rate == 0.0:
            return
        W = self.theta[self.edge_slots]
        self.grad[self.edge_slots] += self.reg_rate * (W if self.regularization == "l2" else np.sign(W))

    # ------------------------------------------------------------------ numbers in and out
    def read_from(self, graph: Graph) -> None:
        """Copy weights and biases from a graph of the same topology."""
        for slot, key in zip(self.edge_slots, self.edge_keys):
            self.theta[slot] = graph.edges[key].weight
        for slot, nid in zip(self.bias_slots, self.bias_ids):
            self.theta[slot] = graph.nodes[nid].bias

    def weights(self) -> dict[tuple[str, str], float]:
        vals = self.theta[self.edge_slots]
        return {k: float(v) for k, v in zip(self.edge_keys, vals)}

    def biases(self) -> dict[str, float]:
        vals = self.theta[self.bias_slots]
        return {k: float(v) for k, v in zip(self.bias_ids, vals)}

    def write_to(self, graph: Graph) -> None:
        """Copy the trained weights and biases back into the graph (emits its events)."""
        graph.set_weights(self.weights(), self.biases())

    # ------------------------------------------------------------------ forward / backward
    def forward(self, X: np.ndarray) -> Forward:
        """Net inputs and activations for a batch ``X`` (n × inputs); every array is new."""
        return self._forward(np.asarray(X, dtype=float), None)

    def _forward(self, X: np.ndarray, ws: Workspace | None) -> Forward:
        """The forward pass, in the buffers of ``ws`` when given (else in new arrays)."""
        n = len(X)
        act: list[np.ndarray] = [X]
        net: list[np.ndarray | None] = [None]
        matmul = np.matmul
        for d, (sources, b, f) in enumerate(self._forward_plan, start=1):
            a = np.empty((n, len(b))) if ws is None else ws.net[d]
            if sources:  # a missing edge's slot holds 0; the mask keeps it so whatever theta says
                s, W, mask = sources[0]
                matmul(act[s], W if mask is None else W * mask, a)
                if len(sources) > 1:
                    t = np.empty_like(a) if ws is None else ws.work[d]
                    for s, W, mask in sources[1:]:
                        a += matmul(act[s], W if mask is None else W * mask, t)
                a += b
            else:  # no incoming edges at all: the bias alone
                a[...] = b
            net.append(a)
            act.append(f(a, None if ws is None else ws.act[d]))
        if self._simple_out:
            yhat = act[-1]
        else:
            yhat = np.empty((n, len(self.output_ids)))
            for L in self._out_layers:
                yhat[:, L.out_pos] = act[L.depth][:, L.out_cols]
        return Forward(net, act, yhat)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(np.asarray(X, dtype=float)).yhat

    def output_net(self, fw: Forward) -> np.ndarray:
        """The output units' net inputs a, (n, outputs) in ``output_ids`` order."""
        if self._simple_out:
            return fw.net[-1]
        a = np.empty_like(fw.yhat)
        for L in self._out_layers:
            a[:, L.out_pos] = fw.net[L.depth][:, L.out_cols]
        return a

    def loss_per_sample(self, fw: Forward, Y: np.ndarray) -> np.ndarray:
        """Each sample's loss, computed from the output net inputs (exact when outputs saturate)."""
        Y = np.asarray(Y, dtype=float)
        if self.loss.name == "squared_error":
            return self.loss.per_sample(fw.yhat, Y)
        return _loss.per_sample_from_net(self.loss, self.output_groups, self.output_net(fw), fw.yhat, Y)

    def loss_of(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Mean loss over the samples."""
        per = self.loss_per_sample(self.forward(np.asarray(X, dtype=float)), Y)
        return (float(per.sum()) / len(per) if len(per) else float("nan")) + self.penalty()

    def backward(self, fw: Forward, Y: np.ndarray) -> list[np.ndarray | None]:
        """Fill ``self.grad`` (batch means, plus the regularisation term) and return the
        per-sample deltas per depth (of the data loss: the penalty has no delta)."""
        deltas = self._backward(fw, np.asarray(Y, dtype=float), False, None)[0]
        self._add_penalty_gradient()
        return deltas

    def gradient(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Forward and backward on a batch; fills ``self.grad``; returns the batch's mean loss.

        The training step: it works in reusable buffers, so it allocates (almost) nothing.
        """
        X = np.asarray(X, dtype=float)
        Y = np.asarray(Y, dtype=float)
        n = len(X)
        ws = self._workspaces.get(n) if n * self._width <= WORKSPACE_LIMIT else None
        value = self._backward(self._forward(X, ws), Y, True, ws)[1]
        if self.regularization == "none" or self.reg_rate == 0.0:
            return value
        self._add_penalty_gradient()
        return value + self.penalty()

    def _backward(self, fw: Forward, Y: np.ndarray, want_loss: bool, ws: Workspace | None):
        """(per-sample deltas per depth, batch mean loss or None); fills ``self.grad``.

        Each block's ∂E/∂W is first the sum over the samples (one matmul into its slice of
        ``grad``), then the whole of ``grad`` is divided by n once. With a workspace, the deltas
        live in its buffers (and the units' ∂E/∂z are overwritten by them).
        """
        yhat = fw.yhat
        acts, nets = fw.act, fw.net
        loss = self.loss
        dE = None  # dE/dŷ, shared by the loss value and the output deltas when the loss allows
        value = None
        if loss.mean_from_grad is not None:
            dE = loss.grad(yhat, Y)
            if want_loss:
                value = loss.mean_from_grad(dE)
        elif want_loss:
            per = self.loss_per_sample(fw, Y)
            value = float(per.sum()) / len(per) if len(per) else float("nan")
        upstream: list[np.ndarray | None] = [None] * len(acts)  # ∂E/∂z from deeper units
        deltas: list[np.ndarray | None] = [None] * len(acts)
        matmul = np.matmul
        for L in self._reversed_layers:
            d = L.depth
            a, z = nets[d], acts[d]
            g = upstream[d]
            work = None if ws is None else ws.work[d]
            if L.out_groups:
                od = self._output_delta(L, a, z, Y, dE)
                if L.all_outputs:
                    delta = od if g is None else L.back(g, a, z, work) + od
                else:
                    delta = np.zeros_like(a) if g is None else L.back(g, a, z, work)
                    delta[:, L.out_cols] += od
            elif g is None:  # nothing deeper depends on these units
                delta = np.zeros_like(a)
            else:
                delta = L.back(g, a, z, work)
            deltas[d] = delta
            delta.sum(axis=0, out=L.db)
            for blk in L.blocks:
                s = blk.source
                matmul(acts[s].T, delta, blk.dW)
                if blk.mask is not None:
                    blk.dW *= blk.mask
                if s:
                    W = blk.W if blk.mask is None else blk.W * blk.mask
                    prev = upstream[s]
                    if prev is None:
                        upstream[s] = matmul(delta, W.T, None if ws is None else ws.up[s])
                    else:
                        prev += matmul(delta, W.T, None if ws is None else ws.work[s])
        n = len(yhat)
        if n != 1:
            self.grad *= 1.0 / n
        return deltas, value

    def _output_delta(self, L: _Layer, a, z, Y, dE) -> np.ndarray:
        """∂E/∂a of the layer's output units, in ``out_cols`` order."""
        loss = self.loss
        if L.all_outputs and len(L.out_groups) == 1:
            return _loss.output_delta(loss, L.out_groups[0][0], a, z, Y, dE)
        out = np.empty((a.shape[0], len(L.out_cols)))
        for fn, lcols, opos, hit in L.out_groups:
            out[:, hit] = _loss.output_delta(loss, fn, a[:, lcols], z[:, lcols], Y[:, opos],
                                             None if dE is None else dE[:, opos])
        return out

    # ------------------------------------------------------------------ per-unit views
    def per_unit(self, per_depth: list[np.ndarray | None], fill: float = np.nan) -> np.ndarray:
        """Stack per-depth arrays into (n_samples, n_units) in ``unit_ids`` order."""
        n = next(x.shape[0] for x in per_depth if x is not None)
        parts = [
            x if x is not None else np.full((n, len(ids)), fill)
            for x, ids in zip(per_depth, self.layer_ids)
        ]
        return np.hstack(parts)

    def first_non_finite(self) -> str | None:
        """Name the first weight or bias that is NaN or infinite, if any."""
        bad = ~np.isfinite(self.theta)
        if not bad.any():
            return None
        for slot, (s, t) in zip(self.edge_slots, self.edge_keys):
            if bad[slot]:
                return f"the weight {self.names[s]} → {self.names[t]}"
        for slot, nid in zip(self.bias_slots, self.bias_ids):
            if bad[slot]:
                return f"the bias of {self.names[nid]}"
        return "a parameter"  # pragma: no cover

    def __repr__(self) -> str:
        shape = "-".join(str(len(ids)) for ids in self.layer_ids)
        return f"Engine({shape}, {len(self.edge_keys)} weights, loss={self.loss.name})"
