"""Project files: versioned JSON, validated field by field on load, written atomically.

No pickle, no eval: a file is parsed by :mod:`json` and every value is checked before it becomes
part of a :class:`Project`. Every refusal is a :class:`ProjectFileError` whose message names the
place (``network.edges[3]``) and says what is wrong in plain words. The format is described in
``docs/file-format.md``.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from pathlib import Path

from .fileformat_checkpoints import checkpoints_to_list
from .fileformat_checks import (
    FORMAT,
    MAX_BYTES,
    MAX_CSV_ROWS,
    MAX_EDGES,
    MAX_ROWS,
    MAX_UNITS,
    VERSION,
    NonFinite,
    ProjectFileError,
    no_duplicate_keys,
)
from .fileformat_csv import reference_to_write, source_problem
from .fileformat_read import project_from_dict
from .graph import INPUT
from .progress import checkpoint
from .project import Project
from .safe_read import json_loads

__all__ = [
    "FORMAT", "VERSION", "MAX_BYTES", "MAX_ROWS", "MAX_CSV_ROWS", "MAX_UNITS", "MAX_EDGES",
    "ProjectFileError", "project_to_dict", "dataset_to_dict", "project_from_dict", "dumps", "loads",
    "save", "load",
]


# ---------------------------------------------------------------------------- writing
def project_to_dict(project: Project, folder=None) -> dict:
    """The JSON-ready content of a project file (lists, dicts, numbers, texts).

    A dataset read from a CSV file (``dataset.source``) is written as its CSV reference, the path
    relative to ``folder`` (the project file's folder) when given, else absolute; any other
    dataset is written inline, which refuses more than MAX_ROWS rows.
    """
    g = project.graph
    nodes = []
    for n in g:
        item = {"id": n.id, "name": n.name, "role": n.role}
        if n.role != INPUT or n.activation != "identity" or n.bias != 0.0:
            item["activation"] = n.activation
            item["bias"] = float(n.bias)
        item["x"], item["y"] = float(n.x), float(n.y)
        nodes.append(item)
    edges = [{"source": e.source, "target": e.target, "weight": float(e.weight)}
             for e in g.edges.values()]
    dataset = dataset_to_dict(project.dataset, folder)
    out = {
        "format": FORMAT,
        "version": VERSION,
        "name": project.name,
        "description": project.description,
        "network": {"nodes": nodes, "edges": edges},
        "dataset": dataset,
        "training": project.settings.to_dict(),
        "epoch": int(project.epoch),
        "loss_history": [float(v) if math.isfinite(v) else None for v in project.loss_history],
    }
    checkpoints = checkpoints_to_list(project)  # format version 2: the training timeline
    if checkpoints:
        out["checkpoints"] = checkpoints
    return out


def dataset_to_dict(d, folder=None) -> dict:
    """The ``dataset`` section: the CSV reference when ``d.source`` still describes its file."""
    if d.source is not None:
        ref = reference_to_write(d, folder)
        if ref is not None:
            return ref
    if d.n_samples > MAX_ROWS:
        why = f" ({source_problem(d)})" if d.source is not None else ""
        raise ProjectFileError(
            f"the dataset has {d.n_samples:,} rows, more than the {MAX_ROWS:,} a project file keeps "
            f"inline{why}. Keep the data in a CSV file: import it with File ▸ Import CSV… without "
            "standardising, a test split or edits, and the project saves a reference to the file; "
            "or remove rows until at most "
            f"{MAX_ROWS:,} are left"
        )
    return {
        "name": d.name,
        "input_names": list(d.input_names),
        "target_names": list(d.target_names),
        "X": d.X.tolist(),
        "Y": d.Y.tolist(),
        "train": d.train_mask.tolist(),
    }


def dumps(project: Project, check_widths: bool = True, folder=None) -> str:
    """The project as file text; refuses (ProjectFileError) what :func:`loads` would refuse.

    ``folder`` is where the file will live: a CSV reference's path is written relative to it.
    """
    data = project_to_dict(project, folder)
    # never write what load cannot read back; a CSV reference was checked against its file
    # (checksum) by reference_to_write, so the in-memory dataset stands in for re-reading it
    written = project.dataset if "csv" in data["dataset"] else None
    project_from_dict(data, folder, check_widths=check_widths, dataset=written)
    return _pretty(data) + "\n"


def _pretty(value, indent: str = "") -> str:
    """JSON laid out for people: objects open up, one node / edge / data row per line."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = (f"{inner}{_compact(k)}: {_pretty(v, inner)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value):
        items = (f"{inner}{_compact(v)}" for v in value)
        return "[\n" + ",\n".join(items) + f"\n{indent}]"
    return _compact(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _compact(value) -> str:
    return _ENCODER.encode(value)


def save(project: Project, path, check_widths: bool = True) -> None:
    """Write atomically: a temporary file in the same folder, fsync, then rename over ``path``."""
    text = dumps(project, check_widths, folder=Path(path).absolute().parent)  # as load resolves
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else None
        fd, tmp = _create_temporary(target)
    except OSError as exc:
        raise ProjectFileError(f"cannot save {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)  # keep an existing file's permissions
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ProjectFileError(f"cannot save {path}: {exc.strerror or exc}") from None
        raise
    _fsync_folder(target.parent)


def _create_temporary(target: Path) -> tuple[int, Path]:
    """A new file beside ``target``, created with the usual permissions (0666 less the umask)."""
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(17, "could not create a temporary file", str(target.parent))


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- reading
def loads(text: str, base_dir=None, check_widths: bool = True) -> Project:
    """Parse and validate file text; ``base_dir`` resolves a relative CSV reference.

    ``check_widths=False`` accepts a dataset whose columns do not match the network's inputs and
    outputs (a project saved mid-edit, e.g. by autosave); everything else is still checked.
    """
    if not text.strip():
        raise ProjectFileError("the file is empty")
    checkpoint("reading the JSON", None)
    try:
        data = json_loads(text, parse_constant=NonFinite, object_pairs_hook=no_duplicate_keys)
    except ProjectFileError:
        raise
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            f"line {exc.lineno}, column {exc.colno}: the file is not valid JSON ({exc.msg})"
        ) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise ProjectFileError(f"the file holds a value JSON cannot read here ({exc})") from None
    except RecursionError:
        raise ProjectFileError("the file is nested too deeply to be a project file") from None
    checkpoint("checking the project", None)
    return project_from_dict(data, base_dir, check_widths)


def load(path, check_widths: bool = True) -> Project:
    """Read a project file; ProjectFileError when it is unreadable, too large or invalid."""
    from .safe_read import UnsafeFile, read_bytes

    path = Path(path)
    try:
        raw = read_bytes(path, MAX_BYTES, "project file")
    except UnsafeFile as exc:
        hint = ": keep big datasets in a CSV file and reference it" if "too large" in str(exc) else ""
        raise ProjectFileError(f"{exc}{hint}") from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(
            f"byte {exc.start + 1}: the file is not UTF-8 text, so it is not a project file"
        ) from None
    return loads(text, path.parent, check_widths)
