"""``bpstudio export``: write a project's trained network as a runnable numpy or PyTorch script."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def add_export_command(sub, add_source, run) -> None:
    """The ``export`` subcommand; ``add_source`` adds FILE / --preset, ``run`` is its handler."""
    p = sub.add_parser("export", help="write the network as a runnable Python script (numpy or PyTorch)",
                       description="Write the project's network, weights included, as a Python script: "
                       "numpy only (predict(X)), or a PyTorch nn.Module. Run it to print the predictions "
                       "on the project's training rows.")
    add_source(p)
    p.add_argument("--torch", action="store_true", help="a PyTorch nn.Module script instead of numpy")
    p.add_argument("--out", metavar="FILE", help="write the script here (default: standard output)")
    p.set_defaults(run=run)


def export(project, name: str, torch: bool, out: str | None) -> int:
    from bpstudio.core.export_code import numpy_script, torch_script

    X = project.dataset.train()[0]
    text = (torch_script if torch else numpy_script)(project.graph, X, name)
    if out is None:
        sys.stdout.write(text)
    else:
        tmp = Path(f"{out}.part")
        tmp.write_text(text, encoding="utf-8")  # a failed write leaves any earlier script whole
        os.replace(tmp, out)
        print(f"wrote {out}: run it with python{' (needs torch)' if torch else ''}")
    return 0
