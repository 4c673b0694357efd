"""Follow a core event (``graph.events.*``) from a Qt object without keeping it alive.

A view that connects a bound method to a core :class:`~bpstudio.core.events.Event` is held by the
graph for as long as the graph lives; once Qt deletes the view (its window closed, a second window
on the same graph) the next event calls into a deleted C++ object ("already deleted", or a crash).
:func:`follow` connects a handler that holds the view weakly and drops itself once the view is gone.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import shiboken6


def follow(event, owner, method: str) -> Callable[..., Any]:
    """Call ``getattr(owner, method)(*args)`` on each ``event``; stop once ``owner`` is deleted."""
    ref = weakref.ref(owner)

    def handler(*args: Any) -> None:
        obj = ref()
        if obj is None or not shiboken6.isValid(obj):
            event.disconnect(handler)
            return
        getattr(obj, method)(*args)

    handler.__qualname__ = f"follow({type(owner).__name__}.{method})"
    event.connect(handler)
    return handler
