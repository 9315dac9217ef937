"""The Gradio app: a thin adapter over the Assistant (this package is the only one importing gradio).

One module per tab. A tab module has `build_tab(assistant: Assistant) -> gr.Tab`, which opens its
own `gr.Tab(...)`, lays out its components, registers its events and API endpoints, and keeps any
per-user data in `gr.State` (never in module globals); `build_app` calls it inside `gr.Tabs()`.

Gradio imports huggingface_hub, which reads HF_HUB_OFFLINE once, at import: so the process
environment is set here, before that import, for callers that did not come through the CLI (whose
callback has set it already, with the user's --allow-network choice).
"""

from __future__ import annotations

import os

from assistant import environment

if not all(name in os.environ for name in environment.QUIET_ENVIRONMENT):  # not applied yet
    from assistant.settings import Settings

    environment.apply(Settings().allow_network)

import gradio as gr  # noqa: E402 (after the environment is set)

from assistant.app import Assistant  # noqa: E402
from assistant.ui import chat, compare, digest, library  # noqa: E402
from assistant.ui.serving import check_bind, launch, status  # noqa: E402

__all__ = ["build_app", "serve"]

INTRO = ("## Papers assistant\nAnswers come only from the abstracts in the store, every sentence "
         "checked against the source it cites.")


def build_app(assistant: Assistant) -> gr.Blocks:
    """The Blocks app for one Assistant; each browser session keeps its own chat history."""
    with gr.Blocks(title="Papers assistant") as app:
        gr.Markdown(INTRO)
        with gr.Tabs():
            chat.build_tab(assistant)
            compare.build_tab(assistant)
            digest.build_tab(assistant)
            library.build_tab(assistant)

        def report_status() -> dict:
            """Whether the hub client is offline in this process, and the store's paper count."""
            return status(assistant)

        gr.api(report_status, api_name="status")
    return app


def serve(assistant: Assistant, host: str, port: int, auth: str | None = None) -> None:
    """Serve until interrupted; refuses a non-loopback address without `auth` (user:password)."""
    credentials = check_bind(host, auth)
    launch(build_app(assistant), host, port, credentials, assistant.settings.max_upload_mb)
