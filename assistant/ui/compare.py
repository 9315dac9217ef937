"""The Compare tab: pick 2-4 papers from a searchable list of the corpus (or type a question) and
get the cited comparison table and paragraph.

Endpoint: `/compare` (question, papers -> the same object as `assistant compare --json`).
"""

from __future__ import annotations

import gradio as gr

from assistant.app import Assistant
from assistant.export import comparison_dict
from assistant.ui.render import render_result
from assistant.ui.serving import MODEL_JOBS, user_errors

NOTHING = "Pick two to four papers, or type a question that names or describes them."


def run_compare(assistant: Assistant, question: str, titles: list[str] | None) -> str:
    """The comparison as Markdown with citation cards (what the tab shows)."""
    titles = titles or []
    if not (question or "").strip() and len(titles) < 2:
        return NOTHING
    comparison = assistant.compare(question or None, titles)
    cited = assistant.papers([c.paper_id for c in comparison.answer.citations])
    return render_result(comparison, cited)


def build_tab(assistant: Assistant) -> gr.Tab:
    """The Compare tab; call inside the app's `gr.Tabs()`."""
    with gr.Tab("Compare", id="compare", elem_id="tab-compare") as tab:
        papers = gr.Dropdown(choices=[], multiselect=True, max_choices=4, filterable=True,
                             label="Papers (type to search the corpus)", elem_id="compare-papers")
        question = gr.Textbox(label="Question (optional with papers picked)", elem_id="compare-question",
                              placeholder="How do TinyCLIP and TinyViT use distillation differently?")
        go = gr.Button("Compare", variant="primary", elem_id="compare-run")
        result = gr.Markdown(elem_id="compare-result", sanitize_html=True)

        def show_comparison(text: str, chosen: list[str] | None):
            with user_errors():
                return run_compare(assistant, text, chosen)

        go.click(show_comparison, [question, papers], result, api_visibility="private",
                 concurrency_id=MODEL_JOBS)
        question.submit(show_comparison, [question, papers], result, api_visibility="private",
                        concurrency_id=MODEL_JOBS)
        def corpus_titles():
            return gr.Dropdown(choices=sorted(p.title for p in assistant.papers()))

        tab.select(corpus_titles, None, papers, api_visibility="private", show_progress="hidden")
        _api(assistant)
    return tab


def _api(assistant: Assistant) -> None:
    def compare(question: str, papers: list[str]) -> dict:
        """Compare 2-4 papers (titles, acronyms or descriptions) and/or answer a comparative
        question; returns the same object as `assistant compare --json`."""
        with user_errors():
            return comparison_dict(assistant.compare(question or None, papers or []))

    gr.api(compare, api_name="compare", concurrency_id=MODEL_JOBS)
