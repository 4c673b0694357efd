"""Stepping by phase on the canvas: the forward pass lights each layer's values z (the ring on the
layer, the number in each unit), the loss keeps them, the backward pass lights each layer's deltas,
and the update shows each weight's change beside it."""

from __future__ import annotations

import math

WAIT = 10_000


def step_phase(window, qtbot):
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=WAIT,
                          check_params_cb=lambda s: s.phase is not None) as blocker:
        window.controller.step("phase")
    snap = blocker.args[0]
    qtbot.waitUntil(lambda: window.panels.canvas._last is snap, timeout=WAIT)
    return snap


def shown(window) -> dict[str, tuple[str, float | None, bool]]:
    return {i.node.name: (i.value_kind, i.value, i.highlighted) for i in window.scene.nodes.values()}


def test_forward_phases_light_values_and_backward_phases_deltas(window, qtbot):
    try:
        seen, tips = {}, {}
        z1 = window.scene.nodes[window.document.graph.find("Z1").id]
        for _ in range(6):
            snap = step_phase(window, qtbot)
            seen[snap.phase.label] = (shown(window), window.panels.legend.kind)
            z1.refresh_tooltip()
            tips[snap.phase.label] = z1.toolTip().splitlines()[-1]
            if snap.phase.label == "forward hidden":
                z1_tips_forward = z1.toolTip().splitlines()
        assert tips["forward hidden"] == "value z: 1"  # the unit's hover text names what it shows
        assert "net input a: 1" in z1_tips_forward
        assert tips["backward hidden"] == "delta δ = ∂E/∂net: 4"
        # sample 0 of the article: X1 = X2 = 0, every Z = 1, D0 = 4, delta_D0 = 4, delta_Z = 4
        units, legend = seen["forward hidden"]
        assert legend == "activation"
        assert {n: units[n] for n in ("Z1", "Z2", "Z3")} == dict.fromkeys(("Z1", "Z2", "Z3"), ("activation", 1.0, True))
        assert units["D0"] == ("", None, False)  # not reached yet
        assert units["X1"][1] is None  # inputs carry no painted value
        units, legend = seen["forward output"]
        assert units["D0"] == ("activation", 4.0, True) and units["Z1"] == ("activation", 1.0, False)
        units, legend = seen["loss"]
        assert units["D0"] == ("activation", 4.0, False) and legend == "activation"
        units, legend = seen["backward output"]
        assert legend == "delta" and units["D0"] == ("delta", 4.0, True)
        assert units["Z1"][1] is None  # the backward pass has not reached the hidden layer
        units, legend = seen["backward hidden"]
        assert units["Z2"] == ("delta", 4.0, True) and units["D0"] == ("delta", 4.0, False)
        units, legend = seen["update"]
        assert legend == "delta" and not any(h for _, _, h in units.values())
        g = window.document.graph
        # dE/dW(X1 → Z1) = mean of X1 . delta_Z1 = (0 . 4 + 0 . 6 + 1 . 6 + 1 . 10) / 4 = 4 -> 0.6;
        # dE/dW(Z1 → D0) = mean of Z1 . delta_D0 = (1 . 4 + 2 . 6 + 2 . 6 + 3 . 10) / 4 = 14.5 -> -0.45
        assert math.isclose(window.scene.edges[(g.find("X1").id, g.find("Z1").id)].value, 0.6)
        assert math.isclose(window.scene.edges[(g.find("Z1").id, g.find("D0").id)].value, -0.45)
        # the update shows each edge's change beside its weight
        edge = window.scene.edges[(g.find("X1").id, g.find("Z1").id)]
        assert edge.label_text() == "0.6 (−0.4)" and math.isclose(edge.change, -0.4)
        assert window.scene.edges[(g.find("Z1").id, g.find("D0").id)].label_text() == "-0.45 (−1.45)"
        # the bias weights too: Z0 → D0 moves by -0.1 . mean(delta_D0) = -0.1 . 6.5
        assert window.scene.bias_edges[g.find("D0").id].label_text() == "0.35 (−0.65)"
        edge.refresh_tooltip()
        assert edge.toolTip() == "X1 → Z1: weight 0.6 (changed by -0.4 in the last update)"
        snap = step_phase(window, qtbot)  # the next step's forward pass: no change shown any more
        assert snap.phase.label == "forward hidden"
        assert edge.change is None and edge.label_text() == "0.6"
        assert all(e.change is None for e in window.scene.edges.values())
        assert all(e.change is None for e in window.scene.bias_edges.values())
    finally:
        assert window.controller.shutdown()


def test_a_whole_step_shows_the_changes_and_running_hides_them(window, qtbot):
    g = window.document.graph
    edge = window.scene.edges[(g.find("X2").id, g.find("Z3").id)]
    try:
        with qtbot.waitSignal(window.controller.snapshot_ready, timeout=WAIT,
                              check_params_cb=lambda s: s.steps == 1):
            window.controller.step("batch")
        # dE/dW(X2 → Z3) = mean of X2 . delta_Z3 = (0 . 4 + 1 . 6 + 0 . 6 + 1 . 10) / 4 = 4
        qtbot.waitUntil(lambda: edge.change is not None, timeout=WAIT)
        assert math.isclose(edge.change, -0.4) and edge.label_text() == "0.6 (−0.4)"
        with qtbot.waitSignal(window.controller.snapshot_ready, timeout=WAIT,
                              check_params_cb=lambda s: s.state == "running"):
            window.controller.play()
        qtbot.waitUntil(lambda: edge.change is None, timeout=WAIT)
    finally:
        assert window.controller.shutdown()


def test_online_phases_say_which_sample_they_run_on(window, qtbot):
    from bpstudio.core.settings import TrainingSettings

    doc, c = window.document, window.train_controls
    try:
        doc.set_settings(TrainingSettings(**{**doc.project.settings.to_dict(), "mode": "online"}))
        step_phase(window, qtbot)
        assert c.phase_label.text() == ("Phase: forward hidden (next: forward output) — "
                                        "sample 1 of 4: X1 = 0, X2 = 0")
        for _ in range(6):  # the rest of this step, then the next step's first phase
            snap = step_phase(window, qtbot)
        assert snap.phase.label == "forward hidden"
        assert c.phase_label.text().endswith("— sample 2 of 4: X1 = 0, X2 = 1")
        doc.set_settings(TrainingSettings(**{**doc.project.settings.to_dict(), "mode": "minibatch",
                                             "batch_size": 3}))
        for _ in range(6):
            snap = step_phase(window, qtbot)
            if snap.phase.label == "forward hidden":
                break
        assert "mini-batch" in c.phase_label.text() and "(3 samples)" in c.phase_label.text()
    finally:
        assert window.controller.shutdown()


def test_paced_play_by_phase_names_the_sample_while_it_runs(window, qtbot):
    from bpstudio.core.settings import TrainingSettings

    doc, c, ctl = window.document, window.train_controls, window.controller
    try:
        doc.set_settings(TrainingSettings(**{**doc.project.settings.to_dict(), "mode": "online",
                                             "max_epochs": 0}))
        ctl.set_granularity("phase")
        ctl.set_speed(20)
        with qtbot.waitSignal(ctl.snapshot_ready, timeout=WAIT,
                              check_params_cb=lambda s: s.state == "running" and s.phase is not None):
            ctl.play()
        qtbot.waitUntil(lambda: c.phase_label.text().startswith("Phase: "), timeout=WAIT)
        snap = ctl.latest
        assert snap.state == "running" and snap.batch_label.startswith("sample ")
        assert " — sample " in c.phase_label.text() and " of 4: X1 = " in c.phase_label.text()
    finally:
        assert window.controller.shutdown()


def test_a_tanh_unit_shows_its_value_and_net_input_in_the_forward_pass(window, qtbot):
    from bpstudio.core.presets import load_preset

    window.document.replace_project(load_preset("xor"))
    try:
        snap = step_phase(window, qtbot)
        assert snap.phase.label == "forward hidden"
        g = window.document.graph
        z1 = g.find("Z1")
        item = window.scene.nodes[z1.id]
        window.panels.deltas.set_sample(3)  # the 4th sample of XOR, X1 = X2 = 1
        a = g.edge(g.find("X1").id, z1.id).weight + g.edge(g.find("X2").id, z1.id).weight + z1.bias
        assert abs(a) > 0.1 and not math.isclose(a, math.tanh(a))
        assert item.value_kind == "activation" and math.isclose(item.value, math.tanh(a))
        item.refresh_tooltip()
        assert item.toolTip().splitlines()[-2:] == [f"net input a: {a:.6g}", f"value z: {math.tanh(a):.6g}"]
    finally:
        assert window.controller.shutdown()
