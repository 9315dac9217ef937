"""Run a generator under a lock without holding the lock across `yield`."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import TypeVar

Item = TypeVar("Item")


def held_stream(lock: threading.Lock, make: Callable[[], Iterator[Item]]) -> Iterator[Item]:
    """The items of `make()`, made in a worker thread that holds `lock` and handed over a queue.

    The lock is held only while items are made, never while the consumer holds one: a consumer
    that stops reading (a closed browser tab, a generator left unclosed) cannot keep it. When the
    consumer stops, the worker stops after the item in hand and releases the lock.
    """
    handed: queue.Queue = queue.Queue()
    stopped = threading.Event()

    def work() -> None:
        try:
            with lock, closing(make()) as items:
                for item in items:
                    handed.put((True, item))
                    if stopped.is_set():
                        break
        except BaseException as error:  # re-raised in the consumer's thread
            handed.put((False, error))
            return
        handed.put((False, None))

    threading.Thread(target=work, name="held-stream", daemon=True).start()
    try:
        while True:
            more, item = handed.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stopped.set()
