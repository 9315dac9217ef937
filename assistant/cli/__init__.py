"""The `assistant` command: one subcommand per job, a thin adapter over `assistant.app`.

Each module of this package holds one group of commands as plain functions; this module registers
them (no command module imports it back). Errors print one line to stderr and exit non-zero;
`--json` prints exactly one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer._click import exceptions as click  # typer 0.29 (pinned) vendors its own Click

from assistant.cli import analysis, ask, eval as eval_commands, library, models, serve
from assistant.cli import common
from assistant.schema import AssistantError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Ask, search and summarise Hugging Face Daily Papers listings, offline.")


@app.callback()
def main(
    store: Annotated[Optional[Path], typer.Option(help="Data directory (ASSISTANT_STORE).")] = None,
    embedder: Annotated[Optional[str], typer.Option(help="Embedder id or path.")] = None,
    generator: Annotated[Optional[str], typer.Option(help="Generator id or path.")] = None,
    threads: Annotated[Optional[int], typer.Option(help="torch threads.")] = None,
    max_new_tokens: Annotated[Optional[int], typer.Option(help="Tokens per answer, at most.")] = None,
    allow_network: Annotated[Optional[bool], typer.Option(
        "--allow-network/--offline", help="Let model libraries reach the Hugging Face hub.")] = None,
    chroma_url: Annotated[Optional[str], typer.Option(
        help="Chroma server URL (ASSISTANT_CHROMA_URL); empty: the index on disk.")] = None,
) -> None:
    """Flags here override the config file and the environment."""
    given = {"store": store, "embedder": embedder, "generator": generator, "threads": threads,
             "max_new_tokens": max_new_tokens, "allow_network": allow_network}
    given["chroma_url"] = chroma_url
    common.OVERRIDES.update({k: v for k, v in given.items() if v is not None})
    common.settings().apply_environment()  # before any command imports a model library


COMMANDS = {
    "ingest": library.ingest_command, "fetch": library.fetch, "stats": library.stats,
    "reindex": library.reindex, "search": ask.search, "ask": ask.ask,
    "compare": analysis.compare_command, "digest": analysis.digest_command,
    "eval": eval_commands.eval_command, "ui": serve.ui,
}
COMMANDS["repair"] = library.repair
for _name, _command in COMMANDS.items():
    app.command(_name)(_command)
app.add_typer(models.app, name="models")


def run() -> None:
    """Console-script entry point: AssistantError becomes one line on stderr and exit 1, a bad flag
    or argument one line and exit 2 (not Click's usage box)."""
    try:
        sys.exit(app(standalone_mode=False))
    except click.NoArgsIsHelpError as help_shown:
        help_shown.show()
        sys.exit(help_shown.exit_code)
    except click.UsageError as error:
        where = f" ({error.ctx.command_path})" if error.ctx else ""
        common.echo(f"error: {' '.join(error.format_message().split())}{where}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        common.echo(f"error: {' '.join(error.format_message().split())}", err=True)
        sys.exit(error.exit_code)
    except typer.Abort:
        common.echo("interrupted", err=True)
        sys.exit(130)
    except AssistantError as error:
        common.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        common.echo("interrupted", err=True)
        sys.exit(130)
