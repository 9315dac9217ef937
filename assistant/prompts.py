"""Prompt files (prompts/*.yaml, installed as the package data `assistant.prompt_files`): loaded by
name, their variables checked when they load."""

from __future__ import annotations

import string
from importlib.resources import files
from dataclasses import dataclass
from pathlib import Path

import yaml

from collections.abc import Sequence

from assistant.sanitize import neutralise_tokens
from assistant.schema import AssistantError, Evidence

PROMPTS_DIR = Path(str(files("assistant.prompt_files")))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class Prompt:
    """A chat prompt: a system and a user template sharing declared variables."""

    name: str
    description: str
    variables: frozenset[str]
    system: str
    user: str

    def messages(self, **values: str) -> list[dict[str, str]]:
        missing = self.variables - values.keys()
        extra = values.keys() - self.variables
        if missing or extra:
            raise AssistantError(
                f"prompt {self.name!r} needs {sorted(self.variables)}; "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        return [
            {"role": "system", "content": self.system.format(**values).strip()},
            {"role": "user", "content": self.user.format(**values).strip()},
        ]


def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> Prompt:
    """Read prompts/<name>.yaml and check that its templates use exactly its declared variables."""
    path = folder / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssistantError(f"prompt file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise AssistantError(f"prompt file {path} is not valid YAML: {error}") from None
    if not isinstance(data, dict) or not {"variables", "system", "user"} <= data.keys():
        raise AssistantError(f"prompt file {path} needs the keys variables, system and user")
    declared = frozenset(data["variables"])
    used = _fields(data["system"]) | _fields(data["user"])
    if used != declared:
        raise AssistantError(
            f"prompt file {path}: templates use {sorted(used)} but declare {sorted(declared)}"
        )
    return Prompt(name=name, description=data.get("description", ""), variables=declared,
                  system=data["system"], user=data["user"])


def available_prompts(folder: Path = PROMPTS_DIR) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.yaml"))


def format_sources(evidence: Sequence[Evidence]) -> str:
    """The numbered sentences the prompt shows the model, under the title of their paper; source
    text cannot carry chat-template tokens into the prompt."""
    lines, title = [], None
    for item in evidence:
        if item.title != title:
            title = item.title
            lines.append(f"Paper: {title}")
        lines.append(f"[{item.marker}] {item.text}")
    return neutralise_tokens("\n".join(lines))
