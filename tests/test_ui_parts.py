"""The UI's pieces without a browser: fetch from a real loopback Daily Papers server, similar
papers, undo of a delete, exports, the digest's status lines. Real Chroma store, fake embedder."""

import csv
import io
import json
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.export import comparison_csv
from assistant.schema import AssistantError, Evidence, Paper
from assistant.reports import Cell, Comparison
from assistant.settings import Settings
from assistant.ui.digest import digest_file_name, digest_job
from assistant.ui.fetching import OFF, fetch_and_ingest, fetch_days
from assistant.ui.library import paper_record, similar_markdown
from assistant.ui.render import chat_markdown

REAL_DAY = Path("/work/shared/real/hf_daily_papers/2024-06-03.json")
HOSTILE = Path(__file__).parent / "fixtures" / "hostile_ui.jsonl"
LISTING = Path(__file__).resolve().parents[1] / "data" / "daily_papers" / "000_9c1c75a0277bd027.txt"


@pytest.fixture
def daily_papers_api():
    """A loopback server answering every ?date= with one real recorded Daily Papers day."""
    if not REAL_DAY.exists():
        pytest.skip(f"{REAL_DAY} (shared real data) is not on this machine")
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = REAL_DAY.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/daily_papers", asked
    server.shutdown()
    server.server_close()


def _assistant(tmp_path, make_store, embedder, **settings) -> Assistant:
    store = tmp_path / "store"
    return Assistant(Settings(store=store, **settings), make_store(store, embedder), embedder)


def test_fetch_downloads_a_day_from_the_api_and_ingests_it(tmp_path, make_store, fake_embedder,
                                                          daily_papers_api):
    url, asked = daily_papers_api
    assistant = _assistant(tmp_path, make_store, fake_embedder, allow_network=True,
                           daily_papers_url=url)
    entries = len(json.loads(REAL_DAY.read_text()))
    summary = fetch_and_ingest(assistant, "2024-06-03")
    assert asked == ["/api/daily_papers?date=2024-06-03"]
    assert f"- 2024-06-03: {entries} entries" in summary
    assert assistant.stats()["papers"] == entries and f"**Added {entries}," in summary
    assert (tmp_path / "store" / "downloads" / "daily_papers_2024-06-03.json").exists()


def test_fetch_is_refused_without_network_and_for_a_bad_day(tmp_path, make_store, fake_embedder):
    assistant = _assistant(tmp_path, make_store, fake_embedder)
    with pytest.raises(AssistantError, match="Fetching is off"):
        fetch_and_ingest(assistant, "2024-06-03")
    assert OFF.startswith("Fetching is off")
    assert len(fetch_days("2024-W23")) == 7
    with pytest.raises(AssistantError, match="not 'June 3'"):
        fetch_days("June 3")


def test_similar_papers_are_the_nearest_by_paper_embedding(tmp_path, make_store, fake_embedder):
    assistant = _assistant(tmp_path, make_store, fake_embedder)
    assistant.ingest([HOSTILE])
    papers = {p.title.split()[0]: p for p in assistant.papers()}
    neighbours = assistant.similar(papers["Stealing"].paper_id, k=5)
    assert len(neighbours) == 2 and papers["Stealing"] not in [p for p, _ in neighbours]
    assert neighbours[0][1] >= neighbours[1][1]
    vectors = assistant.store.paper_embeddings([papers["Stealing"].paper_id, neighbours[0][0].paper_id])
    cosine = float(vectors[0] @ vectors[1] / (abs(vectors[0] @ vectors[0]) ** 0.5 * abs(vectors[1] @ vectors[1]) ** 0.5))
    assert neighbours[0][1] == pytest.approx(cosine, abs=1e-5)
    assert "<details" in similar_markdown(assistant, papers["Stealing"].paper_id)
    with pytest.raises(AssistantError, match="no stored paper has the id 'nope'"):
        assistant.similar("nope")


def test_a_deleted_paper_comes_back_whole_from_its_kept_record(tmp_path, make_store, fake_embedder):
    assistant = _assistant(tmp_path, make_store, fake_embedder)
    assistant.ingest([HOSTILE])
    before = {p.paper_id: p for p in assistant.papers()}
    for paper_id, paper in before.items():
        record = paper_record(paper)
        assert assistant.delete([paper_id]) == 1
        undo = tmp_path / f"undo-{len(record)}.jsonl"
        undo.write_text(json.dumps(record) + "\n")
        assert assistant.ingest([undo]).added == 1
        restored = assistant.papers([paper_id])[0]
        assert (restored.title, restored.abstract, restored.authors, restored.upvotes,
                restored.published) == (paper.title, paper.abstract, paper.authors,
                                        paper.upvotes, paper.published)


def test_comparison_csv_has_a_column_a_paper_and_defuses_formulas():
    a = Paper("a", "=HYPERLINK(\"http://127.0.0.1:9\")", "We propose A.")
    b = Paper("b", "B: Second", "We propose B.")
    evidence = Evidence(1, "a", a.title, "We propose A.", 0, 13, 1.0)
    comparison = Comparison("q", [a, b], ["key idea"], [Cell("key idea", "a", evidence),
                                                         Cell("key idea", "b", None)], None, [])
    rows = list(csv.reader(io.StringIO(comparison_csv(comparison))))
    assert rows[0] == ["aspect", "'=HYPERLINK(\"http://127.0.0.1:9\")", "B: Second"]
    assert rows[1] == ["key idea", "We propose A. [1]", "not stated in the abstract"]


def test_chat_export_is_plain_inert_markdown():
    history = [{"role": "user", "content": "What is ![x](http://127.0.0.1:9/s)?"},
               {"role": "assistant", "content": '<span class="badge">(supported)</span> A [1].'},
               {"role": "assistant", "content": [{"type": "text", "text": "B [2]."}]}]
    text = chat_markdown(history)
    assert "**You:** What is \\!\\[x\\](http\\://127.0.0.1:9/s)?" in text
    assert "**Assistant:** (supported) A [1]." in text and "<span" not in text
    assert "**Assistant:** B [2]." in text  # a message as the browser sends it back


def test_digest_files_are_named_by_window_and_topic():
    assert digest_file_name("2026-W47", "video generation") == "digest-2026-W47_video_generation.md"
    assert digest_file_name("2026-W47", None) != digest_file_name("2026-W48", None)


def test_digest_status_starts_fresh_for_each_job():
    def job(topics, progress):
        time.sleep(0.1)  # reading the window: no topic counted yet
        for done in range(topics + 1):
            progress(done, topics)
            time.sleep(0.03)
        return "digest", f"{topics} topics"

    first = list(digest_job(partial(job, 5), every=0.02))
    second = list(digest_job(partial(job, 2), every=0.02))
    assert first[-1][:2] == ("digest", "5 topics") and second[-1][:2] == ("digest", "2 topics")
    lines = [s for s in second if isinstance(s, str)]
    assert lines[0].startswith("_Working: reading the window's papers (0 s)")
    assert all("of 5" not in line for line in lines) and "of 2" in lines[-1]


def test_chat_shows_the_question_at_once_and_says_when_the_model_loads(tmp_path, make_store,
                                                                      fake_embedder):
    from conftest import ScriptedGenerator
    from assistant.ui.chat import LOADING, THINKING, chat_turns

    store = tmp_path / "store"
    cold = Assistant(Settings(store=store), make_store(store, fake_embedder), fake_embedder)
    first = next(chat_turns(cold, "What is it?", "What is it?", []))  # nothing loads before this
    assert first == [{"role": "user", "content": "What is it?"},
                     {"role": "assistant", "content": LOADING}]
    warm = Assistant(cold.settings, cold.store, fake_embedder, generator=ScriptedGenerator("A."))
    assert next(chat_turns(warm, "Q?", "Q?", []))[-1]["content"] == THINKING


def test_a_session_picks_another_generator_without_a_second_store_or_index(tmp_path, make_store,
                                                                           fake_embedder):
    from conftest import ScriptedGenerator
    from assistant.ui.chat import final_content
    from assistant.ui.choosing import GeneratorChoice

    store = tmp_path / "store"
    settings = Settings(store=store, generator="scripted", min_relevance=0.0, min_evidence=0.0)
    default = Assistant(settings, make_store(store, fake_embedder), fake_embedder,
                        generator=ScriptedGenerator("It distils a model [1]."))
    choice = GeneratorChoice(default)
    assert choice.names[:2] == ["scripted", "extractive"]
    quoting = choice.for_name("extractive")
    assert quoting is choice.for_name("extractive") and choice.for_name("no-such-model") is default
    assert quoting.retriever is default.retriever and quoting._lock is default._lock
    default.ingest([LISTING])
    answer = quoting.ask("What does the method distil?")  # sees what the default ingested
    assert answer.models["generator"] == "extractive" and default.settings.generator == "scripted"
    assert final_content(quoting, answer).endswith("Answered by extractive</small>")
    assert default.ask("What does the method distil?").models["generator"] == "scripted"


def test_compare_reports_each_stage_as_the_core_reaches_it(tmp_path, make_store, fake_embedder):
    from conftest import ScriptedGenerator
    from assistant.reports import Comparison
    from assistant.ui.compare import run_compare, stage_line
    from assistant.ui.stages import staged_compare

    store = tmp_path / "store"
    assistant = Assistant(Settings(store=store), make_store(store, fake_embedder), fake_embedder,
                          generator=ScriptedGenerator("Both distil a model [1][2]."))
    assistant.ingest([LISTING])
    titles = [paper.title for paper in assistant.papers()[:2]]
    events = list(staged_compare(assistant, lambda a: run_compare(a, "", titles)))
    assert events[:3] == [0, 1, 2] and isinstance(events[3], Comparison) and len(events) == 4
    assert events[3].rows and stage_line(1) == "Step 2 of 3: building the table…"
    failed = list(staged_compare(assistant, lambda a: run_compare(a, "", ["only one"] * 5)))
    assert failed[0] == 0 and isinstance(failed[-1], AssistantError)
