"""The command line's guard rails (issue 10): sane --eps, sizes refused up front, no tracebacks."""

from __future__ import annotations

import argparse
import os
import sys

MIN_EPS, MAX_EPS = 1e-12, 1e-1  # a finite-difference step outside this is rounding noise or no derivative
MAX_CLI_UNITS = 20_000  # train / gradcheck / explain refuse a bigger network up front
MAX_CLI_EDGES = 1_000_000
MAX_CLI_CELLS = 1_000_000  # dataset rows × columns
MAX_CLI_EPOCHS = 100_000_000
DEBUG_VARIABLE = "BPSTUDIO_DEBUG"


class Progress:
    """On a terminal, a line on stderr at most once a second while long work runs (none in pipes)."""

    def __init__(self, what: str, total: int, stream=None, every: float = 1.0) -> None:
        import time

        self.what, self.total, self.every, self._clock = what, total, every, time.monotonic
        self.stream = stream if stream is not None else sys.stderr
        self.on = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = self._clock()
        self.next = self.started + every

    def tick(self, done: int, loss: float) -> None:
        if not self.on or self._clock() < self.next:
            return
        self.next = self._clock() + self.every
        share = 100 * done / self.total if self.total else 100
        self.stream.write(f"{self.what}: epoch {done:,}/{self.total:,} ({share:.0f}%), loss {loss:.6g}, "
                          f"{self._clock() - self.started:.0f} s (Ctrl-C stops)\n")
        self.stream.flush()

    def __repr__(self) -> str:
        return f"Progress({self.what!r}, total={self.total})"


def eps_value(text: str) -> float:
    """argparse type for --eps: a number between MIN_EPS and MAX_EPS."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not MIN_EPS <= value <= MAX_EPS:  # NaN fails too
        raise argparse.ArgumentTypeError(
            f"{text} is outside {MIN_EPS:g}..{MAX_EPS:g} (a smaller step drowns in rounding error, a "
            "larger one is no longer a derivative)")
    return value


def check_scale(project, epochs: int | None = None) -> None:
    """Refuse, in words and before any work, a network or dataset the command line cannot handle."""
    g, d = project.graph, project.dataset
    units, edges = len(g.nodes), len(g.edges)
    cells = int(d.X.size + d.Y.size)
    if units > MAX_CLI_UNITS:
        raise ValueError(f"the network has {units:,} units; the command line handles at most "
                         f"{MAX_CLI_UNITS:,}")
    if edges > MAX_CLI_EDGES:
        raise ValueError(f"the network has {edges:,} connections; the command line handles at most "
                         f"{MAX_CLI_EDGES:,}")
    if cells > MAX_CLI_CELLS:
        raise ValueError(f"the dataset has {cells:,} values; the command line handles at most "
                         f"{MAX_CLI_CELLS:,} (rows × columns)")
    if epochs is not None and epochs > MAX_CLI_EPOCHS:
        raise ValueError(f"{epochs:,} epochs is more than the {MAX_CLI_EPOCHS:,} the command line runs")


MAX_GRADCHECK_WORK = 50_000_000  # parameters² × samples: about a minute


def check_gradcheck(engine, rows: int) -> None:
    """Refuse a gradient check that would run for many minutes (two forward passes per parameter)."""
    params = int(engine.n_params)
    work = params * params * max(rows, 1)  # each forward pass touches every parameter
    if work > MAX_GRADCHECK_WORK:
        raise ValueError(f"a gradient check here needs two forward passes for each of {params:,} "
                         f"parameters over {rows:,} samples, too long for the command line (the limit "
                         f"is parameters² × samples ≤ {MAX_GRADCHECK_WORK:,}); check a "
                         "smaller network")


def run(args, prog: str, user_errors: tuple = ()) -> int:
    """Run a subcommand with numpy's warnings off (results are reported in words) and any
    unexpected error as one line and a hint (the traceback with BPSTUDIO_DEBUG=1)."""
    import numpy as np

    try:
        with np.errstate(all="ignore"):
            return args.run(args)
    except (KeyboardInterrupt, BrokenPipeError, SystemExit, ValueError, OSError, *user_errors):
        raise  # the caller's own handling: exit 130, quiet pipe, exit 2
    except MemoryError:
        print(f"{prog}: error: out of memory: the network or dataset is too large for this machine",
              file=sys.stderr)
        return 1
    except RecursionError:
        print(f"{prog}: error: the input is nested too deeply to handle", file=sys.stderr)
        return 1
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        what = " ".join(str(exc).split())[:200] or "no details"
        print(f"{prog}: internal error ({type(exc).__name__}: {what}); this is a bug: run again with "
              f"{DEBUG_VARIABLE}=1 for the traceback and report it", file=sys.stderr)
        return 1
