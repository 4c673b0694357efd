"""The command line: ``bpstudio.cli.main`` with its output captured (fast), and for a few tests
run as a user runs it, ``python -m bpstudio ...`` in a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from bpstudio import cli
from bpstudio.core import fileformat
from bpstudio.core.presets import PRESETS, load_preset

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT, process: bool = False) -> subprocess.CompletedProcess:
    """The exit status and output of ``bpstudio ARGS`` (in this process unless ``process``)."""
    if process:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
        env.pop("QT_QPA_PLATFORM", None)
        return subprocess.run([sys.executable, "-m", "bpstudio", *args], capture_output=True, text=True,
                              cwd=cwd, env=env, timeout=120, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["bpstudio", *args], code, out.getvalue(), err.getvalue())


def refused(proc: subprocess.CompletedProcess) -> str:
    """Exit status 2 and exactly one plain line on stderr (returned), no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpstudio: error: "), proc.stderr
    return lines[0]


def test_presets_lists_every_preset_with_a_line_each():
    proc = run("presets", process=True)  # as a user runs it
    assert proc.returncode == 0 and proc.stderr == ""
    lines = proc.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == list(PRESETS)
    assert "The article's example" in lines[0] and "learning rate 0.1" in lines[0]


def test_train_article_settles_at_the_linear_optimum():
    proc = run("train", "--preset", "article-xor", "--epochs", "1000", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # one JSON object and nothing else on stdout
    assert out["epochs"] == 1000 and out["diverged"] is False
    assert out["final_loss"] == pytest.approx(0.125, abs=1e-6)
    assert [p for (p,) in out["predictions"]] == pytest.approx([0.5] * 4, abs=1e-3)
    assert len(out["loss_history"]) == 1000
    assert out["loss_history"][0] == pytest.approx((8 + 18 + 18 + 50) / 4)  # ½4², ½6², ½6², ½10²
    names = [(w["source_name"], w["target_name"]) for w in out["weights"]]
    assert names[:2] == [("X1", "Z1"), ("X2", "Z1")] and len(names) == 9
    # the hidden units started equal and stay equal (symmetry)
    into = {t: [w["weight"] for w in out["weights"] if w["target_name"] == t]
            for t in ("Z1", "Z2", "Z3")}
    assert into["Z1"] == into["Z2"] == into["Z3"]
    assert [b["name"] for b in out["biases"]] == ["Z1", "Z2", "Z3", "D0"]


def test_train_learning_xor_gets_below_one_hundredth():
    proc = run("train", "--preset", "xor", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["final_loss"] < 0.01
    assert [round(p) for (p,) in out["predictions"]] == [0, 1, 1, 0]


def test_train_prints_progress_and_notes():
    proc = run("train", "--preset", "article-xor", "--epochs", "50")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    progress = [ln for ln in lines if ln.startswith("epoch ")]
    assert [ln.split()[1] for ln in progress] == [f"{e}/50" for e in range(5, 51, 5)]
    assert lines[0].startswith("training article-xor: 50 epochs, gd, batch, learning rate 0.1")
    assert any(ln.startswith("final loss 0.12") for ln in lines)
    assert any(ln.startswith("note: Z1, Z2 and Z3 are symmetric") for ln in lines)


def test_train_out_saves_the_trained_project(tmp_path):
    out_file = tmp_path / "trained.json"
    proc = run("train", "--preset", "article-xor", "--epochs", "20", "--lr", "0.05", "--json",
               "--out", str(out_file))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    saved = fileformat.load(out_file)
    assert saved.epoch == 20 and len(saved.loss_history) == 20
    assert saved.settings.learning_rate == 0.05
    assert saved.loss_history == report["loss_history"]
    for w in report["weights"]:
        assert saved.graph.edge(w["source"], w["target"]).weight == w["weight"]  # exact
    # training continues from the saved file
    again = run("train", str(out_file), "--epochs", "5", "--json", "--out", str(tmp_path / "more.json"))
    more = json.loads(again.stdout)
    assert more["total_epochs"] == 25 and more["epochs"] == 5
    resaved = fileformat.load(tmp_path / "more.json")  # the earlier history, then the 5 new losses
    assert resaved.epoch == 25 and resaved.loss_history == saved.loss_history + more["loss_history"]
    assert resaved.history_epochs() == list(range(1, 26))
    text = run("train", str(out_file), "--epochs", "5").stdout
    assert "continuing after the file's epoch 20 (up to epoch 25 in all;" in text


def test_seed_reinitialises_random_init_only(tmp_path):
    a = json.loads(run("train", "--preset", "xor", "--epochs", "1", "--json").stdout)
    b = json.loads(run("train", "--preset", "xor", "--epochs", "1", "--json", "--seed", "11").stdout)
    c = json.loads(run("train", "--preset", "xor", "--epochs", "1", "--json", "--seed", "11").stdout)
    assert [w["weight"] for w in a["weights"]] != [w["weight"] for w in b["weights"]]
    assert b["weights"] == c["weights"]  # same seed, same start, same result
    # constant init: the seed changes nothing about the weights
    d = json.loads(run("train", "--preset", "article-xor", "--epochs", "1", "--json", "--seed", "5").stdout)
    e = json.loads(run("train", "--preset", "article-xor", "--epochs", "1", "--json").stdout)
    assert d["weights"] == e["weights"]


def test_online_mode_steps_sample_by_sample():
    """One online epoch on the article's net, against plain scalar arithmetic (no numpy, no engine)."""
    proc = run("train", "--preset", "article-xor", "--epochs", "1", "--mode", "online", "--json")
    out = json.loads(proc.stdout)
    w = {(s, t): 1.0 for s in ("X1", "X2") for t in ("Z1", "Z2", "Z3")}
    b = dict.fromkeys(("Z1", "Z2", "Z3", "D0"), 1.0)
    v = dict.fromkeys(("Z1", "Z2", "Z3"), 1.0)
    losses = []
    for x1, x2, y in ((0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)):
        z = {h: b[h] + w["X1", h] * x1 + w["X2", h] * x2 for h in v}
        d = b["D0"] + sum(v[h] * z[h] for h in v)
        delta = d - y
        losses.append(0.5 * delta**2)
        hidden = {h: v[h] * delta for h in v}  # identity: f' = 1
        b["D0"] -= 0.1 * delta
        for h in v:
            v[h] -= 0.1 * z[h] * delta
            b[h] -= 0.1 * hidden[h]
            w["X1", h] -= 0.1 * x1 * hidden[h]
            w["X2", h] -= 0.1 * x2 * hidden[h]
    assert losses[:2] == [8.0, pytest.approx(0.5 * 2.48**2)]  # second sample: D0 = 0.6 + 3 . 0.6 . 1.6
    assert out["loss_history"] == [pytest.approx(sum(losses) / 4)]
    got = {(e["source_name"], e["target_name"]): e["weight"] for e in out["weights"]}
    for (s, t), value in w.items():
        assert got[s, t] == pytest.approx(value)
    assert {e["name"]: e["bias"] for e in out["biases"]} == pytest.approx(b)


def test_explain_shows_the_corrected_arithmetic():
    proc = run("explain", "--preset", "article-xor")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "= 0.6" in text and "1.4" not in text
    assert "W10 := W10 - alpha . Z_X0 . delta_Z1 = 1 - 0.1 . 1 . 4 = 0.6" in text
    assert "W11 := W11 - alpha . Z_X1 . delta_Z1 = 1 - 0.1 . 0 . 4 = 1" in text
    assert "delta_Z1 = V1 . delta_D0 . f'(a) = 1 . 4 . 1 = 4" in text


def test_explain_batch_markdown_and_sample():
    # batch step by hand: Z = 1 + x1 + x2, D0 = 1 + 3Z → 4, 7, 7, 10; deltas 4, 6, 6, 10
    # bias D0: 1 - 0.1 . mean(4, 6, 6, 10) = 1 - 0.65 = 0.35
    # V (Z → D0): 1 - 0.1 . mean(1.4, 2.6, 2.6, 3.10) = 1 - 0.1 . 14.5 = -0.45
    proc = run("explain", "--preset", "article-xor", "--batch", "--markdown", "--sample", "4")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("# ") and "## Updates" in text and "```" in text
    assert "= 0.35" in text and "= -0.45" in text
    assert "Sample 4 of 4 in this batch (data row 4): X1 = 1, X2 = 1" in text
    single = run("explain", "--preset", "article-xor", "--sample", "2").stdout
    assert "Sample: data row 2: X1 = 0, X2 = 1" in single
    assert "Unit D0: h(x) = W0.Z0 + W1.Z1 + W2.Z2 + W3.Z3 = 1 . 1 + 1 . 2 + 1 . 2 + 1 . 2 = 7" in single


def test_gradcheck_agrees_on_the_article_and_flags_a_bad_step():
    proc = run("gradcheck", "--preset", "article-xor")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("OK: largest relative error")
    assert "w(Z1→D0)       14.5" in proc.stdout  # mean of Z . delta over the batch, by hand above
    # a huge finite-difference step on a curved (tanh/sigmoid) network disagrees with backprop
    bad = run("gradcheck", "--preset", "xor", "--eps", "0.1")
    assert bad.returncode == 1 and "MISMATCH" in bad.stdout and "Traceback" not in bad.stderr


def test_every_command_works_on_a_project_file(tmp_path):
    path = tmp_path / "and.json"
    fileformat.save(load_preset("and"), path)
    for args in (("train", str(path), "--epochs", "3"), ("explain", str(path)), ("gradcheck", str(path))):
        proc = run(*args)
        assert proc.returncode == 0, (args, proc.stderr)


@pytest.mark.parametrize("args, message", [
    (("train", "--preset", "nope"), "unknown preset 'nope'; the presets are article-xor"),
    (("train", "--preset", "article-xor", "--lr", "-1"), "argument --lr: must be a positive number, not -1"),
    (("train", "--preset", "article-xor", "--epochs", "x"),
     "argument --epochs: expected a whole number, not 'x'"),
    (("train", "--preset", "article-xor", "--epochs", "0"), "argument --epochs: must be at least 1, not 0"),
    (("train", "--preset", "article-xor", "--optimizer", "sgd"),
     "argument --optimizer: invalid choice: 'sgd'"),
    (("train",), "give a project FILE or --preset NAME"),
    (("train", "x.json", "--preset", "xor"), "give a project FILE or --preset NAME (one of them, not both)"),
    (("train", "/no/such/file.json"), "cannot read /no/such/file.json: No such file or directory"),
    (("train", "--preset", "xor", "--out", "/no/such/dir/x.json"), "the folder /no/such/dir does not exist"),
    (("explain", "--preset", "article-xor", "--sample", "5"),
     "the dataset has 4 training samples, numbered 1 to 4"),
    (("gradcheck", "--preset", "xor", "--eps", "0"), "argument --eps: 0 is outside 1e-12..0.1"),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
    (("train", "--preset", "xor", "--bogus"), "unrecognized arguments: --bogus"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    assert message in refused(run(*args))


@pytest.mark.parametrize("content, message", [
    ('{"format": "bpstudio-project", "version": 1,', "line 1, column 45: the file is not valid JSON"),
    ("", "the file is empty"),
    ('{"format": "bpstudio-project", "version": 7}', "written by a newer Backprop Studio (format version 7)"),
])
def test_invalid_project_files_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    for command in ("train", "explain", "gradcheck"):
        assert message in refused(run(command, str(path)))


def test_invalid_weight_in_file_names_the_place(tmp_path):
    doc = json.loads(fileformat.dumps(load_preset("article-xor")))
    doc["network"]["edges"][2]["weight"] = "heavy"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    message = refused(run("train", str(path)))
    assert "network.edges[2].weight: must be a number, not the text 'heavy'" in message


def test_divergence_is_reported_without_a_traceback(tmp_path):
    out_file = tmp_path / "x.json"
    proc = run("train", "--preset", "article-xor", "--lr", "5", "--epochs", "100", "--json",
               "--out", str(out_file))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    assert "training diverged at epoch" in proc.stderr and "lower the learning rate" in proc.stderr
    assert json.loads(proc.stdout)["diverged"] is True  # still valid JSON (null for non-numbers)
    assert not out_file.exists()


def test_subcommands_never_import_qt():
    script = (
        "import sys, io, contextlib\n"
        "from bpstudio.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [main(['presets']), main(['train', '--preset', 'xor', '--epochs', '2', '--json']),\n"
        "             main(['explain', '--preset', 'article-xor']), main(['gradcheck', '--preset', 'and'])]\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(codes, qt)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert proc.stdout.strip() == "[0, 0, 0, 0] []", proc.stderr


def test_no_arguments_opens_the_gui(monkeypatch):
    """Without arguments ``main`` hands over to bpstudio.app.main (imported only then)."""
    calls = []
    fake = types.ModuleType("bpstudio.app")
    fake.main = lambda: calls.append("gui") or 0
    monkeypatch.setitem(sys.modules, "bpstudio.app", fake)
    assert cli.main([]) == 0 and calls == ["gui"]


def test_help_exits_zero(capsys):
    assert cli.main(["train", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split()).replace("re- ", "re-")  # argparse wraps at hyphens
    assert "--seed" in out and "re-initialised from this seed" in out


def test_held_out_rows_get_their_own_loss(tmp_path):
    project = load_preset("and")
    project.dataset.train_mask[:] = [True, True, True, False]
    path = tmp_path / "split.json"
    fileformat.save(project, path)
    out = json.loads(run("train", str(path), "--epochs", "50", "--json").stdout)
    assert out["final_loss"] == pytest.approx((3 * out["train_loss"] + out["test_loss"]) / 4)
    assert len(out["loss_history"]) == 50 and out["loss_history"][-1] < out["loss_history"][0]
    text = run("train", str(path), "--epochs", "5").stdout
    assert "training rows: loss " in text and "; test rows: loss " in text


def test_explain_writes_out_the_projects_l2_regularisation(tmp_path, capsys):
    from bpstudio.core.presets import load_preset

    p = load_preset("article-xor")
    p.settings.regularization, p.settings.reg_rate = "l2", 0.1
    path = tmp_path / "l2.json"
    fileformat.save(p, path)
    assert cli.main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "L2 regularisation, lambda = 0.1" in out
    # W11 (X1 -> Z1), fed by X1 = 0 on sample 1: only the penalty moves it, 1 - 0.1 . (0 + 0.1 . 1) = 0.99
    assert "W11 := W11 - alpha . (Z_X1 . delta_Z1 + lambda . W) = 1 - 0.1 . (0 + 0.1) = 0.99" in out
