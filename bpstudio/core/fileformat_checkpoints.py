"""The ``checkpoints`` section of a project file (format version 2): the training timeline.

Each checkpoint gives its numbers per connection (in ``network.edges`` order) and per unit with a
bias (in ``network.nodes`` order, inputs left out), so the file does not depend on how the engine
lays out its parameters. Every value is checked on reading: whole epochs in increasing order up to
the project's ``epoch``, finite numbers, one per connection / bias, the optimiser's name and
arrays, the random generator's state, the sample order (a permutation of the training rows).
Described in ``docs/file-format.md`` ("checkpoints").
"""

from __future__ import annotations

import math

import numpy as np

from .checkpoints import OPTIMIZER_ARRAYS, TrainingCheckpoint
from .engine import Engine
from .fileformat_checks import fail, need_list, need_number, need_object, need_text, need_whole, show
from .graph import INPUT

MAX_CHECKPOINTS = 2000  # a ladder holds ~280 after 10⁶ epochs; more is not a studio file
MAX_NUMBERS = 1_000_000  # numbers written in all checkpoints together (about 20 MB of text)
RNG_KEYS = ("bit_generator", "state", "has_uint32", "uinteger")


def _layout(graph, loss: str) -> tuple[int, np.ndarray, np.ndarray]:
    """(parameter count, θ index of each edge in file order, θ index of each bias in file order)."""
    e = Engine(graph, loss)
    at = {k: i for i, k in enumerate(e.edge_keys)}
    edges = np.array([e.edge_slots[at[k]] for k in graph.edges], dtype=np.intp)
    bat = {n: i for i, n in enumerate(e.bias_ids)}
    biases = np.array([e.bias_slots[bat[n.id]] for n in graph if n.role != INPUT], dtype=np.intp)
    return e.n_params, edges, biases


def _numbers(a: np.ndarray, edges, biases) -> dict:
    return {"weights": a[edges].tolist(), "biases": a[biases].tolist()}


# ---------------------------------------------------------------------------- writing
def checkpoints_to_list(project) -> list:
    """The section's content: the project's checkpoints that fit its network and epoch, thinned
    evenly (first and latest kept) when they would hold more than MAX_NUMBERS numbers."""
    cps = [cp for cp in project.checkpoints if cp.epoch <= project.epoch]
    if not cps:
        return []
    try:
        n, edges, biases = _layout(project.graph, project.settings.loss)
    except Exception:  # a network saved mid-edit (not trainable) has no timeline
        return []
    cps = [cp for cp in cps if len(cp.theta) == n]
    orders = max((len(cp.order) for cp in cps if cp.order is not None), default=0)
    per = (len(edges) + len(biases)) * 3 + orders
    room = max(2, MAX_NUMBERS // max(1, per))
    if len(cps) > room:
        pick = np.unique(np.linspace(0, len(cps) - 1, room).round().astype(int))
        cps = [cps[i] for i in pick]
    return [_checkpoint_to_dict(cp, edges, biases) for cp in cps[:MAX_CHECKPOINTS]]


def _checkpoint_to_dict(cp: TrainingCheckpoint, edges, biases) -> dict:
    opt = {"name": cp.optimizer, "t": cp.optimizer_t}
    for name, a in cp.optimizer_arrays:
        opt[name] = _numbers(a, edges, biases)
    out = {"epoch": cp.epoch, "steps": cp.steps, "loss": cp.loss if math.isfinite(cp.loss) else None,
           **_numbers(cp.theta, edges, biases), "optimizer": opt}
    if cp.rng is not None:
        out["rng"] = cp.rng
    if cp.order is not None:
        out["order"] = cp.order.tolist()
    return out


# ---------------------------------------------------------------------------- reading
def read_checkpoints(value, graph, settings, epoch: int, n_train: int) -> tuple:
    """Validate the section and build the checkpoints (oldest first)."""
    items = need_list(value, "checkpoints", MAX_CHECKPOINTS, "checkpoints")
    if not items:
        return ()
    try:
        n, edges, biases = _layout(graph, settings.loss)
    except Exception as exc:  # noqa: BLE001 - a network that cannot be trained has no timeline
        fail("checkpoints", f"the network cannot be trained ({exc}), so it cannot have checkpoints")
    out = []
    last = None
    for i, item in enumerate(items):
        where = f"checkpoints[{i}]"
        need_object(item, where, required=("epoch", "steps", "weights", "biases", "optimizer"),
                    optional=("loss", "rng", "order"))
        e = need_whole(item["epoch"], f"{where}.epoch")
        if e > epoch:
            fail(f"{where}.epoch", f"epoch {e} is after the project's epoch ({epoch})")
        if last is not None and e <= last.epoch:
            fail(f"{where}.epoch", f"epoch {e} must come after the checkpoint before it (epoch {last.epoch})")
        steps = need_whole(item["steps"], f"{where}.steps")
        if last is not None and steps < last.steps:
            fail(f"{where}.steps", f"{steps} steps is fewer than the checkpoint before it had ({last.steps})")
        loss = item.get("loss")
        loss = math.nan if loss is None else need_number(loss, f"{where}.loss")
        theta = _parameters(item, where, n, edges, biases)
        name, t, arrays = _optimizer(item["optimizer"], f"{where}.optimizer", n, edges, biases)
        rng = _rng(item["rng"], f"{where}.rng") if "rng" in item else None
        order = _order(item["order"], f"{where}.order", n_train) if "order" in item else None
        last = TrainingCheckpoint(e, steps, theta, name, t, arrays, loss, rng, order)
        out.append(last)
    return tuple(out)


def _parameters(item: dict, where: str, n: int, edges, biases) -> np.ndarray:
    theta = np.zeros(n)
    for key, slots, what in (("weights", edges, "connection in network.edges"),
                             ("biases", biases, "unit with a bias in network.nodes")):
        values = need_list(item[key], f"{where}.{key}")
        if len(values) != len(slots):
            fail(f"{where}.{key}", f"{len(values)} numbers, but the network needs {len(slots)} "
                                   f"(one per {what})")
        if not all(type(v) in (int, float) and math.isfinite(v) for v in values):
            for j, v in enumerate(values):
                need_number(v, f"{where}.{key}[{j}]")
        theta[slots] = np.array(values, dtype=float)
    theta.setflags(write=False)
    return theta


def _optimizer(value, where: str, n: int, edges, biases) -> tuple:
    need_object(value, where, required=("name", "t"), optional=("velocity", "m", "v"))
    name = need_text(value["name"], f"{where}.name")
    if name not in OPTIMIZER_ARRAYS:
        fail(f"{where}.name", f"unknown optimiser {name!r}; use one of {', '.join(OPTIMIZER_ARRAYS)}")
    t = need_whole(value["t"], f"{where}.t")
    arrays = []
    for key in ("velocity", "m", "v"):
        wanted = key in OPTIMIZER_ARRAYS[name]
        if wanted and key not in value:
            fail(where, f"the field {key!r} is missing ({name} keeps one)")
        if not wanted and key in value:
            fail(where, f"the field {key!r} does not belong to the optimiser {name!r}")
        if wanted:
            part = need_object(value[key], f"{where}.{key}", required=("weights", "biases"))
            arrays.append((key, _parameters(part, f"{where}.{key}", n, edges, biases)))
    return name, t, tuple(arrays)


def _rng(value, where: str) -> dict:
    need_object(value, where, required=RNG_KEYS)
    if value["bit_generator"] != "PCG64":
        fail(f"{where}.bit_generator", f"must be 'PCG64', not {show(value['bit_generator'])}")
    state = need_object(value["state"], f"{where}.state", required=("state", "inc"))
    for key in ("state", "inc"):
        v = need_whole(state[key], f"{where}.state.{key}")
        if v >= 2 ** 128:
            fail(f"{where}.state.{key}", "must be below 2^128")
    if value["has_uint32"] not in (0, 1) or type(value["has_uint32"]) is not int:
        fail(f"{where}.has_uint32", f"must be 0 or 1, not {show(value['has_uint32'])}")
    if need_whole(value["uinteger"], f"{where}.uinteger") >= 2 ** 32:
        fail(f"{where}.uinteger", "must be below 2^32")
    return {"bit_generator": "PCG64", "state": {"state": state["state"], "inc": state["inc"]},
            "has_uint32": value["has_uint32"], "uinteger": value["uinteger"]}


def _order(value, where: str, n_train: int) -> np.ndarray:
    values = need_list(value, where)
    if len(values) != n_train:
        fail(where, f"{len(values)} sample numbers, but the dataset has {n_train} training rows")
    if not all(type(v) is int for v in values):
        for j, v in enumerate(values):
            need_whole(v, f"{where}[{j}]")
    order = np.array(values, dtype=np.int64)
    if n_train and not np.array_equal(np.sort(order), np.arange(n_train)):
        fail(where, f"must name each training row 0..{n_train - 1} once")
    order = order.astype(np.int32)
    order.setflags(write=False)
    return order


def read_section(data: dict, graph, dataset, settings, epoch: int) -> tuple:
    """The checkpoints of a file's content (none in a version-1 file, which cannot have them)."""
    if "checkpoints" not in data:
        return ()
    if data["version"] < 2:
        fail("checkpoints", "checkpoints need format version 2, but the file says version "
                            f"{data['version']}")
    return read_checkpoints(data["checkpoints"], graph, settings, epoch, int(dataset.train_mask.sum()))
