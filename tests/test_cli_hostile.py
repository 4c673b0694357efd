"""The command line on hostile input (issue 10): one line on stderr, exit 2, never a traceback or a hang."""

import json
import os
import subprocess
import sys

import pytest

from bpstudio.assets import asset

BIG = "9" * 400


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "bpstudio", *map(str, args)], capture_output=True,
                          text=True, timeout=60, cwd=cwd, env=env)


def refused(proc) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_special_paths_are_refused_before_opening(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert refused(run("gradcheck", fifo)).endswith("it is a named pipe (FIFO), not a project file")
    assert refused(run("train", "/dev/zero")).endswith("/dev/zero: it is a device, not a project file")
    assert refused(run("train", tmp_path)).endswith("it is a folder, not a project file")
    assert "live system file under /proc" in refused(run("explain", "/proc/self/status"))


def test_a_400_digit_integer_is_refused_naming_its_field(tmp_path):
    text = asset("examples", "xor.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data["network"]["edges"][2]["weight"] = "@BIG@"
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data).replace('"@BIG@"', BIG))
    line = refused(run("train", path))
    assert line == ("bpstudio: error: network.edges[2].weight: must be a number, not a 400-digit integer "
                    "(too large for a number here)")


def test_huge_data_is_refused_and_huge_weights_train_without_warnings(tmp_path):
    data = json.loads(asset("examples", "xor.json").read_text(encoding="utf-8"))
    data["dataset"]["X"][1][0] = 1e300
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    assert refused(run("train", path)).endswith("dataset.X[1][0]: 1e+300 is too large for a data value "
                                                "(the limit is ±1e+100; rescale the column)")
    data = json.loads(asset("examples", "xor.json").read_text(encoding="utf-8"))
    data["network"]["edges"][0]["weight"] = 1e300
    path.write_text(json.dumps(data))
    proc = run("gradcheck", path)
    assert proc.returncode in (0, 1) and proc.stderr == ""  # no numpy RuntimeWarnings


@pytest.mark.parametrize("eps", ["1e308", "5e-324", "nan", "1e-13", "0.5"])
def test_eps_outside_the_sane_range_is_refused(eps):
    assert f"argument --eps: {eps} is outside 1e-12..0.1" in refused(run("gradcheck", "--preset", "xor",
                                                                       "--eps", eps))


def test_cr_only_csv_reference_reads(tmp_path):
    (tmp_path / "d.csv").write_bytes(b"a,b,y\r0,0,0\r0,1,1\r1,0,1\r1,1,0\r")
    data = json.loads(asset("examples", "xor.json").read_text(encoding="utf-8"))
    data["dataset"] = {"csv": "d.csv", "input_columns": ["a", "b"], "target_columns": ["y"]}
    (tmp_path / "p.json").write_text(json.dumps(data))
    proc = run("gradcheck", tmp_path / "p.json")
    assert proc.returncode == 0, proc.stderr


def test_csv_reference_to_a_device_names_where_it_resolved(tmp_path):
    data = json.loads(asset("examples", "xor.json").read_text(encoding="utf-8"))
    data["dataset"] = {"csv": "/dev/urandom", "input_columns": ["a", "b"], "target_columns": ["y"]}
    (tmp_path / "p.json").write_text(json.dumps(data))
    assert refused(run("train", tmp_path / "p.json")).endswith(
        "dataset.csv: cannot read /dev/urandom: it is a device, not a CSV file")


def test_too_many_epochs_refused_up_front():
    assert "1,000,000,000,000 epochs is more than the 100,000,000" in refused(
        run("train", "--preset", "xor", "--epochs", "1000000000000"))


def test_ctrl_c_stops_a_long_run_with_one_line_and_exit_130():
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "bpstudio", "train", "--preset", "article-xor", "--epochs",
                             "50000000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(200):  # wait until training has begun (its first line is out)
            if proc.stdout.readline().startswith("training"):
                break
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and err.strip() == "bpstudio: interrupted"


def test_progress_is_a_line_a_second_on_a_terminal_only():
    import io

    from bpstudio.cli_progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    now = [0.0]
    tty = Tty()
    p = Progress("training", 10, tty)
    p._clock = lambda: now[0]
    p.started, p.next = 0.0, 1.0
    for epoch, t in ((1, 0.5), (2, 1.2), (3, 1.9), (4, 2.3)):
        now[0] = t
        p.tick(epoch, 0.25)
    assert tty.getvalue().splitlines() == ["training: epoch 2/10 (20%), loss 0.25, 1 s (Ctrl-C stops)",
                                           "training: epoch 4/10 (40%), loss 0.25, 2 s (Ctrl-C stops)"]
    pipe = io.StringIO()
    Progress("training", 10, pipe, every=0.0).tick(1, 0.5)
    assert pipe.getvalue() == ""
