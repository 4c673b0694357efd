"""Train menu, training toolbar and settings dock; ``install_training(window)`` wires them in.

Play/Pause (Space), Step (Right arrow), Step back one phase (Left arrow), Reset weights; the step
size (epoch, batch, sample, phase) and a speed slider (a few steps a second … as fast as
possible); the settings (learning rate, optimiser, mode, batch size, loss, init, seed, stop
conditions) go into ``document.project.settings`` validated, a bad value gets a plain message and
changes nothing. The epoch counter and the current loss sit in the status bar, always visible.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSlider,
    QSpinBox,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from bpstudio.core.init import INITS
from bpstudio.core.losses import LOSSES
from bpstudio.core.settings import MODES, OPTIMIZERS, REGULARIZATIONS, SettingsError, TrainingSettings
from bpstudio.training.controller import TrainingController
from bpstudio.training.session import DIVERGED, FINISHED, RUNNING
from bpstudio.ui.live_weights import LiveWeights

STEP_SIZES = (("epoch", "Epoch"), ("batch", "Batch"), ("sample", "Sample"), ("phase", "Phase"))
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 1000, 0)  # step-size units per second; 0 = as fast as possible
MAX_INT = 2**31 - 1


def speed_text(speed: float) -> str:
    return "max speed" if speed <= 0 else f"{speed:g} steps/s"


def fmt_loss(v: float) -> str:
    return "—" if v is None or not math.isfinite(v) else f"{v:.6g}"


class TrainingSettingsPanel(QWidget):
    """The settings beside Play; each edit is validated, then stored in the document."""

    FLOATS = (("learning_rate", "Learning rate α"), ("target_loss", "Stop at loss ≤"),
              ("reg_rate", "Regularisation rate λ"))
    CHOICES = (("optimizer", "Optimiser", OPTIMIZERS), ("mode", "Mode", MODES),
               ("loss", "Loss", tuple(LOSSES)), ("init", "Initialisation", INITS),
               ("regularization", "Regularisation", REGULARIZATIONS))
    INTS = (("batch_size", "Batch size", 1), ("seed", "Seed", 0), ("max_epochs", "Max epochs", 0))

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        form = QFormLayout()
        self.fields: dict[str, QWidget] = {}
        for name, label, choices in self.CHOICES:
            box = QComboBox()
            box.addItems(list(choices))
            box.activated.connect(lambda _i, n=name, b=box: self.commit(n, b.currentText()))
            self.fields[name] = box
            form.addRow(label, box)
        for name, label in self.FLOATS:
            edit = QLineEdit()
            edit.editingFinished.connect(lambda n=name, e=edit: self._float_typed(n, e))
            self.fields[name] = edit
            form.addRow(label, edit)
        for name, label, low in self.INTS:
            spin = QSpinBox()
            spin.setRange(low, MAX_INT)
            spin.setKeyboardTracking(False)
            if name == "max_epochs":
                spin.setSpecialValueText("no limit")
            spin.valueChanged.connect(lambda v, n=name: self.commit(n, int(v)))
            self.fields[name] = spin
            form.addRow(label, spin)
        reg_tip = ("Penalty on the weights (biases are not regularised), added to the loss: "
                   "L2 adds λ/2 . ΣW² so each step is W := W - α(dE/dW + λ . W); "
                   "L1 adds λ . Σ|W|, giving λ . sign(W) in the gradient")
        self.fields["regularization"].setToolTip(reg_tip)
        self.fields["reg_rate"].setToolTip("λ, a number ≥ 0 (0: no penalty). " + reg_tip)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        document.settings_changed.connect(self.refresh)
        document.project_replaced.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Show the document's settings (no signals while filling)."""
        s = self.document.project.settings
        for name, w in self.fields.items():
            w.blockSignals(True)
            v = getattr(s, name)
            if isinstance(w, QComboBox):
                w.setCurrentText(str(v))
            elif isinstance(w, QSpinBox):
                w.setValue(int(v))
            else:
                w.setText(f"{v:g}")
            w.blockSignals(False)
        self.fields["batch_size"].setEnabled(s.mode == "minibatch")

    def _float_typed(self, name: str, edit: QLineEdit) -> None:
        text = edit.text().strip().replace(",", ".").replace("−", "-")
        try:
            value = float(text)
        except ValueError:
            self._refuse(f"{name.replace('_', ' ').capitalize()} must be a number, like 0.1 "
                         f"(not {edit.text()!r}).")
            return
        if value != getattr(self.document.project.settings, name):
            self.commit(name, value)

    def commit(self, name: str, value) -> bool:
        """Store one setting; True when it was accepted."""
        current = self.document.project.settings
        try:
            new = TrainingSettings(**{**current.to_dict(), name: value}).validate()
        except SettingsError as exc:
            self._refuse(str(exc)[:1].upper() + str(exc)[1:] + ".")
            return False
        self.error_label.clear()
        if new != current:
            self.document.set_settings(new)
        return True

    def _refuse(self, text: str) -> None:
        self.error_label.setText(f"{text} Nothing was changed.")
        self.refresh()

    def __repr__(self) -> str:
        return f"TrainingSettingsPanel({self.document.project.settings!r})"


class TrainControls(QObject):
    """The actions and widgets that drive a :class:`TrainingController`, and its readouts."""

    def __init__(self, document, controller: TrainingController, parent: QWidget | None = None,
                 show_message=None) -> None:
        super().__init__(parent)
        self.document = document
        self.controller = controller
        self.parent_widget = parent
        self.show_message = show_message or (lambda text, ms=5000: None)
        self.error_box: QMessageBox | None = None
        self.choose = None  # tests answer the mismatch prompt with this (see ui.match_prompt)
        style = QApplication.style()

        def action(text, slot, shortcut, pixmap, tip):
            a = QAction(style.standardIcon(pixmap), text, self)
            a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(Qt.WindowShortcut)
            a.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            a.setStatusTip(tip)
            a.triggered.connect(slot)
            return a

        self.play_action = action("Play", self._play_pause, Qt.Key_Space, QStyle.SP_MediaPlay,
                                  "Train continuously; press again to pause")
        self.step_action = action("Step", self._step, Qt.Key_Right, QStyle.SP_MediaSeekForward,
                                  "One step of the chosen size")
        self.back_action = action("Step back", self._step_back, Qt.Key_Left,
                                  QStyle.SP_MediaSeekBackward, "Back one phase of the step shown")
        self.reset_action = action("Reset weights", self._reset, "Ctrl+Shift+R",
                                   QStyle.SP_BrowserReload,
                                   "Re-initialise every weight with the chosen init and seed (undoable)")
        self.actions = [self.play_action, self.step_action, self.back_action, self.reset_action]
        # the step size and the speed from the Train menu too, with keys
        self.size_group = QActionGroup(self)
        self.size_actions: dict[str, QAction] = {}
        for n, (key, text) in enumerate(STEP_SIZES, start=1):
            a = QAction(f"Step by {text.lower()}", self, checkable=True)
            a.setShortcut(QKeySequence(f"Ctrl+{n}"))
            a.setStatusTip(f"Step and paced play go one {text.lower()} at a time")
            a.triggered.connect(lambda _=False, k=key: self.controller.set_granularity(k))
            self.size_group.addAction(a)
            self.size_actions[key] = a
        self.faster_action = QAction("Faster", self)
        self.faster_action.setShortcut(QKeySequence("Ctrl+]"))
        self.faster_action.setStatusTip("Play at the next higher speed")
        self.faster_action.triggered.connect(lambda: self._nudge_speed(+1))
        self.slower_action = QAction("Slower", self)
        self.slower_action.setShortcut(QKeySequence("Ctrl+["))
        self.slower_action.setStatusTip("Play at the next lower speed")
        self.slower_action.triggered.connect(lambda: self._nudge_speed(-1))

        self.step_box = QComboBox()
        for key, text in STEP_SIZES:
            self.step_box.addItem(text, key)
        self.step_box.setToolTip("Step size: one epoch, one batch, one sample, or one phase of a step")
        self.step_box.activated.connect(self._granularity_chosen)
        self.speed_slider = QSlider(Qt.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setFixedWidth(90)
        self.speed_slider.setToolTip("Speed: from one step a second up to as fast as possible")
        self.speed_slider.valueChanged.connect(self._speed_chosen)
        self.speed_label = QLabel()
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("1000 steps/s "))
        self.epoch_label = QLabel("Epoch 0")
        self.loss_label = QLabel("Loss —")
        self.phase_label = QLabel("")
        # a fixed size (room for the longest text): a new epoch or loss then repaints the label
        # only, instead of re-laying out (and animating) every dock of the window per snapshot
        for lab, longest in ((self.epoch_label, "Epoch 0000000000 "), (self.loss_label, "Loss -0.00000e-000 ")):
            lab.setFixedSize(max(110, lab.fontMetrics().horizontalAdvance(longest)), lab.sizeHint().height())

        self.settings_panel = TrainingSettingsPanel(document)
        controller.snapshot_ready.connect(self.show_snapshot)
        controller.state_changed.connect(self.show_state)
        controller.error_occurred.connect(self.show_error)
        controller.message.connect(self._message)
        controller.granularity_changed.connect(self.show_granularity)
        controller.speed_changed.connect(self.show_speed)
        self.show_granularity(controller.granularity)
        self.show_speed(controller.speed)

    # ------------------------------------------------------------------ commands
    def fits(self) -> bool:
        """The network fits the dataset (after the learner agreed to adjust it, if needed)."""
        from bpstudio.ui.match_prompt import confirm_match

        return confirm_match(self.document, self.parent_widget, self.choose)

    def _play_pause(self) -> None:
        if self.controller.running:
            self.controller.pause()
        elif self.fits():
            self.controller.play()

    def _step(self) -> None:
        if self.fits():
            self.controller.step()

    def _step_back(self) -> None:
        if self.fits():
            self.controller.step_back()

    def _reset(self) -> None:
        self.controller.reset_weights()

    def _granularity_chosen(self, index: int) -> None:
        self.controller.set_granularity(self.step_box.itemData(index))

    def _speed_chosen(self, index: int) -> None:
        self.controller.set_speed(SPEEDS[index])

    def _nudge_speed(self, by: int) -> None:
        s = self.speed_slider
        s.setValue(max(s.minimum(), min(s.maximum(), s.value() + by)))  # valueChanged sets the speed

    # ------------------------------------------------------------------ readouts
    @Slot(str)
    def show_granularity(self, granularity: str) -> None:
        i = self.step_box.findData(granularity)
        if i >= 0:
            self.step_box.setCurrentIndex(i)
        if granularity in self.size_actions:
            self.size_actions[granularity].setChecked(True)

    @Slot(float)
    def show_speed(self, speed: float) -> None:
        index = min(range(len(SPEEDS)), key=lambda i: abs((SPEEDS[i] or 1e9) - (speed or 1e9)))
        self.speed_slider.blockSignals(True)
        self.speed_slider.setValue(index)
        self.speed_slider.blockSignals(False)
        self.speed_label.setText(speed_text(speed))

    @Slot(object)
    def show_snapshot(self, snap) -> None:
        self.epoch_label.setText(f"Epoch {snap.epoch}")
        self.loss_label.setText(f"Loss {fmt_loss(snap.loss)}")
        parts = []
        if snap.phase is not None:
            nxt = f" (next: {snap.next_phase.label})" if snap.next_phase is not None else ""
            parts.append(f"Phase: {snap.phase.label}{nxt}")
        if snap.batch_label and (snap.state != RUNNING or snap.phase is not None):
            parts.append(snap.batch_label)  # paced play by phase names its sample or batch too
        if snap.batch_loss is not None and snap.state != RUNNING:
            parts.append(f"batch loss {fmt_loss(snap.batch_loss)}")
        self.phase_label.setText(" — ".join(parts))

    @Slot(str)
    def show_state(self, state: str) -> None:
        running = state == RUNNING
        style = QApplication.style()
        self.play_action.setText("Pause" if running else "Play")
        self.play_action.setIcon(style.standardIcon(QStyle.SP_MediaPause if running
                                                    else QStyle.SP_MediaPlay))
        if state in (FINISHED, DIVERGED) and self.controller.latest is not None:
            self.show_message(self.controller.latest.message, 15000)
        if state == DIVERGED and self.controller.latest is not None:
            self.mark(self.controller.latest.non_finite_record)

    def mark(self, record) -> None:
        """Select where a diverged run broke (a unit id or an edge key) on the canvas."""
        scene = getattr(self.parent_widget, "scene", None)
        if record is not None and scene is not None:
            scene.select(record)

    @Slot(str)
    def show_error(self, text: str) -> None:
        """Status bar and a (non-blocking) dialog; training has stopped, the app goes on."""
        self.show_message(text, 15000)
        if self.error_box is not None:
            self.error_box.close()
        self.error_box = QMessageBox(QMessageBox.Warning, "Training stopped", text, QMessageBox.Ok,
                                     self.parent_widget)
        self.error_box.open()

    @Slot(str)
    def _message(self, text: str) -> None:
        self.show_message(text, 8000)

    def __repr__(self) -> str:
        return f"TrainControls({self.controller!r})"


class _CloseGuard(QObject):
    """Stops the training thread when the window really closes (after any 'unsaved?' prompt:
    that filter is installed later, so it runs first and swallows a cancelled close)."""

    def __init__(self, window, controller: TrainingController) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.window and event.type() == QEvent.Type.Close and event.isAccepted():
            self.controller.shutdown()
        return False


def install_training(window) -> TrainControls:
    """Give a MainWindow its controller (``window.controller``), Train menu, toolbar and dock."""
    controller = TrainingController(window.document, window)
    controls = TrainControls(window.document, controller, window, window.show_message)
    menu = window.menus["Train"]
    for a in controls.actions:
        menu.addAction(a)
        window.addAction(a)  # shortcuts work wherever the focus is in the window
    menu.insertSeparator(controls.reset_action)
    sizes = menu.addMenu("Step si&ze")
    for a in controls.size_actions.values():
        sizes.addAction(a)
        window.addAction(a)
    for a in (controls.faster_action, controls.slower_action):
        menu.addAction(a)
        window.addAction(a)
    bar = QToolBar("Training", window)
    bar.setObjectName("toolbar-training")
    bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    for a in controls.actions[:3]:
        bar.addAction(a)
    bar.widgetForAction(controls.back_action).setToolButtonStyle(Qt.ToolButtonIconOnly)
    bar.addWidget(controls.step_box)
    bar.addWidget(controls.speed_slider)
    controls.speed_label.setContentsMargins(4, 0, 0, 0)  # not glued to the slider's handle
    controls.speed_slider.setFixedWidth(86)  # (the bar keeps its width)
    bar.addWidget(controls.speed_label)
    bar.addAction(controls.reset_action)
    bar.widgetForAction(controls.reset_action).setToolButtonStyle(Qt.ToolButtonIconOnly)
    window.addToolBar(bar)  # beside the main toolbar: one row, so the canvas keeps its height
    from bpstudio.ui.toolbar_fit import fit_toolbars
    fit_toolbars(window, bar)  # ... unless the window is too narrow: then shorter, or two rows
    status = window.statusBar()
    controls.phase_label.setContentsMargins(12, 0, 0, 0)  # a gap after a long status message
    status.addPermanentWidget(controls.phase_label)
    status.addPermanentWidget(controls.epoch_label)
    status.addPermanentWidget(controls.loss_label)
    scroll = QScrollArea()  # a small dock never forces the window taller than the screen
    scroll.setWidget(controls.settings_panel)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    dock = window.add_dock("training", "Training settings", scroll, Qt.RightDockWidgetArea)
    inspector = getattr(window, "docks", {}).get("inspector")
    if inspector is not None:  # a tab beside the inspector: the canvas keeps its width
        window.tabifyDockWidget(inspector, dock)
        inspector.raise_()
    canvas = LiveWeights(window)
    controller.snapshot_ready.connect(canvas.show_snapshot)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.shutdown)
    from bpstudio.ui.key_guard import guard_keys
    guard_keys(window)  # arrows and Space stay with a focused table, slider or button
    window.controller = controller
    window.train_controls = controls
    controls.canvas_weights = canvas
    window._close_guard = _CloseGuard(window, controller)
    return controls
