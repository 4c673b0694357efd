"""The lesson dock: the step's text, the action and its check, the question, the answer box,
right or wrong with the mistake named, and the worked arithmetic of that number."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bpstudio.core.lessons import AnswerError
from bpstudio.core.lessons.actions import describe

RIGHT_COLOUR, WRONG_COLOUR = "#1b7f3b", "#b00020"


class LessonDock(QWidget):
    """View of a :class:`LessonSession`; every button calls the session, which emits ``changed``."""

    step_requested = Signal()  # free play: the question is answered, show the phase now

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("lesson-dock")
        self.title = QLabel("No lesson open")
        bold = self.title.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.2)
        self.title.setFont(bold)
        self.title.setWordWrap(True)
        self.where = QLabel("")
        self.score = QLabel("")
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setMinimumHeight(70)
        self.action_label = QLabel("")
        self.action_label.setWordWrap(True)
        self.step_button = QPushButton("Step phase")
        self.step_button.setToolTip("Show the next phase of the step (forward, loss, backward, update)")
        self.train_button = QPushButton("Train")
        self.do_button = QPushButton("Do it for me")
        self.prompt = QLabel("")
        self.prompt.setWordWrap(True)
        self.answer_box = QLineEdit()
        self.answer_box.setPlaceholderText("your prediction: a number, or 'none'")
        self.check_button = QPushButton("Check")
        self.reveal_button = QPushButton("Reveal")
        self.choices = QWidget()
        self.choice_layout = QVBoxLayout(self.choices)
        self.choice_layout.setContentsMargins(0, 0, 0, 0)
        self.choice_group = QButtonGroup(self)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.arithmetic = QPlainTextEdit()
        self.arithmetic.setReadOnly(True)
        self.arithmetic.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.arithmetic.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self.arithmetic.setPlaceholderText("The worked arithmetic of the number asked appears here "
                                           "once you answer or reveal.")
        self.back_button = QPushButton("◀ Back")
        self.next_button = QPushButton("Next ▶")

        top = QHBoxLayout()
        top.addWidget(self.where)
        top.addStretch(1)
        top.addWidget(self.score)
        actions = QHBoxLayout()
        for b in (self.step_button, self.train_button, self.do_button):
            actions.addWidget(b)
        actions.addStretch(1)
        answer = QHBoxLayout()
        answer.addWidget(self.answer_box, 1)
        answer.addWidget(self.check_button)
        answer.addWidget(self.reveal_button)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_label)
        layout.addLayout(actions)
        layout.addWidget(self.prompt)
        layout.addWidget(self.choices)
        layout.addLayout(answer)
        layout.addWidget(self.result)
        layout.addWidget(self.arithmetic, 3)
        layout.addLayout(nav)

        self.step_button.clicked.connect(session.step_phase)
        self.train_button.clicked.connect(session.train)
        self.do_button.clicked.connect(session.do_for_me)
        self.check_button.clicked.connect(self.check)
        self.answer_box.returnPressed.connect(self.check)
        self.reveal_button.clicked.connect(self.reveal)
        self.next_button.clicked.connect(self.next)
        self.back_button.clicked.connect(session.back)
        session.changed.connect(self.refresh)
        self._asked_shown = None
        self.refresh()

    # ---------------------------------------------------------------- slots
    @Slot()
    def check(self) -> None:
        asked = self.session.current_question()
        if asked is None:
            return
        if asked.options:
            k = self.choice_group.checkedId()
            if k < 0:
                self._say("Pick one of the options first.", WRONG_COLOUR)
                return
            text = k
        else:
            text = self.answer_box.text()
        try:
            self.session.answer(text)
        except AnswerError as exc:
            self._say(str(exc), WRONG_COLOUR)
            return
        self._after_free_answer()

    @Slot()
    def reveal(self) -> None:
        if self.session.reveal() is not None:
            self._after_free_answer()

    @Slot()
    def next(self) -> None:
        s = self.session
        if s.player is None:
            return
        if not s.player.can_advance():
            if not s.player.action_done():
                self._say("Do the step's action first: " + describe(s.player.step.action), WRONG_COLOUR)
            else:
                self._say("Answer the question (or Reveal) first.", WRONG_COLOUR)
            return
        s.next()

    def _after_free_answer(self) -> None:
        if self.session.player is None and self.session.free_asked is not None:
            self.session.free_asked = None
            self.step_requested.emit()

    def _say(self, text: str, colour: str) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(f"color: {colour};")

    # ---------------------------------------------------------------- drawing
    @Slot()
    def refresh(self) -> None:
        s = self.session
        p = s.player
        asked = s.current_question()
        if p is None:
            self.title.setText("Predict before reveal" if asked is not None else "No lesson open")
            self.where.setText("free play" if asked is not None else "")
            self.score.setText("")
            self.text.setPlainText("" if asked is not None else
                                   "Open a lesson from the Lessons menu, or turn on Lessons ▸ Predict "
                                   "before reveal: each Step then asks you first for the number it is "
                                   "about to show.")
            for w in (self.action_label, self.step_button, self.train_button, self.do_button,
                      self.back_button, self.next_button):
                w.setVisible(False)
        else:
            lesson = p.lesson
            self.title.setText(lesson.title)
            if p.finished:
                self.where.setText(f"finished ({len(lesson.steps)} steps)")
                self.text.setPlainText("End of the lesson. Export a handout from the Lessons menu.")
                step = None
            else:
                step = p.step
                self.where.setText(f"Step {p.index + 1} of {len(lesson.steps)}"
                                   f"{': ' + step.title if step.title else ''}")
                self.text.setPlainText(step.text)
            self.score.setText(p.score.text())
            action = step.action if step is not None else None
            done = p.action_done() if step is not None else True
            self.action_label.setVisible(action is not None)
            if action is not None:
                mark = "✓ done" if done else "to do"
                self.action_label.setText(f"<b>Do</b> ({mark}): {describe(action)}")
            stepping = action is not None and action.do in ("step_phase", "finish_step") and not done
            self.step_button.setVisible(stepping)
            self.step_button.setText(f"Step phase ▶ ({p.walk.upcoming().label})" if stepping else "Step phase")
            self.train_button.setVisible(action is not None and action.do == "train" and not done)
            if action is not None and action.do == "train":
                self.train_button.setText(f"Train {action.params['epochs']} epochs")
            self.do_button.setVisible(action is not None and not done and action.do not in (
                "step_phase", "finish_step", "train"))
            self.back_button.setVisible(True)
            self.next_button.setVisible(True)
            self.back_button.setEnabled(p.index > 0)
            self.next_button.setEnabled(not p.finished)
        self._show_question(asked)
        v = s.last_verdict
        if v is None:
            if asked is not self._asked_shown:
                self.result.setText("")
            if asked is not self._asked_shown or s.training_summary:
                self.arithmetic.setPlainText(s.training_summary)
        else:
            self._show_verdict(v)
        self._asked_shown = asked

    def _show_question(self, asked) -> None:
        has = asked is not None
        self.prompt.setVisible(has)
        self.answer_box.setVisible(has and not asked.options)
        self.check_button.setVisible(has)
        self.reveal_button.setVisible(has)
        self.choices.setVisible(has and bool(asked.options))
        if not has:
            return
        self.prompt.setText(f"<b>Predict:</b> {asked.prompt}" if asked.question is not None
                            else f"<b>Question:</b> {asked.prompt}")
        if asked is not self._asked_shown:
            self.answer_box.clear()
            if asked.question is not None and asked.question.answer_kind == "sign":
                self.answer_box.setPlaceholderText("+, - or 0")
            else:
                self.answer_box.setPlaceholderText("your prediction: a number, or 'none'")
            for b in self.choice_group.buttons():
                self.choice_group.removeButton(b)
                b.deleteLater()
            for i, option in enumerate(asked.options):
                b = QRadioButton(option)
                self.choice_group.addButton(b, i)
                self.choice_layout.addWidget(b)
            if not asked.options:
                self.answer_box.setFocus(Qt.OtherFocusReason)

    def _show_verdict(self, v) -> None:
        colour = RIGHT_COLOUR if v.right else WRONG_COLOUR
        head = "✓ " if v.right else "✗ "
        self._say(head + v.message, colour)
        lines = list(v.reveal.lines)
        if v.reveal.factors:
            lines += ["", "Where the factors come from (selected on the canvas):"]
            lines += [f"  • {f.text}" for f in v.reveal.factors]
        self.arithmetic.setPlainText("\n".join(lines))

    def set_presenter(self, on: bool, scale: float = 1.6) -> None:
        """Larger text for a projector (presenter mode)."""
        base = QFont(self.font())
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        self.setStyleSheet(f"QWidget#lesson-dock, QWidget#lesson-dock * {{ font-size: {size * scale:.0f}pt; }}"
                           if on else "")
        mono = self.arithmetic.font()
        mono.setPointSizeF(size * (scale if on else 1.0))
        self.arithmetic.setFont(mono)
