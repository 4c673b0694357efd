"""The desktop presence: launcher, metainfo and icons installed for the user, and removed again."""

from __future__ import annotations

import configparser
import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bpstudio import APP_ID, __version__
from bpstudio.assets import MissingAsset, asset, asset_root, assets
from bpstudio.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_install_desktop_writes_launcher_metainfo_and_every_icon_size_then_uninstall_removes_them(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["--install-desktop"]) == 0
    launcher = tmp_path / "applications" / f"{APP_ID}.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(launcher, encoding="utf-8")
    desk = entry["Desktop Entry"]
    assert desk["Type"] == "Application" and desk["Name"] == "Backprop Studio"
    assert desk["Icon"] == APP_ID and "Education" in desk["Categories"].split(";")
    program = desk["Exec"].split()[0]
    assert Path(program).is_file() and desk["Exec"].endswith("%f")  # an absolute program that exists
    sizes = sorted(int(p.parent.parent.name.split("x")[0])
                   for p in (tmp_path / "icons" / "hicolor").glob(f"*x*/apps/{APP_ID}.png"))
    assert sizes == [16, 24, 32, 48, 64, 128, 256, 512]
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (tmp_path / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    written = capsys.readouterr().out.count("wrote ")
    assert written == 11
    assert main(["--uninstall-desktop"]) == 0
    assert capsys.readouterr().out.count("removed ") == written
    assert not launcher.exists() and not list(tmp_path.rglob(f"{APP_ID}.*"))


def test_an_unwritable_data_home_is_one_plain_error(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["--install-desktop"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bpstudio: error: could not install the desktop launcher") and "Traceback" not in err


def test_metainfo_is_valid_xml_naming_the_launcher_and_this_release():
    tree = ET.parse(asset("desktop", f"{APP_ID}.metainfo.xml"))
    root = tree.getroot()
    assert root.get("type") == "desktop-application" and root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.find("releases/release").get("version") == __version__


def test_the_version_has_one_home():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in meta["project"]["dynamic"] and "version" not in meta["project"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bpstudio.__version__"}


def test_every_icon_the_code_names_is_shipped_and_a_missing_one_raises():
    names = set()
    for path in (ROOT / "bpstudio").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'\bicon\("([a-z0-9-]+)"\)', text))
        names |= set(re.findall(r'icon_name="([a-z0-9-]+)"', text))
    assert len(names) >= 8, f"only {sorted(names)} found: the pattern is out of date"
    for name in names:
        assert asset("icons", f"{name}.svg").stat().st_size > 0
    with pytest.raises(MissingAsset, match="reinstall"):
        asset("icons", "no-such-icon.svg")
    assert asset_root().resolve() == (ROOT / "resources").resolve()  # the editable install maps the folder
    assert len(assets("icons/app", ".png")) == 8


def test_the_application_and_window_carry_the_app_icon(qtbot):
    from bpstudio.app import create_app

    app = create_app()
    icon = app.windowIcon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}
    assert app.desktopFileName() == APP_ID
