"""Reset weights re-initialises with the init scheme and seed chosen in the settings."""

from __future__ import annotations

import numpy as np

from bpstudio.core.init import initial_values
from bpstudio.core.presets import load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.training.controller import TrainingController
from bpstudio.ui.document import Document

WAIT = 10_000


def test_reset_uses_the_chosen_init_and_seed(qtbot):
    doc = Document(load_preset("article-xor"))
    ctl = TrainingController(doc)
    try:
        g = doc.graph
        doc.set_settings(TrainingSettings(**{**doc.project.settings.to_dict(), "init": "xavier",
                                             "seed": 7}))
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT, check_params_cb=lambda s: s.history_reset):
            ctl.reset_weights()
        weights, biases = initial_values(g, "xavier", 7, doc.project.settings.init_value,
                                         doc.project.settings.init_scale)
        assert {k: e.weight for k, e in g.edges.items()} == weights
        assert len(set(weights.values())) == len(weights)  # random: the symmetry is broken
        assert all(abs(w) <= np.sqrt(6 / (2 + 3)) for k, w in weights.items() if k[1] != g.find("D0").id)
        assert {u: g.nodes[u].bias for u in biases} == biases and set(biases.values()) == {0.0}
        snap = ctl.latest
        assert snap.weights.tolist() == [weights[k] for k in snap.edge_keys]  # the worker has them
        assert doc.undo_stack.undoText() == "Reset weights (xavier, seed 7)"
        other = initial_values(g, "xavier", 8, doc.project.settings.init_value,
                               doc.project.settings.init_scale)[0]
        assert other != weights  # another seed, other weights
    finally:
        assert ctl.shutdown()
