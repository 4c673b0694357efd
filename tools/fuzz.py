"""Hostile-input fuzzing of the command line (issue 10): `make fuzz`.

Seeded generators build cases in seven classes (numbers, CSV, special paths, project JSON structure,
scale, CLI arguments, nn.Sequential weights files in JSON and npz). Each case runs through
``bpstudio.cli.main`` inside one of two worker subprocesses (memory capped with RLIMIT_AS, a per-
case alarm, and a parent-side timeout that kills a stuck worker). A case is a clean refusal (exit 2,
one line on stderr), accepted (exit 0 or 1, no traceback or warning), a crash (a traceback, a
signal, a warning line, the CLI's 'internal error' line, or another exit code) or a hang (the
timeout). Prints class | tried | clean refusals | accepted | crashes | hangs, and the first few
crashes and hangs; exits 1 when any.

    python -m tools.fuzz [--cases N] [--seed S] [--timeout SECONDS] [--workers 1|2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CLASSES = ("numbers", "csv", "paths", "structure", "scale", "cli", "sequential")
MEMORY_LIMIT = 2 * 1024**3
ROOT = Path(__file__).resolve().parent.parent
BASE = json.loads((ROOT / "resources" / "examples" / "xor.json").read_text(encoding="utf-8"))
COMMANDS = (["train", "--epochs", "3"], ["gradcheck"], ["explain"], ["train", "--epochs", "2", "--json"])

HOSTILE_NUMBERS = ("9" * 400, "-" + "9" * 350, "1e300", "-1e300", "1e400", "-1e400", "1e-400", "5e-324",
                   "NaN", "Infinity", "-Infinity", "0", "-0", "1e100", "1.0000000001e100", "123456789" * 40,
                   "1" + "0" * 5000, "true", "null", '"1"', "[]", "{}", "1e308", "2" * 309, "0.1")


# ---------------------------------------------------------------------------- generators
def _number_slots(d: dict) -> list[tuple]:
    slots = [("network", "edges", i, "weight") for i in range(len(d["network"]["edges"]))]
    slots += [("network", "nodes", i, k) for i in range(len(d["network"]["nodes"])) for k in ("x", "y")]
    slots += [("network", "nodes", i, "bias") for i in range(2, len(d["network"]["nodes"]))]
    slots += [("dataset", key, r, c) for key in ("X", "Y") for r in range(4) for c in range(len(d["dataset"][key][0]))]
    slots += [("training", k) for k in ("learning_rate", "momentum", "beta1", "beta2", "epsilon", "init_value",
                                        "init_scale", "target_loss", "batch_size", "seed", "max_epochs")]
    slots += [("epoch",), ("loss_history", 0)]
    return slots


def _put(d, path, value):
    for key in path[:-1]:
        d = d.setdefault(key, {}) if isinstance(key, str) else d[key]
    if isinstance(d, list) and path[-1] >= len(d):
        d.append(value)
    else:
        d[path[-1]] = value


def _project(d: dict, numbers: dict[str, str] | None = None) -> bytes:
    text = json.dumps(d)
    for marker, token in (numbers or {}).items():
        text = text.replace(json.dumps(marker), token)
    return text.encode()


def gen_numbers(rng: random.Random) -> dict:
    d = json.loads(json.dumps(BASE))
    d.setdefault("training", {})
    d["loss_history"] = [0.5]
    tokens = {}
    for k in range(rng.randint(1, 3)):
        slot = rng.choice(_number_slots(d))
        marker = f"@N{k}@"
        _put(d, slot, marker)
        tokens[marker] = rng.choice(HOSTILE_NUMBERS) if rng.random() < 0.7 else (
            f"{rng.choice(['', '-'])}{rng.uniform(1, 9):.6f}e{rng.randint(-330, 330)}")
    return {"files": {"p.json": _project(d, tokens)}, "argv": [*rng.choice(COMMANDS), "p.json"]}


def _csv_body(rng: random.Random) -> bytes:
    rows = [b"a,b,y", b"0,0,0", b"0,1,1", b"1,0,1", b"1,1,0"]
    kind = rng.randrange(12)
    eol = rng.choice([b"\n", b"\r", b"\r\n"])
    if kind == 0:
        rows[2] = b"0," + b"1" * rng.choice([140_000, 1_100_000]) + b",1"
    elif kind == 1:
        rows[2] = b'0,"' + b"x" * 200_000 + b'",1'
    elif kind == 2:
        rows += [b""] * rng.randint(1000, 100_000)
    elif kind == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 4000)))
    elif kind == 4:
        rows[3] = b"1e300,1,1" if rng.random() < 0.5 else b"9" * 400 + b",1,1"
    elif kind == 5:
        rows[1] = b'"unterminated,0,0'
    elif kind == 6:
        rows[2] = b"0,1"
    elif kind == 7:
        rows = [b"a" * rng.randint(1, 3_000_000)]
    elif kind == 8:
        rows[4] = rng.choice([b"nan,1,0", b"inf,1,0", b"1,,0", b"\xff\xfe,1,0", b"1;1;0"])
    elif kind == 9:
        return b""
    elif kind == 10:
        rows = [b"\xef\xbb\xbfa,b,y", *rows[1:]]
    return eol.join(rows) + (eol if rng.random() < 0.7 else b"")


def gen_csv(rng: random.Random) -> dict:
    d = json.loads(json.dumps(BASE))
    d["dataset"] = {"csv": "d.csv", "input_columns": ["a", "b"], "target_columns": ["y"]}
    return {"files": {"p.json": _project(d), "d.csv": _csv_body(rng)}, "argv": [*rng.choice(COMMANDS), "p.json"]}


SPECIAL = ("/dev/zero", "/dev/urandom", "/dev/null", "/proc/kmsg", "/proc/self/status", "/proc/self/mem", "/",
           "/tmp", "/etc/shadow", "/nonexistent/x.json", "", ".", "..", "fifo", "link", "empty.json",
           "garbage.json", "dir", "\x7f", "-", "--", "a" * 5000, "x\nfx.json")


def gen_paths(rng: random.Random) -> dict:
    target = rng.choice(SPECIAL)
    files = {"empty.json": b"", "garbage.json": bytes(rng.randrange(256) for _ in range(300))}
    case = {"files": files, "fifos": ["fifo"], "dirs": ["dir"],
            "links": {"link": rng.choice(["/dev/zero", "fifo", "dir", "/proc/kmsg"])}}
    if rng.random() < 0.3:  # a CSV reference to a special path
        d = json.loads(json.dumps(BASE))
        d["dataset"] = {"csv": target or "x", "input_columns": ["a", "b"], "target_columns": ["y"]}
        files["p.json"] = _project(d)
        target = "p.json"
    case["argv"] = [*rng.choice(COMMANDS), target]
    return case


def _mutate(value, rng: random.Random, depth: int = 0):
    r = rng.random()
    if isinstance(value, dict) and value and r < 0.6:
        key = rng.choice(list(value))
        if r < 0.1:
            del value[key]
        elif r < 0.15:
            value["unknown_" + key] = 1
        else:
            value[key] = _mutate(value[key], rng, depth + 1)
        return value
    if isinstance(value, list) and value and r < 0.6:
        i = rng.randrange(len(value))
        if r < 0.1:
            del value[i]
        elif r < 0.15:
            value.append(value[i])
        else:
            value[i] = _mutate(value[i], rng, depth + 1)
        return value
    return rng.choice([None, True, 0, -1, 1.5, "", "x", "n1", [], {}, [[]], {"a": 1}, "a" * 10_000,
                       ["n1", "n2"], 10**20, -(10**20)])


def gen_structure(rng: random.Random) -> dict:
    d = json.loads(json.dumps(BASE))
    for _ in range(rng.randint(1, 4)):
        d = _mutate(d, rng)
    text = json.dumps(d).encode()
    r = rng.random()
    if r < 0.1:
        text = text[: rng.randrange(len(text))]
    elif r < 0.15:
        text = b"[" * rng.randint(1000, 200_000) + b"]" * rng.randint(0, 10)
    elif r < 0.2:
        text = text.replace(b'"name"', b'"name": 1, "name"', 1)
    return {"files": {"p.json": text}, "argv": [*rng.choice(COMMANDS), "p.json"]}


def _chain(units: int, width: int = 1, rows: int = 4) -> dict:
    nodes = [{"id": f"i{k}", "name": f"X{k}", "role": "input"} for k in range(width)]
    edges, prev = [], [f"i{k}" for k in range(width)]
    for u in range(units):
        nid = f"h{u}"
        nodes.append({"id": nid, "name": f"Z{u}", "role": "hidden", "activation": "tanh", "bias": 0.0})
        edges += [{"source": p, "target": nid, "weight": 0.5} for p in prev]
        prev = [nid]
    nodes.append({"id": "o", "name": "D0", "role": "output", "activation": "sigmoid", "bias": 0.0})
    edges += [{"source": p, "target": "o", "weight": 0.5} for p in prev]
    X = [[float(r % 2)] * width for r in range(rows)]
    return {"format": "bpstudio-project", "version": 2, "network": {"nodes": nodes, "edges": edges},
            "dataset": {"input_names": [f"X{k}" for k in range(width)], "target_names": ["Y"], "X": X,
                        "Y": [[float(r % 2)] for r in range(rows)]}}


def gen_scale(rng: random.Random) -> dict:
    kind = rng.randrange(3)
    if kind == 0:
        d = _chain(rng.choice([10, 300, 2000, 21_000, 30_000]))
    elif kind == 1:
        d = _chain(rng.randint(1, 5), rows=rng.choice([4, 1000, 60_000]))
    else:
        d = _chain(1, width=rng.choice([2, 500, 3000]), rows=rng.choice([4, 400]))
    argv = rng.choice([["train", "--epochs", "1"], ["gradcheck"], ["explain"],
                       ["train", "--epochs", str(rng.choice([10**9, 10**12]))]])
    return {"files": {"p.json": json.dumps(d).encode()}, "argv": [*argv, "p.json"]}


WORDS = ("train", "gradcheck", "explain", "presets", "lesson", "--preset", "xor", "article-xor", "nope",
         "--epochs", "--lr", "--eps", "--tolerance", "--sample", "--batch", "--json", "--out", "--seed",
         "--optimizer", "adam", "sgd", "--mode", "--batch-size", "--init", "--markdown", "--reveal", "-h",
         "0", "-1", "1e308", "5e-324", "nan", "inf", "1e-6", "99999999999999999999", "x", "", "--",
         "/dev/null/x", "/nonexistent/out.json", "\x00", "é", "1,5")


def gen_cli(rng: random.Random) -> dict:
    argv = [rng.choice(WORDS) for _ in range(rng.randint(1, 7))]
    if rng.random() < 0.5:
        argv[0] = rng.choice(["train", "gradcheck", "explain"])
        argv[1:1] = ["--preset", rng.choice(["xor", "article-xor"])]
    if "lesson" in argv or "--reveal" in argv:
        argv = [a for a in argv if a not in ("lesson", "--reveal")] or ["presets"]  # interactive
    if "--out" in argv and rng.random() < 0.9:
        argv[argv.index("--out") + 1:argv.index("--out") + 1] = ["out.json"]
    argv = [a.replace("\x00", "") for a in argv]
    return {"files": {}, "argv": argv}


SEQUENTIAL = {"format": "bpstudio-sequential", "version": 1, "inputs": ["X1", "X2"], "outputs": ["D0"],
              "layers": [{"type": "Linear", "in_features": 2, "out_features": 3,
                          "weight": [[0.5, -0.5], [1.0, 0.25], [-1.0, 2.0]], "bias": [0.0, 0.1, -0.1]},
                         {"type": "Tanh"},
                         {"type": "Linear", "in_features": 3, "out_features": 1, "weight": [[1.0, -1.0, 0.5]],
                          "bias": [0.2]},
                         {"type": "Sigmoid"}]}


def _npz(doc: dict, rng: random.Random) -> bytes:
    """The document as an npz (header + arrays), sometimes with a pickled object array or a cut."""
    import numpy as np

    arrays, header = {}, json.loads(json.dumps(doc))
    layers = header.get("layers") if isinstance(header, dict) else None
    for i, layer in enumerate(layers if isinstance(layers, list) else []):
        if isinstance(layer, dict):
            for part in ("weight", "bias"):
                if part in layer:
                    value = layer.pop(part)
                    try:
                        arrays[f"{i}.{part}"] = np.array(value, dtype=float)
                    except (TypeError, ValueError, OverflowError):
                        arrays[f"{i}.{part}"] = np.array(value, dtype=object)  # needs pickle: refused
    buf = io.BytesIO()
    np.savez(buf, __sequential__=np.array(json.dumps(header)), **arrays)
    data = buf.getvalue()
    return data[: rng.randrange(len(data))] if rng.random() < 0.15 else data


def gen_sequential(rng: random.Random) -> dict:
    d = json.loads(json.dumps(SEQUENTIAL))
    if rng.random() < 0.1:  # a big one (the next layer then disagrees, unless mutated to fit)
        n = rng.choice([200, 3000, 20_000])
        d["layers"][0] = {"type": "Linear", "in_features": 2, "out_features": n, "weight": [[0.1, 0.1]] * n}
        d["layers"][2].update(in_features=n, weight=[[0.01] * n])
    for _ in range(rng.randint(0, 4)):
        d = _mutate(d, rng)
    name = "w.npz" if rng.random() < 0.4 else "w.json"
    data = _npz(d, rng) if name.endswith(".npz") else json.dumps(d).encode()
    if name.endswith(".json") and rng.random() < 0.1:
        data = data[: rng.randrange(len(data))]
    source = rng.choice([[], ["--preset", "xor"], ["--preset", "iris"]])
    return {"files": {name: data}, "argv": ["import-sequential", name, *source, "--out", "p.json"]}


GENERATORS = {"numbers": gen_numbers, "csv": gen_csv, "paths": gen_paths, "structure": gen_structure,
              "scale": gen_scale, "cli": gen_cli, "sequential": gen_sequential}


# ---------------------------------------------------------------------------- the worker
def worker(timeout: float) -> None:
    """Run cases read as JSON lines on stdin through bpstudio.cli.main; one JSON line out each."""
    import resource
    import signal

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    from bpstudio.cli import main

    class Timeout(BaseException):
        pass

    def on_alarm(*_):
        raise Timeout

    signal.signal(signal.SIGALRM, on_alarm)
    out = sys.stdout
    for line in sys.stdin:
        case = json.loads(line)
        with tempfile.TemporaryDirectory() as tmp:
            os.chdir(tmp)
            for name, data in case.get("files", {}).items():
                Path(name).write_bytes(bytes.fromhex(data))
            for name in case.get("fifos", ()):
                os.mkfifo(name)
            for name in case.get("dirs", ()):
                os.mkdir(name)
            for name, target in case.get("links", {}).items():
                os.symlink(target, name)
            err, std = io.StringIO(), io.StringIO()
            result = {"rc": None, "stderr": "", "kind": None}
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                import warnings

                with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(err), \
                        contextlib.redirect_stdout(std), contextlib.redirect_stdout(std):
                    warnings.simplefilter("always")
                    result["rc"] = main(case["argv"])
                if caught:
                    err.write("".join(f"{w.category.__name__}: {w.message}\n" for w in caught))
            except Timeout:
                result["kind"] = "hang"
            except BaseException as exc:  # a traceback the user would see
                import traceback

                result["kind"] = "crash"
                err.write("".join(traceback.format_exception(exc))[-1500:])
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            os.chdir("/")
        result["stderr"] = err.getvalue()[-2000:]
        out.write(json.dumps(result) + "\n")
        out.flush()


def classify(result: dict) -> str:
    if result.get("kind"):
        return result["kind"]
    rc, err = result["rc"], result["stderr"]
    if (not isinstance(rc, int) or rc not in (0, 1, 2) or "Traceback" in err or "Warning" in err
            or "internal error" in err):  # the CLI's last-resort line for an unexpected exception
        return "crash"
    if rc == 2:
        return "refusal" if len(err.strip().splitlines()) == 1 else "crash"
    return "accepted"


# ---------------------------------------------------------------------------- the parent
class Worker:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.start()

    def start(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
        self.proc = subprocess.Popen([sys.executable, "-m", "tools.fuzz", "--worker", "--timeout",
                                      str(self.timeout)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd=ROOT, env=env, bufsize=1)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, self.lines), daemon=True).start()

    @staticmethod
    def _pump(proc, lines) -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    def run(self, case: dict) -> dict:
        wire = dict(case, files={k: v.hex() for k, v in case.get("files", {}).items()})
        try:
            self.proc.stdin.write(json.dumps(wire) + "\n")
            self.proc.stdin.flush()
            line = self.lines.get(timeout=self.timeout + 20)
        except queue.Empty:
            self.restart()
            return {"kind": "hang", "stderr": "no answer (killed)"}
        except (BrokenPipeError, OSError):
            line = None
        if line is None:
            code = self.proc.wait()
            self.start()
            return {"kind": "crash", "stderr": f"worker died (exit status {code})"}
        return json.loads(line)

    def restart(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.start()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.fuzz")
    ap.add_argument("--cases", type=int, default=5400)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--workers", type=int, choices=(1, 2), default=2)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.timeout)
        return 0
    cases = [(CLASSES[i % len(CLASSES)], args.seed * 1_000_003 + i) for i in range(args.cases)]
    table = {cls: dict(tried=0, refusal=0, accepted=0, crash=0, hang=0) for cls in CLASSES}
    problems: list[str] = []
    todo: queue.Queue = queue.Queue()
    for item in cases:
        todo.put(item)
    lock = threading.Lock()
    started = time.monotonic()

    harness_errors: list[str] = []

    def drive() -> None:
        w = Worker(args.timeout)
        while True:
            try:
                cls, case_seed = todo.get_nowait()
            except queue.Empty:
                break
            try:
                case = GENERATORS[cls](random.Random(case_seed))  # made here: scale cases are megabytes
            except Exception as exc:  # a bug in this fuzzer: counted, reported, and the run fails
                with lock:
                    harness_errors.append(f"[{cls}] generator failed for seed {case_seed}: {exc!r}")
                continue
            result = w.run(case)
            kind = classify(result)
            with lock:
                row = table[cls]
                row["tried"] += 1
                row[kind] += 1
                if kind in ("crash", "hang") and len(problems) < 20:
                    problems.append(f"[{cls}/{kind}] argv={case['argv'][:6]!r:.200}\n    "
                                    + result.get("stderr", "").strip().replace("\n", "\n    ")[-600:])
        w.close()

    threads = [threading.Thread(target=drive) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{len(cases)} cases in {time.monotonic() - started:.0f} s (seed {args.seed}, {args.workers} workers, "
          f"memory cap {MEMORY_LIMIT // 2**30} GB, timeout {args.timeout:g} s per case)")
    print(f"{'class':<10} | {'tried':>5} | {'clean refusals':>14} | {'accepted':>8} | {'crashes':>7} | {'hangs':>5}")
    total = dict(tried=0, refusal=0, accepted=0, crash=0, hang=0)
    for cls, row in table.items():
        print(f"{cls:<10} | {row['tried']:>5} | {row['refusal']:>14} | {row['accepted']:>8} | "
              f"{row['crash']:>7} | {row['hang']:>5}")
        for k in total:
            total[k] += row[k]
    print(f"{'total':<10} | {total['tried']:>5} | {total['refusal']:>14} | {total['accepted']:>8} | "
          f"{total['crash']:>7} | {total['hang']:>5}")
    for p in problems:
        print(p)
    for e in harness_errors[:20]:
        print(e)
    if harness_errors or total["tried"] != len(cases):
        print(f"the fuzzer itself failed: {len(cases) - total['tried']} of {len(cases)} cases were not run")
        return 1
    return 1 if total["crash"] or total["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
