"""Real data the studio ships (resources/datasets/, licences in its README.md): the iris table."""

from __future__ import annotations

import csv
import io

import numpy as np

from .dataset import Dataset, DatasetError
from .safe_read import read_text

IRIS = "iris"
IRIS_COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
MAX_SHIPPED_BYTES = 1_000_000


def iris() -> Dataset:
    """Fisher's 150 iris flowers: four measurements (cm) in, the species as three one-hot targets
    (setosa, versicolor, virginica), every row a training row."""
    from ..assets import asset  # importlib.resources only; the core stays Qt-free

    rows = list(csv.reader(io.StringIO(read_text(asset("datasets", "iris.csv"), MAX_SHIPPED_BYTES,
                                                 "the iris table"))))
    header, body = rows[0], [r for r in rows[1:] if r]
    if tuple(header[:4]) != IRIS_COLUMNS or header[4] != "species" or len(body) != 150:
        raise DatasetError("the shipped iris table is damaged; reinstall Backprop Studio")
    species = sorted({r[4] for r in body}, key=[r[4] for r in body].index)  # in the file's order
    X = np.array([[float(v) for v in r[:4]] for r in body])
    label = np.array([species.index(r[4]) for r in body])
    Y = np.zeros((len(body), len(species)))
    Y[np.arange(len(body)), label] = 1.0
    return Dataset(X, Y, list(IRIS_COLUMNS), species, name="Iris (Fisher, 1936)")
