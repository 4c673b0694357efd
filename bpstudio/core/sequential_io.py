"""A PyTorch-style ``nn.Sequential`` of Linear layers and activations, as a weights file (JSON or npz,
never pickle), to and from a studio network. The format is in docs/export-import.md.

JSON::

    {"format": "bpstudio-sequential", "version": 1, "inputs": ["X1", "X2"], "outputs": ["D0"],
     "layers": [{"type": "Linear", "in_features": 2, "out_features": 3,
                 "weight": [[...], [...], [...]], "bias": [...]},
                {"type": "Tanh"}, {"type": "Linear", ...}, {"type": "Sigmoid"}]}

npz: the same header, without ``weight``/``bias``, as the JSON text of an array ``__sequential__``,
and the numbers as arrays named like ``state_dict()`` keys: ``0.weight``, ``0.bias``, ``2.weight``...
(the index is the layer's place in the Sequential). It is loaded with ``allow_pickle=False``.

Each Linear becomes a layer of units; the activation module after it (if any) is theirs, else they
are identity units. ``inputs``/``outputs`` name the first and last layer (optional: X1.., D0..).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from .activations import LEAKY_SLOPE
from .graph import HIDDEN, INPUT, OUTPUT, Graph
from .layout import apply_layout
from .presets import HIDDEN_LETTERS
from .safe_read import UnsafeFile, json_loads, read_bytes

FORMAT = "bpstudio-sequential"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
MAX_UNITS = 10_000
MAX_WEIGHTS = 1_000_000
MAX_MAGNITUDE = 1e100  # a weight beyond ±this overflows the first forward pass anyway

# torch module name -> studio activation (LeakyReLU only with the studio's slope)
MODULE_ACTIVATIONS = {"Identity": "identity", "Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu",
                      "LeakyReLU": "leaky_relu", "Softplus": "softplus", "Softmax": "softmax"}
ACTIVATION_MODULES = {v: k for k, v in MODULE_ACTIVATIONS.items()}


class SequentialError(ValueError):
    """A weights file the studio cannot turn into a network, said in one plain sentence."""


# ---------------------------------------------------------------------------- reading
def read_sequential(path) -> Graph:
    """The network in a JSON or npz weights file (SequentialError when it cannot be used)."""
    path = Path(path)
    try:
        raw = read_bytes(path, MAX_BYTES, "weights file")
    except UnsafeFile as exc:
        raise SequentialError(str(exc)) from None
    except OSError as exc:
        raise SequentialError(f"cannot read {path}: {exc.strerror or exc}") from None
    if raw[:4] == b"PK\x03\x04":  # a zip: numpy's npz
        data = _npz_dict(raw, path.name)
    else:
        try:
            data = json_loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise SequentialError(f"{path.name} is neither JSON text nor an npz archive") from None
        except (ValueError, RecursionError) as exc:
            raise SequentialError(f"{path.name} is not valid JSON ({exc})") from None
    return graph_from_dict(data)


def _npz_dict(raw: bytes, name: str) -> dict:
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            if "__sequential__" not in npz.files:
                raise SequentialError(f"{name} has no __sequential__ header: it was not written as a "
                                      "bpstudio-sequential npz")
            header = json_loads(str(npz["__sequential__"]))
            if not isinstance(header, dict) or not isinstance(header.get("layers"), list):
                raise SequentialError(f"{name}: the __sequential__ header is not a layer list")
            for i, layer in enumerate(header["layers"]):
                if isinstance(layer, dict) and layer.get("type") == "Linear":
                    for part in ("weight", "bias"):
                        key = f"{i}.{part}"
                        if key in npz.files:
                            layer[part] = npz[key]
    except SequentialError:
        raise
    except ValueError as exc:  # e.g. an object array, which would need pickle
        raise SequentialError(f"{name} cannot be read without pickle, which the studio never uses "
                              f"({exc})") from None
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise SequentialError(f"{name} is a damaged npz archive ({exc})") from None
    return header


def _numbers(value, shape: tuple, where: str) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise SequentialError(f"{where} must hold only numbers") from None
    if a.shape != shape:
        raise SequentialError(f"{where} has shape {a.shape}, but the layer needs {shape}")
    bad = np.argwhere(~np.isfinite(a) | (np.abs(np.nan_to_num(a)) > MAX_MAGNITUDE))
    if len(bad):
        raise SequentialError(f"{where}{list(map(int, bad[0]))} is {a[tuple(bad[0])]:g}: weights must be "
                              f"finite and within ±{MAX_MAGNITUDE:g}")
    return a


def _names(value, n: int, default: list[str], what: str) -> list[str]:
    if value is None:
        return default
    if (not isinstance(value, list) or len(value) != n or not all(isinstance(v, str) and v for v in value)
            or len(set(value)) != n):
        raise SequentialError(f"\"{what}\" must list {n} different names, one per unit")
    return list(value)


def graph_from_dict(data) -> Graph:
    """A layered studio network from a parsed bpstudio-sequential document."""
    if not isinstance(data, dict):
        raise SequentialError("the file must hold a JSON object with \"format\" and \"layers\"")
    if data.get("format") != FORMAT:
        raise SequentialError(f"this is not a {FORMAT} file (its \"format\" is {data.get('format')!r})")
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise SequentialError("\"version\" must be a whole number (1)")
    if version > VERSION:
        raise SequentialError(f"written by a newer Backprop Studio (version {version}); this one reads "
                              f"version {VERSION}")
    layers = data.get("layers")
    if not isinstance(layers, list) or not layers:
        raise SequentialError("\"layers\" must be a non-empty list of modules")
    blocks: list[tuple[np.ndarray, np.ndarray, str]] = []  # (W, b, activation) per Linear
    weights = units = 0
    for i, layer in enumerate(layers):
        where = f"layer {i}"
        if not isinstance(layer, dict) or not isinstance(layer.get("type"), str):
            raise SequentialError(f"{where} must be an object with a \"type\" (Linear, Tanh, ...)")
        kind = layer["type"]
        if kind == "Linear":
            n_in, n_out = layer.get("in_features"), layer.get("out_features")
            if type(n_in) is not int or type(n_out) is not int or n_in < 1 or n_out < 1:
                raise SequentialError(f"{where} (Linear) needs whole numbers in_features and out_features ≥ 1")
            if blocks and n_in != blocks[-1][0].shape[0]:
                raise SequentialError(f"{where} (Linear) takes {n_in} inputs, but the layer before gives "
                                      f"{blocks[-1][0].shape[0]}")
            weights += n_in * n_out
            units += n_out + (0 if blocks else n_in)
            if weights > MAX_WEIGHTS or units > MAX_UNITS:
                raise SequentialError(f"{where}: the network grows past {MAX_UNITS:,} units or "
                                      f"{MAX_WEIGHTS:,} weights, more than the studio draws")
            if "weight" not in layer:
                raise SequentialError(f"{where} (Linear) has no \"weight\"")
            W = _numbers(layer["weight"], (n_out, n_in), f"{where}.weight")
            b = np.zeros(n_out) if layer.get("bias") is None else _numbers(layer["bias"], (n_out,),
                                                                           f"{where}.bias")
            blocks.append((W, b, "identity"))
            continue
        if kind not in MODULE_ACTIVATIONS:
            raise SequentialError(f"{where}: the studio has no unit like torch.nn.{kind} (it knows Linear, "
                                  f"{', '.join(MODULE_ACTIVATIONS)})")
        if not blocks:
            raise SequentialError(f"{where} ({kind}) comes before any Linear layer")
        if blocks[-1][2] != "identity" or (i > 0 and layers[i - 1].get("type") != "Linear"):
            raise SequentialError(f"{where} ({kind}) follows another activation: put one after each Linear")
        if kind == "LeakyReLU" and float(layer.get("negative_slope", 0.01)) != LEAKY_SLOPE:
            raise SequentialError(f"{where} (LeakyReLU) has negative_slope {layer.get('negative_slope')}; the "
                                  f"studio's leaky ReLU uses {LEAKY_SLOPE}")
        if kind == "Softmax":
            if i != len(layers) - 1:
                raise SequentialError(f"{where} (Softmax) is only possible as the last module (the output group)")
            if layer.get("dim", 1) not in (1, -1):
                raise SequentialError(f"{where} (Softmax) must normalise over the features (dim=1)")
        W, b, _ = blocks[-1]
        blocks[-1] = (W, b, MODULE_ACTIVATIONS[kind])
    if not blocks:
        raise SequentialError("the file has no Linear layer")
    n_in = blocks[0][0].shape[1]
    inputs = _names(data.get("inputs"), n_in, [f"X{i + 1}" for i in range(n_in)], "inputs")
    n_out = blocks[-1][0].shape[0]
    outputs = _names(data.get("outputs"), n_out, [f"D{i}" for i in range(n_out)], "outputs")
    return _build(blocks, inputs, outputs)


def _build(blocks, inputs: list[str], outputs: list[str]) -> Graph:
    g = Graph()
    prev = [g.add_node(INPUT, name).id for name in inputs]
    for depth, (W, b, act) in enumerate(blocks):
        last = depth == len(blocks) - 1
        if last:
            names, role = outputs, OUTPUT
        else:
            letter = HIDDEN_LETTERS[depth % len(HIDDEN_LETTERS)]
            names, role = [f"{letter}{j + 1}" for j in range(W.shape[0])], HIDDEN
        if act == "softmax" and not last:
            raise SequentialError("Softmax is only possible on the output layer")
        cur = []
        for j, name in enumerate(names):
            node = g.add_node(role, name, act, float(b[j]))
            cur.append(node.id)
            for k, s in enumerate(prev):
                g.connect(s, node.id, float(W[j, k]))
        prev = cur
    apply_layout(g)
    return g


# ---------------------------------------------------------------------------- writing
def sequential_dict(graph: Graph) -> dict:
    """The document for a fully connected layered network (SequentialError for any other)."""
    cols = [ids for ids in graph.layers() if ids]
    if len(cols) < 2:
        raise SequentialError("the network needs inputs and at least one layer after them")
    nodes = graph.nodes
    layers = []
    for depth in range(1, len(cols)):
        prev, cur = cols[depth - 1], cols[depth]
        acts = {nodes[i].activation for i in cur}
        if len(acts) != 1:
            raise SequentialError(f"the units of layer {depth} mix activations ({', '.join(sorted(acts))}): a "
                                  "Sequential gives one activation to a whole layer")
        W = np.zeros((len(cur), len(prev)))
        for j, t in enumerate(cur):
            sources = {e.source: e.weight for e in graph.incoming(t)}
            if set(sources) != set(prev):
                raise SequentialError(f"unit {nodes[t].name} is not connected to every unit of the layer "
                                      "before: only fully connected layers are a Sequential")
            W[j] = [sources[s] for s in prev]
        layers.append({"type": "Linear", "in_features": len(prev), "out_features": len(cur),
                       "weight": W.tolist(), "bias": [float(nodes[t].bias) for t in cur]})
        act = acts.pop()
        if act != "identity":
            if act not in ACTIVATION_MODULES:
                raise SequentialError(f"torch has no module for the {act} activation")
            layers.append({"type": ACTIVATION_MODULES[act], **({"dim": 1} if act == "softmax" else {}),
                           **({"negative_slope": LEAKY_SLOPE} if act == "leaky_relu" else {})})
    return {"format": FORMAT, "version": VERSION, "inputs": [nodes[i].name for i in cols[0]],
            "outputs": [nodes[i].name for i in cols[-1]], "layers": layers}


def write_sequential(graph: Graph, path) -> None:
    """Write the network as JSON, or as npz when ``path`` ends in .npz."""
    doc = sequential_dict(graph)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    if path.suffix.lower() == ".npz":
        arrays = {}
        for i, layer in enumerate(doc["layers"]):
            if layer["type"] == "Linear":
                arrays[f"{i}.weight"] = np.array(layer.pop("weight"))
                arrays[f"{i}.bias"] = np.array(layer.pop("bias"))
        with open(tmp, "wb") as fh:
            np.savez(fh, __sequential__=np.array(json.dumps(doc)), **arrays)
    else:
        tmp.write_text(json.dumps(doc), encoding="utf-8")
    tmp.replace(path)


# how to write such a file from PyTorch (docs/export-import.md shows it; the tests run it)
TORCH_SNIPPET = '''import json, torch

def save_sequential(model: torch.nn.Sequential, path: str) -> None:
    """Write a Sequential of Linear layers and activations as a bpstudio-sequential JSON file."""
    layers = []
    for m in model:
        if isinstance(m, torch.nn.Linear):
            layers.append({"type": "Linear", "in_features": m.in_features, "out_features": m.out_features,
                           "weight": m.weight.detach().double().tolist(),
                           "bias": None if m.bias is None else m.bias.detach().double().tolist()})
        else:
            layers.append({"type": type(m).__name__, **({"dim": m.dim} if hasattr(m, "dim") else {}),
                           **({"negative_slope": m.negative_slope} if hasattr(m, "negative_slope") else {})})
    with open(path, "w") as fh:
        json.dump({"format": "bpstudio-sequential", "version": 1, "layers": layers}, fh)
'''
