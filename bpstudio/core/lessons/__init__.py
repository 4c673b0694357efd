"""Lessons: predict-then-reveal questions on any network, and guided courses (numpy + stdlib).

``ask`` picks a question from the coming phase and the selection; ``grade`` compares an answer
with the engine's number and diagnoses the usual mistakes; ``reveal`` gives the worked arithmetic
of that number; ``fileformat`` reads lesson files; ``player`` plays a lesson over a ``walk``.
"""

from .ask import Question, Target, ask, make_question
from .fileformat import LessonFileError, find_lesson, lesson_from_dict, load, loads, shipped
from .grade import AnswerError, Verdict, grade, parse_answer
from .model import Lesson
from .player import LessonPlayer, Score, free_question
from .walk import Walk

__all__ = ["Question", "Target", "ask", "make_question", "LessonFileError", "find_lesson",
           "lesson_from_dict", "load", "loads", "shipped", "AnswerError", "Verdict", "grade",
           "parse_answer", "Lesson", "LessonPlayer", "Score", "free_question", "Walk"]
