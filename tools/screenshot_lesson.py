"""Open the studio on lesson 1 at a question, a reveal or in presenter mode (for ``screenshot.sh``).

``../shared/tools/screenshot.sh docs/screenshot-lesson-question.png 6 -- .venv/bin/python
tools/screenshot_lesson.py question`` (or ``reveal``, ``presenter``): the article's lesson, stepped
to the output's delta; ``reveal`` answers with the article's -4 (its sign error, diagnosed);
``presenter`` shows that reveal in presenter mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    from bpstudio.app import create_app, install_excepthook

    mode = argv[0] if argv else "question"
    app = create_app([])
    from PySide6.QtCore import QTimer

    import pyqtgraph  # noqa: F401  (after PySide6)

    from bpstudio.core.lessons import find_lesson
    from bpstudio.ui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window)
    window.show()
    ui = window.lessons
    s = ui.session

    def go() -> None:
        s.open(find_lesson("01-article"), resume=False)
        ui.dock_widget.show()
        ui.dock_widget.raise_()
        p = s.player
        while p.step.title != "The output's delta":  # answer right on the way, as a learner would
            if p.step.action is not None:
                s.do_for_me()
            asked = p.question()
            if asked is not None:
                s.answer(asked.question.expected if asked.question else asked.spec.answer)
            s.next()
        window.docks["arithmetic"].raise_()
        if mode in ("reveal", "presenter"):
            s.answer("-4")
        if mode == "presenter":
            window.act["presenter"].setChecked(True)
        else:
            window.resizeDocks([ui.dock_widget], [560], Qt.Horizontal)
        QTimer.singleShot(300, window.view.fit)

    from PySide6.QtCore import Qt

    QTimer.singleShot(700, go)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
