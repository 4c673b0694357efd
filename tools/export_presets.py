"""Write every preset as a project file in resources/examples/ (run after changing a preset).

    .venv/bin/python tools/export_presets.py [--check]

``--check`` writes nothing and exits 1 when a shipped example differs from its preset.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bpstudio.core import fileformat  # noqa: E402 - after the path is set
from bpstudio.core.presets import PRESETS, load_preset  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    stale = []
    for name in PRESETS:
        path = EXAMPLES / f"{name}.json"
        text = fileformat.dumps(load_preset(name))
        if check:
            if not path.exists() or path.read_text("utf-8") != text:
                stale.append(path.name)
            continue
        fileformat.save(load_preset(name), path)
        print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"out of date: {', '.join(stale)} (run tools/export_presets.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
