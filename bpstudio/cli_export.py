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


def add_import_command(sub, add_source, run) -> None:
    """The ``import-sequential`` subcommand: a PyTorch-style Sequential weights file → a project."""
    p = sub.add_parser("import-sequential", help="make a project from nn.Sequential weights (JSON or npz)",
                       description="Read an nn.Sequential of Linear layers and activations from a "
                       "bpstudio-sequential weights file (JSON or npz; see docs/export-import.md) and write "
                       "a project with that network. The dataset and settings come from FILE or --preset "
                       "when given (their columns must fit the network), else a one-row placeholder.")
    p.add_argument("weights", metavar="WEIGHTS", help="the .json or .npz weights file")
    add_source(p)
    p.add_argument("--out", metavar="PROJECT", required=True, help="the project file to write")
    p.set_defaults(run=run)


def import_sequential(weights: str, source, out: str) -> int:
    """Write ``out``: the network in ``weights`` with ``source``'s dataset and settings (a Project or None)."""
    import numpy as np

    from bpstudio.core import fileformat
    from bpstudio.core.dataset import Dataset
    from bpstudio.core.project import Project
    from bpstudio.core.sequential_io import read_sequential

    graph = read_sequential(weights)
    ins, outs = [n.name for n in graph.inputs], [n.name for n in graph.outputs]
    if source is None:
        data = Dataset(np.zeros((1, len(ins))), np.zeros((1, len(outs))), ins, outs, name="placeholder")
        project = Project(graph, data, name=Path(out).stem)
        note = "; its dataset is a one-row placeholder: import your data (CSV) before training"
    else:
        if (source.dataset.n_inputs, source.dataset.n_outputs) != (len(ins), len(outs)):
            raise ValueError(f"the network has {len(ins)} inputs and {len(outs)} outputs, but that dataset has "
                             f"{source.dataset.n_inputs} input and {source.dataset.n_outputs} target columns")
        project = Project(graph, source.dataset, source.settings, name=Path(out).stem)
        note = ""
    fileformat.save(project, out)
    print(f"wrote {out}: {len(ins)} inputs, {len(graph.nodes) - len(ins) - len(outs)} hidden units, "
          f"{len(outs)} outputs{note}")
    return 0
