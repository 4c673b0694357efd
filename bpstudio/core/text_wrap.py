"""Wrap a line of worked arithmetic to a width: break before an operator (`` + ``, `` - ``, `` . ``,
`` = ``, `` := ``) where possible, else at a space, else anywhere; continuation lines get a hanging
indent so a sum reads as one expression."""

from __future__ import annotations

# where a break reads best, in order: between the sides of an equation, between terms of a sum,
# between factors of a product (a break goes before the operator, which starts the next line)
BREAK_CLASSES = ((" := ", " = ", " => ", "; "), (" + ", " - "), (" . ",))


def wrap_line(text: str, width: int, indent: int = 6) -> list[str]:
    """``text`` cut into pieces of at most ``width`` characters (continuations start with ``indent``
    spaces); joining the pieces' stripped text with single spaces gives back ``text``."""
    width = max(width, indent + 8)
    pieces: list[str] = []
    rest = text
    lead = ""
    while len(lead) + len(rest) > width:
        room = width - len(lead)
        cut = -1
        head = rest[: room + 1]  # only where this piece can end matters
        depth = _depths(head) if "(" in head or ")" in head else None
        for outside in (True, False):  # outside parentheses if possible: "mean(Z . delta)" stays whole
            for ops in BREAK_CLASSES:  # the best class with a break late enough to leave no stub
                at = max((_last(rest, op, room, depth) if outside else rest.rfind(op, 0, room)) for op in ops)
                if at > room // 3:
                    cut = at
                    break
            if cut > 0:
                break
        if cut < 0:
            space = rest.rfind(" ", 0, room + 1)
            cut = space if space > 0 else -1
        if cut <= 0:  # one long token: cut it
            pieces.append(lead + rest[:room])
            rest = rest[room:]
        else:
            pieces.append(lead + rest[:cut])
            rest = rest[cut + 1:]  # drop the space the break replaces
        lead = " " * indent
    pieces.append(lead + rest)
    return pieces


def _depths(text: str) -> list[int]:
    """The parenthesis depth at each character."""
    out, d = [], 0
    for ch in text:
        if ch == ")":
            d = max(0, d - 1)
        out.append(d)
        if ch == "(":
            d += 1
    return out


def _last(text: str, op: str, end: int, depth: list[int] | None) -> int:
    """The last index < ``end`` where ``op`` starts outside any parentheses (``depth``: None when the
    text has none), or -1."""
    at = text.rfind(op, 0, end)
    while at > 0 and depth is not None and depth[at]:
        at = text.rfind(op, 0, at)
    return at
