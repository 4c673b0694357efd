"""Open the studio, train XOR, then scrub the timeline back (for ``screenshot.sh``).

``../shared/tools/screenshot.sh docs/screenshot-timeline.png 12 -- .venv/bin/python
tools/screenshot_timeline.py [EPOCHS] [FRACTION]``: trains the xor preset EPOCHS epochs (default
600), then views the recorded epoch nearest FRACTION (default 0.3) of the way along the timeline.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    from bpstudio.app import create_app, install_excepthook

    epochs = int(argv[0]) if argv else 600
    fraction = float(argv[1]) if len(argv) > 1 else 0.3
    app = create_app([])
    from PySide6.QtCore import QTimer

    import pyqtgraph  # noqa: F401  (after PySide6)

    from bpstudio.core.presets import load_preset
    from bpstudio.core.settings import TrainingSettings
    from bpstudio.ui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window)
    window.show()
    p = load_preset("xor")
    p.settings = TrainingSettings(**{**p.settings.to_dict(), "max_epochs": epochs, "target_loss": 0.0})
    window.document.replace_project(p)
    window.docks["loss"].raise_()
    ctl, strip = window.controller, window.rewind.timeline.strip

    def scrub() -> None:
        if ctl.state == "running" or not strip.epochs:
            QTimer.singleShot(200, scrub)
            return
        first, last = strip.epochs[0], strip.epochs[-1]
        strip._scrub_to(strip.nearest(strip.x_of(first + fraction * (last - first))))

    QTimer.singleShot(800, ctl.play)
    QTimer.singleShot(1500, scrub)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
