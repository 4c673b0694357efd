"""The window: opens on the article's network with its 8 units visible; menus, docks, Network menu."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from bpstudio.core.presets import load_preset
from bpstudio.ui.main_window import MENU_NAMES


def test_opens_on_the_article_preset_with_its_8_units_visible(window, qtbot):
    assert window.windowTitle() == "article-xor — Backprop Studio"
    avail = window.screen().availableGeometry()  # 1400×900 by default, never larger than the screen
    margin = window.frameGeometry().width() - window.width()  # the frame, title bar included
    assert window.width() == min(1400, avail.width() - margin)
    assert window.frameGeometry().width() <= avail.width()  # the frame fits too
    assert window.height() <= max(900, avail.height())
    assert window.view.width() >= 0.45 * window.width()  # the canvas stays the main thing
    window.resize(1400, 900)  # the default size (the offscreen test screen is smaller)
    qtbot.wait(20)
    window.view.fit()
    scene, view = window.scene, window.view
    shown = {i.node.name: i for i in scene.nodes.values()}
    shown.update({b.node.name: b for b in scene.bias_units.values()})
    assert sorted(shown) == ["D0", "X0", "X1", "X2", "Z0", "Z1", "Z2", "Z3"]
    visible = view.visible_scene_rect()
    for name, item in shown.items():
        assert item.isVisible(), name
        assert visible.contains(item.sceneBoundingRect()), name
    # readable: a unit is at least 40 pixels across on screen
    assert 2 * 24 * view.zoom() >= 40
    assert len(scene.edges) == 9 and len(scene.bias_edges) == 4


def test_menus_toolbar_and_docks(window, qtbot):
    assert list(window.menus) == list(MENU_NAMES)
    assert window.toolbar.actions()
    label = QLabel("demo")
    dock = window.add_dock("demo", "Demo panel", label)
    assert window.docks["demo"] is dock and dock.widget() is label
    assert dock.toggleViewAction() in window.menus["View"].actions()
    assert "inspector" in window.docks
    dock.close()
    assert not dock.isVisible()
    dock.toggleViewAction().trigger()  # restored from the View menu
    assert dock.isVisible()
    window.show_message("hello there", 2000)
    assert window.statusBar().currentMessage() == "hello there"


def test_edit_menu_names_the_commands(window):
    g = window.document.graph
    x1, d0 = g.find("X1").id, g.find("D0").id
    window.scene.connect_units(x1, d0)
    assert window.act["undo"].text() == "&Undo Add edge X1 → D0"
    window.act["undo"].trigger()
    assert not g.has_edge(x1, d0)
    assert window.act["redo"].text() == "&Redo Add edge X1 → D0"
    assert window.windowTitle().startswith("article-xor")


def test_title_marks_unsaved_changes(window):
    g = window.document.graph
    window.scene.commit_value(g.find("D0").id, "0.5")
    assert window.windowTitle() == "article-xor* — Backprop Studio"
    window.undo_stack.undo()
    assert window.windowTitle() == "article-xor — Backprop Studio"


def test_new_network_from_a_layer_spec_is_one_undo_step(window):
    g = window.document.graph
    before = g.snapshot()
    window.new_network([2, 4, 3, 1], "tanh", "sigmoid", "xavier", 5)
    assert [len(layer) for layer in g.layers()] == [2, 4, 3, 1]
    assert {n.activation for n in g.hidden} == {"tanh"} and g.outputs[0].activation == "sigmoid"
    assert len(window.scene.nodes) == 10 and len(window.scene.edges) == 8 + 12 + 3
    assert window.undo_stack.undoText() == "New network 2-4-3-1"
    window.undo_stack.undo()
    assert g.snapshot() == before


def test_add_and_remove_hidden_layer(window):
    g = window.document.graph
    before = g.snapshot()
    window.add_hidden_layer(2)
    assert [len(layer) for layer in g.layers()] == [2, 3, 2, 1]
    assert len(g.edges) == 6 + 3 * 2 + 2
    window.remove_layer(1)  # the Z column goes; the inputs connect to the new layer
    assert [len(layer) for layer in g.layers()] == [2, 2, 1]
    assert not any(n.name.startswith("Z") for n in g)
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert g.snapshot() == before


def test_remove_layer_without_hidden_units_says_so(window):
    window.document.replace_project(load_preset("and"))
    before = window.document.graph.snapshot()
    window.remove_layer()
    assert "no hidden layer" in window.statusBar().currentMessage()
    assert window.document.graph.snapshot() == before


def test_auto_layout_is_undoable(window):
    g = window.document.graph
    z1 = g.find("Z1")
    start = (z1.x, z1.y)
    g.move(z1.id, 999.0, 999.0)
    window.auto_layout()
    assert (z1.x, z1.y) == start
    assert window.undo_stack.undoText() == "Auto-layout"
    window.undo_stack.undo()
    assert (z1.x, z1.y) == (999.0, 999.0)


def test_presets_replace_the_project(window):
    window.load_preset("xor")
    assert window.windowTitle() == "xor — Backprop Studio"
    assert {n.activation for n in window.document.graph.hidden} == {"tanh"}
    assert window.undo_stack.count() == 0
    window.load_preset("no-such-preset")
    assert "unknown preset" in window.statusBar().currentMessage()


def test_inspector_edits_go_through_undo(window, qtbot):
    g = window.document.graph
    z1 = g.find("Z1").id
    window.scene.select(z1)
    ins = window.inspector
    assert ins.name_label.text() == "Z1" and ins.role_label.text() == "hidden"
    assert ins.bias_edit.text() == "1"
    ins.bias_edit.setText("0.6")
    ins.bias_edit.editingFinished.emit()
    assert g.nodes[z1].bias == 0.6
    ins.activation_box.setCurrentText("tanh")
    ins.activation_box.activated.emit(ins.activation_box.currentIndex())
    assert g.nodes[z1].activation == "tanh"
    ins.bias_edit.setText("lots")
    ins.bias_edit.editingFinished.emit()
    assert g.nodes[z1].bias == 0.6 and "not a number" in ins.error_label.text()
    ins.set_unit_values(1.0, 0.7615941559557649, 4.0)
    assert ins.delta_label.text() == "4" and ins.activation_label.text() == "0.761594"
    key = (z1, g.find("D0").id)
    window.scene.select(key)
    ins.weight_edit.setText("-2")
    ins.weight_edit.editingFinished.emit()
    assert g.edges[key].weight == -2.0
    ins.set_edge_gradient(0.5)
    assert ins.gradient_label.text() == "0.5"
    assert window.undo_stack.count() == 3
    window.scene.select(z1)
    ins.name_label.setText("Z2")
    ins.name_label.editingFinished.emit()
    assert g.nodes[z1].name == "Z1" and "already a unit called Z2" in ins.error_label.text()
    ins.name_label.setText("H1")
    ins.name_label.editingFinished.emit()
    assert g.nodes[z1].name == "H1" and window.undo_stack.undoText() == "Rename Z1 to H1"


def test_inputs_have_no_bias_or_activation_in_the_inspector(window):
    window.scene.select(window.document.graph.find("X1").id)
    ins = window.inspector
    assert not ins.bias_edit.isEnabled() and not ins.activation_box.isEnabled()


def test_delete_via_the_edit_menu(window):
    g = window.document.graph
    window.scene.select(g.find("Z3").id)
    window.act["delete"].trigger()
    assert all(n.name != "Z3" for n in g)
    assert window.act["delete"].shortcutContext() == Qt.WidgetShortcut


def test_add_hidden_layer_to_a_network_without_one(window):
    window.document.replace_project(load_preset("and"))
    g = window.document.graph
    window.add_hidden_layer(3)
    assert [len(layer) for layer in g.layers()] == [2, 3, 1]
    assert [n.name for n in g.hidden] == ["Z1", "Z2", "Z3"] and {n.activation for n in g.hidden} == {"tanh"}
    assert len(window.scene.edges) == 9 and {b.node.name for b in window.scene.bias_units.values()} == {"X0", "Z0"}


def test_new_network_dialog_refuses_a_bad_spec(qtbot):
    from bpstudio.ui.canvas.network_dialog import NewNetworkDialog

    dlg = NewNetworkDialog()
    qtbot.addWidget(dlg)
    dlg.spec_edit.setText("2-x-1")
    dlg.accept()
    assert dlg.result() == 0 and "not a layer spec" in dlg.error_label.text()
    dlg.spec_edit.setText("2-4000-1000-1")
    dlg.accept()
    assert "5,000 units" in dlg.error_label.text()
    dlg.spec_edit.setText("2-5-1")
    dlg.hidden_box.setCurrentText("relu")
    dlg.accept()
    assert dlg.result() == 1
    assert dlg.result_values() == dict(sizes=[2, 5, 1], hidden="relu", output="sigmoid", init="xavier", seed=0)


def test_replacing_the_project_with_itself_keeps_the_network(window):
    doc = window.document
    before = doc.graph.snapshot()
    doc.replace_project(doc.project)
    assert doc.graph.snapshot() == before and len(window.scene.edges) == 9


def test_document_signals_and_modified_flag(qtbot):
    import pytest

    from bpstudio.core.dataset import truth_table
    from bpstudio.core.settings import SettingsError, TrainingSettings
    from bpstudio.ui.document import Document

    doc = Document()
    assert not doc.modified and doc.name == "article-xor"
    with qtbot.waitSignal(doc.dataset_changed), qtbot.waitSignal(doc.modified_changed) as m:
        doc.set_dataset(truth_table("and"))
    assert m.args == [True] and doc.modified and doc.dataset.name == "AND"
    with pytest.raises(SettingsError):
        doc.set_settings(TrainingSettings(learning_rate=-1))
    assert doc.settings.learning_rate == 0.1  # a refused setting changes nothing
    doc.mark_saved("/tmp/some/where/mine.bpstudio.json")
    assert not doc.modified and doc.name == "mine.bpstudio"
    with qtbot.waitSignal(doc.project_replaced):
        doc.replace_project(load_preset("or"))
    assert doc.path is None and doc.name == "or" and doc.undo_stack.count() == 0
