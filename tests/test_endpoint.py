"""The OpenAI-compatible endpoint backend: a real llama.cpp server on loopback, and a scripted one for failures."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import free_port

from assistant import environment
from assistant.models import build_generator, generators
from assistant.models.endpoint import EndpointGenerator
from assistant.schema import AssistantError
from assistant.settings import Settings

QUESTION = [{"role": "user", "content": "Which city is the capital of France?"}]
TINYCLIP = {"title": "TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance",
            "abstract": "We propose TinyCLIP, a cross-modal distillation method for large-scale language-image "
                        "pre-trained models. TinyCLIP reduces the size of the pre-trained CLIP ViT-B/32 by 50% "
                        "while keeping comparable zero-shot performance."}



@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """llama-cpp-python's OpenAI-compatible server with the packaged SmolLM2, on a free loopback port."""
    port = free_port()
    gguf = generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "smollm2",
               "--host", "127.0.0.1", "--port", str(port), "--n_threads", "1", "--n_ctx", "2048",
               "--api_key", "test-key"]
    log = tmp_path_factory.mktemp("llama-server") / "server.log"  # a pipe would fill up and block the server
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environment.offline_environment(), stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(url: str, server: subprocess.Popen, log, seconds: float = 90.0) -> None:
    request = urllib.request.Request(f"{url}/models", headers={"Authorization": "Bearer test-key"})
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited: {log.read_text(errors='replace')[-500:]}")
        try:
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"llama.cpp server did not start within {seconds} s")


@pytest.mark.slow
def test_a_question_is_answered_through_the_real_server(llama_server, tmp_path, monkeypatch, fake_embedder):
    from assistant.app import Assistant
    from assistant.store import Store

    monkeypatch.setenv("ASSISTANT_GENERATOR_API_KEY", "test-key")  # the key comes from the environment
    settings = Settings(store=tmp_path / "store", generator_url=llama_server, generator_model="smollm2",
                        min_relevance=0.0, min_evidence=0.0, max_new_tokens=40)
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps(TINYCLIP) + "\n")
    assistant = Assistant(settings, Store(settings.store, fake_embedder.name, fake_embedder.dimension), fake_embedder)
    assistant.ingest([source])
    events = list(assistant.ask_stream("How much does TinyCLIP reduce the size of CLIP ViT-B/32?"))
    answer = events[-1]
    assert answer.models["generator"] == f"smollm2 @ {llama_server}"
    assert not answer.abstained and answer.citations
    written = [check.original for check in answer.sentences if check.action != "extracted"]
    assert written and all(written), f"the server's sentences reach the checker: {answer.sentences}"


@pytest.mark.slow
def test_streaming_pieces_arrive_one_by_one_and_a_wrong_model_or_key_is_one_line(llama_server):
    generator = EndpointGenerator(llama_server, "smollm2", max_new_tokens=12, api_key="test-key")
    pieces = list(generator.stream(QUESTION))
    assert len(pieces) > 2 and "".join(pieces).strip()
    wrong_model = EndpointGenerator(llama_server, "gpt-nonexistent", max_new_tokens=4, api_key="test-key")
    with pytest.raises(AssistantError, match="has no model 'gpt-nonexistent' .*smollm2"):
        list(wrong_model.stream(QUESTION))
    wrong_key = EndpointGenerator(llama_server, "smollm2", max_new_tokens=4, api_key="wrong")
    with pytest.raises(AssistantError, match="refused the API key"):
        list(wrong_key.stream(QUESTION))


def test_a_server_that_is_down_is_one_line():
    generator = EndpointGenerator(f"http://127.0.0.1:{free_port()}/v1", "m", max_new_tokens=4, retries=1)
    with pytest.raises(AssistantError) as down:
        list(generator.stream(QUESTION))
    assert "is not reachable" in str(down.value) and "\n" not in str(down.value)


class ScriptedServer:
    """A loopback HTTP server answering each POST with the next scripted reply."""

    def __init__(self, replies: list, models: tuple[str, ...] = ("m",)):
        self.replies, self.models, self.posts, self.keys = list(replies), models, 0, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *arguments):
                pass

            def do_GET(self):
                outer.keys.append(self.headers.get("Authorization"))
                body = json.dumps({"object": "list", "data": [
                    {"id": name, "object": "model", "created": 0, "owned_by": "test"} for name in outer.models]})
                self._send(200, body.encode(), "application/json")

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.posts += 1
                reply = outer.replies.pop(0)
                if reply == "reset":
                    self.connection.shutdown(socket.SHUT_RDWR)  # a dropped connection, no response
                    return
                if isinstance(reply, int):
                    self._send(reply, json.dumps({"error": {"message": f"status {reply}"}}).encode(),
                               "application/json")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                try:
                    for line in reply:
                        self.wfile.write(f"data: {line}\n\n".encode())
                        self.wfile.flush()
                        time.sleep(0.05)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up: what the deadline test wants

            def _send(self, status, body, kind):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def sse(*pieces: str) -> list[str]:
    chunks = [json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
                          "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
              for piece in pieces]
    return [*chunks, "[DONE]"]


@pytest.fixture
def scripted():
    servers = []

    def start(replies, models=("m",)):
        servers.append(ScriptedServer(replies, models))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_5xx_and_a_reset_connection_are_retried_then_the_answer_streams(scripted, tmp_path):
    server = scripted([503, "reset", sse("Paris", " is", " the capital.")])
    key_file = tmp_path / "key"
    key_file.write_text("secret-from-file\n")
    generator = build_generator(Settings(generator_url=server.url, generator_model="m",
                                         generator_api_key_file=key_file))
    assert list(generator.stream(QUESTION)) == ["Paris", " is", " the capital."]
    assert server.posts == 3 and server.keys == ["Bearer secret-from-file"]


def test_a_server_that_keeps_failing_is_one_line(scripted):
    server = scripted([500, 502, 503])
    generator = EndpointGenerator(server.url, "m", max_new_tokens=4, retries=2)
    with pytest.raises(AssistantError, match="kept failing, retries used up .HTTP 503"):
        list(generator.stream(QUESTION))
    assert server.posts == 3


def test_a_404_for_the_model_and_a_malformed_stream_are_one_line(scripted):
    server = scripted([404, ["not json at all"], [json.dumps({"id": "c", "object": "x"})]], models=())
    generator = EndpointGenerator(server.url, "m", max_new_tokens=4, retries=0)
    with pytest.raises(AssistantError, match="refused model 'm' .HTTP 404"):
        list(generator.stream(QUESTION))
    for _ in range(2):
        with pytest.raises(AssistantError, match="malformed answer"):
            list(generator.stream(QUESTION))


def test_the_overall_deadline_ends_a_slow_answer(scripted):
    server = scripted([sse(*[f"word{index} " for index in range(40)])])  # 40 pieces, 0.05 s apart
    generator = EndpointGenerator(server.url, "m", max_new_tokens=64, deadline=0.5)
    with pytest.raises(AssistantError, match="did not finish within 0.5 s"):
        list(generator.stream(QUESTION))
