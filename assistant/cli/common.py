"""What every command shares: the settings (flags over the environment and the config file), the
Assistant built from them, `--json`, progress bars on stderr, and `echo`, the one way commands print."""

from __future__ import annotations

import sys
import time
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


def progress(description: str, unit: str = "paper", lines: bool = False):
    """A tqdm bar on stderr and its (done, total) updater. When stderr is not a terminal the bar is
    silent, or with `lines` prints a plain line with the rate and ETA every LINE_SECONDS (logs of
    long ingests; one that ends sooner prints nothing). The rate counts from the first update,
    not from the model loading before it."""
    from tqdm import tqdm

    if lines and not sys.stderr.isatty():
        printer = ProgressLines(description, unit)
        return printer, printer.update
    bar = tqdm(total=0, desc=description, unit=unit, file=sys.stderr, disable=None)
    first = [True]

    def update(done: int, total: int) -> None:
        if first.pop() if first else False:
            bar.reset(total=total)  # the clock starts at the work, after the model loaded
            bar.initial = done  # a resumed rebuild: the rate counts this run's papers only
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


LINE_SECONDS = 10.0


class ProgressLines:
    """`embedding: 640/5857 papers, 10.9 papers/s, ETA 8m00s` on stderr, now and then."""

    def __init__(self, description: str, unit: str, every: float = LINE_SECONDS):
        self.description, self.unit, self.every = description, unit, every
        self.started: float | None = None
        self.first = 0  # done at the first update (a resumed rebuild's earlier papers)
        self.printed = 0.0
        self.lines = 0

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.started is None:
            self.started, self.first, self.printed = now, done, now
        # a short ingest prints nothing; a long one a line every `every` seconds and at its end
        due = now - self.printed >= self.every or (done >= total and self.lines)
        if done > self.first and due:
            self.printed, self.lines = now, self.lines + 1
            rate = (done - self.first) / max(now - self.started, 1e-9)
            left = (total - done) / rate
            echo(f"{self.description}: {done}/{total} {self.unit}s, {rate:.1f} {self.unit}s/s, "
                 f"ETA {int(left // 60)}m{int(left % 60):02d}s", err=True)

    def __enter__(self) -> ProgressLines:
        return self

    def __exit__(self, *exc) -> None:
        return None
