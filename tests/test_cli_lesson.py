"""`bpstudio lesson`: list, play from typed answers (wrong, diagnosed, then right), reveal all."""

from __future__ import annotations

import io

from bpstudio.cli import main
from bpstudio.cli_lesson import play
from bpstudio.core.lessons import find_lesson


def test_list(capsys):
    assert main(["lesson"]) == 0
    out = capsys.readouterr().out
    assert "01-article" in out and "06-learning-rate" in out and "Symmetry" in out


def test_unknown_lesson_is_one_plain_line(capsys):
    assert main(["lesson", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bpstudio: error: no lesson called 'nope'") and "Traceback" not in err


def test_play_with_typed_answers():
    # step 2: Z1 (typo, then 1); step 3: Enter; step 4: D0 = 4; step 5: Enter; step 6: the
    # article's loss -4 (diagnosed), then 8; step 7: Enter; step 8: the article's delta -4, then q
    typed = "one\n1\n\n4\n\n-4\n8\n\n-4\nq\n"
    out = io.StringIO()
    assert play(find_lesson("1"), io.StringIO(typed), out) == 0
    text = out.getvalue()
    assert "type a number like 0.6 or -4" in text
    assert "Right: a_Z1 = 1." in text and "Right: a_D0 = 4." in text
    assert "Wrong. That is the article's 'loss = actual_y - predicted_y' = -4" in text
    assert "E = 1/2 . (y_hat - y)^2 = 1/2 . (4 - 0)^2 = 8" in text
    assert "Wrong. That is the article's sign error" in text
    assert "delta_D0 = (y_hat - y) . f'(a) = (4 - 0) . 1 = 4" in text
    assert "stopped at step 8 of 18. Score 2/4 · streak 0 (best 2)" in text


def test_reveal_prints_the_whole_lesson(capsys):
    assert main(["lesson", "01-article", "--reveal"]) == 0
    out = capsys.readouterr().out
    assert "W10 := W10 - alpha . Z_X0 . delta_Z1 = 1 - 0.1 . 1 . 4 = 0.6" in out
    assert "The answer: Z0 is a bias unit and has no delta." in out
    assert "End of the lesson. Score 0/10" in out
