"""Things a lesson names in the article's words (``Z1``, ``W10``, ``V01``, ``Z0``), found in a graph.

A name is a unit (its id), a weight (its edge key), a bias weight (``("bias", unit id)``) or a bias
unit (``("bias_unit", [unit ids it feeds])``). Selections from the canvas use the same records:
a unit id, an edge key, or ``("bias", unit id)``.
"""

from __future__ import annotations

from ..graph import INPUT, Graph
from ..notation import Notation


class NameError_(ValueError):
    """A name that is not in the network."""


def find_name(graph: Graph, name: str):
    """The record a lesson's name stands for; NameError_ in plain words when there is none."""
    nt = Notation(graph)
    for n in graph:
        if n.name == name or nt.name(n.id) == name:
            return n.id
    units = [n.id for n in graph if n.role != INPUT]
    for (s, t) in graph.edges:
        if nt.weight(s, t) == name:
            return (s, t)
    for u in units:
        if nt.weight(None, u) == name:
            return ("bias", u)
    fed = [u for u in units if nt.bias_unit(u) == name]
    if fed:
        return ("bias_unit", fed)
    known = [n.name for n in graph]
    raise NameError_(f"there is no unit, weight or bias unit named {name!r} in the network "
                     f"(its units are {', '.join(known)})")


def record_name(graph: Graph, record) -> str:
    """The article's name of a record (the inverse of :func:`find_name`)."""
    nt = Notation(graph)
    if isinstance(record, str):
        return nt.name(record)
    if record[0] == "bias":
        return nt.weight(None, record[1])
    if record[0] == "bias_unit":
        return nt.bias_unit(record[1][0])
    return nt.weight(*record)
