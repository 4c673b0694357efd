"""A short guided tour of the article's example: a non-modal dialog with Back / Next / Show me.

Each page explains one idea with the studio's real numbers; its *Show me* button drives the window
(loads the article's network, steps one phase, trains, switches to tanh and random weights) through
a small :class:`TourDriver`, so the tour never reaches into widgets it does not own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget


@dataclass(frozen=True)
class TourPage:
    title: str
    html: str
    action: str | None = None  # a TourDriver method name run by "Show me"
    action_label: str = "Show me"

    def __repr__(self) -> str:
        return f"TourPage({self.title!r}, action={self.action!r})"


PAGES: tuple[TourPage, ...] = (
    TourPage(
        "1 · The article's network",
        "<p>The seed article trains a tiny network on <b>XOR</b>: inputs <b>X1</b>, <b>X2</b> and a bias "
        "unit <b>X0</b> that always outputs 1; three hidden units <b>Z1, Z2, Z3</b> (with their own bias "
        "unit <b>Z0</b>); one output <b>D0</b>. Every unit is the identity, every weight starts at 1, the "
        "learning rate α is 0.1, and each step uses all four rows (batch gradient descent).</p>"
        "<p><i>Show me</i> opens exactly that network.</p>",
        "load_article", "Open the article's network"),
    TourPage(
        "2 · What each unit computes",
        "<p>A unit adds up what flows in, each value times its weight, plus its bias: the <b>net "
        "input</b>. It then applies its activation; the identity hands the net input on unchanged.</p>"
        "<p>For the row X1 = 0, X2 = 0 only the bias reaches the hidden layer: "
        "Z1 = Z2 = Z3 = 0·1 + 0·1 + 1 = <b>1</b>, and the output is D0 = 1 + 1 + 1 + 1 = <b>4</b>. "
        "Over the four rows (00, 01, 10, 11) the network predicts <b>4, 7, 7, 10</b> where XOR wants "
        "0, 1, 1, 0: the mean loss E = ½(ŷ − y)² is <b>23.5</b>.</p>"),
    TourPage(
        "3 · Step through the phases, watch the deltas",
        "<p>One training step has four phases: <b>forward</b> (the numbers above), <b>loss</b>, "
        "<b>backward</b> and <b>update</b>. Press <i>Step</i> with the step size set to a phase and "
        "watch them light up one layer at a time.</p>"
        "<p>The <b>delta</b> of a unit is ∂E/∂(net input). At the output it is ŷ − y: "
        "<b>+4</b> for row 00 (4 − 0), then 6, 6 and 10. Backward, each hidden delta is the output "
        "delta times the weight (1) times the identity's slope (1): the same 4, 6, 6, 10. The bias "
        "unit Z0 has no delta: nothing flows into it.</p>"
        "<p>The update is W := W − α·∂E/∂W. The article takes delta = actual − predicted = −4 and "
        "still subtracts α·Z·δ, so its step climbs the loss: for row 00 alone its output weights "
        "become 1 − 0.1·1·(−4) = 1.4; the correct ones are 1 − 0.1·1·4 = <b>0.6</b>. Weights leaving "
        "X1 = X2 = 0 get a zero gradient from that row (the article makes them 1.4 too). "
        "With the batch mean the output weights get gradient 14.5 and "
        "become 1 − 0.1·14.5 = <b>−0.45</b>.</p>",
        "step_phase", "Step one phase"),
    TourPage(
        "4 · Why identity cannot learn XOR",
        "<p>A chain of identity units is one linear function of X1 and X2, and no straight line "
        "separates XOR's ones from its zeros. Full-batch training settles at the best a line can do: "
        "<b>0.5 for every row</b>, loss <b>0.125</b>.</p>"
        "<p>There is a second trap: Z1, Z2 and Z3 start with equal weights, get equal deltas and "
        "equal updates, and so stay <b>identical forever</b> (symmetry). Three hidden units act as "
        "one.</p><p><i>Show me</i> trains the article's network until it stops.</p>",
        "train", "Train it"),
    TourPage(
        "5 · Fix it: tanh and random initial weights",
        "<p>Two changes fix both problems: <b>tanh</b> hidden units bend the function, so it is no "
        "longer a line; <b>random</b> (seeded Xavier) initial weights make the hidden units differ, "
        "so they learn different features. A sigmoid output with cross-entropy loss reads as a "
        "probability.</p><p><i>Show me</i> opens that network (the <b>xor</b> preset) and trains it: "
        "it reaches loss 0.005 after about 1,160 epochs and predicts about 0.005, 0.999, 0.993, "
        "0.006 — XOR.</p>",
        "fix_with_tanh", "Switch to tanh and train"),
    TourPage(
        "6 · Your turn",
        "<p>Edit the network on the canvas (every edit can be undone), change the settings, step "
        "and train. <b>File → Save</b> keeps your project; <b>File → Export</b> writes the canvas "
        "(PNG, SVG), the loss history (CSV), the worked arithmetic (Markdown) or the trained network "
        "as a project file.</p><p>The tour is always under <b>Help → Guided tour</b>.</p>"),
)


class TourDriver:
    """What the tour may ask of the window; each method returns a short line for the status label.

    The default implementations use callables the window registers (``hooks``); a missing hook
    makes the page say what to do by hand instead of failing.
    """

    MANUAL = {
        "load_article": "Open File → New from preset → article-xor.",
        "step_phase": "Set the step size to one phase and press Step.",
        "train": "Press Play and wait until training stops.",
        "fix_with_tanh": "Open the xor preset and press Play.",
    }

    def __init__(self, hooks: dict[str, Callable[[], object]] | None = None) -> None:
        self.hooks = dict(hooks or {})
        self.calls: list[str] = []

    def run(self, action: str) -> str:
        self.calls.append(action)
        hook = self.hooks.get(action)
        if hook is None:
            return self.MANUAL.get(action, "")
        try:
            result = hook()
        except Exception as exc:  # noqa: BLE001 - the tour must never take the window down
            return f"That did not work: {exc}"
        return result if isinstance(result, str) else "Done."

    def __repr__(self) -> str:
        return f"TourDriver(hooks={sorted(self.hooks)})"


class TourDialog(QDialog):
    """Back / Next through :data:`PAGES`; *Show me* runs the page's action through the driver."""

    page_changed = Signal(int)

    def __init__(self, driver: TourDriver | None = None, parent: QWidget | None = None,
                 pages: tuple[TourPage, ...] = PAGES) -> None:
        super().__init__(parent)
        self.setWindowTitle("Guided tour — the article's example")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.driver = driver or TourDriver()
        self.pages = pages
        self.index = 0

        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.body = QTextBrowser()
        self.body.setOpenExternalLinks(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.show_me = QPushButton("Show me")
        self.back = QPushButton("◀ Back")
        self.next = QPushButton("Next ▶")
        self.counter = QLabel()
        self.show_me.clicked.connect(self.run_action)
        self.back.clicked.connect(self.go_back)
        self.next.clicked.connect(self.go_next)

        buttons = QHBoxLayout()
        buttons.addWidget(self.show_me)
        buttons.addStretch(1)
        buttons.addWidget(self.counter)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(520, 380)
        self.show_page(0)

    @property
    def page(self) -> TourPage:
        return self.pages[self.index]

    def show_page(self, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        page = self.page
        self.title.setText(page.title)
        self.body.setHtml(page.html)
        self.status.clear()
        self.show_me.setVisible(page.action is not None)
        self.show_me.setText(page.action_label)
        self.back.setEnabled(self.index > 0)
        last = self.index == len(self.pages) - 1
        self.next.setText("Finish" if last else "Next ▶")
        self.counter.setText(f"{self.index + 1} / {len(self.pages)}")
        self.page_changed.emit(self.index)

    @Slot()
    def go_next(self) -> None:
        if self.index == len(self.pages) - 1:
            self.close()
        else:
            self.show_page(self.index + 1)

    @Slot()
    def go_back(self) -> None:
        self.show_page(self.index - 1)

    @Slot()
    def run_action(self) -> None:
        if self.page.action:
            self.status.setText(self.driver.run(self.page.action))

    def __repr__(self) -> str:
        return f"TourDialog(page {self.index + 1}/{len(self.pages)}: {self.page.title!r})"


def window_driver(window, actions) -> TourDriver:
    """The tour's *Show me* buttons, done through the window's own commands."""
    def controller():
        c = getattr(window, "controller", None)
        if c is None:
            raise RuntimeError("training is not available in this window")
        return c

    def load(name: str) -> str:
        if not actions.maybe_save("opening the tour's example"):
            return "Kept your project open (nothing was changed)."
        from bpstudio.core.presets import load_preset

        actions._use(load_preset(name), None)
        return f"Opened the {name} network."

    def fix() -> str:
        said = load("xor")
        if said.startswith("Kept"):
            return said
        controller().play()
        return "Opened the xor preset (tanh, Xavier init) and started training."

    return TourDriver({
        "load_article": lambda: load("article-xor"),
        "step_phase": lambda: (controller().step("phase"), "Stepped one phase: see the highlight.")[1],
        "train": lambda: (controller().play(), "Training: watch the loss settle at 0.125.")[1],
        "fix_with_tanh": fix,
    })
