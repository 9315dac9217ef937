"""Progress of a comparison by the stage the core is in: resolving the papers, building the table,
writing the paragraph.

The core reports no progress of its own, so the job runs on a copy of the Assistant whose sentence
memory and generator say when they are first called: the table starts by recalling the compared
papers' stored sentence vectors (retrieval and name resolution use the retriever, not the memory),
and the paragraph is the first thing that asks the generator.
"""

from __future__ import annotations

import copy
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from assistant.app import Assistant
from assistant.reports import Comparison

STAGES = ("resolving the papers", "building the table", "writing the paragraph")


class _FirstCall:
    """Forwards everything to `inner`; calls `notify` once, on the first call of `method`."""

    def __init__(self, inner: Any, method: str, notify: Callable[[], None]) -> None:
        self._inner, self._method, self._notify = inner, method, notify
        self._told = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name != self._method:
            return attribute

        def called(*args, **kwargs):
            if not self._told:
                self._told = True
                self._notify()
            return attribute(*args, **kwargs)

        return called


def observed(assistant: Assistant, stage: Callable[[int], None]) -> Assistant:
    """A copy of `assistant` sharing its store, index and locks, telling `stage(1)` when the table
    starts and `stage(2)` when the paragraph does."""
    watched = copy.copy(assistant)
    watched.sentences = _FirstCall(assistant.sentences, "recall", lambda: stage(1))
    watched._generator = _FirstCall(assistant.generator, "stream", lambda: stage(2))
    return watched


def staged_compare(assistant: Assistant, job: Callable[[Assistant], Comparison | None]
                   ) -> Iterator[int | Comparison | None | BaseException]:
    """Stage numbers (0, 1, 2) as the core reaches them, then the job's result (or its error)."""
    events: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            events.put(("done", job(observed(assistant, lambda n: events.put(("stage", n))))))
        except BaseException as error:  # handed to the consumer's thread
            events.put(("done", error))

    yield 0
    threading.Thread(target=work, name="compare-stages", daemon=True).start()
    while True:
        kind, value = events.get()
        yield value
        if kind == "done":
            return
