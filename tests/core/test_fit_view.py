"""The regression view's numbers: the curve is the network's output, R² is 1 − SSE/SST."""

import numpy as np
import pytest

from bpstudio.core.engine import Engine
from bpstudio.core.fit_view import CURVE_POINTS, MAX_SCATTER_ROWS, fit_view
from bpstudio.core.generators import generate
from bpstudio.core.presets import load_preset
from bpstudio.training.observe import BoundaryMaker


def test_one_input_gets_its_curve_and_the_rows_their_predictions():
    p = load_preset("sine")
    e = Engine(p.graph, p.settings.loss)
    X, Y = p.dataset.train()
    fit = fit_view(e, X, Y)
    assert len(fit.curve_x) == CURVE_POINTS
    assert fit.curve_x[0] < X.min() and fit.curve_x[-1] > X.max()
    assert np.allclose(fit.curve_y, e.predict(fit.curve_x[:, None])[:, 0], rtol=0, atol=0)
    assert np.array_equal(fit.x, X[:, 0]) and np.array_equal(fit.target, Y[:, 0])
    assert np.array_equal(fit.predicted, e.predict(X)[:, 0])
    sse = np.sum((fit.predicted - fit.target) ** 2)
    sst = np.sum((fit.target - fit.target.mean()) ** 2)
    assert fit.r_squared == pytest.approx(1 - sse / sst, rel=1e-12)


def test_two_inputs_no_curve_train_rows_first_and_a_cap_on_rows():
    p = load_preset("gaussian-regression")
    e = Engine(p.graph, p.settings.loss)
    (Xtr, Ytr), (Xte, Yte) = p.dataset.train(), p.dataset.test()
    fit = fit_view(e, Xtr, Ytr, Xte, Yte)
    assert len(fit.curve_x) == 0
    assert fit.n_train == len(Xtr) and len(fit.target) == len(Xtr) + len(Xte)
    assert np.array_equal(fit.target[fit.n_train:], Yte[:, 0])
    big = generate("plane", 50_000, seed=0)
    fit = fit_view(e, *big.train())
    assert len(fit.target) == MAX_SCATTER_ROWS
    assert fit.target[0] == big.Y[0, 0] and fit.target[-1] == big.Y[-1, 0]  # evenly spaced, ends kept


def test_a_perfect_fit_has_r_squared_one_and_constant_targets_none():
    p = load_preset("sine")
    e = Engine(p.graph, p.settings.loss)
    X = p.dataset.X
    fit = fit_view(e, X, e.predict(X))
    assert fit.r_squared == pytest.approx(1.0)
    assert np.isnan(fit_view(e, X, np.ones((len(X), 1))).r_squared)


def test_only_regression_targets_get_a_fit():
    for name, wanted in (("sine", True), ("gaussian-regression", True), ("xor", False), ("iris", False)):
        p = load_preset(name)
        pics = BoundaryMaker(p.dataset.X, p.dataset).make(Engine(p.graph, p.settings.loss), final=True)
        assert (pics.fit is not None) == wanted, name
