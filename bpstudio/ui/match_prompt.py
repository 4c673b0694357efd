"""The mismatch prompt: a network whose inputs or outputs do not fit the dataset is never trained
as is — the learner is asked to adjust the network (one undo step) or cancel (nothing changes).

``confirm_match(document, parent)`` is what Play calls; ``offer_dataset`` is how a generated or
imported dataset is put in place. ``choose`` (tests, scripted use) answers the box instead of
``exec()``: it gets the QMessageBox and returns the button clicked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from bpstudio.core.match import check_match
from bpstudio.ui.data_commands import AdjustNetworkCommand, use_dataset


def counts_differ(graph, dataset) -> bool:
    return (len(graph.inputs), len(graph.outputs)) != (dataset.n_inputs, dataset.n_outputs)


def mismatch_box(parent: QWidget | None, message: str) -> tuple[QMessageBox, QAbstractButton]:
    """The question: adjust the network to the dataset, or cancel. Returns (box, adjust button)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Question)
    box.setWindowTitle("The network does not fit the dataset")
    box.setText(message)
    box.setInformativeText(
        "Adjust the network? Units are added or removed at the end so it has one input per input "
        "column and one output per target column (you can undo this). Cancel changes nothing.")
    adjust = box.addButton("Adjust the network", QMessageBox.AcceptRole)
    box.addButton(QMessageBox.Cancel)
    box.setDefaultButton(adjust)
    return box, adjust


def _ask(box: QMessageBox) -> QAbstractButton | None:
    box.exec()
    return box.clickedButton()


def prompt_adjust(parent, graph, dataset, choose: Callable | None = None) -> bool | None:
    """Ask whether to fit ``graph`` to ``dataset``: None when it already fits, else the answer."""
    if not counts_differ(graph, dataset):
        return None
    box, adjust = mismatch_box(parent, check_match(graph, dataset) or "")
    answer = (choose or _ask)(box)
    box.deleteLater()
    return answer is adjust


def confirm_match(document, parent: QWidget | None = None, choose: Callable | None = None) -> bool:
    """Before Play: True when the network fits the dataset (after adjusting, if the learner agrees).

    A count mismatch asks "adjust the network, or cancel" (adjusting is one undo step); an empty
    dataset or one with no training rows is explained, and False is returned.
    """
    problem = check_match(document.graph, document.dataset)
    if problem is None:
        return True
    if not counts_differ(document.graph, document.dataset):
        QMessageBox.information(parent, "Cannot train yet", problem)
        return False
    if not prompt_adjust(parent, document.graph, document.dataset, choose):
        return False
    ds = document.dataset
    document.undo_stack.push(AdjustNetworkCommand(document.graph, ds.n_inputs, ds.n_outputs,
                                                  document.settings.seed))
    return check_match(document.graph, document.dataset) is None


def offer_dataset(document, dataset, parent=None, text: str = "",
                  choose: Callable | None = None) -> bool:
    """Use a new dataset; when the network does not fit it, ask first (Cancel changes nothing)."""
    answer = prompt_adjust(parent, document.graph, dataset, choose)
    if answer is False:
        return False
    use_dataset(document, dataset, adjust=bool(answer), text=text)
    return True
