"""The Chat tab: streamed, checked answers with cited paper cards; follow-ups keep their subject.

Each browser session (and each API client) keeps its own history in `gr.State`; nothing is global.
Endpoints: `/chat` (one question, no history) and `/converse` (a turn in this session's
conversation: follow-up questions are rewritten into standalone ones before retrieval).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import gradio as gr

from assistant.app import Assistant
from assistant.export import result_dict
from assistant.followup import standalone_question
from assistant.ui.render import render_partial, render_result, render_rewrite
from assistant.schema import Answer, AssistantError, Comparison, SentenceCheck
from assistant.ui.serving import MODEL_JOBS, user_errors

log = logging.getLogger(__name__)

EXAMPLES = [
    "What does TinyCLIP distil?",
    "How can parameter-efficient fine-tuning adapt trackers?",
    "Which papers study scaling laws for language models?",
]
EMPTY_QUESTION = "Type a question about the papers first."

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
    return render_result(result, assistant.papers([c.paper_id for c in answer.citations]))


def build_tab(assistant: Assistant) -> gr.Tab:
    """The Chat tab; call inside the app's `gr.Tabs()`."""
    with gr.Tab("Chat", id="chat", elem_id="tab-chat") as tab:
        chatbot = gr.Chatbot(label="Chat", height=520, elem_id="chat", sanitize_html=True,
                             feedback_options=None, placeholder="Ask about the stored papers.")
        asked = gr.State([])  # this session's standalone questions, oldest first
        with gr.Row():
            question = gr.Textbox(placeholder="Ask about the papers…", show_label=False, scale=8,
                                  elem_id="question")
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
            stop = gr.Button("Stop", scale=1, elem_id="stop")
        gr.Examples(EXAMPLES, inputs=question)

        def respond(text: str, history: Messages, earlier: list[str]):
            if not (text or "").strip():
                gr.Warning(EMPTY_QUESTION)
                yield history, text, earlier
                return
            standalone = rewrite(assistant, text, earlier)
            turn = history
            for turn in chat_turns(assistant, text, standalone, history):
                yield turn, "", earlier
            yield turn, "", earlier + [standalone]

        events = [trigger(respond, [question, chatbot, asked], [chatbot, question, asked],
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
