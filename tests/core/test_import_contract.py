"""The core and the command line never load Qt: every ``bpstudio.core`` module, the CLI module and
the headless CLI commands run in a fresh interpreter, which must end without PySide6, shiboken6
or pyqtgraph in ``sys.modules``."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bpstudio.core

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph")
CORE_MODULES = sorted(f"bpstudio.core.{m.name}" for m in pkgutil.iter_modules(bpstudio.core.__path__))

PROBE = """
import importlib, json, sys, contextlib, io
for name in {modules!r}:
    importlib.import_module(name)
{run}
bad = sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r})
print(json.dumps(bad))
"""

RUN_CLI = """
from bpstudio.cli import main
for argv in {commands!r}:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(argv)
        except SystemExit:
            pass
"""


def loaded_forbidden(modules: list[str], run: str = "") -> list[str]:
    code = PROBE.format(modules=modules, forbidden=FORBIDDEN, run=run)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_core_has_the_modules_we_expect():
    for name in ("graph", "engine", "activations", "losses", "optimizers", "init", "gradcheck"):
        assert f"bpstudio.core.{name}" in CORE_MODULES


def test_importing_every_core_module_loads_no_qt():
    assert loaded_forbidden(CORE_MODULES) == []


@pytest.mark.parametrize("module", ["bpstudio.cli", "bpstudio.training.snapshot"])
def test_importing_headless_entry_points_loads_no_qt(module):
    assert loaded_forbidden([module]) == []


def test_headless_cli_commands_load_no_qt():
    commands = [["presets"], ["gradcheck", "--preset", "article-xor"],
                ["train", "--preset", "article-xor", "--epochs", "2", "--json"],
                ["explain", "--preset", "article-xor"]]
    assert loaded_forbidden(["bpstudio.cli"], RUN_CLI.format(commands=commands)) == []


def test_the_probe_would_notice_qt():
    # the check is only worth something if it sees Qt when Qt is there
    assert {"PySide6", "PySide6.QtCore"} <= set(loaded_forbidden(["PySide6.QtCore"]))
