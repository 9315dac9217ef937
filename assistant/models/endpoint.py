"""Chat with a model behind an OpenAI-compatible HTTP server (vLLM, TGI, llama.cpp server, Ollama).

The `openai` client does the protocol: streaming (server-sent events), a timeout per request, and
retries with exponential backoff and jitter on connection errors, 408/409/429 and 5xx. This module
adds an overall deadline, a check that the server knows the model name (the llama.cpp server quietly
answers with its own model for any name), and one-line errors. It connects only to the configured URL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from assistant.schema import AssistantError

logger = logging.getLogger(__name__)

Message = dict[str, str]
RETRIES = 3


class EndpointGenerator:
    """Streams chat completions from `url` (the server's base URL, usually ending in /v1)."""

    def __init__(self, url: str, model: str, max_new_tokens: int, temperature: float = 0.0,
                 api_key: str | None = None, timeout: float = 60.0, deadline: float = 300.0,
                 retries: int = RETRIES) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.name = f"{model} @ {self.url}"
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.timeout = timeout
        self.deadline = deadline
        self._client = _client(self.url, api_key, timeout, retries)
        self._model_checked = False

    def stream(self, messages: list[Message], max_new_tokens: int | None = None) -> Iterator[str]:
        started = time.monotonic()
        self._check_model()
        chunks = self._request(messages, max_new_tokens, started)
        try:
            for chunk in _guarded(chunks, self.url):
                if time.monotonic() - started > self.deadline:
                    raise AssistantError(f"generator server {self.url} did not finish within {self.deadline:g} s")
                piece = _piece(chunk, self.url)
                if piece:
                    yield piece
        finally:
            chunks.close()  # closing the connection tells the server to stop generating

    def complete(self, messages: list[Message], max_new_tokens: int | None = None) -> str:
        return "".join(self.stream(messages, max_new_tokens))

    def count_tokens(self, text: str) -> int:
        """An estimate (the tokenizer lives on the server): about 4 characters a token in English."""
        return max(1, round(len(text) / 4)) if text else 0

    def _request(self, messages: list[Message], max_new_tokens: int | None, started: float) -> Any:
        remaining = self.deadline - (time.monotonic() - started)
        openai = _import_openai()
        try:
            return self._client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_new_tokens or self.max_new_tokens,
                temperature=self.temperature, stream=True, timeout=max(0.1, min(self.timeout, remaining)),
            )
        except openai.APIError as error:
            raise _as_assistant_error(error, self.url, self.model) from error

    def _check_model(self) -> None:
        """Refuse a model name the server does not list (servers without a model list are trusted)."""
        if self._model_checked:
            return
        openai = _import_openai()
        try:
            names = [entry.id for entry in self._client.models.list(timeout=self.timeout)]
        except openai.NotFoundError:
            names = []  # no /models route: the completion request itself will say
        except openai.APIError as error:
            raise _as_assistant_error(error, self.url, self.model) from error
        if names and self.model not in names:
            raise AssistantError(
                f"generator server {self.url} has no model {self.model!r} (it serves: {', '.join(names)})"
            )
        self._model_checked = True

    def __repr__(self) -> str:
        return f"EndpointGenerator({self.url!r}, {self.model!r})"


def _client(url: str, api_key: str | None, timeout: float, retries: int) -> Any:
    openai = _import_openai()
    # A local server needs no key, but the client refuses to start without one.
    return openai.OpenAI(base_url=url, api_key=api_key or "not-needed", timeout=timeout, max_retries=retries)


def _import_openai() -> Any:
    try:
        import openai
    except ImportError as error:
        raise AssistantError(f"a generator URL needs the openai client ({error}): pip install openai==3.57.0") from error
    return openai


def _guarded(chunks: Any, url: str) -> Iterator[Any]:
    """The stream's chunks, with failures after the first byte turned into one line."""
    openai = _import_openai()
    try:
        yield from chunks
    except openai.APIError as error:
        raise AssistantError(f"generator server {url} failed mid-answer: {_first_line(error)}") from error
    except ValueError as error:  # a data line that is not JSON
        raise AssistantError(f"generator server {url} sent a malformed answer: {_first_line(error)}") from error


def _piece(chunk: Any, url: str) -> str | None:
    choices = getattr(chunk, "choices", None)
    if choices is None or not isinstance(choices, list):
        raise AssistantError(f"generator server {url} sent a malformed answer (a chunk without choices)")
    if not choices:
        return None  # e.g. a closing chunk that only carries usage
    delta = getattr(choices[0], "delta", None)
    content = getattr(delta, "content", None) if delta is not None else None
    if content is not None and not isinstance(content, str):
        raise AssistantError(f"generator server {url} sent a malformed answer (content is not text)")
    return content


def _as_assistant_error(error: Exception, url: str, model: str) -> AssistantError:
    openai = _import_openai()
    if isinstance(error, openai.APITimeoutError):
        return AssistantError(f"generator server {url} did not answer in time ({_first_line(error)})")
    if isinstance(error, openai.APIConnectionError):
        return AssistantError(f"generator server {url} is not reachable: is it running? ({_first_line(error)})")
    if isinstance(error, openai.AuthenticationError):
        return AssistantError(f"generator server {url} refused the API key (HTTP {error.status_code})")
    if isinstance(error, (openai.NotFoundError, openai.BadRequestError)):
        return AssistantError(
            f"generator server {url} refused model {model!r} (HTTP {error.status_code}: {_first_line(error)})"
        )
    if isinstance(error, openai.APIStatusError):
        return AssistantError(f"generator server {url} kept failing, retries used up (HTTP {error.status_code})")
    return AssistantError(f"generator server {url}: {_first_line(error)}")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__
