"""Register Backprop Studio with the current user's desktop (freedesktop menus): the .desktop launcher,
the AppStream metainfo and the app icon in every size, under $XDG_DATA_HOME (~/.local/share).

``bpstudio --install-desktop`` calls :func:`install`; ``--uninstall-desktop`` removes the same files.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bpstudio import APP_ID
from bpstudio.assets import asset, assets


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (the spec's rule)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def gui_command() -> str:
    """What the launcher runs: the installed ``bpstudio-gui`` script beside this Python, else the module."""
    script = Path(sys.executable).with_name("bpstudio-gui")
    if script.is_file() and os.access(script, os.X_OK):
        return str(script)
    return f"{sys.executable} -m bpstudio"


def planned_files(root: Path | None = None) -> dict[Path, Path | str]:
    """Each file install() writes, mapped to the shipped file it copies (or the text it writes)."""
    root = data_home() if root is None else root
    launcher = asset("desktop", f"{APP_ID}.desktop").read_text(encoding="utf-8")
    command = gui_command()
    launcher = "\n".join(f"Exec={command} %f" if line.startswith("Exec=")
                         else f"TryExec={command.split()[0]}" if line.startswith("TryExec=") else line
                         for line in launcher.splitlines()) + "\n"
    files: dict[Path, Path | str] = {
        root / "applications" / f"{APP_ID}.desktop": launcher,
        root / "metainfo" / f"{APP_ID}.metainfo.xml": asset("desktop", f"{APP_ID}.metainfo.xml"),
        root / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg":
            asset("icons", "app", "bpstudio.svg"),
    }
    for png in assets("icons/app", ".png"):
        size = png.stem.rsplit("-", 1)[1]
        files[root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = png
    return files


def install(root: Path | None = None) -> list[Path]:
    """Write the launcher, metainfo and icons; returns the paths written."""
    written = []
    for target, source in planned_files(root).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        else:
            target.write_text(source, encoding="utf-8")
        written.append(target)
    return written


def uninstall(root: Path | None = None) -> list[Path]:
    """Remove what install() wrote (files only; shared folders stay); returns the paths removed."""
    removed = []
    for target in planned_files(root):
        if target.is_file():
            target.unlink()
            removed.append(target)
    return removed
