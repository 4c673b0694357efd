"""In a network too dense for the label layout (labels on hover only), a recoloured edge makes its
label text only when it is shown, and what it then shows is the current weight and change."""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem

from bpstudio.core.generators import generate
from bpstudio.core.presets import initialise, layered_graph
from bpstudio.core.project import Project
from bpstudio.core.settings import TrainingSettings
from bpstudio.ui.canvas import style
from bpstudio.ui.canvas.scene import GraphScene
from bpstudio.ui.document import Document


def _dense_scene(qtbot):
    g = layered_graph([2, 16, 16, 1], "tanh", "sigmoid")
    initialise(g, TrainingSettings(init="xavier", seed=1))
    doc = Document(Project(g, generate("xor")))
    scene = GraphScene(doc)
    assert len(scene.edges) > style.LABEL_LAYOUT_LIMIT
    scene.layout_labels()
    return scene


def test_hidden_labels_are_made_when_shown_with_the_current_numbers(qtbot):
    scene = _dense_scene(qtbot)
    key, item = next(iter(scene.edges.items()))
    assert not item.label_shown
    scene.set_edge_values({key: 0.123456})
    assert item._text is None  # not formatted while nobody can see it
    item.set_change(-0.5)
    assert item.shown_text() == item.label_text() == "0.1235 (−0.5)"
    # selected: drawn, with the size of the text it now shows
    scene.set_edge_values({key: 12.5})
    assert item._text is None
    item.setSelected(True)
    from PySide6.QtGui import QFontMetricsF

    text = item.shown_text()
    assert text == "12.5 (−0.5)"
    assert item.label_rect().width() == QFontMetricsF(style.LABEL_FONT).horizontalAdvance(text) + 8


def test_a_shown_label_is_kept_up_to_date_at_once(qtbot):
    g = layered_graph([2, 3, 1], "tanh", "sigmoid")
    scene = GraphScene(Document(Project(g, generate("xor"))))
    key, item = next(iter(scene.edges.items()))
    item.setFlag(QGraphicsItem.ItemIsSelectable)
    scene.set_edge_values({key: 0.75})
    assert item._text == "0.75"
