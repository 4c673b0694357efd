"""The presets are on the toolbar too: the arrow of its "New network…" button."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton

from bpstudio.core.presets import PRESETS


def test_the_new_network_button_offers_the_presets(window):
    button = window.toolbar.widgetForAction(window.act["new_network"])
    assert isinstance(button, QToolButton) and button.popupMode() == QToolButton.MenuButtonPopup
    menu = button.menu()
    assert menu is window.presets_menu and [a.text() for a in menu.actions()] == list(PRESETS)
    next(a for a in menu.actions() if a.text() == "xor").trigger()
    g = window.document.graph
    assert window.document.name == "xor" and {n.activation for n in g.hidden} == {"tanh"}
    assert window.windowTitle().startswith("xor")
