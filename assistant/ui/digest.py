"""The Digest tab: pick a week or a date range (or every date) and optionally a topic; see the
digest rendered and download it as Markdown.

Endpoint: `/digest` (week, since, until, every, topic -> the same object as `assistant digest
--json`, plus its Markdown).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import date
from functools import partial
from pathlib import Path

import gradio as gr

from assistant.app import Assistant
from assistant.dates import make_window
from assistant.export import digest_dict
from assistant.markdown import digest_markdown
from assistant.ui.serving import MODEL_JOBS, user_errors


def this_week() -> str:
    year, week, _ = date.today().isocalendar()
    return f"{year}-W{week:02d}"


def run_digest(assistant: Assistant, week: str, since: str, until: str, every: bool, topic: str,
               progress=None):
    """The digest of the chosen window: (Digest, Markdown). Empty fields are not given."""
    window = make_window(None if every or since or until else (week or "").strip() or None,
                         (since or "").strip() or None, (until or "").strip() or None, every)
    digest = assistant.digest(window, topic, progress=progress)
    return digest, digest_markdown(digest)


def build_tab(assistant: Assistant) -> gr.Tab:
    """The Digest tab; call inside the app's `gr.Tabs()`."""
    with gr.Tab("Digest", id="digest", elem_id="tab-digest"):
        with gr.Row():
            week = gr.Textbox(this_week(), label="ISO week", elem_id="digest-week")
            since = gr.Textbox(label="or since (YYYY-MM-DD)", elem_id="digest-since")
            until = gr.Textbox(label="until (YYYY-MM-DD)", elem_id="digest-until")
            every = gr.Checkbox(label="every date", elem_id="digest-all")
        topic = gr.Textbox(label="Topic (optional)", placeholder="video generation",
                           elem_id="digest-topic")
        with gr.Row():  # the download sits by the button, not under a long digest
            go = gr.Button("Make digest", variant="primary", elem_id="digest-run")
            download = gr.File(label="Download Markdown", elem_id="digest-download",
                               interactive=False, height=60, min_width=300)
        status = gr.Markdown(elem_id="digest-status")
        result = gr.Markdown(elem_id="digest-result", sanitize_html=True)

        def show_digest(week_, since_, until_, every_, topic_):
            job = partial(run_digest, assistant, week_, since_, until_, every_, topic_)
            for state in digest_job(job):
                if isinstance(state, str):
                    yield gr.skip(), gr.skip(), state
                    continue
                made, text, seconds = state
                path = _saved(assistant, made.window.label, made.topic, text)
                yield text, str(path), f"Made in {seconds:.0f} s."

        # Our own status line, fresh for each job: Gradio's timer would show an estimate averaged
        # over every earlier digest, whatever its window.
        go.click(show_digest, [week, since, until, every, topic], [result, download, status],
                 api_visibility="private", concurrency_id=MODEL_JOBS, show_progress="hidden")
        _api(assistant)


def digest_job(job, every: float = 1.0):
    """Run `job(progress)` on a worker thread: a status line about once a second, then
    (Digest, Markdown, seconds). A user's mistake reaches the browser as its one line."""
    done = [0, 0]

    def tick(finished: int, total: int) -> None:
        done[:] = [finished, total]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(job, tick)
        while not wait([future], timeout=every).done:
            finished, total = done
            topics = f"topic {min(finished + 1, total)} of {total}" if total else "reading the window's papers"
            yield f"_Working: {topics} ({time.monotonic() - started:.0f} s)…_"
        with user_errors():
            made, text = future.result()
    yield made, text, time.monotonic() - started


def digest_file_name(label: str, topic: str | None) -> str:
    """A name of its own for each window and topic: digest-2026-W47-video_generation.md."""
    words = label + (f" {topic}" if topic else "")
    return "digest-" + "".join(c if c.isalnum() or c == "-" else "_" for c in words)[:80] + ".md"


def _saved(assistant: Assistant, label: str, topic: str | None, text: str) -> Path:
    folder = Path(assistant.settings.store) / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    name = digest_file_name(label, topic)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _api(assistant: Assistant) -> None:
    def digest(week: str = "", since: str = "", until: str = "", every: bool = False,
               topic: str = "") -> dict:
        """A digest of a week, a date range or every date, optionally on one topic; returns the
        same object as `assistant digest --json` with its Markdown under "markdown"."""
        with user_errors():
            made, text = run_digest(assistant, week, since, until, every, topic)
        return {**digest_dict(made), "markdown": text}

    gr.api(digest, api_name="digest", concurrency_id=MODEL_JOBS)
