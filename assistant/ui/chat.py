"""The Chat tab: streamed, checked answers with cited paper cards; follow-ups keep their subject.

Each browser session (and each API client) keeps its own history in `gr.State`; nothing is global.
Endpoints: `/chat` (one question, no history) and `/converse` (a turn in this session's
conversation: follow-up questions are rewritten into standalone ones before retrieval).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant.app import Assistant
from assistant.export import result_dict
from assistant.followup import standalone_question
from assistant.ui.choosing import GeneratorChoice
from assistant.ui.render import chat_markdown, render_partial, render_result, render_rewrite, text
from assistant.schema import Answer, AssistantError, SentenceCheck
from assistant.reports import Comparison
from assistant.ui.serving import MODEL_JOBS, user_errors

log = logging.getLogger(__name__)

EXAMPLES = [
    "What does TinyCLIP distil?",
    "How can parameter-efficient fine-tuning adapt trackers?",
    "Which papers study scaling laws for language models?",
]
EMPTY_QUESTION = "Type a question about the papers first."
THINKING = "<em>Searching the papers…</em>"
LOADING = ("<em>Loading the language model: the first answer after a start takes a minute or two "
           "(the first start ever also converts the checkpoint once).</em>")

Messages = list[dict]


def rewrite(assistant: Assistant, question: str, earlier: list[str]) -> str:
    """The question as retrieval should see it, given this session's earlier questions."""
    return standalone_question(question, earlier, assistant.retriever.names.named_in)


def chat_turns(assistant: Assistant, question: str, standalone: str,
               history: Messages) -> Iterator[Messages]:
    """Stream one chat turn: history with the user's question and the growing answer."""
    history = list(history or []) + [{"role": "user", "content": question}]
    note = render_rewrite(question, standalone)
    checks: list[SentenceCheck] = []
    # The question shows at once; the wait for the model is said, not just timed.
    waiting = THINKING if assistant.generator_loaded else LOADING
    yield history + [{"role": "assistant", "content": note + waiting}]
    try:
        for event in assistant.ask_stream(standalone):
            if isinstance(event, SentenceCheck):
                checks.append(event)
                yield history + [{"role": "assistant", "content": note + render_partial(checks)}]
            else:
                content = note + final_content(assistant, event)
                yield history + [{"role": "assistant", "content": content}]
                return
    except AssistantError as error:
        yield history + [{"role": "assistant", "content": f"**Error:** {error}"}]


def final_content(assistant: Assistant, result: Answer | Comparison) -> str:
    answer = result if isinstance(result, Answer) else result.answer
    shown = render_result(result, assistant.papers([c.paper_id for c in answer.citations]))
    return shown + answered_by(answer)


def answered_by(answer: Answer) -> str:
    """The line under an answer naming the generator that wrote it (none when no model ran)."""
    name = answer.models.get("generator")
    return f'\n\n<small class="answered-by">Answered by {text(name)}</small>' if name else ""


def _export_chat(assistant: Assistant, history: Messages):
    if not history:
        gr.Warning("Nothing to export yet: ask a question first.")
        return gr.File(visible=False)
    folder = Path(assistant.settings.store) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"chat-{datetime.now():%Y-%m-%d-%H%M%S}.md"
    path.write_text(chat_markdown(history), encoding="utf-8")
    return gr.File(value=str(path), visible=True)


def build_tab(assistant: Assistant) -> gr.Tab:
    """The Chat tab; call inside the app's `gr.Tabs()`."""
    choice = GeneratorChoice(assistant)
    with gr.Tab("Chat", id="chat", elem_id="tab-chat") as tab:
        chatbot = gr.Chatbot(label="Chat", height=520, elem_id="chat", sanitize_html=True,
                             feedback_options=None, placeholder="Ask about the stored papers.")
        asked = gr.State([])  # this session's standalone questions, oldest first
        with gr.Row():
            question = gr.Textbox(placeholder="Ask about the papers…", show_label=False, scale=8,
                                  min_width=300, elem_id="question")  # buttons wrap below on a phone
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
            stop = gr.Button("Stop", scale=1, elem_id="stop")
        with gr.Row():
            gr.Examples(EXAMPLES, inputs=question)
            with gr.Column(min_width=220):
                model = gr.Dropdown(choice.names, value=assistant.settings.generator, label="Model",
                                    elem_id="model", info="The generator for this session's answers "
                                    "(loaded once, on its first answer).")
                export = gr.Button("Export chat (Markdown)", size="sm", elem_id="chat-export")
                exported = gr.File(label="Chat as Markdown", visible=False, interactive=False,
                                   elem_id="chat-download")
        export.click(lambda h: _export_chat(assistant, h), chatbot, exported,
                     api_visibility="private")

        def respond(typed: str, history: Messages, earlier: list[str], name: str | None):
            if not (typed or "").strip():
                gr.Warning(EMPTY_QUESTION)
                yield history, typed, earlier
                return
            chosen = choice.for_name(name)
            standalone = rewrite(chosen, typed, earlier)
            turn = history
            for turn in chat_turns(chosen, typed, standalone, history):
                yield turn, "", earlier
            yield turn, "", earlier + [standalone]

        events = [trigger(respond, [question, chatbot, asked, model], [chatbot, question, asked],
                          api_visibility="private", concurrency_id=MODEL_JOBS)
                  for trigger in (send.click, question.submit)]
        stop.click(None, cancels=events)
        _api(assistant, asked)
    return tab


def _api(assistant: Assistant, asked: gr.State) -> None:
    def chat(question: str) -> dict:
        """Answer a question; returns the same object as `assistant ask --json`."""
        with user_errors():
            return result_dict(assistant.ask(question))

    gr.api(chat, api_name="chat", concurrency_id=MODEL_JOBS)

    def converse(question: str, earlier: list[str]) -> tuple[dict, list[str]]:
        """A turn in this session's conversation: `ask --json`'s object plus `question` (as
        typed) and `standalone` (as searched, with the subject of earlier turns carried over)."""
        with user_errors():
            standalone = rewrite(assistant, question, earlier)
            answer = assistant.ask(standalone)
        return ({"question": question, "standalone": standalone, **result_dict(answer)},
                earlier + [standalone])

    question = gr.Textbox(visible=False)
    result = gr.JSON(visible=False)
    gr.on([], converse, [question, asked], [result, asked], api_name="converse",
          concurrency_id=MODEL_JOBS)
