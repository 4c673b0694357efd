"""Open the studio and press Step a few times, then stay open (for ``screenshot.sh``).

``python tools/screenshot_after_steps.py [STEPS] [GRANULARITY]`` — STEPS presses of Step (default 6)
of the chosen size (default: the window's own, batch), 300 ms apart, then the window stays open
until closed. ``../shared/tools/screenshot.sh docs/screenshot-training.png 10 -- .venv/bin/python
tools/screenshot_after_steps.py 6``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    from bpstudio.app import create_app, install_excepthook

    steps = int(argv[0]) if argv else 6
    granularity = argv[1] if len(argv) > 1 else None
    app = create_app([])
    import pyqtgraph  # noqa: F401  (after PySide6)
    from PySide6.QtCore import QTimer

    from bpstudio.ui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window)
    window.show()
    left = [steps]

    def press() -> None:
        if left[0] <= 0:
            return
        left[0] -= 1
        window.controller.step(granularity)
        QTimer.singleShot(300, press)

    QTimer.singleShot(800, press)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
