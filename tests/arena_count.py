"""Test-only: SmolLM2 on transformers answers 12 short requests from 3 pool threads, each through
`held_stream` (new threads per request, as the UI server runs them); prints how many malloc arenas
glibc made by then.

    python tests/arena_count.py MODEL_CACHE capped|uncapped

`uncapped` replaces the generator's arena cap with a no-op: the figure the cap prevents.
"""

import ctypes
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant import environment

environment.apply(False)

from assistant.models import generators  # noqa: E402
from assistant.models.generators import PACKAGED_GENERATOR, TransformersGenerator  # noqa: E402
from assistant.threads import held_stream  # noqa: E402

QUESTION = [{"role": "user", "content": "Name a colour."}]


def arenas() -> int:
    """The number of <heap> entries in glibc's malloc_info report: one per arena."""
    libc = ctypes.CDLL("libc.so.6")
    libc.fopen.restype = ctypes.c_void_p
    with tempfile.NamedTemporaryFile("r") as report:
        stream = ctypes.c_void_p(libc.fopen(report.name.encode(), b"w"))
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        return report.read().count("<heap nr=")


def main(cache: Path, mode: str) -> None:
    if mode == "uncapped":
        generators.cap_malloc_arenas = lambda: None
    generator = TransformersGenerator(PACKAGED_GENERATOR, cache_dir=cache, max_new_tokens=3)
    lock = threading.Lock()

    def one(_: int) -> str:
        return "".join(held_stream(lock, lambda: generator.stream(QUESTION)))

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(one, range(12)))
    print(arenas())


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
