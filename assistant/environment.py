"""The process environment: the one place that sets it.

Hugging Face libraries read HF_HUB_OFFLINE once, when they are imported, and OpenMP reads
OMP_WAIT_POLICY when torch loads, so `apply` runs before either: in the CLI's callback (before any
command imports a model library or Gradio), in `Assistant.from_settings`, and in the test session.
"""

from __future__ import annotations

import os

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


# Model libraries' progress bars and notices would bury the CLI's own output.
QUIET_ENVIRONMENT = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    # Idle OpenMP threads otherwise spin and starve the working ones when torch runs on several
    # Python threads (the generation worker, UI request threads) or another process shares the
    # cores: 2-6x slower with 2 threads. Only read when torch loads.
    "OMP_WAIT_POLICY": "PASSIVE",
}


CHROMA_URL = "ASSISTANT_CHROMA_URL"  # read by assistant.store.chroma, which gets no settings


def apply(allow_network: bool = False, chroma_url: str | None = None) -> None:
    """Quiet the model libraries and, unless network use is allowed, keep them offline. Values the
    user set already win, except `chroma_url`: the settings chose it (flag > environment > config
    file), so it is published as it is, and removed when empty (the index on disk), so that a
    child process reads its own config file."""
    if chroma_url:
        os.environ[CHROMA_URL] = chroma_url
    elif chroma_url is not None:
        os.environ.pop(CHROMA_URL, None)
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if not allow_network:
        for name, value in OFFLINE_ENVIRONMENT.items():
            os.environ.setdefault(name, value)


def offline_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of `base` (default: this process's environment) with the offline and quiet values
    forced, for the subprocesses a test or benchmark starts."""
    return {**(os.environ if base is None else base), **QUIET_ENVIRONMENT, **OFFLINE_ENVIRONMENT}
