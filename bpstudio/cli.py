"""Command line: ``bpstudio`` opens the studio; subcommands run the engine headless (no Qt).

    bpstudio [FILE]          open the studio (on a project file, or on the article's example)
    bpstudio presets
    bpstudio train FILE|--preset NAME [--epochs N] [--lr X] [--optimizer ...] [--json] [--out FILE]
    bpstudio explain FILE|--preset NAME [--sample K] [--markdown] [--batch]
    bpstudio gradcheck FILE|--preset NAME [--eps E]
    bpstudio lesson [NAME|FILE] [--reveal]

Bad input (an unreadable or invalid file, an unknown preset, a bad option value) prints one plain
line on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import replace

from .cli_progress import Progress, check_gradcheck, check_scale, eps_value
from .cli_progress import run as guarded_run

PROG = "bpstudio"
EXIT_USAGE = 2


class UsageError(Exception):
    """Something the user typed or pointed at that the studio cannot use."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own complaints: one plain line, exit 2
        raise UsageError(f"{message} (see '{self.prog} --help')")


# ---------------------------------------------------------------------------- option types
def _whole(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        return value
    return parse


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


# ---------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    from .core.init import INITS
    from .core.settings import MODES, OPTIMIZERS

    parser = _Parser(prog=PROG, description="Backprop Studio: without a command, open the studio; "
                     "the commands below run the same engine without a window.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    from .cli_desktop import add_desktop_options

    add_desktop_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("presets", help="list the built-in example projects")
    p.set_defaults(run=cmd_presets)

    p = sub.add_parser("train", help="train a project and print the loss as it falls",
                       description="Train a project (or preset) and print progress. Options override "
                       "the project's own training settings.")
    _add_source(p)
    p.add_argument("--epochs", type=_whole(1), metavar="N",
                   help="epochs to train (default: the project's max epochs, or 1000); training stops "
                   "earlier when the project's target loss is reached")
    p.add_argument("--lr", type=_positive, metavar="X", help="learning rate alpha")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="update rule")
    p.add_argument("--mode", choices=MODES,
                   help="batch: whole dataset per step; online: one sample per step; minibatch: "
                   "--batch-size samples per step")
    p.add_argument("--batch-size", type=_whole(1), metavar="N", help="samples per minibatch step")
    p.add_argument("--seed", type=_whole(0), metavar="S",
                   help="random seed (shuffling; with a random --init or a project whose init is "
                   "random, the weights are re-initialised from this seed, discarding trained ones)")
    p.add_argument("--init", choices=INITS,
                   help="re-initialise every weight and bias with this scheme before training")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (epochs, final_loss, predictions, weights, biases, "
                   "loss_history) instead of progress lines")
    p.add_argument("--out", metavar="FILE", help="save the trained project here (atomically)")
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("explain", help="the worked arithmetic of one training step",
                       description="Print every number of one training step, worked by hand in the "
                       "article's notation (with the correct signs).")
    _add_source(p)
    p.add_argument("--sample", type=_whole(1), default=1, metavar="K",
                   help="which training sample, counted from 1 (default 1): an online step on it, "
                   "or with --batch the sample whose arithmetic is written out")
    p.add_argument("--batch", action="store_true", help="explain a batch step over every training "
                   "sample (gradients are means over the batch)")
    p.add_argument("--markdown", action="store_true", help="write Markdown instead of plain text")
    p.set_defaults(run=cmd_explain)

    p = sub.add_parser("gradcheck", help="compare backprop with finite differences",
                       description="Compare every backprop gradient on the training set with a "
                       "central finite difference. Exit status 1 when they disagree.")
    _add_source(p)
    p.add_argument("--eps", type=eps_value, default=1e-6, metavar="E",
                   help="finite-difference step, 1e-12..1e-1 (default 1e-6)")
    p.add_argument("--tolerance", type=_positive, default=1e-6, metavar="T",
                   help="largest relative error accepted (default 1e-6)")
    p.set_defaults(run=cmd_gradcheck)
    from .cli_lesson import add_lesson_command  # lessons (issue 11)

    add_lesson_command(sub)
    from .cli_export import add_export_command  # numpy / PyTorch scripts (issue 12)

    add_export_command(sub, _add_source, cmd_export)
    from .cli_export import add_import_command  # PyTorch Sequential weights -> project (issue 12)

    add_import_command(sub, _add_source, cmd_import_sequential)
    return parser


def _add_source(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", metavar="FILE", help="a project file (.json)")
    p.add_argument("--preset", metavar="NAME",
                   help="a built-in project instead of a file (see 'bpstudio presets')")


def _load(args):
    from .core import fileformat
    from .core.presets import load_preset

    if (args.file is None) == (args.preset is None):
        raise UsageError("give a project FILE or --preset NAME (one of them, not both)")
    project = load_preset(args.preset) if args.preset is not None else fileformat.load(args.file)
    epochs = (args.epochs or project.settings.max_epochs) if hasattr(args, "epochs") else None
    check_scale(project, epochs)  # issue 10: limits refused up front
    return project


# ---------------------------------------------------------------------------- commands
def cmd_presets(args) -> int:
    from .core.presets import describe

    items = describe()
    width = max(map(len, items))
    for name, text in items.items():
        first = text.split(". ")[0].rstrip(".")
        print(f"{name.ljust(width)}  {first}.")
    return 0


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def cmd_train(args) -> int:
    import numpy as np

    from .core import fileformat
    from .core.diagnostics import diagnose
    from .core.engine import Engine
    from .core.presets import initialise
    from .core.trainer import Trainer

    project = _load(args)
    if args.out:
        folder = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(folder):  # say so now, not after a long run
            raise UsageError(f"--out {args.out}: the folder {folder} does not exist")
    overrides = {key: value for key, value in (
        ("learning_rate", args.lr), ("optimizer", args.optimizer), ("mode", args.mode),
        ("batch_size", args.batch_size), ("seed", args.seed), ("init", args.init)) if value is not None}
    settings = replace(project.settings, **overrides).validate()
    project.settings = settings
    if args.init is not None or (args.seed is not None and settings.init != "constant"):
        initialise(project.graph, settings)
        project.epoch, project.loss_history = 0, []
        project.checkpoints = ()  # the timeline of the weights just replaced
    epochs = args.epochs or settings.max_epochs or 1000
    engine = Engine(project.graph, settings.loss)
    trainer = Trainer(engine, project.dataset, replace(settings, max_epochs=0))
    every = max(1, epochs // 10)
    say = (lambda *a, **k: None) if args.json else print
    say(f"training {project.name}: {epochs} epochs, {settings.optimizer}, {settings.mode}, "
        f"learning rate {settings.learning_rate:g}, {settings.loss.replace('_', ' ')}")
    if project.epoch:
        say(f"continuing after the file's epoch {project.epoch} (up to epoch {project.epoch + epochs} in "
            "all; --out appends the new losses to its history)")
    loss = math.nan
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below, in words
        progress = Progress("training", epochs)  # issue 10: a line a second on a terminal
        for _ in range(epochs):
            loss = trainer.run_epoch()
            progress.tick(trainer.epoch, loss)
            stop = not math.isfinite(loss) or trainer.should_stop()
            if trainer.epoch % every == 0 or stop or trainer.epoch == epochs:
                say(f"epoch {trainer.epoch:>{len(str(epochs))}}/{epochs}  loss {loss:.6g}")
            if stop:
                break
    bad = engine.first_non_finite()
    diverged = bad is not None or not math.isfinite(loss)
    X, Y = project.dataset.X, project.dataset.Y
    if not diverged:
        engine.write_to(project.graph)
        project.epoch += trainer.epoch
        project.loss_history.extend(trainer.history)
    with np.errstate(over="ignore", invalid="ignore"):
        final = engine.loss_of(X, Y) if len(X) else math.nan
        report = _train_report(project, engine, trainer, final, diverged) if args.json else None
    if args.json:
        print(json.dumps(report, allow_nan=False))
    else:
        if settings.target_loss and trainer.history and trainer.history[-1] <= settings.target_loss:
            print(f"reached the target loss {settings.target_loss:g} after {trainer.epoch} epochs")
        print(f"final loss {final:.6g} (mean over {len(X)} samples) after {trainer.epoch} epochs")
        split = _split_losses(project, engine)
        if split:
            print(f"training rows: loss {split['train_loss']:.6g}; test rows: loss {split['test_loss']:.6g}")
        for finding in diagnose(project.graph, dataset=project.dataset):
            print(f"note: {finding.message}")
    if diverged:
        where = f": {bad} is not a finite number" if bad else ""
        print(f"{PROG}: training diverged at epoch {trainer.epoch}{where}; lower the learning rate "
              f"(now {settings.learning_rate:g}){'; nothing saved' if args.out else ''}", file=sys.stderr)
        return 1
    if args.out:
        fileformat.save(project, args.out)
        if not args.json:
            print(f"saved {args.out}")
    return 0


def _train_report(project, engine, trainer, final: float, diverged: bool) -> dict:
    names = engine.names
    yhat = engine.predict(project.dataset.X) if project.dataset.n_samples else []
    weights = engine.weights()
    biases = engine.biases()
    return {
        "project": project.name,
        "epochs": trainer.epoch,
        "total_epochs": project.epoch,
        "diverged": diverged,
        "loss": engine.loss.name,
        "final_loss": _finite(final),
        **{k: _finite(v) for k, v in _split_losses(project, engine).items()},
        "predictions": [[_finite(v) for v in row] for row in yhat],
        "targets": project.dataset.Y.tolist(),
        "weights": [{"source": s, "target": t, "source_name": names[s], "target_name": names[t],
                     "weight": _finite(w)} for (s, t), w in weights.items()],
        "biases": [{"unit": u, "name": names[u], "bias": _finite(b)} for u, b in biases.items()],
        "loss_history": [_finite(v) for v in trainer.history],
    }


def _split_losses(project, engine) -> dict:
    """Mean loss on the training rows and on the held-out test rows, when there are test rows."""
    ds = project.dataset
    if ds.train_mask.all() or not ds.train_mask.any():
        return {}
    (Xtr, Ytr), (Xte, Yte) = ds.train(), ds.test()
    return {"train_loss": engine.loss_of(Xtr, Ytr), "test_loss": engine.loss_of(Xte, Yte)}


def cmd_explain(args) -> int:
    import numpy as np

    from .core import optimizers
    from .core.engine import Engine
    from .core.explain import explain_markdown, explain_text
    from .core.trace import trace_step

    project = _load(args)
    s = project.settings.validate()
    X, Y = project.dataset.train()
    n = len(X)
    if n == 0:
        raise UsageError("the dataset has no training samples to explain a step on")
    k = args.sample - 1
    if k >= n:
        raise UsageError(f"--sample {args.sample}: the dataset has {n} training sample"
                         f"{'s' if n != 1 else ''}, numbered 1 to {n}")
    engine = Engine(project.graph, s.loss)
    engine.set_regularization(s.regularization, s.reg_rate)  # the step written out is the one training takes
    if args.batch:
        rows, shown = np.arange(n), k
    else:
        rows, shown = np.array([k]), 0
    trace = trace_step(engine, X[rows], Y[rows], rows, s.learning_rate, s.optimizer)
    optimizers.make(s, engine.n_params).step(engine.theta, engine.grad)
    trace.record_update(engine)
    write = explain_markdown if args.markdown else explain_text
    sys.stdout.write(write(trace, project.graph, shown))
    return 0


def cmd_gradcheck(args) -> int:
    from .core.engine import Engine
    from .core.gradcheck import gradient_check

    project = _load(args)
    X, Y = project.dataset.train()
    if len(X) == 0:
        raise UsageError("the dataset has no training samples to check gradients on")
    engine = Engine(project.graph, project.settings.loss)
    engine.set_regularization(project.settings.regularization, project.settings.reg_rate)  # L1/L2 in the loss
    check_gradcheck(engine, len(X))  # issue 10: refused up front when it would take many minutes
    result = gradient_check(engine, X, Y, eps=args.eps, tolerance=args.tolerance)
    print(result.table())
    return 0 if result.ok else 1


def cmd_export(args) -> int:
    from .cli_export import export

    project = _load(args)
    name = args.preset or (args.file and os.path.splitext(os.path.basename(args.file))[0]) or "network"
    return export(project, name, args.torch, args.out)


def cmd_import_sequential(args) -> int:
    from .cli_export import import_sequential

    source = _load(args) if (args.file or args.preset) else None
    return import_sequential(args.weights, source, args.out)


# ---------------------------------------------------------------------------- entry point
def _user_errors() -> tuple:
    """Exceptions that mean bad input, not a bug: each becomes one line and exit status 2."""
    from .core.presets import PresetError

    return (UsageError, PresetError, ValueError, OSError)


COMMANDS = ("presets", "train", "explain", "gradcheck", "lesson", "export", "import-sequential")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (len(argv) == 1 and argv[0] not in COMMANDS and os.path.isfile(argv[0])):
        from bpstudio.app import main as gui_main  # Qt only when the GUI is asked for

        return gui_main(project=argv[0]) if argv else gui_main()  # `bpstudio FILE` opens FILE
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # names like "X1 → Z1" on any terminal
    try:
        args = build_parser().parse_args(argv)
        return guarded_run(args, PROG, _user_errors())  # issue 10: no numpy warnings, no traceback
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `bpstudio train ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except _user_errors() as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
