"""Launch Backprop Studio: ``python main.py`` (the same as the ``bpstudio`` command)."""

from bpstudio.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
