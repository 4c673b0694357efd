"""A big network (2,000 units, 50,000 edges) opens with edges bundled and follows recolours and edits."""

from __future__ import annotations

from PySide6.QtGui import QImage, QPainter

import numpy as np
import pytest

from benchmarks.bench_canvas import _project, big_graph
from bpstudio.ui.canvas import edge_bundle, style
from bpstudio.ui.canvas.edge_item import EdgeItem
from bpstudio.ui.canvas.scene import GraphScene
from bpstudio.ui.canvas.view import GraphView
from bpstudio.ui.document import Document


@pytest.fixture(scope="module")
def big():
    return big_graph(2000, 50_000)


def render(view) -> QImage:
    img = QImage(view.viewport().size(), QImage.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    view.render(p)
    p.end()
    return img


def test_big_network_opens_bundled_and_recolours(qtbot, big):
    assert len(big) == 2000 and len(big.edges) == 50_000
    doc = Document(_project(big.copy()))
    scene = GraphScene(doc)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.fit()
    assert scene.bundled and len(scene.nodes) == 2000
    assert not any(isinstance(i, EdgeItem) for i in scene.items())  # no per-edge items
    bundle = scene.bundle
    render(view)
    # zoomed out: the pixel budget holds, the strongest edges are the ones drawn
    assert 0 < bundle.last_drawn < 50_000
    drawn_min = np.sort(np.abs(bundle.values))[-bundle.last_drawn]
    assert drawn_min > np.median(np.abs(bundle.values))
    # recolour from a snapshot-like array: values and buckets follow, the graph does not change
    keys = tuple(doc.graph.edges)
    w = np.linspace(-2.0, 2.0, len(keys))
    before = doc.graph.snapshot()
    scene.set_edge_array(keys, w)
    assert np.array_equal(bundle.values, w) and bundle.scale == 2.0
    assert bundle.buckets[0] == 0 and bundle.buckets[-1] == style.N_BUNDLE - 1
    assert doc.graph.snapshot() == before
    scene.set_unit_values(dict.fromkeys(list(doc.graph.nodes)[:10], 1.0), "activation")
    assert sum(i.value is not None for i in scene.nodes.values()) == 10
    # zoomed in on one corner: every edge crossing the view is drawn
    view.resetTransform()
    view.centerOn(scene.nodes[keys[0][1]].pos())
    render(view)
    assert bundle.last_drawn < 50_000
    scene.detach()


def test_bundle_follows_edits_and_weight_write_back(qtbot, monkeypatch):
    monkeypatch.setattr(style, "EDGE_ITEM_LIMIT", 100)
    g = big_graph(200, 1000, n_hidden_layers=2, seed=2)
    doc = Document(_project(g))
    scene = GraphScene(doc)
    bundle = scene.bundle
    assert scene.bundled and len(bundle.keys) == 1000
    # many single-weight events (graph.set_weights after training) are restyled once, lazily
    calls = []
    monkeypatch.setattr(edge_bundle.EdgeBundle, "_rescale",
                        lambda self, f=edge_bundle.EdgeBundle._rescale: (calls.append(1), f(self)))
    doc.graph.set_weights(dict.fromkeys(doc.graph.edges, 0.5), {})
    assert calls == []
    img = QImage(10, 10, QImage.Format_ARGB32_Premultiplied)
    painter = QPainter(img)
    bundle.paint(painter, _option(), None)
    painter.end()
    assert len(calls) == 1 and np.all(bundle.values == 0.5)
    # moving a unit moves its edges' ends; removing a unit drops its edges
    nid = list(doc.graph.nodes)[-1]
    doc.graph.move(nid, 5000.0, 7.0)
    i = bundle.unit_index[nid]
    assert (bundle.ux[i], bundle.uy[i]) == (5000.0, 7.0)
    n_in = len(doc.graph.incoming(nid))
    doc.graph.remove_node(nid)
    bundle.set_values((), np.zeros(0))  # any use reloads after a topology change
    assert len(bundle.keys) == 1000 - n_in and nid not in bundle.unit_index
    scene.detach()


def _option():
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    return QStyleOptionGraphicsItem()
