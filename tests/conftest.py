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


LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkBlocked(AssertionError):
    """A test tried to reach (or resolve a name on) the network."""


def _is_local_host(host) -> bool:
    """Loopback, a local name, or the unspecified address (what servers bind to)."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).split("%")[0].strip("[]")
    if host.lower() in LOCAL_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # unix sockets
        return True
    return _is_local_host(address[0])


def _guards():
    """(owner, attribute, guarded replacement) for TCP connect, UDP send and name resolution."""
    real = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex", "sendto", "sendmsg")}
    real_getaddrinfo = socket.getaddrinfo

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")

    def connect(self, address, *args):
        check(self, address)
        return real["connect"](self, address, *args)

    def connect_ex(self, address, *args):
        check(self, address)
        return real["connect_ex"](self, address, *args)

    def sendto(self, data, *args):
        check(self, args[-1])  # sendto(data, address) or sendto(data, flags, address)
        return real["sendto"](self, data, *args)

    def sendmsg(self, buffers, *args):
        if len(args) >= 3 and args[2] is not None:  # sendmsg(buffers, ancdata, flags, address)
            check(self, args[2])
        return real["sendmsg"](self, buffers, *args)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local_host(host):
            raise NetworkBlocked(f"test tried to resolve a name on the network: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    return [(socket.socket, "connect", connect), (socket.socket, "connect_ex", connect_ex),
            (socket.socket, "sendto", sendto), (socket.socket, "sendmsg", sendmsg),
            (socket, "getaddrinfo", getaddrinfo)]


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """For the whole session: TCP connects, UDP sends and name lookups that leave the machine fail
    (loopback and local names work, for the servers the tests start)."""
    patch = pytest.MonkeyPatch()
    for owner, name, guarded in _guards():
        patch.setattr(owner, name, guarded)
    yield
    patch.undo()


def free_port() -> int:
    """A free TCP port on loopback, for the servers the tests start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
    # the CLI publishes the chroma_url setting to this variable: set then unset, so that monkeypatch
    # records it and undoes whatever a command wrote (delenv alone records nothing if it is unset)
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "")
    monkeypatch.delenv("ASSISTANT_CHROMA_URL")
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
