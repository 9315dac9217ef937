"""The Gradio app: a thin adapter over the Assistant (the only module that imports gradio)."""

from __future__ import annotations

import logging

from assistant.app import Assistant
from assistant.export import answer_dict
from assistant.render import render_answer, render_partial
from assistant.schema import Answer, AssistantError, SentenceCheck

log = logging.getLogger(__name__)

EXAMPLES = [
    "What does TinyCLIP distil?",
    "How can parameter-efficient fine-tuning adapt trackers?",
    "Which papers study scaling laws for language models?",
]


def _gradio():
    try:
        import gradio as gr
    except ImportError as error:  # pragma: no cover - install problem
        raise ImportError("the UI needs gradio: pip install gradio") from error
    return gr


def chat_turns(assistant: Assistant, question: str, history: list[dict]):
    """Stream one chat turn: history with the user's question and the growing answer."""
    history = list(history or []) + [{"role": "user", "content": question}]
    checks: list[SentenceCheck] = []
    try:
        for event in assistant.ask_stream(question):
            if isinstance(event, Answer):
                papers = assistant.papers([c.paper_id for c in event.citations])
                yield history + [{"role": "assistant", "content": render_answer(event, papers)}]
                return
            checks.append(event)
            yield history + [{"role": "assistant", "content": render_partial(checks)}]
    except AssistantError as error:
        yield history + [{"role": "assistant", "content": f"**Error:** {error}"}]


def build_app(assistant: Assistant):
    """The Blocks app for one Assistant; each browser session keeps its own chat history."""
    gr = _gradio()
    with gr.Blocks(title="Papers assistant") as app:
        gr.Markdown("## Papers assistant\nAnswers come only from the abstracts in the store, "
                    "every sentence checked against the source it cites.")
        chatbot = gr.Chatbot(label="Chat", height=520, elem_id="chat", sanitize_html=True)
        with gr.Row():
            question = gr.Textbox(placeholder="Ask about the papers…", show_label=False, scale=8,
                                  elem_id="question")
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
            stop = gr.Button("Stop", scale=1, elem_id="stop")
        gr.Examples(EXAMPLES, inputs=question)

        def respond(text: str, history: list[dict]):
            if not (text or "").strip():
                yield history, ""
                return
            for turn in chat_turns(assistant, text, history):
                yield turn, ""

        events = [trigger(respond, [question, chatbot], [chatbot, question], api_name=False)
                  for trigger in (send.click, question.submit)]
        stop.click(None, cancels=events)

        def chat(question: str) -> dict:
            """Answer a question; returns the same object as `assistant ask --json`."""
            return answer_dict(assistant.ask(question))

        gr.api(chat, api_name="chat")
    return app


def serve(assistant: Assistant, host: str, port: int) -> None:
    app = build_app(assistant)
    app.queue(default_concurrency_limit=1).launch(server_name=host, server_port=port,
                                                   show_error=True)
