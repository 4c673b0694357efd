"""``bpstudio lesson [NAME|FILE]``: play a lesson in the terminal, or list the shipped lessons.

Each step prints its text; an action waits for Enter and is then done for the learner (there is
no canvas here); a question reads an answer, says right or wrong, names the mistake and prints the
worked arithmetic of that number. ``r`` reveals, ``q`` quits. ``--reveal`` prints the whole lesson
with its answers without asking (a handout).
"""

from __future__ import annotations

import sys


def add_lesson_command(sub) -> None:
    """The ``lesson`` subcommand on the CLI's subparsers."""
    p = sub.add_parser("lesson", help="play a lesson in the terminal (without NAME: list them)",
                       description="Play a lesson: predict each number, then see its worked "
                       "arithmetic. NAME is a shipped lesson (its number or name, see the list) "
                       "or a lesson file.")
    p.add_argument("name", nargs="?", metavar="NAME", help="a lesson number, name or .json file")
    p.add_argument("--reveal", action="store_true",
                   help="print every step with its answer and worked arithmetic, asking nothing")
    p.set_defaults(run=cmd_lesson)


def list_lessons(out) -> int:
    from .core.lessons import find_lesson, shipped

    files = shipped()
    width = max((len(f.stem) for f in files), default=0)
    for f in files:
        lesson = find_lesson(f.stem)
        out.write(f"{f.stem.ljust(width)}  {lesson.title}\n")
    out.write("\nplay one with: bpstudio lesson NAME (or its number)\n")
    return 0


def cmd_lesson(args, stdin=None, out=None) -> int:
    from .core.lessons import find_lesson

    out = out or sys.stdout
    if args.name is None:
        return list_lessons(out)
    lesson = find_lesson(args.name)
    return play(lesson, stdin or sys.stdin, out, auto=args.reveal)


class _Quit(Exception):
    pass


def _read(stdin, out, prompt: str) -> str:
    out.write(prompt)
    out.flush()
    line = stdin.readline()
    if not line:
        raise _Quit
    text = line.strip()
    if text.lower() in ("q", "quit", "exit"):
        raise _Quit
    return text


def _show_verdict(out, verdict, revealed: bool) -> None:
    if revealed:
        out.write("The answer: " + verdict.message.removeprefix("Right: ").removeprefix("Right. ") + "\n")
    else:
        out.write(verdict.message + "\n" if verdict.right else f"Wrong. {verdict.message}\n")
    if verdict.reveal.lines:
        out.write("\n" + "\n".join(f"    {ln}" for ln in verdict.reveal.lines) + "\n")
    if verdict.reveal.factors:
        out.write("  where the factors come from:\n")
        out.write("".join(f"    - {f.text}\n" for f in verdict.reveal.factors))


def play(lesson, stdin, out, auto: bool = False) -> int:
    """Play ``lesson`` reading answers from ``stdin``; 0 at the end, 0 too when the learner quits."""
    from .core.lessons import AnswerError, LessonPlayer
    from .core.lessons.actions import describe

    player = LessonPlayer(lesson)
    out.write(f"{lesson.title}\n{'=' * len(lesson.title)}\n")
    if lesson.summary:
        out.write(lesson.summary + "\n")
    try:
        while not player.finished:
            step = player.step
            out.write(f"\n--- step {player.index + 1} of {len(lesson.steps)}"
                      f"{': ' + step.title if step.title else ''}\n")
            if step.text:
                out.write(step.text + "\n")
            if step.action is not None and not player.action_done():
                out.write(f"Do: {describe(step.action)}\n")
                if not auto:
                    _read(stdin, out, "[Enter to do it, q to quit] ")
                before = len(player.walk.shown)
                player.do_action()
                shown = player.walk.shown[before:]
                if shown:
                    out.write(f"  shown: {', '.join(shown)}\n")
                if step.action.do == "train":
                    out.write(f"  epoch {player.walk.epochs}: loss {player.walk.dataset_loss():.6g}"
                              f"{' (diverged: the last finite weights are kept)' if player.walk.diverged else ''}\n")
            asked = player.question()
            while asked is not None and not player.answered():
                out.write(asked.prompt + "\n")
                for i, option in enumerate(asked.options):
                    out.write(f"  {i}) {option}\n")
                revealed = auto
                if auto:
                    verdict = player.reveal()
                else:
                    text = _read(stdin, out, "> ")
                    if text.lower() in ("r", "reveal", ""):
                        verdict, revealed = player.reveal(), True
                    else:
                        try:
                            verdict = player.answer(text)
                        except AnswerError as exc:
                            out.write(f"  {exc}\n")
                            continue
                _show_verdict(out, verdict, revealed)
                if not verdict.right and not player.answered():
                    out.write("Try again, or press Enter to see the answer.\n")
            player.next()
    except _Quit:
        out.write(f"\nstopped at step {player.index + 1} of {len(lesson.steps)}. {player.score.text()}\n")
        return 0
    out.write(f"\nEnd of the lesson. {player.score.text()}\n")
    return 0
