"""What every command shares: the settings (flags over the environment and the config file), the
Assistant built from them, `--json`, and progress bars on stderr."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from assistant.schema import AssistantError
from assistant.settings import Settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
OVERRIDES: dict = {}  # the global flags given on this command line (set by the callback)


def settings() -> Settings:
    try:
        return Settings(**OVERRIDES)
    except Exception as error:  # pydantic's validation message, made one line
        raise AssistantError(f"invalid settings: {' '.join(str(error).split())}") from None


def assistant(read_only: bool = False):
    from assistant.app import Assistant

    return Assistant.from_settings(settings(), read_only=read_only)


def progress(description: str, unit: str = "paper"):
    """A tqdm bar on stderr (silent when stderr is not a terminal) and its (done, total) updater."""
    from tqdm import tqdm

    bar = tqdm(total=0, desc=description, unit=unit, file=sys.stderr, disable=None)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update
