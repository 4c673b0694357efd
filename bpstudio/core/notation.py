"""The article's names for weights and bias units (W10, V01, X0, Z0) and compact numbers.

A weight is named by a layer letter (W into depth 1, V into depth 2, then U, T, ...), the
target unit's number and the source unit's number, numbers taken from the units' names
(``Z1`` → 1, ``D0`` → 0) and 0 for the bias: ``W10`` is the bias weight of Z1 (from X0),
``W21`` the weight X1 → Z2, ``V01`` the weight Z1 → D0. When names carry no number, numbers
repeat within a layer, or an edge skips a layer, the name falls back to ``w(X1→D0)``.
"""

from __future__ import annotations

import math
import re

from .graph import Graph

LAYER_LETTERS = "WVUTSRQPONMLKJIHGFEDCBA"
_NAME = re.compile(r"^([A-Za-z_]*?)(\d+)$")


def num(x: float) -> str:
    """A number as people write it: ``1``, ``0.6``, ``-0.25``, up to 6 significant digits."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"  # also for -0.0
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.6g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"
    return text


def factor(x: float) -> str:
    """A number inside a product: negatives in brackets, ``(-4)``, as the article writes them."""
    text = num(x)
    return f"({text})" if text.startswith("-") else text


def split_name(name: str) -> tuple[str, int] | None:
    """``"Z12"`` → ``("Z", 12)``; None when the name does not end in a number."""
    m = _NAME.match(name)
    if m is None:
        return None
    return m.group(1), int(m.group(2))


def layer_letter(depth: int) -> str | None:
    """W for the weights into depth 1, V into depth 2, ...; None past the alphabet."""
    if 1 <= depth <= len(LAYER_LETTERS):
        return LAYER_LETTERS[depth - 1]
    return None


class Notation:
    """Names for one graph, worked out once (the free functions below build one per call)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.depth = graph.depths()
        self.layers = graph.layers()
        self._name_count: dict[str, int] = {}
        for node in graph:
            self._name_count[node.name] = self._name_count.get(node.name, 0) + 1
        self._numbers: list[dict[str, int]] = []  # per depth: id -> number, when unambiguous
        self._letters: list[str | None] = []  # per depth: the letter all its names share
        for ids in self.layers:
            parts = {nid: split_name(graph.nodes[nid].name) for nid in ids}
            counts: dict[int, int] = {}
            for p in parts.values():
                if p:
                    counts[p[1]] = counts.get(p[1], 0) + 1
            self._numbers.append({nid: p[1] for nid, p in parts.items() if p and counts[p[1]] == 1})
            letters = {p[0] for p in parts.values() if p}
            ok = ids and all(parts.values()) and len(letters) == 1 and 0 not in counts
            self._letters.append(next(iter(letters)) or None if ok else None)

    def name(self, unit_id: str) -> str:
        """The unit's name, with its id added when another unit has the same name."""
        name = self.graph.nodes[unit_id].name
        return f"{name}[{unit_id}]" if self._name_count[name] > 1 else name

    def bias_unit(self, unit_id: str) -> str:
        """The bias unit feeding ``unit_id``: the previous layer's letter + 0 (X0, Z0, ...)."""
        d = self.depth[unit_id]
        prev = d - 1
        if prev >= 0 and self._letters[prev]:
            return f"{self._letters[prev]}0"
        return f"B{max(prev, 0)}"

    def number(self, unit_id: str) -> int | None:
        """The number in the unit's name, when no other unit of its layer has the same one."""
        return self._numbers[self.depth[unit_id]].get(unit_id)

    def weight(self, source_id: str | None, target_id: str) -> str:
        """``W10``, ``V01``, ...; ``source_id=None`` means the bias of ``target_id``."""
        d = self.depth[target_id]
        letter = layer_letter(d)
        t = self.number(target_id)
        if source_id is None:
            s: int | None = 0
        elif self.depth[source_id] == d - 1:
            s = self.number(source_id) or None  # 0 belongs to the bias unit
        else:
            s = None  # a skip edge has no layer letter
        if letter is None or t is None or s is None:
            src = self.bias_unit(target_id) if source_id is None else self.name(source_id)
            return f"w({src}→{self.name(target_id)})"
        sep = "" if t < 10 and s < 10 else "_"
        return f"{letter}{t}{sep}{s}"

    def source_index(self, source_id: str | None, target_id: str) -> int | None:
        """The number a source goes by in ``h(x) = W0.X0 + W1.X1 + ...`` (bias = 0)."""
        if source_id is None:
            return 0
        parts = split_name(self.name(source_id))  # a duplicated name carries its id: no number
        return parts[1] if parts else None

    def short_weights(self, target_id: str, sources: list[str]) -> dict[str | None, str]:
        """Weight names for one unit's h(x) line: ``W0, W1, W2`` when the sources' numbers are
        distinct, else the full names (skip edges, unnumbered units)."""
        keys: list[str | None] = [None, *sources]
        idx = [self.source_index(s, target_id) for s in keys]
        if all(i is not None for i in idx) and len(set(idx)) == len(idx):
            return {k: f"W{i}" for k, i in zip(keys, idx)}
        return {k: self.weight(k, target_id) for k in keys}

    def __repr__(self) -> str:
        return f"Notation({self.graph!r})"


def weight_name(graph: Graph, source_id: str | None, target_id: str) -> str:
    """The article's name of the weight ``source → target`` (``source_id=None``: the bias)."""
    return Notation(graph).weight(source_id, target_id)


def bias_unit_name(graph: Graph, unit_id: str) -> str:
    """``X0`` for Z1's bias, ``Z0`` for D0's: the bias unit of the layer before the unit."""
    return Notation(graph).bias_unit(unit_id)
