"""Shared fixtures: no network, fakes for fast tests, the real shipped models for integration."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import environment

environment.apply(allow_network=False)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "daily_papers"


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # unix sockets
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection to a non-loopback address fails the test."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(real):
        def connect(self, address, *args):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
                raise AssertionError(f"test tried to reach the network: {address!r}")
            return real(self, address, *args)
        return connect

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    yield


class ScriptedGenerator:
    """A generator that streams a fixed reply, word by word, and records what it was asked."""

    name = "scripted"

    def __init__(self, reply: str):
        self.reply = reply
        self.calls: list[list[dict[str, str]]] = []
        self.pieces_sent = 0

    def stream(self, messages, max_new_tokens=None) -> Iterator[str]:
        self.calls.append(messages)
        for index, word in enumerate(self.reply.split(" ")):
            self.pieces_sent += 1
            yield word if index == 0 else " " + word

    def complete(self, messages, max_new_tokens=None) -> str:
        return "".join(self.stream(messages, max_new_tokens))

    def count_tokens(self, text: str) -> int:
        return len(text.split())


@pytest.fixture
def fake_embedder():
    from fakes import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    from assistant.models.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """Where the converted SmolLM2 checkpoint lives for the whole test session."""
    shared = os.environ.get("ASSISTANT_MODEL_CACHE")
    return Path(shared) if shared else tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, real_embedder) -> Path:
    """The real sample corpus ingested once with the real embedder; tests must not write to it."""
    from assistant.app import Assistant
    from assistant.settings import Settings

    path = tmp_path_factory.mktemp("sample-store")
    assistant = Assistant(Settings(store=path), _store(path, real_embedder), real_embedder)
    report = assistant.ingest([SAMPLE])
    assert report.added == 548 and not report.rejected
    return path


def _store(path: Path, embedder):
    from assistant.store import Store

    return Store(path, embedder.name, embedder.dimension)


@pytest.fixture
def make_store():
    return _store


@pytest.fixture
def run_cli(tmp_path, monkeypatch, capsys):
    """Run `assistant ...` in-process through its console-script entry point, with the fake embedder.

    The store is tmp_path/store (ASSISTANT_STORE); no config file is read (ASSISTANT_CONFIG empty). Returns a function
    giving (exit code, stdout, stderr).
    """
    from assistant import app as app_module, cli
    from fakes import HashingEmbedder

    monkeypatch.setenv("ASSISTANT_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("ASSISTANT_CONFIG", "")  # empty: no config file
    monkeypatch.setattr(app_module, "build_embedder", lambda settings: HashingEmbedder())
    monkeypatch.setattr(cli.common, "OVERRIDES", {})

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["assistant", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            cli.run()
        out, err = capsys.readouterr()
        return exited.value.code or 0, out, err

    return run
