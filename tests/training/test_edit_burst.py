"""A burst of edits typed while training runs: training pauses, and every typed number (and the
new unit) is what the next step starts from — nothing lost to the worker's write-back."""

from __future__ import annotations

from bpstudio.core.presets import load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.training.controller import TrainingController
from bpstudio.training.session import PAUSED, RUNNING
from bpstudio.ui.canvas.commands import AddNodeCommand, SetBiasCommand, SetWeightCommand
from bpstudio.ui.document import Document

WAIT = 10_000


def test_a_burst_of_edits_while_running_is_all_kept(qtbot):
    project = load_preset("xor")
    project.settings = TrainingSettings(**{**project.settings.to_dict(), "max_epochs": 0,
                                         "target_loss": 0.0})  # runs until paused
    doc = Document(project)
    ctl = TrainingController(doc)
    try:
        g = doc.graph
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                              check_params_cb=lambda s: s.state == RUNNING and s.epoch > 3):
            ctl.play()
        typed = {key: 0.01 * (i + 1) for i, key in enumerate(g.edges)}
        for key, w in typed.items():  # one burst, no waiting between the edits
            doc.undo_stack.push(SetWeightCommand(g, *key, w))
        h1 = g.find("Z2")
        doc.undo_stack.push(SetBiasCommand(g, h1.id, -0.75))
        doc.undo_stack.push(AddNodeCommand(g, "hidden", "Z9", "tanh"))
        qtbot.waitUntil(lambda: ctl.state == PAUSED, timeout=WAIT)
        assert {k: g.edges[k].weight for k in typed} == typed and g.nodes[h1.id].bias == -0.75
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                              check_params_cb=lambda s: s.trace is not None and s.state == PAUSED):
            ctl.step("batch")
        tr = ctl.latest.trace
        assert {k: tr.weight_old[tr.edge_keys.index(k)] for k in typed} == typed
        assert tr.bias_old[tr.bias_ids.index(h1.id)] == -0.75
        assert g.find("Z9").id in ctl.latest.unit_ids  # the topology edit reached the worker too
    finally:
        assert ctl.shutdown()
