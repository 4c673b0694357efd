"""Ready-made projects: the article's example exactly, and small networks that learn."""

from __future__ import annotations

from collections.abc import Callable

from .dataset import Dataset, truth_table
from .generators import generate
from .graph import HIDDEN, INPUT, OUTPUT, Graph
from .init import initial_values
from .layout import apply_layout
from .project import Project
from .settings import TrainingSettings
from .shipped_data import IRIS

HIDDEN_LETTERS = "ZHGKMPQRST"


class PresetError(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; say it plainly
        return str(self.args[0])


def layered_graph(sizes: list[int], hidden: str = "identity", output: str = "identity") -> Graph:
    """A fully connected layered network, named like the article: X1.., Z1.., D0.."""
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError(f"a layer spec needs at least an input and an output layer, each ≥ 1 unit: {sizes}")
    g = Graph()
    prev = [g.add_node(INPUT, f"X{i + 1}").id for i in range(sizes[0])]
    for depth, n in enumerate(sizes[1:-1]):
        letter = HIDDEN_LETTERS[depth % len(HIDDEN_LETTERS)]
        cur = [g.add_node(HIDDEN, f"{letter}{i + 1}", hidden).id for i in range(n)]
        for t in cur:
            for s in prev:
                g.connect(s, t)
        prev = cur
    outs = [g.add_node(OUTPUT, f"D{i}", output).id for i in range(sizes[-1])]
    for t in outs:
        for s in prev:
            g.connect(s, t)
    apply_layout(g)
    return g


def parse_layer_spec(spec: str) -> list[int]:
    """``"2-3-1"`` → ``[2, 3, 1]``, with a plain message when it is not a spec."""
    try:
        sizes = [int(p) for p in spec.replace(" ", "").split("-")]
    except ValueError:
        raise ValueError(f"{spec!r} is not a layer spec like 2-3-1") from None
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError(f"{spec!r}: a layer spec needs at least two layers of one unit or more")
    return sizes


def initialise(graph: Graph, settings: TrainingSettings) -> None:
    """Set every weight and bias from the settings' init scheme and seed."""
    w, b = initial_values(graph, settings.init, settings.seed, settings.init_value,
                          settings.init_scale)
    graph.set_weights(w, b)


def _project(name: str, sizes, hidden, output, data: Dataset, description: str,
             **settings) -> Project:
    g = layered_graph(list(sizes), hidden, output)
    s = TrainingSettings(**settings).validate()
    initialise(g, s)
    return Project(g, data, s, name=name, description=description)


def article_xor() -> Project:
    """The article's network exactly: 2-3-1, identity units, every weight 1, α = 0.1, batch GD."""
    return _project(
        "article-xor", (2, 3, 1), "identity", "identity", truth_table("xor"),
        "The article's example: XOR on inputs X1, X2 (bias X0), hidden Z1..Z3 (bias Z0), output "
        "D0; identity activations; every weight 1; learning rate 0.1; batch gradient descent; "
        "squared error. It cannot learn XOR: the network is linear and its hidden units are "
        "symmetric.",
        loss="squared_error", optimizer="gd", mode="batch", learning_rate=0.1, init="constant",
        init_value=1.0, max_epochs=1000,
    )


def xor_tanh() -> Project:
    return _project(
        "xor", (2, 3, 1), "tanh", "sigmoid", truth_table("xor"),
        "XOR that learns: tanh hidden units break linearity, seeded random (Xavier) weights break "
        "symmetry; sigmoid output with cross-entropy.",
        loss="cross_entropy", optimizer="gd", mode="batch", learning_rate=0.5, init="xavier",
        seed=3, max_epochs=5000, target_loss=0.005,
    )


def _gate(op: str) -> Callable[[], Project]:
    def make() -> Project:
        return _project(
            op, (2, 1), "identity", "sigmoid", truth_table(op),
            f"{op.upper()} is linearly separable: one sigmoid unit learns it, no hidden layer needed.",
            loss="cross_entropy", optimizer="gd", mode="batch", learning_rate=1.0, init="xavier",
            seed=0, max_epochs=2000, target_loss=0.01,
        )
    make.__doc__ = f"{op.upper()} with a single sigmoid unit."
    return make


def three_spirals() -> Project:
    return _project(
        "spiral3", (2, 12, 12, 3), "tanh", "softmax", generate("spiral3", 300, 0.0, 0.2, seed=1),
        "Three classes: three interleaved spiral arms. A softmax output group (one unit per class) with "
        "categorical cross-entropy; the decision boundary colours the plane by the winning class.",
        loss="categorical_cross_entropy", optimizer="adam", mode="batch", learning_rate=0.02,
        init="xavier", seed=2, max_epochs=3000, target_loss=0.02,
    )


def iris_preset() -> Project:
    return _project(
        "iris", (4, 6, 3), "tanh", "softmax", generate(IRIS, test_fraction=0.2, seed=0),
        "Fisher's iris flowers: four measurements in centimetres, three species. Setosa is easy; "
        "versicolor and virginica overlap a little. 30 of the 150 rows are held out as a test set.",
        loss="categorical_cross_entropy", optimizer="adam", mode="batch", learning_rate=0.02,
        init="xavier", seed=0, max_epochs=2000, target_loss=0.05,
    )


def gaussian_regression() -> Project:
    return _project(
        "gaussian-regression", (2, 10, 10, 1), "tanh", "identity", generate("gaussian", 300, 0.0, 0.2, seed=1),
        "Regression: six bumps of height +1 or -1 (TF Playground's). An identity output with squared "
        "error; the regression view plots predicted against target.",
        loss="squared_error", optimizer="adam", mode="batch", learning_rate=0.02, init="xavier",
        seed=1, max_epochs=3000, target_loss=0.002,
    )


def sine_regression() -> Project:
    return _project(
        "sine", (1, 8, 1), "tanh", "identity", generate("sine", 60, 0.05, 0.0, seed=0),
        "Regression in one input: Y = sin(pi X1) with a little noise. The regression view draws the "
        "network's curve through the points as it learns.",
        loss="squared_error", optimizer="adam", mode="batch", learning_rate=0.05, init="xavier",
        seed=0, max_epochs=3000, target_loss=0.003,
    )


PRESETS: dict[str, Callable[[], Project]] = {
    "article-xor": article_xor,
    "xor": xor_tanh,
    "and": _gate("and"),
    "or": _gate("or"),
    "nand": _gate("nand"),
    "spiral3": three_spirals,
    "iris": iris_preset,
    "gaussian-regression": gaussian_regression,
    "sine": sine_regression,
}


def describe() -> dict[str, str]:
    return {name: make().description for name, make in PRESETS.items()}


def load_preset(name: str) -> Project:
    try:
        make = PRESETS[name]
    except KeyError:
        raise PresetError(f"unknown preset {name!r}; the presets are {', '.join(PRESETS)}") from None
    return make()
