"""The models the assistant runs on, and `build_generator`: the one place a generator backend is chosen.

- `extractive` (the default): no model, the best evidence sentences are quoted;

- `generator_url` set: an OpenAI-compatible server (endpoint.py);
- a `.gguf` path, or a model installed by `assistant models install`: llama.cpp (llama_cpp.py);
- the packaged SmolLM2: llama.cpp or transformers, by `generator_backend`;
- any other Hugging Face id or folder: transformers (generators.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.schema import AssistantError

if TYPE_CHECKING:
    from assistant.models.generators import Generator
    from assistant.settings import Settings


def build_generator(settings: Settings) -> Generator:
    from assistant.models.generators import EXTRACTIVE, ExtractiveGenerator

    if settings.generator == EXTRACTIVE and not settings.generator_url:
        return ExtractiveGenerator()
    if settings.generator_url:
        from assistant.models.endpoint import EndpointGenerator

        return EndpointGenerator(
            settings.generator_url, settings.generator_model or settings.generator, settings.max_new_tokens,
            settings.temperature, api_key=_api_key(settings), timeout=settings.generator_timeout,
            deadline=settings.generator_deadline,
        )
    gguf = gguf_path(settings)
    if gguf is not None:
        from assistant.models.llama_cpp import LlamaCppGenerator

        return LlamaCppGenerator(gguf, settings.max_new_tokens, settings.temperature, settings.threads,
                                 name=settings.generator, decode_threads=settings.decode_threads)
    from assistant.models.generators import TransformersGenerator

    return TransformersGenerator(
        settings.generator, cache_dir=settings.model_cache_dir, max_new_tokens=settings.max_new_tokens,
        temperature=settings.temperature, threads=settings.threads,
    )


def gguf_path(settings: Settings) -> Path | None:
    """The GGUF file llama.cpp should run for `settings.generator`, or None for transformers."""
    from assistant.models import generators, install

    name = settings.generator
    if name.lower().endswith(".gguf"):
        return Path(name).expanduser()
    if name in install.REGISTRY:
        return install.verified_path(name, settings.model_cache_dir)
    if name == generators.PACKAGED_GENERATOR and _packaged_on_llama_cpp(settings.generator_backend):
        return generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE
    if settings.generator_backend == "llama.cpp" and name != generators.PACKAGED_GENERATOR:
        raise AssistantError(
            f"generator {name!r} is not a GGUF file: the llama.cpp backend runs a .gguf path, an installed "
            f"model ({', '.join(install.REGISTRY)}) or {generators.PACKAGED_GENERATOR!r}"
        )
    return None


def _packaged_on_llama_cpp(backend: str) -> bool:
    if backend == "auto":
        from assistant.models.llama_cpp import llama_cpp_available

        return llama_cpp_available()
    return backend == "llama.cpp"


def _api_key(settings: Settings) -> str | None:
    if settings.generator_api_key is not None:
        return settings.generator_api_key.get_secret_value()
    if settings.generator_api_key_file is None:
        return None
    try:
        return settings.generator_api_key_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise AssistantError(
            f"cannot read the generator API key file {settings.generator_api_key_file}: {error.strerror}"
        ) from error


def yes_model(target: str, settings: Settings):
    """The model an entailment judge asks (P(yes) of "does the source support the claim?"): a model
    from `assistant models list` or a `.gguf` path, on llama.cpp."""
    from assistant.models import install
    from assistant.models.llama_cpp import LlamaCppGenerator

    path = install.verified_path(target, settings.model_cache_dir) if target in install.REGISTRY \
        else Path(target).expanduser()
    if path.suffix.lower() != ".gguf":
        raise AssistantError(f"entailment judge {target!r}: name a model from `assistant models list` "
                             "or a .gguf file")
    return LlamaCppGenerator(path, max_new_tokens=1, threads=settings.threads, name=target)


def build_judge(settings: Settings, embedder):
    """The pipeline's support judge: `offline` (embedding + overlap after the contradiction gate),
    `entailment:MODEL` (an installed instruct model's P(yes), after the same gate), or the Hugging
    Face id or path of an NLI cross-encoder."""
    from assistant.models.judges import EvidenceJudge, NLIJudge

    if settings.judge == "offline":
        return EvidenceJudge(embedder, settings.support_threshold)
    kind, _, target = settings.judge.partition(":")
    if kind == "entailment" and target:
        from assistant.models.entailment import EntailmentJudge

        return EntailmentJudge(yes_model(target, settings), settings.entailment_threshold)
    return NLIJudge(settings.judge, settings.support_threshold, settings.threads)
