"""The inspector shows a selected edge's weight and the gradient of the step just taken."""

from __future__ import annotations

WAIT = 10_000


def test_a_selected_edge_shows_its_weight_and_gradient_after_a_step(window, qtbot):
    g, ins = window.document.graph, window.inspector
    key = (g.find("Z1").id, g.find("D0").id)
    try:
        window.scene.select(key)
        assert ins.weight_edit.text() == "1"
        with qtbot.waitSignal(window.controller.snapshot_ready, timeout=WAIT,
                              check_params_cb=lambda s: s.steps == 1):
            window.controller.step("batch")
        # batch step on the article: dE/dW(Z1 → D0) = mean of Z1 . delta_D0
        #   = (1 . 4 + 2 . 6 + 2 . 6 + 3 . 10) / 4 = 14.5, so W := 1 - 0.1 . 14.5 = -0.45
        qtbot.waitUntil(lambda: ins.gradient_label.text() == "14.5", timeout=WAIT)
        qtbot.waitUntil(lambda: abs(float(ins.weight_edit.text()) + 0.45) < 1e-12, timeout=WAIT)
        assert float(ins.weight_edit.text()) == g.edges[key].weight  # the document's exact value
    finally:
        assert window.controller.shutdown()
