"""File ▸ Import PyTorch Sequential weights… replaces the network in one undo step; a bad file
changes nothing; File ▸ Export writes the weights back."""

from __future__ import annotations

import numpy as np

from bpstudio.core.engine import Engine
from bpstudio.core.presets import layered_graph
from bpstudio.core.sequential_io import read_sequential, write_sequential
from bpstudio.ui import export
from bpstudio.ui import sequential_actions as sa
from tests.ui.test_files import state


def test_import_replaces_the_network_undoably_and_a_bad_file_changes_nothing(window, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(sa, "show_error", lambda w, title, text: errors.append((title, text)))
    g = layered_graph([2, 4, 1], "tanh", "sigmoid")
    rng = np.random.default_rng(0)
    g.set_weights({k: float(rng.normal()) for k in g.edges}, {n.id: float(rng.normal()) for n in g})
    path = tmp_path / "w.json"
    write_sequential(g, path)
    before = state(window.document)
    monkeypatch.setattr(sa, "ask_open", lambda w: str(path))
    window.act["import_sequential"].trigger()
    X = window.document.dataset.X
    np.testing.assert_allclose(Engine(window.document.graph, "squared_error").predict(X),
                               Engine(g, "squared_error").predict(X), rtol=1e-12, atol=1e-12)
    assert window.undo_stack.undoText() == "Import Sequential network"
    window.undo_stack.undo()
    assert window.document.graph.snapshot() == before[0]
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "bpstudio-sequential", "version": 1, "layers": [{"type": "Tanh"}]}')
    undo_count = window.undo_stack.count()
    assert sa.import_sequential(window, str(bad)) is False
    assert errors and "layer 0 (Tanh) comes before any Linear" in errors[0][1]
    assert window.document.graph.snapshot() == before[0] and window.undo_stack.count() == undo_count


def test_export_menu_writes_sequential_weights_that_read_back(window, tmp_path, monkeypatch):
    actions = window.file_actions
    actions.export_menu.aboutToShow.emit()
    action = next(a for a in actions.export_menu.actions() if a.text() == "Network as Se&quential weights…")
    monkeypatch.setattr(export, "ask_save_path", lambda *a: str(tmp_path / "article.npz"))
    action.trigger()
    back = read_sequential(tmp_path / "article.npz")
    X = window.document.dataset.X
    np.testing.assert_array_equal(Engine(back, "squared_error").predict(X),
                                  Engine(window.document.graph, "squared_error").predict(X))
