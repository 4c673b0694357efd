"""Toolbar and menu icons from the shipped resources/icons/*.svg (MissingAsset when one is absent)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from bpstudio.assets import asset


def icon(name: str) -> QIcon:
    """The icon ``name`` (an SVG in resources/icons); a missing file is a broken install, not a blank."""
    return QIcon(str(asset("icons", f"{name}.svg")))
