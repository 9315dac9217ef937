"""The `ui` command: serve the Gradio app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli import common
from assistant.schema import AssistantError


def ui(
    host: Annotated[Optional[str], typer.Option(help="Address to bind.")] = None,
    port: Annotated[Optional[int], typer.Option(min=1, max=65535, help="Port to bind.")] = None,
    auth_file: Annotated[Optional[Path], typer.Option(
        "--auth-file", help="File holding user:password to require (or set ASSISTANT_AUTH); "
        "needed for a non-loopback --host.")] = None,
    auth: Annotated[Optional[str], typer.Option(
        hidden=True, help="Refused: a password in argv is visible in `ps`.")] = None,
) -> None:
    """Serve the Gradio app (127.0.0.1:7860 by default)."""
    if auth is not None:
        # Refused, not warned about: by the time a warning prints, every local user could read
        # the password in `ps` and the shell has saved it to its history.
        raise AssistantError("--auth user:password would show the password to every user of this "
                             "machine (ps, shell history): set ASSISTANT_AUTH or use --auth-file PATH")
    settings = common.settings()
    if auth_file is not None:
        credentials = read_auth_file(auth_file)
    else:
        credentials = settings.auth.get_secret_value() if settings.auth else None
    from assistant.ui import serve
    from assistant.ui.serving import check_bind

    host = host or settings.host
    check_bind(host, credentials)  # before any model loads: a refused bind fails in a second
    serve(common.assistant(), host, port or settings.port, credentials)


def read_auth_file(path: Path) -> str:
    """The first line of `path` (user:password)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = getattr(error, "strerror", None) or "not UTF-8 text"
        raise AssistantError(f"cannot read --auth-file {path}: {why}") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise AssistantError(f"--auth-file {path} is empty (expected one line user:password)")
    return lines[0].strip()
