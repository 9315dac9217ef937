"""The Library tab: upload files to ingest, browse and search the stored papers, delete one, and
see the store's statistics and models.

Endpoint: `/ingest` (files -> the same object as `assistant ingest --json`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant.app import Assistant
from assistant.export import ingest_dict
from assistant.ui.render import (
    LIBRARY_COLUMNS, library_rows, render_deleted, render_ingest, render_stats,
)
from assistant.schema import IngestReport
from assistant.sources import SUPPORTED_SUFFIXES
from assistant.ui.serving import (
    MODEL_JOBS, keep_uploads, max_upload_bytes, settle_uploads, upload_folder, user_errors,
)

log = logging.getLogger(__name__)

NO_FILES = "Choose one or more files to ingest first."
NO_PAPER = "Select a paper in the table first."
COLUMN_WIDTHS = ["44%", "10%", "10%", "10%", "14%", "12%"]  # title, 3 dates, file, id
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


def build_tab(assistant: Assistant) -> gr.Tab:
    """The Library tab; call inside the app's `gr.Tabs()`."""
    parts = _layout()
    with parts.tab:
        _ingest_events(assistant, parts)
        _browse_events(assistant, parts)
        _delete_events(assistant, parts)
        _api(assistant)
    return parts.tab


def _layout() -> _Parts:
    with gr.Tab("Library", id="library", elem_id="tab-library") as tab:
        with gr.Row():
            with gr.Column(scale=2):
                files = gr.File(label="Files to ingest", file_count="multiple",
                                file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
                ingest = gr.Button("Ingest", variant="primary", elem_id="ingest")
                summary = gr.Markdown(elem_id="ingest-summary")
            stats = gr.Markdown(elem_id="stats")
        query = gr.Textbox(placeholder="Search titles, dates, sources, ids…", show_label=False,
                           elem_id="library-search")
        table = gr.Dataframe(headers=LIBRARY_COLUMNS, type="array", interactive=False, wrap=True,
                             max_height=420, column_widths=COLUMN_WIDTHS, elem_id="library-table")
        with gr.Row():
            paper_id = gr.Textbox(label="Selected paper id", interactive=False, scale=3,
                                  elem_id="paper-id")
            delete = gr.Button("Delete paper", variant="stop", scale=1, elem_id="delete")
        deleted = gr.Markdown(elem_id="delete-summary")
    return _Parts(tab, files, ingest, summary, stats, query, table, paper_id, delete, deleted)


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
    def run_delete(chosen: str, text: str):
        if not chosen:
            gr.Warning(NO_PAPER)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        titles = {p.paper_id: p.title for p in assistant.papers([chosen])}
        removed = assistant.delete([chosen])
        message = render_deleted(chosen, titles.get(chosen) if removed else None)
        return (message, "", *_listing(assistant, text))

    parts.delete.click(run_delete, [parts.paper_id, parts.query],
                       [parts.deleted, parts.paper_id, parts.table, parts.stats],
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
