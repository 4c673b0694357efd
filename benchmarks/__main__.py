"""``python -m benchmarks``: run every ``benchmarks/bench_*.py`` module's ``main()`` in turn."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path


def bench_modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (default: all); a failing one is reported and the rest still run."""
    argv = sys.argv[1:] if argv is None else argv
    names = bench_modules()
    chosen = [n for n in names if not argv or n in argv or n.removeprefix("bench_") in argv]
    unknown = [a for a in argv if a not in names and f"bench_{a}" not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}",
              file=sys.stderr)
        return 2
    failed = []
    for name in chosen:
        print(f"== {name}")
        try:
            importlib.import_module(f"benchmarks.{name}").main()
        except Exception:  # one broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(name)
        print()
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
