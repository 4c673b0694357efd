"""Canvas scale: open a 2,000-unit / 50,000-edge network and time recolouring every unit and edge
from new values (target ≤ 16 ms), and the same for the article's XOR network (target ≤ 1 ms).

Also printed, measured in the same run: a numpy floor (bucketing the same values, no Qt), one full
repaint of the view into an image, and a unit drag step (move + edges following).
Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks canvas``.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage, QPainter  # noqa: E402

import numpy as np  # noqa: E402

from bpstudio.core.dataset import Dataset  # noqa: E402
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT, Graph  # noqa: E402
from bpstudio.core.layout import apply_layout  # noqa: E402
from bpstudio.core.project import Project  # noqa: E402

TARGET_BIG_MS, TARGET_XOR_MS = 16.0, 1.0


def big_graph(n_units: int = 2000, n_edges: int = 50_000, n_hidden_layers: int = 4, seed: int = 0,
              n_in: int = 50, n_out: int = 30) -> Graph:
    """A sparse layered network of exactly ``n_units`` units and ``n_edges`` edges (seeded)."""
    rng = np.random.default_rng(seed)
    per = (n_units - n_in - n_out) // n_hidden_layers
    sizes = [n_in] + [per] * n_hidden_layers
    sizes[-1] += n_units - n_in - n_out - per * n_hidden_layers
    sizes.append(n_out)
    non_input = n_units - n_in
    fan = np.full(non_input, n_edges // non_input)
    fan[: n_edges - fan.sum()] += 1
    g = Graph()
    prev = [g.add_node(INPUT, f"X{i + 1}").id for i in range(n_in)]
    k = 0
    for depth, size in enumerate(sizes[1:], start=1):
        role = OUTPUT if depth == len(sizes) - 1 else HIDDEN
        letter = "D" if role == OUTPUT else "ZHGKM"[depth - 1]
        cur = []
        for i in range(size):
            nid = g.add_node(role, f"{letter}{i + (0 if role == OUTPUT else 1)}", "tanh").id
            # connect right after adding: the new unit has no outgoing edges, so the cycle check is O(1)
            for s in rng.choice(len(prev), size=min(int(fan[k]), len(prev)), replace=False):
                g.connect(prev[s], nid, float(rng.normal()))
            k += 1
            cur.append(nid)
        prev = cur
    apply_layout(g)
    return g


def _project(g: Graph) -> Project:
    n_in, n_out = len(g.inputs), len(g.outputs)
    ds = Dataset(np.zeros((1, n_in)), np.zeros((1, n_out)), [f"x{i}" for i in range(n_in)],
                 [f"y{i}" for i in range(n_out)])
    return Project(g, ds, name="scale")


def _median_ms(fn, repeat: int) -> float:
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def measure(window, repeat: int = 15) -> dict:
    """Recolour timings for the window's current network (values change every repeat)."""
    scene, g = window.scene, window.document.graph
    rng = np.random.default_rng(1)
    keys = list(g.edges)
    units = list(g.nodes)
    w_sets = [dict(zip(keys, rng.normal(size=len(keys)).tolist())) for _ in range(repeat)]
    u_sets = [dict(zip(units, rng.normal(size=len(units)).tolist())) for _ in range(repeat)]
    w_arrays = [rng.normal(size=len(keys)) for _ in range(repeat)]
    keys_t = tuple(keys)

    def recolour(i):
        scene.set_edge_values(w_sets[i])
        scene.set_unit_values(u_sets[i], "delta")

    def recolour_array(i):
        scene.set_edge_array(keys_t, w_arrays[i])
        scene.set_unit_values(u_sets[i], "delta")

    def floor(i):  # the same bucketing in numpy alone: what no Qt code can beat
        from bpstudio.ui.canvas import style

        style.bucket_of(np.fromiter(w_sets[i].values(), float, len(keys)), 1.0)
        style.bucket_of(np.fromiter(u_sets[i].values(), float, len(units)), 1.0)

    img = QImage(window.view.viewport().size(), QImage.Format_ARGB32_Premultiplied)

    def repaint(i):
        recolour(i)
        p = QPainter(img)
        window.view.render(p)
        p.end()

    node = window.scene.nodes[units[len(units) // 2]]

    def drag_step(i):
        scene.begin_drag()
        node.setPos(node.pos().x() + 1.0, node.pos().y())
        scene.end_drag()

    out = {
        "recolour_ms": _median_ms(recolour, repeat),
        "recolour_array_ms": _median_ms(recolour_array, repeat),
        "numpy_floor_ms": _median_ms(floor, repeat),
        "recolour_and_repaint_ms": _median_ms(repaint, max(3, repeat // 3)),
        "drag_step_ms": _median_ms(drag_step, repeat),
        "label_layout_ms": _median_ms(lambda i: scene.layout_labels(), repeat),
    }
    while window.undo_stack.canUndo():
        window.undo_stack.undo()
    return out


def main() -> None:
    from bpstudio.app import create_app
    from bpstudio.ui.main_window import MainWindow

    app = create_app()
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    app.processEvents()

    xor = measure(window, repeat=200)
    window.document.replace_project(_project(big_graph(n_units=19, n_edges=95, n_hidden_layers=2,
                                                                n_in=2, n_out=1)))
    window.view.fit()
    app.processEvents()
    mid = measure(window, repeat=30)
    t0 = time.perf_counter()
    g = big_graph()
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    window.document.replace_project(_project(g))
    open_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    window.view.fit()
    app.processEvents()
    window.view.viewport().grab()
    first_paint_s = time.perf_counter() - t0
    big = measure(window, repeat=15)
    print(f"canvas scale network: {len(g)} units, {len(g.edges)} edges "
          f"({'bundled edges' if window.scene.bundled else 'one item per edge'})")
    print(f"  build graph {build_s:.2f} s, open in the window {open_s:.2f} s, fit + first paint "
          f"{first_paint_s:.2f} s")
    for name, res, target in (("2,000 units / 50,000 edges", big, TARGET_BIG_MS),
                              ("2-8-8-1, 95 edges + 17 biases (labels laid out)", mid, TARGET_BIG_MS),
                              ("XOR 2-3-1", xor, TARGET_XOR_MS)):
        print(f"  {name}:")
        print(f"    recolour every unit and edge (dicts) {res['recolour_ms']:8.3f} ms   "
              f"target {target:g} ms   ratio {res['recolour_ms'] / target:.2f}x target, "
              f"{res['recolour_ms'] / res['numpy_floor_ms']:.1f}x the numpy floor ({res['numpy_floor_ms']:.3f} ms)")
        print(f"    recolour (edge array fast path)      {res['recolour_array_ms']:8.3f} ms   "
              f"ratio {res['recolour_array_ms'] / target:.2f}x target")
        print(f"    recolour + full repaint of the view  {res['recolour_and_repaint_ms']:8.3f} ms")
        print(f"    one drag step of a unit              {res['drag_step_ms']:8.3f} ms")
        print(f"    weight-label layout (no overlaps)    {res['label_layout_ms']:8.3f} ms   "
              f"{res['label_layout_ms'] / max(res['recolour_ms'], 1e-9):.2f}x the recolour, "
              f"{res['label_layout_ms'] / 16.0:.2f}x a 16 ms frame")
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main()
