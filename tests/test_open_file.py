"""`bpstudio FILE` opens the studio on that project; anything else stays a CLI command."""

from __future__ import annotations

import bpstudio.app
from bpstudio import cli
from bpstudio.core import fileformat
from bpstudio.core.presets import load_preset


def test_a_project_file_opens_the_studio_on_it(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(bpstudio.app, "main", lambda project=None: calls.append(project) or 0)
    path = tmp_path / "xor.bpstudio"
    fileformat.save(load_preset("xor"), path)
    assert cli.main([str(path)]) == 0
    assert calls == [str(path)]
    assert cli.main([]) == 0 and calls[-1] is None  # no argument: the article's example


def test_a_missing_file_or_a_command_is_not_opened_in_the_gui(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bpstudio.app, "main", lambda project=None: (_ for _ in ()).throw(AssertionError))
    assert cli.main([str(tmp_path / "nope.bpstudio")]) == 2
    assert "error" in capsys.readouterr().err
    assert cli.main(["presets"]) == 0
    assert "article-xor" in capsys.readouterr().out


def test_the_window_loads_the_file_it_is_given(qtbot, tmp_path):
    from bpstudio.ui.main_window import MainWindow

    project = load_preset("and")
    path = tmp_path / "and.bpstudio"
    fileformat.save(project, path)
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.file_actions.load(str(path))
    assert window.document.graph.snapshot() == project.graph.snapshot()
    assert "and" in window.windowTitle()
