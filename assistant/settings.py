"""The one settings object: defaults < config file < environment (ASSISTANT_*) < command-line flags.

Only values live here; building models and stores from them is `assistant.app`'s job.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from assistant import environment
from assistant.schema import AssistantError

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
DEFAULT_GENERATOR = "extractive"
DEFAULT_DAILY_PAPERS_URL = "https://huggingface.co/api/daily_papers"
CONFIG_FILE_ENV = "ASSISTANT_CONFIG"

def _config_file() -> Path | None:
    """assistant.toml, or the file ASSISTANT_CONFIG names (empty: none), which must then exist."""
    named = os.environ.get(CONFIG_FILE_ENV)
    if named is None:
        return Path("assistant.toml")
    if not named.strip():
        return None
    path = Path(named)
    if not path.is_file():
        problem = "is not a file" if path.exists() else "does not exist"
        raise AssistantError(f"config file {path} (named by {CONFIG_FILE_ENV}) {problem}")
    return path


class Settings(BaseSettings):
    """Every knob of the assistant. Set in assistant.toml, as ASSISTANT_<NAME>, or by flag."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid")

    store: Path = Field(Path("store"), description="Data directory: Chroma files and model caches.")
    model_cache: Path | None = Field(
        None, description="Where converted model checkpoints are kept (default: <store>/models)."
    )
    chroma_url: str | None = Field(
        None, pattern=r"^(https?://[^/\s:]+(:\d{1,5})?/?)?$",
        description="A Chroma server (`chroma run`) holding the vector index, e.g. `http://127.0.0.1:8000`; "
        "unset or empty: the index is on disk in the store folder. The ledger stays in the store folder either way.",
    )
    sample_corpus: Path = Field(
        Path("data/daily_papers"), description="Folder ingested by `make run` when the store is empty."
    )
    daily_papers_url: str = Field(
        DEFAULT_DAILY_PAPERS_URL,
        description="Hugging Face Daily Papers API that `assistant fetch` asks for `?date=YYYY-MM-DD` "
        "(the only network use outside model downloads, and only when that command runs).",
    )
    embedder: str = Field(
        DEFAULT_EMBEDDER,
        description="Sentence-transformers model: the packaged all-MiniLM-L6-v2, a Hugging Face id or a path.",
    )
    generator: str = Field(
        DEFAULT_GENERATOR,
        description="`extractive` (no model: answers quote the best evidence sentences; the default, since "
        "no installable model beat it on key facts), the packaged SmolLM2-135M-Instruct, a model installed by "
        "`assistant models install`, a `.gguf` file, or a Hugging Face id or local path.",
    )
    generator_backend: str = Field(
        "transformers", pattern="^(auto|transformers|llama.cpp)$",
        description="How the packaged SmolLM2 runs: `transformers`, `llama.cpp`, or `auto` (llama.cpp when "
        "llama-cpp-python imports, else transformers). A `.gguf` path or an installed model from "
        "`assistant models list` always runs on llama.cpp; a Hugging Face id or folder on transformers.",
    )
    generator_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (vLLM, TGI, llama.cpp server, Ollama), "
        "e.g. `http://127.0.0.1:8080/v1`; when set, answers come from it and no local generator loads.",
    )
    generator_model: str | None = Field(
        None, description="Model name the server at `generator_url` knows (default: `generator`)."
    )
    generator_api_key: SecretStr | None = Field(
        None, description="API key for `generator_url`, from the environment or the config file (never a flag)."
    )
    generator_api_key_file: Path | None = Field(
        None, description="File holding the API key for `generator_url` (used when `generator_api_key` is unset)."
    )
    generator_timeout: float = Field(
        60.0, gt=0, description="Seconds one request to `generator_url` may take before it is retried."
    )
    generator_deadline: float = Field(
        300.0, gt=0, description="Seconds an answer from `generator_url` may take in all, retries included."
    )
    judge: str = Field(
        "offline", description="Support judge: `offline` (embedding + overlap after the contradiction "
        "checks), `entailment:MODEL` (an installed instruct model's P(yes) after the same checks, e.g. "
        "`entailment:qwen2.5-coder-1.5b-instruct`), or the Hugging Face id or path of an NLI cross-encoder."
    )
    support_threshold: float = Field(
        0.5, ge=0.0, le=1.0, description="A sentence is supported when the judge scores it at least this."
    )
    entailment_threshold: float = Field(
        0.55, ge=0.0, le=1.0, description="An entailment judge (a model's P(yes) that the sources support "
        "a sentence) passes a sentence at least this (chosen with Qwen2.5-Coder-1.5B on SciFact's tune half "
        "by eval/entail_tune.py)."
    )
    max_new_tokens: int = Field(160, ge=1, description="Upper bound on generated tokens per answer.")
    quotes: Literal["first", "after", "fallback"] = Field(
        "first", description="Where a model's answer puts the best source sentences, quoted: `first`, then "
        "at most two checked model sentences that say something the quotes do not; `after` a checked lead "
        "of two sentences at most, but for those the lead already says; `fallback` only when no model "
        "sentence survives.")
    temperature: float = Field(0.0, ge=0.0, description="0 means greedy decoding.")
    threads: int = Field(2, ge=1, description="torch threads: 2 embeds and prefills ~1.8x faster than 1 on an idle 2-core machine; 1 can win on a busy one.")
    decode_threads: int = Field(
        1, ge=1, description="llama.cpp threads that decode (a token at a time, memory-bound); the prompt is "
        "read with `threads`. On a quiet 2-core machine SmolLM2's first checked sentence came at 1.14 s with 1 "
        "decode thread and 1.38 s with 2, its whole answer at 1.42 s and 2.43 s (eval/bench_first_token.py)."
    )
    embed_processes: int = Field(
        1, ge=1, description="Worker processes that embed an ingest or reindex of 1,000+ papers: 2 or more "
        "use sentence-transformers' multi-process pool, one torch thread each; 1 embeds in the process with "
        "`threads` threads."
    )
    chunk_size: int = Field(200, ge=32, description="Chunk size in tokens (the embedder reads 256 at most).")
    chunk_overlap: int = Field(40, ge=0, description="Overlap between neighbouring chunks, in tokens.")
    top_k: int = Field(5, ge=1, description="Papers retrieved for an answer.")
    evidence_sentences: int = Field(6, ge=1, description="Source sentences numbered in the prompt.")
    evidence_per_paper: int = Field(
        6, ge=1, description="At most this many of them from one paper (6 on the tune split: the facts "
        "asked of one paper are in its sentences, and a model can join them; 3 kept them out).")
    min_relevance: float = Field(
        0.35, description="Abstain when the best passage's cosine similarity to the question is below "
        "this and the question names no paper (chosen on eval/questions.jsonl)."
    )
    min_evidence: float = Field(
        0.6, description="Abstain when the best evidence sentence scores below this "
        "(similarity + shared terms; chosen by eval/tune.py on the tune split of eval/questions.jsonl)."
    )
    topic_threshold: float = Field(
        0.525, description="A digest's `--topic` keeps papers whose similarity to the topic plus 0.2 x "
        "the rarity-weighted share of its words they use (assistant/topic_filter.py) is at least this "
        "(chosen by eval/tune.py on the tune split)."
    )
    topic_margin: float = Field(
        0.2, ge=0.0, description="A digest's `--topic` also drops papers scoring more than this below "
        "its best paper (chosen with `topic_threshold` by eval/tune.py on the tune split)."
    )
    title_boost: float = Field(
        0.01, ge=0.0, description="Extra fused score for a paper whose title or acronym the question names "
        "(fused scores are about 1/60 a side; 0.01 was best on the tune split: MRR 0.978 vs 0.967 at 1.0)."
    )
    allow_network: bool = Field(
        False, description="Let Hugging Face libraries reach the hub (for models not installed locally)."
    )
    host: str = Field("127.0.0.1", description="Address the UI binds.")
    port: int = Field(7860, ge=1, le=65535, description="Port the UI binds.")
    auth: SecretStr | None = Field(
        None, description="`user:password` the UI asks for; required to bind any address other "
        "than loopback (or `assistant ui --auth-file PATH`; never in argv, where `ps` shows it)."
    )
    max_upload_mb: float = Field(
        20.0, gt=0, description="Largest file the UI accepts for ingest, in megabytes."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = _config_file()
        if config_file is None:
            return (init_settings, env_settings)
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file)
        return (init_settings, env_settings, toml)

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        """Values that are each valid but not together."""
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size "
                             f"({self.chunk_size})")
        return self

    @property
    def model_cache_dir(self) -> Path:
        return self.model_cache or self.store / "models"

    def apply_environment(self) -> None:
        """Keep Hugging Face, Gradio and Chroma off the network unless the user allowed it, and
        tell the store which Chroma to open."""
        environment.apply(self.allow_network, chroma_url=self.chroma_url or "")


def settings_table() -> str:
    """The README's settings table, made from the fields themselves (a test keeps them equal)."""
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = "(none)" if field.default is None else f"`{field.default}`"
        rows.append(f"| `{name}` | `ASSISTANT_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(rows)
