"""File actions: New / Open / Save / Save As / Revert / Recent, the title, the unsaved-changes prompt,
bad files, recovery after a crash; and the exports."""

from __future__ import annotations

import json
import subprocess

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

import numpy as np
import pytest

from bpstudio.core import fileformat
from bpstudio.core.presets import load_preset
from bpstudio.ui import file_actions as fa
from bpstudio.ui.autosave import write_recovery
from bpstudio.ui.canvas.commands import SetBiasCommand, SetWeightCommand
from bpstudio.ui.document import Document
from bpstudio.ui.settings import StudioSettings


class Prompts:
    """Stands in for the modal dialogs; records what was asked."""

    def __init__(self, monkeypatch):
        self.unsaved = fa.CANCEL
        self.open_path = ""
        self.save_path = ""
        self.recover = True
        self.revert = True
        self.asked: list[str] = []
        self.errors: list[tuple[str, str]] = []
        monkeypatch.setattr(fa, "ask_unsaved", self._unsaved)
        monkeypatch.setattr(fa, "ask_open_path", lambda parent, folder: self.open_path)
        monkeypatch.setattr(fa, "ask_save_path", lambda parent, suggestion: self.save_path)
        monkeypatch.setattr(fa, "ask_recover", lambda parent, text: self._note(text, self.recover))
        monkeypatch.setattr(fa, "ask_revert", lambda parent, name: self._note(name, self.revert))
        monkeypatch.setattr(fa, "show_error", lambda parent, title, text: self.errors.append((title, text)))

    def _unsaved(self, parent, name, doing):
        self.asked.append(doing)
        return self.unsaved

    def _note(self, text, answer):
        self.asked.append(text)
        return answer


class Window(QMainWindow):
    def __init__(self):
        super().__init__()
        self.document = Document(load_preset("article-xor"))
        self.messages: list[str] = []

    def show_message(self, text):
        self.messages.append(text)


@pytest.fixture
def prompts(monkeypatch):
    return Prompts(monkeypatch)


@pytest.fixture
def studio(qtbot, tmp_path, prompts):
    w = Window()
    qtbot.addWidget(w)
    settings = StudioSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    actions = fa.FileActions(w, settings, recovery_dir=tmp_path / "recovery")
    actions.build_menu(w.menuBar().addMenu("&File"))
    yield w, actions
    actions.autosaver.stop()
    w.document.set_modified(False)


def edit(doc: Document, weight: float = 0.25) -> None:
    src, tgt = next(iter(doc.graph.edges))
    doc.undo_stack.push(SetWeightCommand(doc.graph, src, tgt, weight))


def state(doc: Document) -> tuple:
    return (doc.graph.snapshot(), fileformat.dumps(doc.project), doc.path, doc.modified,
            doc.undo_stack.count())


def test_title_shows_name_and_star(studio, tmp_path):
    w, actions = studio
    assert w.windowTitle() == "article-xor — Backprop Studio"
    edit(w.document)
    assert w.windowTitle() == "article-xor* — Backprop Studio"
    assert actions.save_as(str(tmp_path / "mine.bpstudio"))
    assert w.windowTitle() == "mine — Backprop Studio"
    w.document.undo_stack.undo()  # back past the save point: modified again
    assert w.windowTitle() == "mine* — Backprop Studio"


def test_save_then_open_round_trips_the_project(studio, tmp_path, prompts):
    w, actions = studio
    edit(w.document, -0.75)
    w.document.undo_stack.push(SetBiasCommand(w.document.graph, w.document.graph.find("D0").id, 0.5))
    before = w.document.graph.snapshot()
    path = tmp_path / "net.bpstudio"
    prompts.save_path = str(path)
    assert actions.save()  # no path yet: Save asks like Save As
    assert path.is_file() and not w.document.modified and w.document.path == path
    assert actions.new()
    assert w.document.graph.snapshot() != before and w.document.path is None
    prompts.open_path = str(path)
    assert actions.open()
    assert w.document.graph.snapshot() == before and not w.document.modified
    assert actions.settings.recent_files[0] == str(path)
    assert prompts.asked == []  # nothing was unsaved, so nothing was asked


def test_save_writes_the_open_path_again(studio, tmp_path):
    w, actions = studio
    path = tmp_path / "a.bpstudio"
    actions.save_as(str(path))
    edit(w.document, 3.5)
    assert actions.save()
    weights = [e["weight"] for e in json.loads(path.read_text())["network"]["edges"]]
    assert 3.5 in weights


@pytest.mark.parametrize("content", [
    "", "not json at all", '{"format": "bpstudio-project", "version": 1}',
    '{"format": "something-else", "version": 1}', "\udcff",
])
def test_a_bad_file_shows_the_reason_and_leaves_the_project_untouched(studio, tmp_path, prompts, content):
    w, actions = studio
    edit(w.document, 0.125)  # unsaved work that must survive
    before = state(w.document)
    bad = tmp_path / "bad.bpstudio"
    bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    prompts.unsaved = fa.DISCARD
    prompts.open_path = str(bad)
    assert actions.open() is False
    assert state(w.document) == before
    assert len(prompts.errors) == 1
    title, text = prompts.errors[0]
    assert title == "Cannot open project" and "bad.bpstudio was not opened" in text
    assert len(text.split("\n", 1)[1]) > 5  # the loader's reason follows
    assert w.windowTitle() == "article-xor* — Backprop Studio"


def test_a_missing_recent_file_is_reported_and_dropped(studio, tmp_path, prompts):
    w, actions = studio
    gone = tmp_path / "gone.bpstudio"
    actions.save_as(str(gone))
    gone.unlink()
    assert actions.open(str(gone)) is False
    assert "cannot read" in prompts.errors[0][1]
    assert str(gone) not in actions.settings.recent_files


def test_unsaved_prompt_cancel_keeps_everything(studio, prompts):
    w, actions = studio
    edit(w.document)
    before = state(w.document)
    prompts.unsaved = fa.CANCEL
    assert actions.new() is False and actions.open("/nonexistent") is False
    assert state(w.document) == before
    assert prompts.asked == ["starting a new project", "opening another project"]


def test_unsaved_prompt_save_saves_first(studio, tmp_path, prompts):
    w, actions = studio
    edit(w.document, 9.0)
    prompts.unsaved = fa.SAVE
    prompts.save_path = str(tmp_path / "kept.bpstudio")
    assert actions.new("xor")
    assert 9.0 in [e["weight"] for e in json.loads((tmp_path / "kept.bpstudio").read_text())["network"]["edges"]]
    assert w.document.project.name == "xor" and not w.document.modified


def test_unsaved_prompt_save_cancelled_at_the_file_dialog_keeps_everything(studio, prompts):
    w, actions = studio
    edit(w.document)
    before = state(w.document)
    prompts.unsaved = fa.SAVE
    prompts.save_path = ""  # the user cancels the Save dialog
    assert actions.new() is False
    assert state(w.document) == before


def test_close_asks_and_cancel_keeps_the_window_open(qtbot, studio, prompts):
    w, actions = studio
    w.show()
    edit(w.document)
    prompts.unsaved = fa.CANCEL
    assert w.close() is False and w.isVisible()
    assert prompts.asked == ["closing"]
    prompts.unsaved = fa.DISCARD
    assert w.close() is True


def test_close_when_clean_does_not_ask_and_removes_the_recovery_file(qtbot, studio, prompts):
    w, actions = studio
    w.show()
    edit(w.document)
    assert actions.autosaver.tick() and actions.autosaver.file.exists()
    w.document.undo_stack.undo()
    assert not w.document.modified
    assert w.close() is True and prompts.asked == []
    assert not actions.autosaver.file.exists()


def test_revert_goes_back_to_the_saved_file(studio, tmp_path, prompts):
    w, actions = studio
    actions.save_as(str(tmp_path / "r.bpstudio"))
    saved = w.document.graph.snapshot()
    assert not actions.actions["revert"].isEnabled()
    edit(w.document, 42.0)
    assert actions.actions["revert"].isEnabled()
    prompts.revert = False
    assert actions.revert() is False and w.document.modified
    prompts.revert = True
    assert actions.revert() is True
    assert w.document.graph.snapshot() == saved and not w.document.modified


def test_saving_removes_the_recovery_file(studio, tmp_path):
    w, actions = studio
    edit(w.document)
    actions.autosaver.tick()
    assert actions.autosaver.file.exists()
    actions.save_as(str(tmp_path / "s.bpstudio"))
    assert not actions.autosaver.file.exists()
    assert actions.autosaver.tick() is False  # clean: nothing written


def test_crash_recovery_offers_the_work_back(studio, tmp_path, prompts):
    w, actions = studio
    crashed = load_preset("xor")
    crashed.graph.set_bias(crashed.graph.find("D0").id, 7.25)
    proc = subprocess.Popen(["true"])
    proc.wait()
    write_recovery(actions.autosaver.directory, fileformat.dumps(crashed), "lost work",
                   str(tmp_path / "lost.bpstudio"), pid=proc.pid)
    assert actions.offer_recovery() is True
    assert "lost work" in prompts.asked[0]
    assert w.document.graph.find("D0").bias == 7.25
    assert w.document.modified and w.document.path == tmp_path / "lost.bpstudio"
    assert w.windowTitle() == "lost* — Backprop Studio"
    files = list(actions.autosaver.directory.iterdir())
    assert files == [actions.autosaver.file]  # the old file is gone, this process keeps a copy


def test_declined_recovery_deletes_the_kept_copy(studio, prompts):
    w, actions = studio
    before = state(w.document)
    proc = subprocess.Popen(["true"])
    proc.wait()
    kept = write_recovery(actions.autosaver.directory, fileformat.dumps(load_preset("and")), "x",
                          None, pid=proc.pid)
    prompts.recover = False
    assert actions.offer_recovery() is False
    assert not kept.exists() and state(w.document) == before


def test_recent_menu_lists_files_newest_first(studio, tmp_path):
    w, actions = studio
    for name in ("one", "two"):
        actions.save_as(str(tmp_path / f"{name}.bpstudio"))
    actions.fill_recent()
    labels = [a.text() for a in actions.recent_menu.actions() if a.data()]
    assert labels == ["&1 two.bpstudio", "&2 one.bpstudio"]
    np.testing.assert_equal([a.data() for a in actions.recent_menu.actions() if a.data()],
                            [str(tmp_path / "two.bpstudio"), str(tmp_path / "one.bpstudio")])


def test_saving_to_a_missing_folder_reports_and_keeps_modified(studio, tmp_path, prompts):
    w, actions = studio
    edit(w.document)
    assert actions.save_as(str(tmp_path / "no" / "such" / "x.bpstudio")) is False
    assert prompts.errors and "not saved" in prompts.errors[0][1]
    assert w.document.modified and w.document.path is None


# ---------------------------------------------------------------------------- export
import xml.etree.ElementTree as ET  # noqa: E402

from PySide6.QtGui import QImage  # noqa: E402

import pyqtgraph as pg  # noqa: E402

from bpstudio.ui import export  # noqa: E402


@pytest.fixture
def main_window(qtbot, tmp_path, prompts):
    from bpstudio.ui.main_window import MainWindow

    w = MainWindow()  # installs its file actions (headless: private settings and recovery folder)
    qtbot.addWidget(w)
    actions = w.file_actions
    yield w, actions
    actions.autosaver.stop()
    w.document.set_modified(False)
    controller = getattr(w, "controller", None)
    if controller is not None:
        controller.shutdown()


def test_install_puts_the_file_commands_in_the_file_menu(main_window):
    w, actions = main_window
    texts = [a.text() for a in w.menus["File"].actions() if a.text()]
    assert texts[:7] == ["&New", "New from &preset", "&Open…", "Open &Recent", "&Save", "Save &As…",
                         "Re&vert to Saved"]
    assert texts[-1] == "&Quit" and "&Export" in texts
    assert actions.actions["save"].shortcut().toString() == "Ctrl+S"
    assert w.file_actions is actions
    w.document.undo_stack.push(SetWeightCommand(w.document.graph, *next(iter(w.document.graph.edges)), 2.0))
    assert w.confirm_discard() is False  # the window's own "discard?" now goes through our prompt


def test_canvas_png_and_svg(main_window, tmp_path):
    w, _ = main_window
    png, svg = tmp_path / "net.png", tmp_path / "net.svg"
    export.export_scene_png(w.scene, png, scale=2.0)
    image = QImage(str(png))
    rect = w.scene.itemsBoundingRect()
    assert image.width() == pytest.approx(2 * (rect.width() + 2 * export.MARGIN), abs=2)
    ink = sum(1 for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
              if image.pixelColor(x, y).lightness() < 200)
    assert ink > 100  # units, edges and labels were drawn
    export.export_scene_svg(w.scene, svg)
    root = ET.parse(svg).getroot()
    texts = {(t.text or "").strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"X1", "X2", "Z1", "Z2", "Z3", "D0"} <= texts


def test_an_empty_canvas_says_so(qtbot, tmp_path):
    from PySide6.QtWidgets import QGraphicsScene

    with pytest.raises(export.ExportError, match="the canvas is empty"):
        export.export_scene_png(QGraphicsScene(), tmp_path / "x.png")


def test_plot_png_and_svg(qtbot, tmp_path):
    plot = pg.PlotWidget(title="loss")
    qtbot.addWidget(plot)
    plot.plot([1, 2, 3, 4], [0.5, 0.25, 0.2, 0.125])
    export.export_plot_png(plot, tmp_path / "p.png", width=800)
    assert QImage(str(tmp_path / "p.png")).width() == 800
    export.export_plot_svg(plot, tmp_path / "p.svg")
    assert ET.parse(tmp_path / "p.svg").getroot().tag.endswith("svg")
    with pytest.raises(export.ExportError, match="does not exist"):
        export.export_plot_png(plot, tmp_path / "missing" / "p.png")


def test_loss_history_csv_exact():
    text = export.loss_history_csv([1, 2, 3], [0.5, 0.25, float("nan")], test=[0.6, float("nan"), 0.3])
    assert text == "epoch,train_loss,test_loss\n1,0.5,0.6\n2,0.25,\n3,,0.3\n"
    assert export.loss_history_csv([1], [0.125], test=[float("nan")]) == "epoch,train_loss\n1,0.125\n"


def test_markdown_of_the_next_step_has_the_articles_numbers(main_window, tmp_path):
    w, _ = main_window
    before = w.document.graph.snapshot()
    text = export.window_markdown(w, tmp_path / "step.md")
    assert (tmp_path / "step.md").read_text() == text
    assert text.startswith("# One training step, worked by hand")
    assert "-0.45" in text and "14.5" in text  # the batch step's output-weight update
    assert w.document.graph.snapshot() == before  # exporting does not train the open network


def test_trained_network_exports_as_a_project_that_loads(main_window, tmp_path):
    w, actions = main_window
    w.document.graph.set_weights(dict.fromkeys(w.document.graph.edges, 0.5), {})
    path = tmp_path / "trained.bpstudio"
    export.export_trained_project(w.document.project, path)
    assert fileformat.load(path).graph.snapshot() == w.document.graph.snapshot()
    assert w.document.path is None  # an export is a copy: the document keeps its own file


def test_export_menu_lists_dock_plots_and_survives_failures(main_window, tmp_path, monkeypatch, prompts):
    w, actions = main_window
    plot = pg.PlotWidget()
    w.add_dock("testplot", "Test plot", plot)
    actions.export_menu.aboutToShow.emit()
    texts = [a.text() for a in actions.export_menu.actions()]
    assert "Test plot plot as PNG…" in texts and "Canvas as &SVG…" in texts
    warnings = prompts.errors
    monkeypatch.setattr(export, "ask_save_path", lambda *a: str(tmp_path / "nope" / "x.csv"))
    csv_action = next(a for a in actions.export_menu.actions() if a.text() == "Loss history as &CSV…")
    csv_action.trigger()
    assert warnings and warnings[0][0] == "Export failed" and "cannot write" in warnings[0][1]
    monkeypatch.setattr(export, "ask_save_path", lambda *a: str(tmp_path / "loss.csv"))
    w.document.project.loss_history = [0.5, 0.25]
    csv_action.trigger()
    assert (tmp_path / "loss.csv").read_text() == "epoch,train_loss\n1,0.5\n2,0.25\n"


def test_headless_never_blocks_and_never_touches_the_users_files(qtbot, monkeypatch):
    from bpstudio.ui.main_window import MainWindow

    monkeypatch.delenv("BPSTUDIO_SETTINGS", raising=False)
    monkeypatch.delenv("BPSTUDIO_RECOVERY_DIR", raising=False)
    assert fa.headless()  # these tests run on the offscreen platform
    w = MainWindow()
    qtbot.addWidget(w)
    actions = getattr(w, "file_actions", None) or fa.install_file_actions(w)
    assert "bpstudio-headless-" in actions.settings.store.fileName()
    assert "bpstudio-headless-" in str(actions.autosaver.directory)
    edit(w.document)
    w.show()
    assert fa.ask_unsaved(w, "x", "closing") == fa.DISCARD and fa.ask_save_path(w, "x") == ""
    assert w.close() is True  # no modal box waits for an answer nobody can give


def test_every_dock_plot_exports_from_the_menu_and_a_bare_name_gets_its_suffix(main_window, tmp_path,
                                                                              monkeypatch, prompts):
    w, actions = main_window
    w.show()
    actions.export_menu.aboutToShow.emit()
    wanted = [a for a in actions.export_menu.actions() if a.text().endswith("plot as PNG…")]
    assert {a.text() for a in wanted} >= {"Loss plot as PNG…", "Deltas plot as PNG…"}  # layout widgets too
    for i, action in enumerate(wanted):
        monkeypatch.setattr(export, "ask_save_path", lambda *a, i=i: str(tmp_path / f"plot{i}"))
        action.trigger()
        assert QImage(str(tmp_path / f"plot{i}.png")).width() == 1200, action.text()
    assert prompts.errors == []


def test_saving_while_training_keeps_the_trained_weights_and_history(main_window, qtbot, tmp_path):
    w, actions = main_window
    from bpstudio.core.settings import TrainingSettings

    project = load_preset("xor")
    project.settings = TrainingSettings(**{**project.settings.to_dict(), "max_epochs": 0, "target_loss": 0.0})
    w.document.replace_project(project)  # trains until stopped
    before = w.document.graph.snapshot()
    w.show()
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=20_000,
                          check_params_cb=lambda s: s.state == "running" and s.epoch >= 50):
        w.controller.play()
    assert w.document.modified  # training is work: the title shows *
    path = tmp_path / "trained.bpstudio"
    assert actions.save_as(str(path))
    saved = fileformat.load(path)
    assert saved.graph.snapshot() != before  # the trained weights, not the initial ones
    assert len(saved.loss_history) >= 50 and saved.epoch >= 50
    assert saved.loss_history[-1] < saved.loss_history[0]
    assert w.controller.shutdown()


def test_history_of_one_project_never_lands_in_the_next(main_window, qtbot, tmp_path):
    w, actions = main_window
    other = load_preset("and")
    other.loss_history, other.epoch = [0.7, 0.6, 0.5], 3
    fileformat.save(other, tmp_path / "and.bpstudio")
    w.show()
    with qtbot.waitSignal(w.controller.snapshot_ready, timeout=20_000,
                          check_params_cb=lambda s: s.state == "finished"):
        w.controller.play()  # the article's network: 1000 epochs
    assert actions.load(str(tmp_path / "and.bpstudio"))
    assert actions.save_as(str(tmp_path / "again.bpstudio"))
    again = fileformat.load(tmp_path / "again.bpstudio")
    assert again.loss_history == [0.7, 0.6, 0.5] and again.epoch == 3


def test_three_hundred_broken_files_through_open_leave_the_project_untouched(studio, tmp_path, prompts):
    import random

    from tests.core.test_fileformat_fuzz import base_texts, mutate_structure, mutate_text

    w, actions = studio
    edit(w.document, 0.375)  # unsaved work in the open project
    before = state(w.document)
    title = w.windowTitle()
    rng = random.Random(11)
    texts = base_texts()
    docs = [json.loads(t) for t in texts]
    refused = 0
    for i in range(300):
        text = mutate_text(rng.choice(texts), rng) if i % 2 else mutate_structure(rng.choice(docs), rng)
        path = tmp_path / f"broken{i}.bpstudio"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            fileformat.load(path)
            continue  # this mutation happens to be a valid project: not what this test is about
        except fileformat.ProjectFileError:
            refused += 1
        assert actions.load(str(path)) is False
        assert state(w.document) == before and w.windowTitle() == title
    assert refused > 200 and len(prompts.errors) == refused


def test_a_network_that_does_not_fit_its_data_yet_is_saved_and_reopens_as_it_was(studio, tmp_path, prompts):
    """Work in progress (an input unit added before the data has its column) is never lost: it
    saves, reopens unchanged, and the mismatch is left for the adjust-or-cancel prompt at Play."""
    from bpstudio.core.match import check_match
    from bpstudio.ui.canvas.commands import AddNodeCommand

    w, actions = studio
    w.document.undo_stack.push(AddNodeCommand(w.document.graph, "input", "X3"))
    before = w.document.graph.snapshot()
    path = tmp_path / "x.bpstudio"
    assert actions.save_as(str(path)) is True and not prompts.errors
    assert not w.document.modified
    w.document.undo_stack.push(AddNodeCommand(w.document.graph, "hidden", "Z9"))
    prompts.unsaved = fa.DISCARD
    assert actions.load(str(path)) is True
    assert w.document.graph.snapshot() == before
    assert "input" in check_match(w.document.graph, w.document.project.dataset)
    with pytest.raises(fileformat.ProjectFileError, match="match"):
        fileformat.load(path)  # the strict reader (the CLI's) still says what is wrong


def test_the_network_exports_as_a_numpy_script_from_the_menu_that_predicts_like_the_studio(
        main_window, tmp_path, monkeypatch, prompts):
    import sys

    from bpstudio.core.engine import Engine

    w, actions = main_window
    w.document.replace_project(load_preset("iris"))
    actions.export_menu.aboutToShow.emit()
    by_text = {a.text(): a for a in actions.export_menu.actions()}
    assert "Network as P&yTorch script…" in by_text
    monkeypatch.setattr(export, "ask_save_path", lambda *a: str(tmp_path / "iris_numpy.py"))
    by_text["Network as &numpy script…"].trigger()
    assert prompts.errors == []
    code = ("import runpy, sys, json; m = runpy.run_path(sys.argv[1]); "
            "print(json.dumps(m['predict'](m['DATA']).tolist()))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "iris_numpy.py")], capture_output=True,
                         text=True, check=True).stdout
    project = w.document.project
    want = Engine(project.graph, project.settings.loss).predict(project.dataset.train()[0])
    assert np.allclose(np.array(json.loads(out)), want, rtol=1e-12, atol=1e-12)
