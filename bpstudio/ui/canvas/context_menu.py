"""The canvas's context menu: what can be done to the unit, edge, or empty spot under the cursor."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu

from bpstudio.core.activations import ACTIVATIONS, UNIT_ACTIVATIONS
from bpstudio.core.graph import INPUT, OUTPUT

from . import commands as cmd
from .bias_item import BiasEdgeItem
from .edge_item import EdgeItem
from .node_item import NodeItem


def build_menu(scene, pos: QPointF) -> QMenu:
    """A QMenu for ``pos`` (scene coordinates); its actions push undoable commands."""
    item = None
    for it in scene.items(pos):
        if isinstance(it, (NodeItem, EdgeItem)):
            item = it
            break
    menu = QMenu()
    g = scene.graph
    if isinstance(item, NodeItem):
        nid = item.node.id
        menu.setTitle(item.node.name)
        if item.node.role != INPUT:
            sub = menu.addMenu("Activation")
            for name in (ACTIVATIONS if item.node.role == OUTPUT else UNIT_ACTIVATIONS):  # softmax: outputs
                a = sub.addAction(name)
                a.setCheckable(True)
                a.setChecked(name == item.node.activation)
                a.triggered.connect(lambda _=False, n=name: scene.set_activation(nid, n))
        remove = menu.addAction(f"Remove unit {item.node.name}")
        remove.triggered.connect(lambda: scene.undo_stack.push(cmd.RemoveNodeCommand(g, nid)))
    elif isinstance(item, BiasEdgeItem):
        edit = menu.addAction(f"Edit bias of {item.target.node.name}…")
        edit.triggered.connect(lambda: scene.edit_label(item))
    elif isinstance(item, EdgeItem):
        s, t = item.key
        edit = menu.addAction("Edit weight…")
        edit.triggered.connect(lambda: scene.edit_label(item))
        remove = menu.addAction(f"Remove edge {item.source.node.name} → {item.target.node.name}")
        remove.triggered.connect(lambda: scene.undo_stack.push(cmd.RemoveEdgeCommand(g, s, t)))
    else:
        add = menu.addAction("Add hidden unit here")
        add.triggered.connect(lambda: scene.add_hidden_unit(pos))
    if scene.selectedItems() and not (item is not None and item.isSelected() and len(scene.selectedItems()) == 1):
        menu.addSeparator()
        d = menu.addAction("Delete selection")
        d.triggered.connect(scene.delete_selection)
    return menu
