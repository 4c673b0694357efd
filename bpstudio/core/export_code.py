"""The trained network as a runnable Python script: a numpy forward pass (no other dependency) or a
PyTorch ``nn.Module``, with every weight written out exactly (``repr`` of a float round-trips).

Any network the studio trains can be exported, not only layered ones: each unit's net input is its bias
plus the sum of weight × value over its incoming edges, in topological order, then its activation; the
output units that use softmax are normalised together, as the engine does (log-sum-exp, max-shifted).
"""

from __future__ import annotations

from .activations import GROUP_ACTIVATIONS, LEAKY_SLOPE
from .graph import INPUT, Graph

# each activation in numpy, written exactly as bpstudio/core/activations.py computes it
NUMPY_ACTIVATIONS = {
    "identity": "a",
    "sigmoid": "np.exp(-np.logaddexp(0.0, -a))",
    "tanh": "np.tanh(a)",
    "relu": "np.maximum(a, 0.0)",
    "leaky_relu": f"np.where(a > 0, a, {LEAKY_SLOPE!r} * a)",
    "softplus": "np.logaddexp(0.0, a)",
    "sin": "np.sin(a)",
    "gaussian": "np.exp(-a * a)",
}
TORCH_ACTIVATIONS = {
    "identity": "a",
    "sigmoid": "torch.sigmoid(a)",
    "tanh": "torch.tanh(a)",
    "relu": "torch.relu(a)",
    "leaky_relu": f"torch.nn.functional.leaky_relu(a, {LEAKY_SLOPE!r})",
    "softplus": "torch.nn.functional.softplus(a)",
    "sin": "torch.sin(a)",
    "gaussian": "torch.exp(-a * a)",
}


class ExportError(ValueError):
    """The network cannot be written as a script (said in words)."""


def _units(graph: Graph) -> list[tuple[str, str, float, list[tuple[str, float]]]]:
    """(name, activation, bias, [(source name, weight), ...]) of every non-input unit, sources first."""
    names = {n.id: n.name for n in graph}
    if len(set(names.values())) != len(names):
        raise ExportError("two units share a name; rename one before exporting")
    out = []
    for nid in graph.topological_order():
        n = graph.node(nid)
        if n.role == INPUT:
            continue
        if n.activation not in NUMPY_ACTIVATIONS and n.activation not in GROUP_ACTIVATIONS:
            raise ExportError(f"unit {n.name} uses the activation {n.activation!r}, which export does not know")
        incoming = [(names[e.source], float(e.weight)) for e in graph.incoming(nid)]
        out.append((n.name, n.activation, float(n.bias), incoming))
    return out


def _table(graph: Graph) -> str:
    lines = ["UNITS = [  # (name, activation, bias, [(source, weight), ...]) in the order they are computed"]
    for name, act, bias, incoming in _units(graph):
        edges = ", ".join(f"({s!r}, {w!r})" for s, w in incoming)
        lines.append(f"    ({name!r}, {act!r}, {bias!r}, [{edges}]),")
    lines.append("]")
    lines.append(f"INPUTS = {[n.name for n in graph.inputs]!r}")
    lines.append(f"OUTPUTS = {[n.name for n in graph.outputs]!r}")
    return "\n".join(lines)


def _data(X) -> str:
    rows = ",\n    ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in X)
    return f"DATA = [\n    {rows},\n]" if len(X) else "DATA = []"


def numpy_script(graph: Graph, X=(), title: str = "network") -> str:
    """A script with ``predict(X)`` (rows of inputs → rows of outputs, in OUTPUTS order); run as a program
    it prints the predictions for the embedded rows ``X``."""
    acts = "\n".join(f"    {name!r}: lambda a: {expr}," for name, expr in NUMPY_ACTIVATIONS.items())
    return f'''"""{title}: exported from Backprop Studio. Needs only numpy.

    python this_file.py          prints the predictions for the rows in DATA
    from this_file import predict; predict([[0.0, 1.0]])
"""

import numpy as np

{_table(graph)}

ACTIVATIONS = {{
{acts}
}}


def predict(X):
    """Outputs (rows × len(OUTPUTS)) for inputs X (rows × len(INPUTS))."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    value = {{name: X[:, i] for i, name in enumerate(INPUTS)}}
    net = {{}}
    for name, activation, bias, incoming in UNITS:
        a = np.full(len(X), bias)
        for source, weight in incoming:
            a = a + weight * value[source]
        net[name] = a
        if activation != "softmax":
            value[name] = ACTIVATIONS[activation](a)
    group = [name for name, activation, _, _ in UNITS if activation == "softmax"]
    if group:  # softmax over the output group, max-shifted as the studio computes it
        a = np.column_stack([net[name] for name in group])
        p = np.exp(a - a.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        for k, name in enumerate(group):
            value[name] = p[:, k]
    return np.column_stack([value[name] for name in OUTPUTS])


{_data(X)}

if __name__ == "__main__":
    np.set_printoptions(precision=17)
    for row, out in zip(DATA, predict(DATA) if DATA else []):
        print(row, "->", out.tolist())
'''


def torch_script(graph: Graph, X=(), title: str = "network") -> str:
    """A script defining ``Network(torch.nn.Module)`` (float64, one Linear per unit's incoming weights)
    whose ``forward`` gives the studio's predictions; run as a program it prints them for ``X``."""
    acts = "\n".join(f"    {name!r}: lambda a: {expr}," for name, expr in TORCH_ACTIVATIONS.items())
    return f'''"""{title}: exported from Backprop Studio as a PyTorch module (float64).

    python this_file.py          prints the predictions for the rows in DATA
"""

import torch

{_table(graph)}

ACTIVATIONS = {{
{acts}
}}


class Network(torch.nn.Module):
    """Each unit: a Linear from its sources' values (its weights and bias), then its activation."""

    def __init__(self):
        super().__init__()
        self.units = torch.nn.ModuleDict()
        for k, (name, activation, bias, incoming) in enumerate(UNITS):
            layer = torch.nn.Linear(max(len(incoming), 1), 1, dtype=torch.float64)
            with torch.no_grad():
                layer.weight.copy_(torch.tensor([[w for _, w in incoming] or [0.0]], dtype=torch.float64))
                layer.bias.fill_(bias)
            self.units[f"u{{k}}"] = layer

    def forward(self, x):
        x = torch.as_tensor(x, dtype=torch.float64).reshape(-1, len(INPUTS))
        value = {{name: x[:, i:i + 1] for i, name in enumerate(INPUTS)}}
        net = {{}}
        for k, (name, activation, _, incoming) in enumerate(UNITS):
            sources = [value[s] for s, _ in incoming] or [torch.zeros_like(x[:, :1])]
            a = self.units[f"u{{k}}"](torch.cat(sources, dim=1))
            net[name] = a
            if activation != "softmax":
                value[name] = ACTIVATIONS[activation](a)
        group = [name for name, activation, _, _ in UNITS if activation == "softmax"]
        if group:
            p = torch.softmax(torch.cat([net[name] for name in group], dim=1), dim=1)
            for k, name in enumerate(group):
                value[name] = p[:, k:k + 1]
        return torch.cat([value[name] for name in OUTPUTS], dim=1)


{_data(X)}

if __name__ == "__main__":
    model = Network().eval()
    with torch.no_grad():
        for row, out in zip(DATA, model(DATA).tolist() if DATA else []):
            print(row, "->", out)
'''
