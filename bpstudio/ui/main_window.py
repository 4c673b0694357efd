"""The main window: canvas in the middle, docks around it, menus, toolbar, status bar. Wiring only.

Seams for the other parts of the studio: ``menus[...]``, ``toolbar``, ``add_dock(...)``,
``show_message(...)``, ``selection_changed(object)``, ``scene`` (``set_unit_values``,
``set_edge_values``, ``highlight_depth``), ``inspector``, ``document``, ``undo_stack``.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QInputDialog, QMainWindow, QMessageBox, QToolButton

from bpstudio.core.graph import HIDDEN
from bpstudio.core.layout import auto_layout
from bpstudio.core.presets import PRESETS, initialise, layered_graph, load_preset
from bpstudio.core.settings import TrainingSettings
from bpstudio.ui.canvas import commands as cmd
from bpstudio.ui.canvas import network_ops as ops
from bpstudio.ui.canvas.icons import icon
from bpstudio.ui.canvas.network_dialog import NewNetworkDialog
from bpstudio.ui.canvas.scene import GraphScene
from bpstudio.ui.canvas.view import GraphView
from bpstudio.ui.document import Document
from bpstudio.ui.panels.inspector import Inspector
from bpstudio.weak_events import follow

APP_TITLE = "Backprop Studio"
MENU_NAMES = ("File", "Edit", "Network", "Train", "View", "Help")


class MainWindow(QMainWindow):
    """Backprop Studio's window over one :class:`Document`."""

    selection_changed = Signal(object)  # unit id, edge key, or None

    def __init__(self, document: Document | None = None, parent=None) -> None:
        super().__init__(parent)
        self.document = document if document is not None else Document()
        self.undo_stack = self.document.undo_stack
        self.scene = GraphScene(self.document, self)
        self.view = GraphView(self.scene, self)
        self.setCentralWidget(self.view)
        self.setDockNestingEnabled(True)
        self.docks: dict[str, QDockWidget] = {}
        self.menus = {name: self.menuBar().addMenu(f"&{name}") for name in MENU_NAMES}
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("toolbar-main")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.act: dict[str, QAction] = {}
        self._build_actions()
        self._view_docks_separator = self.menus["View"].addSeparator()

        self.inspector = Inspector(self.document, self)
        self.add_dock("inspector", "Inspector", self.inspector)

        # the Data dock (issue 6): table, generators, CSV import
        from bpstudio.ui.panels.dataset import install_data_panel
        install_data_panel(self)

        # training (issue 4): controller + worker thread, Train menu, training toolbar, settings dock
        from bpstudio.ui.train_controls import install_training
        install_training(self)

        # the training panels (issue 5): loss, deltas, worked arithmetic, gradients, boundary, diagnostics
        from bpstudio.ui.panels.install import install_panels
        install_panels(self, getattr(self, "controller", None))
        from bpstudio.ui.rewind_install import install_rewind  # the timeline under the loss plot (issue 12)
        install_rewind(self)

        self.scene.selection_record.connect(self.selection_changed)
        self.selection_changed.connect(self.inspector.show_selection)
        self.scene.message.connect(self.show_message)
        self.document.project_replaced.connect(self._project_replaced)
        self.document.modified_changed.connect(self._update_title)
        self.document.path_changed.connect(self._update_title)
        self.graph_events_reset_fit = True
        follow(self.document.graph.events.reset, self, "_graph_reset")  # weakly: see weak_events
        self._update_title()
        self.resize(1400, 900)
        self._fitted = False
        self.statusBar().showMessage("Ready: drag units to move them, drag from a unit's small circle to "
                                     "connect, double-click empty space to add a hidden unit", 10000)

        self.fit_docks_to_screen()

        # files, export, settings, theme, help and autosave (issue 7); last, so its "unsaved?"
        # close filter runs before the training close guard
        from bpstudio.ui.file_actions import install_file_actions
        install_file_actions(self)
        from bpstudio.ui.lessons.install import install_lessons  # Lessons menu, dock, presenter (issue 11)
        install_lessons(self)
        from bpstudio.ui.file_drop import install_file_drop  # a dropped project or CSV file opens
        install_file_drop(self)
        from bpstudio.ui.sequential_actions import install_sequential_import  # PyTorch weights (issue 12)
        install_sequential_import(self)

    # ------------------------------------------------------------------ seams
    def add_dock(self, key: str, title: str, widget, area=Qt.RightDockWidgetArea) -> QDockWidget:
        """Put ``widget`` in a movable, closable dock; its toggle goes into the View menu."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{key}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        self.menus["View"].addAction(dock.toggleViewAction())
        return dock

    def fit_docks_to_screen(self) -> None:
        """Stack the Inspector, Training settings and Data docks as tabs of one column: the column
        then needs the height of one of them, not of all three, which leaves the bottom row (loss,
        deltas, worked arithmetic) room for a dozen lines; the Data tab (the truth table) is shown."""
        first = self.docks["inspector"]
        area = self.dockWidgetArea(first)
        for key in ("training", "data"):
            dock = self.docks.get(key)
            if dock is not None and self.dockWidgetArea(dock) == area:
                self.tabifyDockWidget(first, dock)
        (self.docks.get("data") or first).raise_()

    @Slot(str)
    def show_message(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)

    # ------------------------------------------------------------------ actions
    def _action(self, key: str, text: str, slot, menu: str | None = None, shortcut=None,
                icon_name: str | None = None, tip: str | None = None, toolbar: bool = False) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if icon_name:
            a.setIcon(icon(icon_name))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(slot)
        if menu:
            self.menus[menu].addAction(a)
        if toolbar:
            self.toolbar.addAction(a)
        self.act[key] = a
        return a

    def _build_actions(self) -> None:
        m = self.menus
        self._action("quit", "&Quit", self.close, "File", QKeySequence.Quit)

        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.Undo)
        undo.setIcon(icon("undo"))
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        redo.setIcon(icon("redo"))
        m["Edit"].addAction(undo)
        m["Edit"].addAction(redo)
        self.act["undo"], self.act["redo"] = undo, redo
        m["Edit"].addSeparator()
        self._action("delete", "&Delete selection", self.scene.delete_selection, "Edit",
                     tip="Remove the selected units and connections")
        self.act["delete"].setShortcut(QKeySequence.Delete)
        self.act["delete"].setShortcutContext(Qt.WidgetShortcut)  # the canvas handles the key itself
        self._action("select_all", "Select &all", self._select_all, "Edit", QKeySequence.SelectAll)

        self._action("new_network", "&New network…", self.new_network_dialog, "Network",
                     icon_name="new-network", tip="A fresh layered network from a layer spec like 2-3-1",
                     toolbar=True)
        presets = m["Network"].addMenu("&Presets")
        for name, make in PRESETS.items():
            a = presets.addAction(name)
            doc = (make.__doc__ or "").strip().splitlines()
            a.setStatusTip(doc[0] if doc else name)
            a.triggered.connect(lambda _=False, n=name: self.load_preset(n))
        m["Network"].addSeparator()
        self._action("add_unit", "Add hidden &unit", self._add_unit_in_view, "Network", "Ctrl+U",
                     icon_name="add-unit", tip="A hidden unit connected to the neighbouring columns")
        self._action("add_layer", "Add hidden &layer", lambda: self.add_hidden_layer(), "Network",
                     icon_name="add-layer", tip="A new hidden layer just before the outputs", toolbar=True)
        self._action("remove_layer", "&Remove layer", lambda: self.remove_layer(), "Network",
                     icon_name="remove-layer",
                     tip="Remove the selected unit's hidden layer (or the last hidden layer)", toolbar=True)
        m["Network"].addSeparator()
        self._action("auto_layout", "&Auto-layout", self.auto_layout, "Network", "Ctrl+L",
                     icon_name="layout", tip="Put units in tidy columns by depth", toolbar=True)
        self._action("fit", "&Fit to view", self.view.fit, "Network", "Ctrl+0", icon_name="fit",
                     tip="Zoom to show the whole network", toolbar=True)
        self.toolbar.insertSeparator(self.act["new_network"])
        button = self.toolbar.widgetForAction(self.act["new_network"])  # its arrow: the presets
        button.setMenu(presets)
        button.setPopupMode(QToolButton.MenuButtonPopup)
        self.presets_menu = presets
        self.toolbar.insertAction(self.toolbar.actions()[0], redo)
        self.toolbar.insertAction(redo, undo)

        bias = self._action("show_bias", "Show &bias units (X0, Z0…)", self.scene.set_show_bias, "View")
        bias.setCheckable(True)
        bias.setChecked(True)
        self._action("zoom_in", "Zoom &in", lambda: self.view.zoom_by(1.25), "View", QKeySequence.ZoomIn)
        self._action("zoom_out", "Zoom &out", lambda: self.view.zoom_by(0.8), "View", QKeySequence.ZoomOut)
        m["View"].addAction(self.act["fit"])

        self._action("about", "&About Backprop Studio", self._about, "Help")

    # ------------------------------------------------------------------ network menu
    def confirm_discard(self) -> bool:
        """Ask before throwing away unsaved edits (the file actions may replace this)."""
        if not self.document.modified:
            return True
        answer = QMessageBox.question(self, APP_TITLE, "Discard the unsaved changes to this network?",
                                      QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Cancel)
        return answer == QMessageBox.Discard

    def load_preset(self, name: str) -> None:
        if not self.confirm_discard():
            return
        try:
            self.document.replace_project(load_preset(name))
        except KeyError as exc:
            self.show_message(str(exc))
            return
        self.show_message(f"Loaded the preset {name}")

    def new_network_dialog(self) -> None:
        dlg = NewNetworkDialog(self)
        if dlg.exec():
            v = dlg.result_values()
            self.new_network(v["sizes"], v["hidden"], v["output"], v["init"], v["seed"])

    def new_network(self, sizes: list[int], hidden: str = "tanh", output: str = "sigmoid",
                    init: str = "xavier", seed: int = 0) -> None:
        """Replace the network by a fresh layered one (one undo step); dataset and settings stay."""
        g = layered_graph(list(sizes), hidden, output)
        s = TrainingSettings(**{**self.document.settings.to_dict(), "init": init, "seed": seed})
        initialise(g, s)
        spec = "-".join(str(n) for n in sizes)
        self.undo_stack.push(cmd.ReplaceGraphCommand(self.document.graph, g, f"New network {spec}"))
        self.show_message(f"New network {spec}: {ops.describe_roles(g)}")

    def add_hidden_layer(self, size: int | None = None) -> None:
        if size is None:
            size, ok = QInputDialog.getInt(self, "Add hidden layer", "Units in the new layer:", 3, 1, 500)
            if not ok:
                return
        g = ops.with_hidden_layer(self.document.graph, size, self.document.settings)
        self.undo_stack.push(cmd.ReplaceGraphCommand(self.document.graph, g, f"Add hidden layer of {size}"))

    def remove_layer(self, depth: int | None = None) -> None:
        graph = self.document.graph
        if depth is None:
            sel = self.scene.selection()
            depths = graph.depths()
            if isinstance(sel, str) and graph.nodes[sel].role == HIDDEN:
                depth = depths[sel]
            else:
                hidden = [depths[n.id] for n in graph.hidden]
                if not hidden:
                    self.show_message("There is no hidden layer to remove")
                    return
                depth = max(hidden)
        try:
            g = ops.without_layer(graph, depth, self.document.settings)
        except ValueError as exc:
            self.show_message(f"Cannot remove that layer: {exc}")
            return
        self.undo_stack.push(cmd.ReplaceGraphCommand(graph, g, f"Remove layer {depth}"))

    def auto_layout(self) -> None:
        graph = self.document.graph
        moves = {nid: ((graph.nodes[nid].x, graph.nodes[nid].y), xy)
                 for nid, xy in auto_layout(graph).items() if (graph.nodes[nid].x, graph.nodes[nid].y) != xy}
        if moves:
            self.undo_stack.push(cmd.MoveNodesCommand(graph, moves, text="Auto-layout"))
        self.view.fit()

    def _add_unit_in_view(self) -> None:
        c = self.view.visible_scene_rect().center()
        self.scene.add_hidden_unit(QPointF(c.x(), c.y()))

    def _select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def _about(self) -> None:
        QMessageBox.about(self, f"About {APP_TITLE}",
                          f"<b>{APP_TITLE}</b><p>Build a small neural network, press Step, and watch the "
                          "error flow backward, with the real arithmetic beside it.</p>")

    # ------------------------------------------------------------------ document
    def _update_title(self, *_):
        star = "*" if self.document.modified else ""
        self.setWindowTitle(f"{self.document.name}{star} — {APP_TITLE}")

    @Slot()
    def _project_replaced(self) -> None:
        self._update_title()
        QTimer.singleShot(0, self.view.fit)

    def _graph_reset(self) -> None:
        QTimer.singleShot(0, self.view.fit)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            self.centre_on_screen()
            self.give_canvas_room()
            QTimer.singleShot(0, self.give_canvas_room)  # again once the layout has settled
            QTimer.singleShot(0, self.view.fit)

    def give_canvas_room(self) -> None:
        """Keep the side docks to about a third of the window so the canvas stays the main thing."""
        for area in (Qt.RightDockWidgetArea, Qt.LeftDockWidgetArea):
            side = [d for d in self.docks.values() if self.dockWidgetArea(d) == area and d.isVisible()
                    and not d.isFloating()]
            if side:
                self.resizeDocks(side[:1], [max(260, int(self.width() * 0.3))], Qt.Horizontal)
        bottom = [d for d in self.docks.values() if self.dockWidgetArea(d) == Qt.BottomDockWidgetArea
                  and d.isVisible() and not d.isFloating()]
        if bottom:  # room for a dozen lines of arithmetic and a readable loss curve
            self.resizeDocks(bottom[:1], [max(220, int(self.height() * 0.3))], Qt.Vertical)

    def centre_on_screen(self) -> None:
        screen = self.screen() or self.windowHandle() and self.windowHandle().screen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()  # title bar and borders
        room_w, room_h = avail.width() - frame.width(), avail.height() - frame.height()
        if self.width() > room_w or self.height() > room_h:
            self.resize(min(self.width(), room_w), min(self.height(), room_h))
        frame = self.frameGeometry()
        frame.moveCenter(avail.center())
        self.move(frame.topLeft())

    def closeEvent(self, event) -> None:
        super().closeEvent(event)
        if event.isAccepted():  # a "save changes?" prompt may have kept the window open
            self.scene.detach()
