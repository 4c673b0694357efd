"""Lessons in the studio: the Lessons menu, the lesson dock, predict-before-reveal, presenter mode."""
