"""Inspector dock: the selected unit (name, role, activation, bias, and training values) or edge
(weight, gradient). Typed values and activation changes go through undoable commands."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from bpstudio.core.activations import ACTIVATIONS, GROUP_ACTIVATIONS
from bpstudio.core.graph import INPUT, OUTPUT, GraphError
from bpstudio.ui.canvas import commands as cmd
from bpstudio.weak_events import follow


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:.6g}"


class Inspector(QWidget):
    """Follows the canvas selection (``show_selection``); the training side fills the value rows."""

    def __init__(self, document, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.record = None
        self.stack = QStackedWidget(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.stack)
        lay.addStretch(1)

        self.empty = QLabel("Select a unit or a connection on the canvas to see and edit its numbers.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.stack.addWidget(self.empty)

        unit = QWidget()
        f = QFormLayout(unit)
        self.name_label = QLineEdit()  # editable: renaming is an undoable command
        self.name_label.setStyleSheet("font-weight: bold; font-size: 12pt")
        self.name_label.setToolTip("The unit's name; type a new one and press Enter")
        self.name_label.editingFinished.connect(self._name_typed)
        self.role_label = QLabel()
        self.activation_box = QComboBox()
        self.activation_box.addItems(list(ACTIVATIONS))
        self.activation_box.activated.connect(self._activation_chosen)
        self.bias_edit = QLineEdit()
        self.bias_edit.setToolTip("Type a number and press Enter")
        self.bias_edit.editingFinished.connect(self._bias_typed)
        self.net_input_label = QLabel("—")
        self.activation_label = QLabel("—")
        self.delta_label = QLabel("—")
        for lbl in (self.net_input_label, self.activation_label, self.delta_label):
            lbl.setTextInteractionFlags(Qt.TextSelectableByMouse)
        f.addRow("Unit", self.name_label)
        f.addRow("Role", self.role_label)
        f.addRow("Activation f", self.activation_box)
        f.addRow("Bias", self.bias_edit)
        f.addRow("Net input a", self.net_input_label)
        f.addRow("Activation z = f(a)", self.activation_label)
        f.addRow("Delta δ = ∂E/∂a", self.delta_label)
        self.unit_page = unit
        self.stack.addWidget(unit)

        edge = QWidget()
        f = QFormLayout(edge)
        self.edge_label = QLabel()
        self.edge_label.setStyleSheet("font-weight: bold; font-size: 12pt")
        self.weight_edit = QLineEdit()
        self.weight_edit.setToolTip("Type a number and press Enter")
        self.weight_edit.editingFinished.connect(self._weight_typed)
        self.gradient_label = QLabel("—")
        self.gradient_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        f.addRow("Connection", self.edge_label)
        f.addRow("Weight w", self.weight_edit)
        f.addRow("Gradient ∂E/∂w", self.gradient_label)
        self.edge_page = edge
        self.stack.addWidget(edge)

        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b22222")
        self.error_label.setWordWrap(True)
        lay.insertWidget(1, self.error_label)

        ev = document.graph.events  # followed weakly: see bpstudio/weak_events
        follow(ev.node_changed, self, "_graph_node_changed")
        follow(ev.edge_changed, self, "_graph_edge_changed")
        follow(ev.node_removed, self, "_graph_removed")
        follow(ev.edge_removed, self, "_graph_removed")
        follow(ev.reset, self, "_graph_reset")
        self.show_selection(None)

    # ------------------------------------------------------------------ selection
    @Slot(object)
    def show_selection(self, record) -> None:
        """Show a unit id, an edge key, or nothing."""
        g = self.document.graph
        if isinstance(record, str) and record not in g.nodes:
            record = None
        if isinstance(record, tuple) and record not in g.edges:
            record = None
        self.record = record
        self.error_label.clear()
        if record is None:
            self.stack.setCurrentWidget(self.empty)
        elif isinstance(record, str):
            self._fill_unit()
            self.set_unit_values(None, None, None)
            self.stack.setCurrentWidget(self.unit_page)
        else:
            self._fill_edge()
            self.set_edge_gradient(None)
            self.stack.setCurrentWidget(self.edge_page)

    def _fill_unit(self) -> None:
        n = self.document.graph.nodes[self.record]
        self.name_label.setText(n.name)
        self.role_label.setText(n.role)
        is_input = n.role == INPUT
        self.activation_box.setEnabled(not is_input)
        group_ok = n.role == OUTPUT  # softmax couples an output layer; a hidden unit cannot have it
        for i in range(self.activation_box.count()):
            item = self.activation_box.model().item(i)
            if self.activation_box.itemText(i) in GROUP_ACTIVATIONS:
                item.setEnabled(group_ok)
                item.setToolTip("" if group_ok else "softmax is for an output layer (it couples its units)")
        self.bias_edit.setEnabled(not is_input)
        self.activation_box.setCurrentText(n.activation if not is_input else "identity")
        self.bias_edit.setText("" if is_input else repr(n.bias) if n.bias != int(n.bias) else str(int(n.bias)))
        self.bias_edit.setPlaceholderText("inputs have no bias" if is_input else "")

    def _fill_edge(self) -> None:
        g = self.document.graph
        e = g.edges[self.record]
        self.edge_label.setText(f"{g.nodes[e.source].name} → {g.nodes[e.target].name}")
        w = e.weight
        self.weight_edit.setText(repr(w) if w != int(w) else str(int(w)))

    # ------------------------------------------------------------------ values from training
    @Slot(object, object, object)
    def set_unit_values(self, net_input, activation, delta) -> None:
        self.net_input_label.setText(_fmt(net_input))
        self.activation_label.setText(_fmt(activation))
        self.delta_label.setText(_fmt(delta))

    @Slot(object)
    def set_edge_gradient(self, value) -> None:
        self.gradient_label.setText(_fmt(value))

    # ------------------------------------------------------------------ edits
    def _parse(self, text: str) -> float | None:
        try:
            v = float(text.replace(",", ".").replace("−", "-").strip())
        except ValueError:
            self.error_label.setText(f"{text!r} is not a number")
            return None
        if not math.isfinite(v):
            self.error_label.setText("Use a finite number")
            return None
        self.error_label.clear()
        return v

    def _push(self, command) -> None:
        try:
            self.document.undo_stack.push(command)
        except GraphError as exc:  # pragma: no cover - values are checked first
            self.error_label.setText(str(exc))

    def _name_typed(self) -> None:
        if not isinstance(self.record, str):
            return
        g = self.document.graph
        name = self.name_label.text().strip()
        if name == g.nodes[self.record].name:
            return
        if not name:
            self.error_label.setText("A unit needs a name")
        elif any(n.name == name for n in g):
            self.error_label.setText(f"There is already a unit called {name}")
        else:
            self.error_label.clear()
            self._push(cmd.RenameCommand(g, self.record, name))
            return
        self.name_label.setText(g.nodes[self.record].name)

    def _activation_chosen(self, index: int) -> None:
        if not isinstance(self.record, str):
            return
        name = self.activation_box.itemText(index)
        if self.document.graph.nodes[self.record].activation != name:
            self._push(cmd.SetActivationCommand(self.document.graph, self.record, name))

    def _bias_typed(self) -> None:
        if not isinstance(self.record, str):
            return
        v = self._parse(self.bias_edit.text())
        if v is not None and self.document.graph.nodes[self.record].bias != v:
            self._push(cmd.SetBiasCommand(self.document.graph, self.record, v))

    def _weight_typed(self) -> None:
        if not isinstance(self.record, tuple):
            return
        v = self._parse(self.weight_edit.text())
        if v is not None and self.document.graph.edges[self.record].weight != v:
            self._push(cmd.SetWeightCommand(self.document.graph, *self.record, v))

    # ------------------------------------------------------------------ graph events
    def _graph_node_changed(self, node, attr: str) -> None:
        if node.id == self.record and attr != "pos":
            self._fill_unit()

    def _graph_edge_changed(self, edge) -> None:
        if edge.key == self.record:
            self._fill_edge()

    def _graph_removed(self, thing) -> None:
        key = getattr(thing, "key", None) if hasattr(thing, "source") else thing.id
        if key == self.record:
            self.show_selection(None)

    def _graph_reset(self) -> None:
        self.show_selection(None)


if __name__ == "__main__":  # a quick look: python -m bpstudio.ui.panels.inspector
    from PySide6.QtWidgets import QApplication

    from bpstudio.ui.document import Document

    app = QApplication([])
    doc = Document()
    w = Inspector(doc)
    w.show_selection(doc.graph.find("Z1").id)
    w.set_unit_values(1.0, 1.0, 4.0)
    w.resize(320, 300)
    w.show()
    app.exec()
