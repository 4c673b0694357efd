"""The boundary image is the network's output over the plane; points and thumbnails follow."""

from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg  # noqa: F401
import pytest

from bpstudio.core.dataset import Dataset
from bpstudio.core.presets import load_preset
from bpstudio.ui.panels.boundary import BoundaryPanel, output_levels, pixel_rect
from bpstudio.ui.panels.demo import DemoRun


def _panel(qtbot, project):
    panel = BoundaryPanel(SimpleNamespace(graph=project.graph, dataset=project.dataset))
    qtbot.addWidget(panel)
    return panel


def test_image_matches_the_network_at_probe_points(qtbot):
    project = load_preset("xor")
    run = DemoRun(project, boundary_resolution=41).run(400)
    panel = _panel(qtbot, project)
    snap = run.snapshot()
    panel.show_snapshot(snap)
    x0, x1, y0, y1 = snap.boundary_extent
    xs, ys = np.linspace(x0, x1, 41), np.linspace(y0, y1, 41)
    for c, r in [(0, 0), (10, 30), (20, 20), (40, 5), (40, 40)]:
        want = run.engine.predict(np.array([[xs[c], ys[r]]]))[0, 0]
        assert panel.value_at(xs[c], ys[r]) == pytest.approx(want, rel=1e-12)
        assert panel.image.image[r, c] == pytest.approx(want, rel=1e-12)  # row = y, column = x
    # the four XOR corners: the trained network is right, and so is the picture
    for (x, y), target in zip([(0, 0), (0, 1), (1, 0), (1, 1)], [0, 1, 1, 0]):
        assert (panel.value_at(x, y) > 0.5) == bool(target)
    # pixel (r, c) is centred on its grid point
    rect = panel.image.mapRectToParent(panel.image.boundingRect())
    dx = (x1 - x0) / 40
    assert rect.left() == pytest.approx(x0 - dx / 2) and rect.width() == pytest.approx(41 * dx)
    assert panel.contour.isVisible()
    assert set(panel._thumb_items) == {n.id for n in project.graph.hidden}


def test_train_and_test_points_are_marked_differently(qtbot):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5]], dtype=float)
    ds = Dataset(X, np.array([0, 1, 1, 0, 1.0]), ["X1", "X2"], ["Y"],
                 train_mask=np.array([True, True, True, True, False]))
    panel = BoundaryPanel(SimpleNamespace(graph=None, dataset=ds))
    qtbot.addWidget(panel)
    train = panel.train_points.data
    test = panel.test_points.data
    assert len(train) == 4 and len(test) == 1
    assert panel.train_points.opts["symbol"] == "o" and panel.test_points.opts["symbol"] == "x"
    assert (test["x"][0], test["y"][0]) == (0.5, 0.5)


def test_networks_without_two_inputs_get_a_note(qtbot):
    project = load_preset("xor")
    run = DemoRun(project).run(1)
    snap = run.snapshot()
    panel = _panel(qtbot, project)
    from dataclasses import replace
    panel.show_snapshot(replace(snap, boundary=None, boundary_extent=None))
    assert not panel.note.isHidden() and panel.grid is None


def test_helpers():
    assert output_levels(np.array([[0.2, 0.7]])) == (0.0, 1.0)
    assert output_levels(np.array([[-2.0, 3.0]])) == (-2.0, 3.0)
    r = pixel_rect((0, 1, 0, 2), (3, 5))
    assert (r.left(), r.top(), r.width(), r.height()) == (-0.125, -0.5, 1.25, 3.0)


def test_each_hidden_thumbnail_shows_that_units_grid(qtbot):
    project = load_preset("xor")
    run = DemoRun(project, boundary_resolution=21).run(50)
    panel = _panel(qtbot, project)
    snap = run.snapshot()
    panel.show_snapshot(snap)
    hidden = [n.id for n in project.graph.hidden]
    assert list(panel._thumb_items) == hidden == list(snap.hidden_thumbnails)
    lut = np.asarray(panel.cmap.getLookupTable(nPts=256, alpha=False))[:, :3]
    for nid in hidden:
        grid, image = snap.hidden_thumbnails[nid], panel._thumb_items[nid].image
        assert image.shape == (*grid.shape, 3)  # coloured through the map, on the unit's own levels
        lo, hi = output_levels(grid)
        r, c = np.unravel_index(np.argmax(grid), grid.shape)
        want = lut[255] if hi == grid.max() else lut[round((grid.max() - lo) / (hi - lo) * 255)]
        assert image[r, c].tolist() == want.tolist()
        r, c = np.unravel_index(np.argmin(grid), grid.shape)
        want = lut[0] if lo == grid.min() else lut[round((grid.min() - lo) / (hi - lo) * 255)]
        assert image[r, c].tolist() == want.tolist()
    # a later snapshot replaces the pictures in place
    run.run(50)
    later = run.snapshot()
    panel.show_snapshot(later)
    z1 = hidden[0]
    assert not np.array_equal(later.hidden_thumbnails[z1], snap.hidden_thumbnails[z1])
    assert np.array_equal(panel._thumb_items[z1].image, panel._coloured(later.hidden_thumbnails[z1]))
    assert not np.array_equal(panel._coloured(later.hidden_thumbnails[z1]), panel._coloured(snap.hidden_thumbnails[z1]))


def test_a_dataset_without_two_inputs_clears_the_old_picture(qtbot):
    from bpstudio.core.generators import generate
    from bpstudio.core.presets import layered_graph
    from bpstudio.core.project import Project
    from bpstudio.ui.document import Document

    doc = Document(load_preset("xor"))
    panel = BoundaryPanel(doc)
    qtbot.addWidget(panel)
    run = DemoRun(doc.project.copy(), boundary_resolution=11).run(5)
    panel.show_snapshot(run.snapshot())
    assert panel.grid is not None and panel.image.image is not None and len(panel.train_points.data) == 4
    sine = Project(layered_graph([1, 3, 1], "tanh", "identity"), generate("sine", 30), doc.settings)
    doc.replace_project(sine)
    assert panel.grid is None and panel.image.image is None
    assert not panel.contour.isVisible() and panel.thumbs.isHidden() and not panel.note.isHidden()
    assert len(panel.train_points.data) == 0
    doc.replace_project(load_preset("xor"))  # two inputs again: the points come back at once
    assert len(panel.train_points.data) == 4


@pytest.mark.parametrize("size", [(430, 200), (340, 420), (300, 180)])
def test_the_boundary_plot_keeps_most_of_the_room_beside_its_thumbnails(qtbot, size):
    project = load_preset("xor")
    run = DemoRun(project, boundary_resolution=11).run(5)
    panel = _panel(qtbot, project)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_snapshot(run.snapshot())
    qtbot.wait(20)
    assert panel.thumbs.isVisible() and len(panel._thumb_items) == len(project.graph.hidden)
    plot, thumbs = panel.plot.geometry(), panel.thumbs.geometry()
    assert plot.height() >= panel.height() / 2 and plot.width() >= panel.width() / 2
    beside = panel.width() >= 1.6 * panel.height()
    if beside:  # a wide dock: the thumbnails in a column grid to the right, as tall as the plot
        assert thumbs.left() > plot.right() and plot.height() >= 0.9 * panel.height()
    else:  # a tall one: a strip under the plot
        assert thumbs.top() > plot.bottom() and thumbs.height() <= panel.height() / 4 + 1


def test_three_classes_show_the_workers_class_picture_and_a_key(qtbot):
    project = load_preset("spiral3")
    run = DemoRun(project, boundary_resolution=40).run(120)
    panel = _panel(qtbot, project)
    panel.show()
    snap = run.snapshot()
    assert snap.boundary_classes is not None
    panel.show_snapshot(snap)
    assert panel.class_image.isVisible() and not panel.image.isVisible()
    assert np.array_equal(panel.class_image.image, snap.boundary_classes.rgb)
    assert panel.contour.parentItem() is panel.class_image and panel.contour.isVisible()
    assert panel.key.isVisible() and not panel.bar.isVisible()
    assert all(name in panel.key.text() for name in ("C1", "C2", "C3"))
    # the shown value is the winner's share there
    x0, x1, y0, y1 = snap.boundary_extent
    assert panel.value_at(x0, y0) == pytest.approx(snap.boundary_classes.share[0, 0])
    # points take their class's colour
    from bpstudio.core.boundary import class_colour

    first = np.argmax(project.dataset.Y[project.dataset.train_mask][0])
    brush = panel.train_points.data["brush"][0]
    assert brush.color().getRgb()[:3] == class_colour(first)


def test_a_regression_plane_has_no_half_way_line(qtbot):
    project = load_preset("gaussian-regression")
    run = DemoRun(project, boundary_resolution=40).run(300)
    panel = _panel(qtbot, project)
    snap = run.snapshot()
    lo, hi = output_levels(snap.boundary)
    assert lo < 0.5 < hi  # the output crosses 0.5, but 0.5 means nothing for these targets
    panel.show_snapshot(snap)
    assert panel.task == "regression" and not panel.contour.isVisible()
    assert panel.image.isVisible() and not panel.class_image.isVisible()
