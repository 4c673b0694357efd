"""File → Export → Worked arithmetic as Markdown writes what the Worked arithmetic panel shows (its
step and its chosen sample), not a fresh preview."""

import pyqtgraph as pg  # noqa: F401

from bpstudio.core.presets import load_preset
from bpstudio.ui import export
from bpstudio.ui.document import Document
from bpstudio.ui.main_window import MainWindow
from bpstudio.ui.panels.demo import DemoRun


def test_the_export_is_the_panels_step_and_sample(qtbot, tmp_path):
    window = MainWindow(Document(load_preset("article-xor")))
    qtbot.addWidget(window)
    panel = window.panels.arithmetic
    window.show()
    qtbot.waitExposed(window)
    run = DemoRun(window.document.project)
    window.panels.show_snapshot(run.snapshot(state="idle"))  # the state before the step
    run.step()
    window.panels.show_snapshot(run.snapshot())  # step 1 of the article, as the worker sends it
    qtbot.waitUntil(lambda: panel.title.text().startswith("Step 1"), timeout=5000)
    panel.set_sample(2)
    path = tmp_path / "step.md"
    text = export.window_markdown(window, path)
    assert path.read_text(encoding="utf-8") == text == panel.markdown()
    lines = text.splitlines()
    assert lines[0] == "# One training step, worked by hand"
    assert lines[2] == f"_{panel.title.text()}_" and lines[2].startswith("_Step 1")
    assert "Sample 3 of 4 in this batch (data row 3): X1 = 1, X2 = 0, y = 1" in lines
    assert "V01 := V01 - alpha . mean(Z_Z1 . delta_D0) = 1 - 0.1 . 14.5 = -0.45" in text
    # the project's own next step (the fallback without a panel) is another text
    assert text != export.export_markdown(window.document.project, tmp_path / "next.md")
    window.file_actions.autosaver.stop()
