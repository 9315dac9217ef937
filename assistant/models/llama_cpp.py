"""Chat with a GGUF model through llama.cpp on CPU: the one module that imports llama_cpp.

llama.cpp loads a quantised GGUF in well under a second and decodes about 3x faster than transformers
on these CPUs. The chat template comes from the GGUF itself, decoding is greedy at temperature 0, and
`yes_probability` scores a yes/no question by the first answer token's probabilities (for a judge),
evaluating only what follows the prefix its cache already holds.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.schema import AssistantError

logger = logging.getLogger(__name__)

Message = dict[str, str]

PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON "
    "-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF "
    "-DLLAMA_CURL=OFF"
)
INSTALL_HINT = f'CMAKE_ARGS="{PORTABLE_CMAKE_ARGS}" pip install llama-cpp-python==0.3.36'
_YES = ("yes", "Yes", "YES", " yes", " Yes", " YES")
_NO = ("no", "No", "NO", " no", " No", " NO")
_TEMPLATE_KEY = "tokenizer.chat_template"


class LlamaCppGenerator:
    """A GGUF chat model loaded once; one generation at a time (they would share the same cores)."""

    def __init__(self, path: Path, max_new_tokens: int, temperature: float = 0.0, threads: int = 1,
                 context: int = 4096, name: str | None = None, decode_threads: int | None = None) -> None:
        """`threads` read the prompt (prefill, compute-bound: two threads halve it on an idle 2-core
        machine); `decode_threads` (default `threads`) write the answer a token at a time, which is
        memory-bound: one thread decodes as fast as two there and much faster on a busy one."""
        self.path = Path(path)
        self.name = name or self.path.stem
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self._lock = threading.Lock()
        self._llama = _load(self.path, threads, decode_threads or threads, context)
        # llama.cpp may round its context up, but llama-cpp-python's token buffer keeps the size asked for.
        self.context = min(context, self._llama.n_ctx())
        self._yes_tokens = self._single_tokens(_YES)
        self._no_tokens = self._single_tokens(_NO)

    def stream(self, messages: list[Message], max_new_tokens: int | None = None) -> Iterator[str]:
        prompt_tokens = len(self._prompt_tokens(messages))
        if prompt_tokens >= self.context:
            raise AssistantError(f"generator {self.name!r}: the prompt has {prompt_tokens} tokens, more than "
                                 f"its context of {self.context}")
        budget = min(max_new_tokens or self.max_new_tokens, self.context - prompt_tokens)
        with self._lock:
            chunks = self._llama.create_chat_completion(
                messages=messages, max_tokens=budget,
                temperature=self.temperature, top_k=1 if self.temperature == 0 else 40, stream=True,
            )
            try:
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as error:  # what llama-cpp-python raises for a request it cannot run
                raise AssistantError(f"generator {self.name!r}: {_first_line(error)}") from error
            finally:
                chunks.close()  # a consumer that stops early ends llama.cpp's decode loop here

    def complete(self, messages: list[Message], max_new_tokens: int | None = None) -> str:
        return "".join(self.stream(messages, max_new_tokens))

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def yes_probability(self, messages: list[Message]) -> float:
        """P(yes) / (P(yes) + P(no)) for the first token the model would answer `messages` with."""
        import numpy

        tokens = self._prompt_tokens(messages)
        with self._lock:
            self._llama.n_tokens = self._cached_prefix(tokens)
            self._llama.eval(tokens[self._llama.n_tokens:])
            pointer = self._llama._ctx.get_logits_ith(-1)  # the last prompt token's logits
            logits = numpy.ctypeslib.as_array(pointer, shape=(self._llama.n_vocab(),)).astype(numpy.float64)
        chosen = logits[list(self._yes_tokens | self._no_tokens)]
        peak = float(chosen.max())
        yes = sum(math.exp(logits[token] - peak) for token in self._yes_tokens)
        no = sum(math.exp(logits[token] - peak) for token in self._no_tokens)
        return yes / (yes + no)

    def _cached_prefix(self, tokens: list[int]) -> int:
        """How many leading `tokens` the model's cache already holds (a judge's questions share
        their system prompt, and a premise asked about several claims shares more), leaving at
        least the last token to evaluate, whose logits are the answer's."""
        return self._llama.longest_token_prefix(self._llama.input_ids[:self._llama.n_tokens], tokens[:-1])

    def _prompt_tokens(self, messages: list[Message]) -> list[int]:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        llama = self._llama
        formatter = Jinja2ChatFormatter(
            template=llama.metadata[_TEMPLATE_KEY],
            eos_token=llama._model.token_get_text(llama.token_eos()),
            bos_token=llama._model.token_get_text(llama.token_bos()) if llama.token_bos() != -1 else "",
        )
        prompt = formatter(messages=messages).prompt
        return llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)  # the template adds BOS

    def _single_tokens(self, variants: tuple[str, ...]) -> set[int]:
        """Token ids of the variants that are one token each in this vocabulary."""
        tokens = {tuple(self._llama.tokenize(word.encode("utf-8"), add_bos=False, special=False)) for word in variants}
        return {ids[0] for ids in tokens if len(ids) == 1}

    def __repr__(self) -> str:
        return f"LlamaCppGenerator({str(self.path)!r})"


def llama_cpp_available() -> bool:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def _load(path: Path, threads: int, decode_threads: int, context: int) -> Any:
    _check_gguf(path)
    try:
        from llama_cpp import Llama
    except ImportError as error:
        raise AssistantError(f"the llama.cpp backend needs llama-cpp-python ({error}): {INSTALL_HINT}") from error
    try:
        llama = Llama(model_path=str(path), n_ctx=context, n_threads=decode_threads, n_threads_batch=threads,
                      chat_format="chat_template.default", verbose=False)
    except (ValueError, RuntimeError) as error:
        raise AssistantError(f"could not load GGUF {path}: {_first_line(error)} (corrupt or truncated?)") from error
    if _TEMPLATE_KEY not in llama.metadata:
        raise AssistantError(f"GGUF {path} has no chat template: use an instruct (chat) model")
    logger.info("loaded %s with llama.cpp (%d prefill / %d decode threads)", path, threads, decode_threads)
    return llama


def _check_gguf(path: Path) -> None:
    if not path.is_file():
        raise AssistantError(f"GGUF file {path} does not exist")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise AssistantError(f"{path} is not a GGUF file (no GGUF header)")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
