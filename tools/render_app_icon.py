"""Render resources/icons/app/bpstudio.svg to the PNG sizes desktops ask for (run after editing the SVG).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_app_icon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6 import QtCore, QtGui, QtSvg

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
APP = Path(__file__).resolve().parents[1] / "resources" / "icons" / "app"


def render(size: int, renderer: QtSvg.QSvgRenderer) -> QtGui.QImage:
    image = QtGui.QImage(size, size, QtGui.QImage.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.Antialiasing)
    renderer.render(painter, QtCore.QRectF(0, 0, size, size))
    painter.end()
    return image


def main() -> int:
    app = QtGui.QGuiApplication(sys.argv[:1])  # noqa: F841 - QImage painting needs it
    renderer = QtSvg.QSvgRenderer(str(APP / "bpstudio.svg"))
    if not renderer.isValid():
        print("bpstudio.svg is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        out = APP / f"bpstudio-{size}.png"
        if not render(size, renderer).save(str(out)):
            print(f"could not write {out}", file=sys.stderr)
            return 1
        print(out.relative_to(APP.parents[2]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
