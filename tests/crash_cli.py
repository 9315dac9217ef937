"""Test-only: run `assistant ARGS...` with the fake embedder, and die by SIGKILL at a chosen point.

    python tests/crash_cli.py POINT COUNT ARGS...

POINT (COUNT: at its COUNT-th time; POINT `none` runs to the end):
- ledger: a batch is in the ledger, not yet in Chroma
- sentences: a batch's chunks are in Chroma, its sentence vectors not yet written
- chunks: a batch's chunks and sentence vectors are written, its paper records not yet
- indexed: a batch is in Chroma, not yet marked indexed in the ledger
- batch: after a whole batch (ingest or rebuild)
- switch: a rebuild is complete, just before the ledger switches to it
- sweep: the ledger has switched, the old index is not yet deleted
FAKE_DIMENSION in the environment sets the fake embedder's dimension (default 256), WRITE_BATCH
the papers per batch (default: the product's 64; smaller keeps the tests fast).
"""

import os
import signal
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]  # this checkout first

from fakes import HashingEmbedder  # noqa: E402

from assistant import app, cli, ingest  # noqa: E402
from assistant.store import index, ledger, rebuild, sentences  # noqa: E402

point, count, arguments = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
seen = {"n": 0}


def die_at(name: str) -> None:
    if name == point:
        seen["n"] += 1
        if seen["n"] == count:
            os.kill(os.getpid(), signal.SIGKILL)


def wrap(owner, attribute, before=None, after=None, when=lambda *a, **k: True):
    real = getattr(owner, attribute)

    def wrapped(*args, **kwargs):
        if before and when(*args, **kwargs):
            die_at(before)
        result = real(*args, **kwargs)
        if after and when(*args, **kwargs):
            die_at(after)
        return result

    setattr(owner, attribute, wrapped)


app.build_embedder = lambda settings: HashingEmbedder(int(os.environ.get("FAKE_DIMENSION", 256)))
ingest.WRITE_BATCH = int(os.environ.get("WRITE_BATCH", ingest.WRITE_BATCH))
wrap(ledger.Ledger, "write", after="ledger")
calls = {"paper_metadata": 0}


def first_of_batch(*args, **kwargs) -> bool:  # paper_metadata runs once per paper of a batch
    calls["paper_metadata"] += 1
    return calls["paper_metadata"] % ingest.WRITE_BATCH == 1


wrap(index, "paper_metadata", before="chunks", when=first_of_batch)
wrap(sentences.SentenceTable, "write", before="sentences")
wrap(ledger.Ledger, "mark_indexed", before="indexed", when=lambda self, hashes=None, **m: hashes)
wrap(ledger.Ledger, "mark_indexed", before="switch", when=lambda self, hashes=None, **m: not hashes)
wrap(ingest, "_group", after="batch")
wrap(rebuild, "_sweep", before="sweep", when=lambda store, keep: len(keep) == 1)
sys.argv = ["assistant", *arguments]
cli.run()
