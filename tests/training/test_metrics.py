"""Accuracy is measured for classification only (every target 0 or 1); regression gets none."""

import numpy as np

from bpstudio.core.dataset import Dataset
from bpstudio.core.engine import Engine
from bpstudio.core.generators import generate
from bpstudio.core.presets import load_preset
from bpstudio.training.observe import Metrics, accuracy, is_classification


def test_the_article_table_is_classification_and_its_accuracy_is_the_share_right():
    project = load_preset("article-xor")
    engine = Engine(project.graph, project.settings.loss)
    m = Metrics(project.dataset)
    assert m.classification and not m.has_test
    # identity network, every weight 1: y_hat = 1 + 3·(1 + X1 + X2) = 4, 7, 7, 10 -> all say "1"
    assert engine.predict(project.dataset.X)[:, 0].tolist() == [4.0, 7.0, 7.0, 10.0]
    assert m.train_accuracy(engine) == 0.5  # right on (0,1) and (1,0), wrong on (0,0) and (1,1)
    assert m.test_accuracy(engine) is None and m.test_loss(engine) is None


def test_regression_targets_get_no_accuracy():
    ds = generate("sine", 40, 0.0, 0.25, 3)
    assert not is_classification(ds.Y)
    project = load_preset("xor")
    engine = Engine(project.graph, project.settings.loss)
    m = Metrics(Dataset(np.c_[ds.X, ds.X], ds.Y, ["X1", "X2"], ["Y"], train_mask=ds.train_mask))
    assert not m.classification and m.has_test
    assert m.train_accuracy(engine) is None and m.test_accuracy(engine) is None
    assert len(m.X_test) == int((~ds.train_mask).sum()) == 10  # a test loss, still, on the held-out rows
    assert np.isfinite(m.test_loss(engine))


def test_accuracy_needs_every_output_right_and_is_nan_without_rows():
    project = load_preset("xor")
    engine = Engine(project.graph, project.settings.loss)
    X = project.dataset.X
    right = (engine.predict(X) >= 0.5).astype(float)
    assert accuracy(engine, X, right) == 1.0
    assert accuracy(engine, X, 1.0 - right) == 0.0
    assert np.isnan(accuracy(engine, X[:0], right[:0]))
