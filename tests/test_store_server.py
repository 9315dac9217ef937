"""The store on a real Chroma server (`chroma run` on loopback, started here): ingest, search,
stats, delete, reindex and repair work as on disk, and the ledger stays in the store folder."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port

from assistant.environment import offline_environment

pytestmark = pytest.mark.slow



@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    server = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path_factory.mktemp("server")),
                               "--host", "127.0.0.1", "--port", str(port)],
                              env=offline_environment(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("chroma run did not start in 60 s")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def _source(path, topics):
    path.write_text("".join(json.dumps({"title": f"A Study of {t}", "abstract": f"We study {t} in "
                                        f"depth and improve {t} benchmarks."}) + "\n" for t in topics))
    return path


def test_every_store_command_works_against_a_chroma_server(tmp_path, run_cli, chroma_url, monkeypatch,
                                                           fake_embedder):
    from fakes import HashingEmbedder

    from assistant import app
    from assistant.store import Store

    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_url)
    code, out, _ = run_cli("ingest", str(_source(tmp_path / "a.jsonl", ["lora", "speech", "video"])))
    assert (code, out.split(",")[0]) == (0, "added 3")
    assert (tmp_path / "store" / "ledger.sqlite3").is_file()
    assert not list((tmp_path / "store").glob("chroma*"))  # the index is on the server
    code, out, _ = run_cli("search", "lora")
    assert code == 0 and "A Study of lora" in out.splitlines()[0]
    assert json.loads(run_cli("stats", "--json")[1])["papers"] == 3
    store = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension)
    assert store.delete([store.papers()[0].paper_id]) == 1
    assert run_cli("stats")[1].startswith("papers: 2\n")

    monkeypatch.setattr(app, "build_embedder", lambda settings: HashingEmbedder(dimension=64))
    assert run_cli("reindex")[1] == "re-embedded 2 papers\n"
    assert json.loads(run_cli("stats", "--json")[1])["dimension"] == 64
    reindexed = Store(tmp_path / "store", "hashing-bow-64", 64)
    names = [c.name for c in reindexed._client.list_collections() if c.name.startswith(reindexed.namespace)]
    assert sorted(names) == [reindexed.namespace + "build1-chunks", reindexed.namespace + "build1-papers"]

    for name in names:  # the server lost this store's index
        reindexed._client.delete_collection(name)
    code, out, err = run_cli("search", "lora")
    assert code == 1 and f"has lost its Chroma index ({chroma_url})" in err and "assistant repair" in err
    assert run_cli("repair")[1] == "repaired: 2 papers re-embedded from the ledger\n"
    assert run_cli("search", "speech")[1].splitlines()[0].endswith(")")


def test_two_stores_share_one_server_without_mixing(tmp_path, chroma_url, monkeypatch, fake_embedder):
    from assistant.chunking import Chunker
    from assistant.ingest import ingest
    from assistant.store import Store

    monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_url)
    first = Store(tmp_path / "one", fake_embedder.name, fake_embedder.dimension)
    second = Store(tmp_path / "two", fake_embedder.name, fake_embedder.dimension)
    ingest([_source(tmp_path / "a.jsonl", ["lora"])], first, fake_embedder, lambda: Chunker(160, 32))
    ingest([_source(tmp_path / "b.jsonl", ["speech", "video"])], second, fake_embedder,
           lambda: Chunker(160, 32))
    assert [p.title for p in first.papers()] == ["A Study of lora"]
    assert len(second.chunks()) == 2 and first.namespace != second.namespace


def test_unreachable_server_is_a_one_line_error(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", f"http://127.0.0.1:{free_port()}")
    code, out, err = run_cli("ingest", str(_source(tmp_path / "a.jsonl", ["lora"])))
    assert code == 1 and err.startswith("error: cannot reach the Chroma server at http://127.0.0.1:")
    assert err.count("\n") == 1
