"""Files the studio ships (icons, example projects, lessons, datasets), found in one place.

Every reader of a shipped file goes through :func:`asset`: it returns the file's path or raises
:class:`MissingAsset` (never a silent blank). The top-level ``resources/`` folder of the checkout is
the source; the wheel carries it as the package ``bpstudio.resources`` (see setup.py), and
``importlib.resources`` finds it in either place (an editable install maps the package onto the folder).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

CHECKOUT_RESOURCES = Path(__file__).resolve().parents[1] / "resources"


class MissingAsset(FileNotFoundError):
    """A file the studio ships is not where it should be (a broken install)."""


def asset_root() -> Path:
    """The folder that holds icons/, examples/, lessons/, datasets/."""
    try:
        root = importlib.resources.files("bpstudio.resources")
    except ModuleNotFoundError:  # run from a checkout that was never installed
        return CHECKOUT_RESOURCES
    return Path(str(root))


def asset(*parts: str) -> Path:
    """The path of a shipped file, e.g. ``asset("icons", "undo.svg")``; MissingAsset if absent."""
    path = asset_root().joinpath(*parts)
    if not path.is_file():
        raise MissingAsset(f"the studio's file {'/'.join(parts)} is missing (looked in {path.parent}); "
                           f"reinstall Backprop Studio")
    return path


def assets(folder: str, suffix: str = "") -> list[Path]:
    """Every shipped file in ``folder`` ending with ``suffix``, sorted by name."""
    root = asset_root() / folder
    if not root.is_dir():
        raise MissingAsset(f"the studio's folder {folder}/ is missing (looked in {root}); "
                           f"reinstall Backprop Studio")
    return sorted(p for p in root.iterdir() if p.is_file() and p.name.endswith(suffix))
