"""The wheel is the app: built from this checkout, installed into a fresh venv outside it, and used.

Slow (it installs PySide6 into the new venv), so it runs in ``make package-test`` (called by .ci/run),
not in ``make test``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parents[2]

CHECK_INSTALL = r"""
import json, sys
from pathlib import Path
import bpstudio
from bpstudio.assets import asset_root, assets
root = asset_root()
names = {folder: [p.name for p in assets(folder)] for folder in ("icons", "icons/app", "examples")}
print(json.dumps({"package": str(Path(bpstudio.__file__).parent), "root": str(root), "names": names}))
"""

OPEN_WINDOW = r"""
import sys
from PySide6.QtCore import QTimer
from bpstudio.app import create_app
import pyqtgraph
from bpstudio.ui.main_window import MainWindow
app = create_app()
window = MainWindow()
window.show()
from PySide6.QtGui import QAction
blank = [a.text() for a in window.findChildren(QAction) if a.text() in {"Undo", "Redo"} and a.icon().isNull()]
alive = []
QTimer.singleShot(1500, lambda: (alive.append(window.isVisible()), app.quit()))
app.exec()
print("icons-missing:", blank, "visible-after-1.5s:", alive, "app-icon-null:", app.windowIcon().isNull())
sys.exit(0 if alive == [True] and not blank and not app.windowIcon().isNull() else 1)
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, wheel path): the wheel built from the checkout, installed into a new venv."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    str(ROOT), "-w", str(out)], check=True, cwd=out)
    (wheel,) = out.glob("bpstudio-*.whl")
    env_dir = tmp_path_factory.mktemp("venv") / "v"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, cwd=out)
    return python, wheel


def run(python: Path, *args: str, cwd: Path, **extra_env: str) -> subprocess.CompletedProcess:
    """Run in the new venv with nothing of the checkout on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", **extra_env)
    return subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_wheel_holds_every_shipped_file(installed):
    _, wheel = installed
    inside = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p for p in (ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    missing = [str(p.relative_to(ROOT)) for p in shipped
               if f"bpstudio/resources/{p.relative_to(ROOT / 'resources').as_posix()}" not in inside]
    assert shipped and not missing


def test_the_installed_commands_work_outside_the_checkout(installed, tmp_path):
    python, _ = installed
    bindir = python.parent
    from bpstudio import __version__

    got = run(bindir / "bpstudio", "--version", cwd=tmp_path)
    assert got.returncode == 0 and got.stdout.strip() == f"bpstudio {__version__}"
    got = run(bindir / "bpstudio", "presets", cwd=tmp_path)
    assert got.returncode == 0 and "xor" in got.stdout
    assert (bindir / "bpstudio-gui").is_file()


def test_every_resource_resolves_inside_the_installed_package(installed, tmp_path):
    python, _ = installed
    got = run(python, "-c", CHECK_INSTALL, cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    info = json.loads(got.stdout)
    assert Path(info["root"]).is_relative_to(info["package"])  # not the checkout's resources/
    assert not Path(info["package"]).is_relative_to(ROOT)
    for folder, names in info["names"].items():
        expected = sorted(p.name for p in (ROOT / "resources" / folder).iterdir() if p.is_file())
        assert names == expected, folder


def test_the_installed_window_opens_with_its_icons_and_stays_up(installed, tmp_path):
    python, _ = installed
    got = run(python, "-c", OPEN_WINDOW, cwd=tmp_path)
    assert got.returncode == 0, got.stdout + got.stderr
    assert "visible-after-1.5s: [True]" in got.stdout


def test_install_desktop_from_the_wheel_points_at_its_gui_script(installed, tmp_path):
    python, _ = installed
    env_home = tmp_path / "share"
    got = run(python.parent / "bpstudio", "--install-desktop", cwd=tmp_path, XDG_DATA_HOME=str(env_home))
    assert got.returncode == 0, got.stderr
    launcher = (env_home / "applications" / "org.bpstudio.BackpropStudio.desktop").read_text()
    assert f"Exec={python.parent / 'bpstudio-gui'} %f" in launcher
