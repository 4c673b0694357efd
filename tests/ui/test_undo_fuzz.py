"""1,000 random edit sequences through the real QUndoCommands; undoing everything restores the
original project exactly: numbers, names, unit and edge order (the order of the engine's parameters
and of seeded initialisation), positions, the dataset, and the saved file's text byte for byte.

A seeded RNG picks each edit among those the current project allows; sequences also undo and redo
part-way (which drops the redo tail) and merge drags. No hypothesis shrinking: a failure prints the
sequence number and the commands, which replay with the same seed.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from bpstudio.core import fileformat
from bpstudio.core.activations import ACTIVATIONS
from bpstudio.core.graph import HIDDEN, INPUT, OUTPUT
from bpstudio.core.presets import layered_graph, load_preset
from bpstudio.ui import data_commands as D
from bpstudio.ui.canvas import commands as C
from bpstudio.ui.document import Document

SEED = 7
SEQUENCES = 1000
MAX_LEN = 12


def picture(doc: Document) -> tuple:
    """Everything a user could see differ: the graph snapshot, node order and positions, dataset."""
    g = doc.graph
    nodes = tuple((n.id, n.role, n.name, n.activation, n.bias, n.x, n.y) for n in g)
    edges = tuple((e.source, e.target, e.weight) for e in g.edges.values())  # in order
    ds = doc.dataset
    return (g.snapshot(), nodes, edges, ds.X.tobytes(), ds.X.shape, ds.Y.tobytes(), ds.Y.shape,
            ds.train_mask.tobytes(), tuple(ds.input_names), tuple(ds.target_names), ds.name)


def random_edit(doc: Document, rng: random.Random, drag: list[int]):
    """One command the current project allows (or None when the draw does not apply)."""
    g = doc.graph
    ids = list(g.nodes)
    non_inputs = [n.id for n in g if n.role != INPUT]
    kind = rng.randrange(15)
    if kind == 0:
        sources = [n for n in ids if g.nodes[n].role != OUTPUT]
        targets = [n for n in ids if g.nodes[n].role == OUTPUT]
        edges = []
        if sources:
            edges.append((rng.choice(sources), None, rng.uniform(-2, 2)))
        if targets:
            edges.append((None, rng.choice(targets), rng.uniform(-2, 2)))
        return C.AddNodeCommand(g, HIDDEN, f"H{rng.randrange(100)}", rng.choice(list(ACTIVATIONS)),
                                rng.uniform(-1, 1), rng.uniform(-300, 300), rng.uniform(-300, 300), edges)
    if kind == 1 and len(ids) > 1:
        return C.RemoveNodeCommand(g, rng.choice(ids))
    if kind == 2 and len(ids) > 1:
        s, t = rng.sample(ids, 2)
        if g.connection_problem(s, t) is None:
            return C.AddEdgeCommand(g, s, t, rng.uniform(-3, 3))
        return None
    edges = list(g.edges)
    if kind == 3 and edges:
        return C.RemoveEdgeCommand(g, *rng.choice(edges))
    if kind == 4 and edges:
        return C.SetWeightCommand(g, *rng.choice(edges), rng.choice([0.0, -0.0, 1e-300, rng.gauss(0, 5)]))
    if kind == 5 and non_inputs:
        return C.SetBiasCommand(g, rng.choice(non_inputs), rng.gauss(0, 3))
    if kind == 6 and non_inputs:
        return C.SetActivationCommand(g, rng.choice(non_inputs), rng.choice(list(ACTIVATIONS)))
    if kind == 7 and ids:
        return C.RenameCommand(g, rng.choice(ids), rng.choice(["A", "Z9", "é", "long name " * 3]))
    if kind == 8 and ids:
        if rng.random() < 0.5:
            drag[0] += 1  # a new drag; otherwise this move merges with the previous one
        picked = rng.sample(ids, rng.randint(1, min(3, len(ids))))
        moves = {n: ((g.nodes[n].x, g.nodes[n].y), (rng.uniform(-400, 400), rng.uniform(-400, 400)))
                 for n in picked}
        return C.MoveNodesCommand(g, moves, drag_id=drag[0])
    if kind == 9:
        sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
        return C.ReplaceGraphCommand(g, layered_graph(sizes, "tanh", "sigmoid"), "New network")
    if kind == 10 and (edges or non_inputs):
        w = {k: rng.gauss(0, 1) for k in edges if rng.random() < 0.7}
        b = {n: rng.gauss(0, 1) for n in non_inputs if rng.random() < 0.7}
        return C.SetWeightsCommand(g, w, b, "Re-initialise")
    ds = doc.dataset
    if kind == 11 and ds.n_samples:
        col = rng.randrange(ds.n_inputs + ds.n_outputs)
        return D.SetCellCommand(doc, rng.randrange(ds.n_samples), col, rng.gauss(0, 2))
    if kind == 12:
        count = rng.randint(1, 3)
        return D.InsertRowsCommand(doc, rng.randint(0, ds.n_samples), count,
                                   np.round(np.random.default_rng(rng.randrange(10**6)).normal(
                                       size=(count, ds.n_inputs)), 3))
    if kind == 13 and ds.n_samples > 1:
        return D.RemoveRowsCommand(doc, rng.sample(range(ds.n_samples), rng.randint(1, ds.n_samples - 1)))
    if kind == 14 and ds.n_samples:
        return D.SetSplitCommand(doc, rng.sample(range(ds.n_samples), rng.randint(1, ds.n_samples)),
                                 rng.random() < 0.5)
    return None


@pytest.fixture
def document(qtbot):
    doc = Document(load_preset("article-xor"))
    yield doc
    doc.undo_stack.clear()


def test_thousand_random_sequences_undo_to_the_original(document):
    rng = random.Random(SEED)
    stack = document.undo_stack
    drag = [0]
    commands_pushed = undo_redo_moves = 0
    for seq in range(SEQUENCES):
        start = document.project.name  # a fresh start for each sequence: one of a few presets
        document.replace_project(load_preset(rng.choice(["article-xor", "xor", "and"])))
        original = picture(document)
        original_text = fileformat.dumps(document.project)
        assert not document.modified
        log = []
        for _ in range(rng.randint(1, MAX_LEN)):
            if stack.count() and rng.random() < 0.15:  # undo (and maybe redo) part-way
                stack.undo()
                if rng.random() < 0.5:
                    stack.redo()
                undo_redo_moves += 1
                log.append("undo/redo")
                continue
            cmd = random_edit(document, rng, drag)
            if cmd is None:
                continue
            log.append(cmd.text())
            stack.push(cmd)
            commands_pushed += 1
        while stack.canUndo():
            stack.undo()
        assert picture(document) == original, f"sequence {seq} from {start}: {log}"
        assert fileformat.dumps(document.project) == original_text, f"sequence {seq}: {log}"
        assert not document.modified, f"sequence {seq}: still marked modified after undoing all"
        while stack.canRedo():  # and redo everything: the edits come back without error
            stack.redo()
    print(f"undo fuzz: {SEQUENCES} sequences, {commands_pushed} commands, {undo_redo_moves} undo/redo moves")
    assert commands_pushed > 5 * SEQUENCES  # the sequences really edit (not mostly skipped draws)
    assert undo_redo_moves > SEQUENCES // 2
