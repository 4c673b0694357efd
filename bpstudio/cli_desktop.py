"""``bpstudio --install-desktop`` / ``--uninstall-desktop``: argparse actions that run and exit."""

from __future__ import annotations

import argparse


class DesktopAction(argparse.Action):
    """Install (or, with ``const="uninstall"``, remove) the desktop launcher, then exit like --version."""

    def __init__(self, option_strings, dest, const="install", help=None):  # noqa: A002 - argparse's name
        super().__init__(option_strings, dest, nargs=0, const=const, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from bpstudio import desktop

        try:
            paths = desktop.install() if self.const == "install" else desktop.uninstall()
        except OSError as exc:
            parser.exit(2, f"{parser.prog}: error: could not {self.const} the desktop launcher: {exc}\n")
        verb = "wrote" if self.const == "install" else "removed"
        for path in paths:
            print(f"{verb} {path}")
        if self.const == "install":
            print("Backprop Studio is in your desktop's application menu (log out and in if it is not).")
        elif not paths:
            print("nothing to remove: the desktop launcher was not installed")
        parser.exit(0)


def add_desktop_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--install-desktop", action=DesktopAction, const="install",
                        help="add Backprop Studio (launcher, icon, metainfo) to this user's application menu")
    parser.add_argument("--uninstall-desktop", action=DesktopAction, const="uninstall",
                        help="remove what --install-desktop added")
