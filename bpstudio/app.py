"""Start the GUI: QApplication set-up (GIL switch interval, names for QSettings), the main window."""

from __future__ import annotations

import sys
import traceback

from bpstudio import APP_ID  # the .desktop file's name

APP_NAME = "Backprop Studio"
ORG_NAME = "Backprop Studio"
ORG_DOMAIN = "bpstudio.local"


def create_app(argv: list[str] | None = None):
    """The QApplication (created once), with the names QSettings uses."""
    # a short GIL switch interval keeps the GUI responsive while a worker thread trains small nets
    sys.setswitchinterval(1e-4)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setOrganizationDomain(ORG_DOMAIN)
    app.setDesktopFileName(APP_ID)  # Wayland and task bars match the window to the installed launcher
    app.setWindowIcon(app_icon())
    return app


def app_icon():
    """The studio's icon in every shipped size (the SVG for the rest)."""
    from PySide6.QtGui import QIcon

    from bpstudio.assets import MissingAsset, asset, assets

    icon = QIcon()
    for png in assets("icons/app", ".png"):  # crisp hand-checked pixels where a size is shipped
        icon.addFile(str(png))
    if icon.isNull():
        raise MissingAsset("the studio's app icon PNGs (icons/app/bpstudio-*.png) are missing; "
                           "reinstall Backprop Studio")
    asset("icons", "app", "bpstudio.svg")  # shipped for desktops that scale (a missing one raises)
    return icon


def install_excepthook(window) -> None:
    """An unexpected error shows a plain message in the status bar (and the traceback on stderr)
    instead of ending the app."""

    def hook(kind, value, tb):
        traceback.print_exception(kind, value, tb)
        try:
            window.show_message(f"Something went wrong: {value}", 10000)
        except Exception:  # noqa: BLE001 - the window may be gone
            pass

    sys.excepthook = hook


def main(argv: list[str] | None = None, project: str | None = None) -> int:
    """Open Backprop Studio on the article's example (or on ``project``, a project file);
    returns the exit code."""
    app = create_app(argv)
    import pyqtgraph  # noqa: F401  (after PySide6, so pyqtgraph picks the same binding)

    from bpstudio.ui.main_window import MainWindow

    window = MainWindow()
    install_excepthook(window)
    if project is not None:  # a file that cannot be read says why and leaves the article's example
        window.file_actions.load(project)
    window.show()
    return app.exec()


def gui_main() -> int:
    """The ``bpstudio-gui`` launcher (no console window on Windows): ``bpstudio-gui [FILE]``."""
    files = [a for a in sys.argv[1:] if not a.startswith("-")]
    return main(project=files[0]) if files else main()


if __name__ == "__main__":
    raise SystemExit(main())
