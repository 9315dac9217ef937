"""The Library tab: upload files to ingest (or fetch a day or week of Daily Papers), browse and
search the stored papers, see a paper's nearest neighbours, delete one (after a confirmation, with
an undo of the last delete), and see the store's statistics and models.

Endpoint: `/ingest` (files -> the same object as `assistant ingest --json`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant.app import Assistant
from assistant.export import ingest_dict
from assistant.ui import fetching
from assistant.ui.render import (
    LIBRARY_COLUMNS, library_rows, paper_card, render_deleted, render_ingest, render_stats, text,
)
from assistant.schema import IngestReport, Paper
from assistant.sources import SUPPORTED_SUFFIXES
from assistant.ui.serving import (
    MODEL_JOBS, keep_uploads, max_upload_bytes, settle_uploads, upload_folder, user_errors,
)

log = logging.getLogger(__name__)

NO_FILES = "Choose one or more files to ingest first."
NO_PAPER = "Select a paper in the table first."
COLUMN_WIDTHS = ["320px", "110px", "110px", "110px", "180px", "200px"]  # fixed px: a phone scrolls sideways
PRIVATE = {"api_visibility": "private"}  # UI events; the API is /ingest


def ingest_uploads(assistant: Assistant, files: Sequence[str], progress=None) -> IngestReport:
    """Copy the uploads into <store>/uploads and ingest them; refused uploads become rejections."""
    folder = upload_folder(assistant.settings.store)
    uploads = keep_uploads(files, folder, max_upload_bytes(assistant.settings.max_upload_mb))
    kept = [upload.path for upload in uploads if upload.path]
    report = assistant.ingest(kept, progress) if kept else IngestReport()
    return settle_uploads(uploads, report)  # deletes failed uploads, reports names, not paths


@dataclass(frozen=True)
class _Parts:
    tab: gr.Tab
    files: gr.File
    ingest: gr.Button
    summary: gr.Markdown
    stats: gr.Markdown
    query: gr.Textbox
    table: gr.Dataframe
    paper_id: gr.Textbox
    delete: gr.Button
    deleted: gr.Markdown
    confirm: gr.Button
    undo: gr.Button
    similar: gr.Button
    similar_result: gr.Markdown
    day: gr.Textbox
    fetch: gr.Button
    fetched: gr.Markdown


def build_tab(assistant: Assistant) -> gr.Tab:
    """The Library tab; call inside the app's `gr.Tabs()`."""
    parts = _layout(assistant.settings.allow_network)
    with parts.tab:
        _ingest_events(assistant, parts)
        _browse_events(assistant, parts)
        _delete_events(assistant, parts)
        _similar_events(assistant, parts)
        _fetch_events(assistant, parts)
        _api(assistant)
    return parts.tab


def _layout(network: bool) -> _Parts:
    with gr.Tab("Library", id="library", elem_id="tab-library") as tab:
        with gr.Row():
            with gr.Column(scale=2, min_width=300):
                files = gr.File(label="Files to ingest", file_count="multiple", height=140,
                                file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
                ingest = gr.Button("Ingest", variant="primary", elem_id="ingest")
                summary = gr.Markdown(elem_id="ingest-summary")
            with gr.Column(scale=1, min_width=300):
                stats = gr.Markdown(elem_id="stats")
                day, fetch, fetched = _fetch_layout(network)
        query = gr.Textbox(placeholder="Search titles, dates, sources, ids…", show_label=False,
                           elem_id="library-search")
        table = gr.Dataframe(headers=LIBRARY_COLUMNS, type="array", interactive=False, wrap=True,
                             max_height=420, column_widths=COLUMN_WIDTHS, elem_id="library-table")
        with gr.Row():
            paper_id = gr.Textbox(label="Selected paper id", interactive=False, scale=3,
                                  min_width=200, elem_id="paper-id")
            similar = gr.Button("Similar papers", scale=1, min_width=120, elem_id="similar")
            delete = gr.Button("Delete paper…", variant="stop", scale=1, min_width=120, elem_id="delete")
        with gr.Row():
            confirm = gr.Button("Yes, delete it", variant="stop", visible=False, elem_id="confirm-delete")
            undo = gr.Button("Undo the last delete", visible=False, elem_id="undo-delete")
        deleted = gr.Markdown(elem_id="delete-summary")
        similar_result = gr.Markdown(elem_id="similar-result", sanitize_html=True)
    return _Parts(tab, files, ingest, summary, stats, query, table, paper_id, delete, deleted,
                  confirm, undo, similar, similar_result, day, fetch, fetched)


def _fetch_layout(allowed: bool):
    day = gr.Textbox(label="Fetch Daily Papers: a day or an ISO week", placeholder="2024-06-03 or 2024-W23",
                     interactive=allowed, elem_id="fetch-day")
    fetch = gr.Button("Fetch and ingest", interactive=allowed, elem_id="fetch")
    fetched = gr.Markdown(fetching.ON if allowed else fetching.OFF, elem_id="fetch-summary")
    return day, fetch, fetched


def _ingest_events(assistant: Assistant, parts: _Parts) -> None:
    def run_ingest(chosen: list[str] | None, text: str, progress=gr.Progress()):
        if not chosen:
            gr.Warning(NO_FILES)
            return gr.skip(), chosen, gr.skip(), gr.skip()

        def tick(done: int, total: int) -> None:
            progress((done, total), desc="Embedding papers", unit="papers")

        report = ingest_uploads(assistant, chosen, tick)
        return (render_ingest(report), None, *_listing(assistant, text))

    parts.ingest.click(run_ingest, [parts.files, parts.query],
                       [parts.summary, parts.files, parts.table, parts.stats],
                       concurrency_id=MODEL_JOBS, **PRIVATE)


def _browse_events(assistant: Assistant, parts: _Parts) -> None:
    def show(text: str):
        return _listing(assistant, text)

    outputs = [parts.table, parts.stats]
    gr.on(None, show, parts.query, outputs, show_progress="hidden",  # on page load and typing
          trigger_mode="always_last", **PRIVATE)
    parts.tab.select(show, parts.query, outputs, show_progress="hidden", **PRIVATE)
    parts.table.select(_selected_id, None, parts.paper_id, **PRIVATE)


def _delete_events(assistant: Assistant, parts: _Parts) -> None:
    kept = gr.State(None)  # this session's last deleted paper, as a record to re-ingest

    def ask_to_delete(chosen: str):
        titles = {p.paper_id: p.title for p in assistant.papers([chosen])} if chosen else {}
        if chosen not in titles:
            gr.Warning(NO_PAPER)
            return gr.skip(), gr.skip()
        return f"Delete **{text(titles[chosen])}**? This cannot be undone after the next delete.", \
            gr.Button(visible=True)

    def run_delete(chosen: str, query: str):
        papers = assistant.papers([chosen]) if chosen else []
        removed = assistant.delete([chosen]) if papers else 0
        message = render_deleted(chosen, papers[0].title if removed else None)
        record = paper_record(papers[0]) if removed else None
        return (message, "", gr.Button(visible=False), gr.Button(visible=bool(record)), record,
                *_listing(assistant, query))

    def run_undo(record: dict | None, query: str):
        if not record:
            return gr.skip(), gr.skip(), None, gr.skip(), gr.skip()
        report = assistant.ingest([_undo_file(assistant, record)])
        message = f"Restored **{text(record['title'])}**." if report.added else render_ingest(report)
        return message, gr.Button(visible=False), None, *_listing(assistant, query)

    parts.delete.click(ask_to_delete, parts.paper_id, [parts.deleted, parts.confirm], **PRIVATE)
    parts.confirm.click(run_delete, [parts.paper_id, parts.query],
                        [parts.deleted, parts.paper_id, parts.confirm, parts.undo, kept,
                         parts.table, parts.stats], concurrency_id=MODEL_JOBS, **PRIVATE)
    parts.undo.click(run_undo, [kept, parts.query],
                     [parts.deleted, parts.undo, kept, parts.table, parts.stats],
                     concurrency_id=MODEL_JOBS, **PRIVATE)


def paper_record(paper: Paper) -> dict:
    """What the store keeps of a paper, as a record ingest reads back to the same paper id."""
    record = {"title": paper.title, "abstract": paper.abstract, "authors": list(paper.authors),
              "arxiv_id": paper.arxiv_id, "published": paper.published,
              "listed_on": paper.listed_on, "upvotes": paper.upvotes, "url": paper.url}
    return {name: value for name, value in record.items() if value not in (None, [])}


def _undo_file(assistant: Assistant, record: dict) -> Path:
    folder = upload_folder(assistant.settings.store)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "undo-delete.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def similar_markdown(assistant: Assistant, paper_id: str, k: int = 5) -> str:
    """The stored papers nearest to one paper, as cards with their similarity."""
    neighbours = assistant.similar(paper_id, k)
    if not neighbours:
        return "No other paper is stored."
    return "\n".join(paper_card(paper, f"({score:.2f} similar)") for paper, score in neighbours)


def _similar_events(assistant: Assistant, parts: _Parts) -> None:
    def show_similar(chosen: str):
        if not chosen:
            gr.Warning(NO_PAPER)
            return gr.skip()
        with user_errors():
            return similar_markdown(assistant, chosen)

    parts.similar.click(show_similar, parts.paper_id, parts.similar_result, **PRIVATE)


def _fetch_events(assistant: Assistant, parts: _Parts) -> None:
    def run_fetch(day: str, query: str, progress=gr.Progress()):
        def tick(done: int, total: int) -> None:
            progress((done, total), desc="Embedding papers", unit="papers")

        progress(0, desc="Downloading")
        with user_errors():
            summary = fetching.fetch_and_ingest(assistant, day, tick)
        return summary, *_listing(assistant, query)

    parts.fetch.click(run_fetch, [parts.day, parts.query], [parts.fetched, parts.table, parts.stats],
                      concurrency_id=MODEL_JOBS, **PRIVATE)


def _listing(assistant: Assistant, text: str) -> tuple[list[list[str]], str]:
    """The table rows matching the search box, and the store statistics."""
    stats = render_stats(assistant.stats(), assistant.settings.judge)
    return library_rows(assistant.library(), text), stats


def _selected_id(event: gr.SelectData) -> str:
    row = event.row_value or []
    return row[-1] if row else ""


def _api(assistant: Assistant) -> None:
    def ingest(files: list[str] | None) -> dict:
        """Ingest uploaded files; returns the same object as `assistant ingest --json`."""
        with user_errors():
            return ingest_dict(ingest_uploads(assistant, [str(Path(f)) for f in files or []]))

    uploads = gr.File(file_count="multiple", visible=False)
    report = gr.JSON(visible=False)
    gr.on([], ingest, uploads, report, api_name="ingest", concurrency_id=MODEL_JOBS)
