"""Command line: ``bpstudio`` opens the studio; subcommands run the engine headless (no Qt)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from bpstudio.app import main as gui_main  # Qt only when the GUI is asked for

        return gui_main()
    print("bpstudio: subcommands are not written yet", file=sys.stderr)
    return 2
