"""The `ui` command: serve the Gradio app."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from assistant.cli import common


def ui(
    host: Annotated[Optional[str], typer.Option(help="Address to bind.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to bind.")] = None,
    auth: Annotated[Optional[str], typer.Option(
        help="user:password to require (ASSISTANT_AUTH); needed for a non-loopback --host.")] = None,
) -> None:
    """Serve the Gradio app (127.0.0.1:7860 by default)."""
    from assistant.ui import serve
    from assistant.ui.serving import check_bind

    settings = common.settings()
    host = host or settings.host
    auth = auth or (settings.auth.get_secret_value() if settings.auth else None)
    check_bind(host, auth)  # before any model loads: a refused bind fails in a second
    serve(common.assistant(), host, port or settings.port, auth)
