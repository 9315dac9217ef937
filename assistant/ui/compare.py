"""The Compare tab: pick 2-4 papers from a searchable list of the corpus (or type a question) and
get the cited comparison table and paragraph, with the table to download as Markdown or CSV.

Endpoint: `/compare` (question, papers -> the same object as `assistant compare --json`).
"""

from __future__ import annotations

import re
from pathlib import Path

import gradio as gr

from assistant.app import Assistant
from assistant.export import comparison_csv, comparison_dict
from assistant.markdown import comparison_markdown, short_title
from assistant.reports import Comparison
from assistant.ui.render import render_result
from assistant.ui.serving import MODEL_JOBS, user_errors
from assistant.ui.stages import STAGES, staged_compare

NOTHING = "Pick two to four papers, or type a question that names or describes them."
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def run_compare(assistant: Assistant, question: str, titles: list[str] | None) -> Comparison | None:
    """The comparison asked for, or None when nothing was asked."""
    titles = titles or []
    if not (question or "").strip() and len(titles) < 2:
        return None
    return assistant.compare(question or None, titles)


def stage_line(stage: int) -> str:
    """ "Step 2 of 3: building the table…" """
    return f"Step {stage + 1} of {len(STAGES)}: {STAGES[stage]}…"


def shown(assistant: Assistant, comparison: Comparison) -> str:
    """The comparison as Markdown with citation cards (what the tab shows)."""
    cited = assistant.papers([c.paper_id for c in comparison.answer.citations])
    return render_result(comparison, cited)


def saved_exports(assistant: Assistant, comparison: Comparison) -> list[str]:
    """The comparison as a Markdown and a CSV file, named after its papers."""
    folder = Path(assistant.settings.store) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    names = "-".join(_UNSAFE.sub("_", short_title(p.title)).strip("_")[:24] for p in comparison.papers)
    stem = folder / f"compare-{names or 'papers'}"
    markdown, table = stem.with_suffix(".md"), stem.with_suffix(".csv")
    markdown.write_text(comparison_markdown(comparison), encoding="utf-8")
    table.write_text(comparison_csv(comparison), encoding="utf-8")
    return [str(markdown), str(table)]


def build_tab(assistant: Assistant) -> gr.Tab:
    """The Compare tab; call inside the app's `gr.Tabs()`."""
    with gr.Tab("Compare", id="compare", elem_id="tab-compare") as tab:
        papers = gr.Dropdown(choices=[], multiselect=True, max_choices=4, filterable=True,
                             label="Papers (type to search the corpus)", elem_id="compare-papers")
        question = gr.Textbox(label="Question (optional with papers picked)", elem_id="compare-question",
                              placeholder="How do TinyCLIP and TinyViT use distillation differently?")
        go = gr.Button("Compare", variant="primary", elem_id="compare-run")
        exports = gr.File(label="Download the table (Markdown, CSV)", file_count="multiple",
                          interactive=False, visible=False, elem_id="compare-download")
        result = gr.Markdown(elem_id="compare-result", sanitize_html=True)

        def show_comparison(text: str, chosen: list[str] | None, progress=gr.Progress()):
            hidden = gr.File(visible=False)
            for event in staged_compare(assistant, lambda a: run_compare(a, text, chosen)):
                if isinstance(event, int):
                    progress(event / len(STAGES), desc=stage_line(event))
                    yield f"_{stage_line(event)}_", hidden
                    continue
                if isinstance(event, BaseException):
                    with user_errors():
                        raise event
                if event is None:
                    yield NOTHING, hidden
                    return
                files = saved_exports(assistant, event) if event.rows else None
                yield shown(assistant, event), gr.File(value=files, visible=bool(files))

        for trigger in (go.click, question.submit):
            trigger(show_comparison, [question, papers], [result, exports],
                    api_visibility="private", concurrency_id=MODEL_JOBS)

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
