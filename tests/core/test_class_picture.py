"""More than two classes: the plane coloured by the winning output, the lines where it changes, and
accuracy by the largest output."""

import numpy as np
import pytest

from bpstudio.core.boundary import CLASS_COLOURS, FAINTEST, class_picture, output_grids, plane_extent
from bpstudio.core.dataset import target_task
from bpstudio.core.engine import Engine
from bpstudio.core.presets import load_preset
from bpstudio.core.trainer import Trainer
from bpstudio.training.observe import BoundaryMaker, accuracy


def _three_regions(n: int = 60) -> np.ndarray:
    """Outputs over an n × n grid: class 0 on the left third, 1 in the middle, 2 on the right, each
    sure (0.9) in the middle of its band and tied (1/3 each) nowhere."""
    c = np.arange(n)
    label = np.minimum(c * 3 // n, 2)
    out = np.full((n, n, 3), 0.05)
    out[:, c, label] = 0.9
    return out


def test_each_pixel_takes_its_winners_colour_faded_by_how_sure_it_is():
    out = _three_regions()
    pic = class_picture(out)
    assert pic.n_classes == 3 and pic.rgb.dtype == np.uint8 and pic.rgb.shape == (60, 60, 3)
    assert pic.label[0, 5] == 0 and pic.label[30, 30] == 1 and pic.label[59, 55] == 2
    share = 0.9 / 1.0
    sure = (share - 1 / 3) / (2 / 3)
    strength = FAINTEST + (1 - FAINTEST) * sure
    want = np.round(255 * (1 - strength) + np.array(CLASS_COLOURS[1]) * strength)
    assert pic.rgb[30, 30].tolist() == want.tolist()
    assert pic.share[30, 30] == pytest.approx(0.9)
    # a tie fades to the faintest colour
    tie = class_picture(np.full((4, 4, 3), 1 / 3))
    assert tie.rgb[0, 0].tolist() == np.round(255 * (1 - FAINTEST) + np.array(CLASS_COLOURS[0]) * FAINTEST).tolist()


def test_boundary_lines_run_between_the_regions_and_nowhere_else():
    pic = class_picture(_three_regions())
    x, y = pic.lines
    assert len(x) > 0 and len(x) % 2 == 0
    # columns 19|20 and 39|40 are where the winner changes: every segment lies between them
    assert np.all((np.abs(x - 19.5) <= 0.5) | (np.abs(x - 39.5) <= 0.5))
    assert y.min() == pytest.approx(0.0) and y.max() == pytest.approx(59.0)  # top to bottom


def test_non_finite_outputs_are_black_and_draw_no_line():
    out = _three_regions(20)
    out[5, 5] = np.nan
    pic = class_picture(out)
    assert pic.rgb[5, 5].tolist() == [0, 0, 0]
    assert not (pic.rgb.flags.writeable or pic.label.flags.writeable)


def test_a_trained_spiral_net_is_pictured_as_its_argmax_and_measured_by_it():
    p = load_preset("spiral3")
    e = Engine(p.graph, p.settings.loss)
    t = Trainer(e, p.dataset, p.settings)
    for _ in range(150):
        t.step()
    extent = plane_extent(p.dataset.X)
    out = output_grids(e, extent, 30)
    pic = class_picture(out)
    assert np.array_equal(pic.label, np.argmax(e.predict(_points(extent, 30)), axis=1).reshape(30, 30))
    X, Y = p.dataset.train()
    want = np.mean(np.argmax(e.predict(X), axis=1) == np.argmax(Y, axis=1))
    assert accuracy(e, X, Y) == want and want > 0.6
    pics = BoundaryMaker(p.dataset.X, p.dataset).make(e, final=True)
    assert pics.classes is not None and pics.fit is None
    assert np.array_equal(pics.grid, pics.classes.share)


def _points(extent, n):
    from bpstudio.core.boundary import plane_points

    return plane_points(extent, n)


@pytest.mark.parametrize("Y,task", [([[0, 1, 0], [1, 0, 0]], "multiclass"), ([[0], [1]], "binary"),
                                    ([[1, 1], [0, 1]], "binary"), ([[0.5], [1]], "regression"),
                                    (np.zeros((0, 2)), "regression")])
def test_the_task_is_read_from_the_targets(Y, task):
    assert target_task(np.array(Y, dtype=float)) == task
