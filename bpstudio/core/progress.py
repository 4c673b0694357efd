"""Progress and Cancel for long reads, without passing callbacks through every reader.

A worker thread wraps its work in ``with reporting(progress, cancelled):``; the readers call
:func:`checkpoint` between chunks. Each thread has its own context (``contextvars``), so a reader
running on the GUI thread, or in the CLI, pays one lookup per chunk and reports to nobody.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_current: contextvars.ContextVar = contextvars.ContextVar("bpstudio_progress", default=None)


class Cancelled(Exception):
    """The user cancelled the work; nothing it was making is used (not a ValueError on purpose:
    no reader's error handling mistakes it for a bad file)."""


@contextmanager
def reporting(progress: Callable[[str, float | None], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> Iterator[None]:
    """Within the block, :func:`checkpoint` calls ``progress(stage, fraction)`` and raises
    :class:`Cancelled` once ``cancelled()`` is true."""
    token = _current.set((progress, cancelled))
    try:
        yield
    finally:
        _current.reset(token)


def checkpoint(stage: str, fraction: float | None = None) -> None:
    """Report ``stage`` (``fraction`` done, None when unknown); raise Cancelled if asked to stop."""
    hooks = _current.get()
    if hooks is None:
        return
    progress, cancelled = hooks
    if cancelled is not None and cancelled():
        raise Cancelled(stage)
    if progress is not None:
        progress(stage, fraction)
