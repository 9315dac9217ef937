"""The Gradio app: a thin adapter over the Assistant (this package is the only one importing gradio).

One module per tab. A tab module has `build_tab(assistant: Assistant) -> gr.Tab`, which opens its
own `gr.Tab(...)`, lays out its components, registers its events and API endpoints, and keeps any
per-user data in `gr.State` (never in module globals); `build_app` calls it inside `gr.Tabs()`.
"""

from __future__ import annotations

import gradio as gr

from assistant.app import Assistant
from assistant.ui import chat, compare, digest, library
from assistant.ui.serving import check_bind, launch

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
    return app


def serve(assistant: Assistant, host: str, port: int, auth: str | None = None) -> None:
    """Serve until interrupted; refuses a non-loopback address without `auth` (user:password)."""
    credentials = check_bind(host, auth)
    launch(build_app(assistant), host, port, credentials, assistant.settings.max_upload_mb)
