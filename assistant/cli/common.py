"""What every command shares: the settings (flags over the environment and the config file), the
Assistant built from them, `--json`, progress bars on stderr, and `echo`, the one way commands print."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from assistant.sanitize import terminal_text
from assistant.schema import AssistantError
from assistant.settings import Settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
OVERRIDES: dict = {}  # the global flags given on this command line (set by the callback)


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """Print through the one gate: source text may hold escape sequences or template tokens."""
    typer.echo(terminal_text(str(text)), err=err, nl=nl)


def settings() -> Settings:
    try:
        return Settings(**OVERRIDES)
    except AssistantError:
        raise
    except ValidationError as error:  # one line: "chunk_overlap: ...; port: ..."
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
                             for e in error.errors())
        raise AssistantError(f"invalid settings: {problems}") from None
    except Exception as error:  # pydantic's validation message, made one line
        raise AssistantError(f"invalid settings: {' '.join(str(error).split())}") from None


def assistant(read_only: bool = False):
    """The Assistant of these settings; a `read_only` command refuses a store that does not exist
    (the store says so: opening one would create it)."""
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
