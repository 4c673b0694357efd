"""Small checks for the project file reader: each names the place of a problem in plain words."""

from __future__ import annotations

import math

FORMAT = "bpstudio-project"
VERSION = 2  # 2: the optional "checkpoints" section (the training timeline); 1 reads as before
MAX_BYTES = 50 * 1024 * 1024  # a project file larger than this is refused before parsing
MAX_ROWS = 100_000  # inline dataset rows; bigger data belongs in a referenced CSV file
MAX_CSV_ROWS = 1_000_000
MAX_UNITS = 100_000
MAX_EDGES = 1_000_000
MAX_DATA_MAGNITUDE = 1e100  # a data cell (inline or CSV) beyond ±this is refused: its square overflows


class ProjectFileError(ValueError):
    """A project file the studio cannot read or write; the message says what and where."""


class NonFinite:
    """JSON's NaN / Infinity / -Infinity tokens, kept as markers so the validator can say where."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return self.token


def no_duplicate_keys(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise ProjectFileError(f"the key {key!r} appears twice in the same object")
        out[key] = value
    return out


# ---------------------------------------------------------------------------- small checkers
def fail(where: str, message: str):
    raise ProjectFileError(f"{where}: {message}" if where else message)


def show(value) -> str:
    """A JSON value as the user wrote it, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


def need_number(value, where: str) -> float:
    if type(value) not in (int, float):  # not bool, not a NaN/Infinity marker
        fail(where, f"must be a number, not {show(value)}")
    value = float(value)
    if not math.isfinite(value):
        fail(where, f"must be a finite number, not {value}")
    return value


def need_whole(value, where: str, low: int = 0) -> int:
    if type(value) is not int:
        fail(where, f"must be a whole number, not {show(value)}")
    if value < low:
        fail(where, f"must be at least {low}, not {value}")
    return value


def need_text(value, where: str, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        fail(where, f"must be a text, not {show(value)}")
    if not value and not empty_ok:
        fail(where, "must not be empty")
    return value


def need_list(value, where: str, limit: int | None = None, what: str = "items") -> list:
    if not isinstance(value, list):
        fail(where, f"must be a list, not {show(value)}")
    if limit is not None and len(value) > limit:
        fail(where, f"{len(value):,} {what} is too many for a project file (the limit is {limit:,})")
    return value


def need_object(value, where: str, required: tuple = (), optional: tuple = ()) -> dict:
    if not isinstance(value, dict):
        fail(where, f"must be an object ({{...}}), not {show(value)}")
    for key in required:
        if key not in value:
            fail(where, f"the field {key!r} is missing")
    for key in value:
        if key not in required and key not in optional:
            fail(where, f"unknown field {key!r}")
    return value


def need_texts(value, where: str) -> list[str]:
    return [need_text(v, f"{where}[{i}]") for i, v in enumerate(need_list(value, where))]
