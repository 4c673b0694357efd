"""Open the studio and press Step a few times, then stay open (for ``screenshot.sh``).

``python tools/screenshot_after_steps.py [STEPS] [GRANULARITY]`` — STEPS presses of Step (default 6)
of the chosen size (default: the window's own, batch), 300 ms apart, then the window stays open
until closed. ``../shared/tools/screenshot.sh docs/screenshot-training.png 10 -- .venv/bin/python
tools/screenshot_after_steps.py 6``. Options: ``--preset NAME`` loads a preset first (e.g. xor);
``--play`` presses Play instead of Step (STEPS is ignored); ``--raise KEY`` (repeatable) brings a dock tab
to the front (boundary, loss, arithmetic, deltas, …).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    from bpstudio.app import create_app, install_excepthook

    preset, raised, rest, play = None, [], [], False
    args = iter(argv)
    for a in args:
        if a == "--preset":
            preset = next(args)
        elif a == "--play":
            play = True
        elif a == "--raise":
            raised.append(next(args))
        else:
            rest.append(a)
    steps = int(rest[0]) if rest else 6
    granularity = rest[1] if len(rest) > 1 else None
    app = create_app([])
    from PySide6.QtCore import QTimer

    import pyqtgraph  # noqa: F401  (after PySide6)

    from bpstudio.ui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window)
    window.show()
    if preset:
        from bpstudio.core.presets import load_preset
        window.document.replace_project(load_preset(preset))  # no "discard?" question
    for key in raised:
        window.docks[key].raise_()
    left = [steps]

    def press() -> None:
        if left[0] <= 0:
            return
        left[0] -= 1
        window.controller.step(granularity)
        QTimer.singleShot(300, press)

    QTimer.singleShot(800, window.controller.play if play else press)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
