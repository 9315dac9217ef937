"""The Gradio app with the real models on a copy of the sample corpus: API round trips (gradio_client)
and a real browser (Playwright driving Debian's chromium). Uploads write only to the copy."""

import json
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, free_port

pytestmark = pytest.mark.slow
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
MAX_UPLOAD_MB = 0.5
NEW_PAPER = {"title": "Quokka Ranking: Sorting Marsupial Photographs with Tiny Transformers",
             "abstract": "We sort photographs of quokkas by how happy they look. A tiny transformer "
                         "trained on 3,000 labelled images ranks them as well as three ecologists."}



@pytest.fixture(scope="module")
def live(sample_store, model_cache, real_embedder, tmp_path_factory):
    """The app over a private copy of the sample store, on a free loopback port."""
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store
    from assistant.ui import build_app
    from assistant.ui.serving import launch

    store = tmp_path_factory.mktemp("ui") / "store"
    shutil.copytree(sample_store, store)
    settings = Settings(store=store, model_cache=model_cache, max_upload_mb=MAX_UPLOAD_MB)
    assistant = Assistant(settings, Store(store, real_embedder.name, real_embedder.dimension),
                          real_embedder)
    app = build_app(assistant)
    port = free_port()
    launch(app, "127.0.0.1", port, None, settings.max_upload_mb, block=False)
    yield f"http://127.0.0.1:{port}/", assistant
    app.close()


@pytest.fixture
def client(live):
    from gradio_client import Client

    return Client(live[0], verbose=False)


def test_chat_endpoint_returns_a_cited_answer(client):
    answer = client.predict("What does TinyCLIP distil?", api_name="/chat")
    assert not answer["abstained"] and answer["citations"]
    assert {c["title"] for c in answer["citations"]} <= set(answer["retrieved"])
    assert answer["retrieved"][0].startswith("TinyCLIP")


def test_chat_endpoint_refuses_an_empty_question_in_one_line(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty question: type a question about the papers"):
        client.predict("   ", api_name="/chat")


def test_ingest_endpoint_stores_an_upload_and_reports_rejections(live, client, tmp_path):
    from gradio_client import handle_file

    _, assistant = live
    upload = tmp_path / "my new papers.jsonl"
    upload.write_text(json.dumps(NEW_PAPER) + "\n" + json.dumps({"title": "No abstract"}) + "\n")
    program = tmp_path / "notes.exe"
    program.write_bytes(b"MZ not a listing")
    report = client.predict([handle_file(upload), handle_file(program)], api_name="/ingest")
    assert (report["added"], report["updated"], report["unchanged"]) == (1, 0, 0)
    rejected = {(Path(r["source"]).name, r["line"]) for r in report["rejected"]}
    assert rejected == {("my new papers.jsonl", 2), ("notes.exe", 0)}  # as the browser sent them
    stored = [p for p, _ in assistant.library() if p.title == NEW_PAPER["title"]]
    assert len(stored) == 1 and Path(stored[0].source).parent == assistant.settings.store / "uploads"
    again = client.predict([handle_file(upload)], api_name="/ingest")
    assert (again["added"], again["unchanged"]) == (0, 1)
    assert assistant.delete([stored[0].paper_id]) == 1


def test_ingest_endpoint_refuses_a_file_over_the_upload_limit(live, client, tmp_path):
    from gradio_client import handle_file

    _, assistant = live
    papers_before = assistant.stats()["papers"]
    big = tmp_path / "big.jsonl"
    line = json.dumps(NEW_PAPER) + "\n"
    big.write_text(line * (int(MAX_UPLOAD_MB * 1e6) // len(line) + 10))
    with pytest.raises(Exception, match="(?i)size|large|limit"):
        client.predict([handle_file(big)], api_name="/ingest")
    assert assistant.stats()["papers"] == papers_before


def test_two_sessions_keep_separate_histories(live):
    from gradio_client import Client

    conversations = {"tiny": ["What does TinyCLIP distil?", "what data does it use?"],
                     "bio": ["What is BioBERT pre-trained on?", "How well does it answer questions?"]}
    results: dict[str, list[dict]] = {}

    def talk(name: str) -> None:
        session = Client(live[0], verbose=False)
        results[name] = [session.predict(q, api_name="/converse") for q in conversations[name]]

    threads = [threading.Thread(target=talk, args=(name,)) for name in conversations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert results["tiny"][1]["standalone"] == "What data does TinyCLIP use?"
    assert results["bio"][1]["standalone"] == "How well does BioBERT answer questions?"
    assert results["tiny"][1]["retrieved"][0].startswith("TinyCLIP")
    assert results["bio"][1]["retrieved"][0].startswith("BioBERT")
    assert all(turn["question"] == asked for name, turns in results.items()
               for turn, asked in zip(turns, conversations[name]))


def test_follow_up_comparison_returns_the_comparison_object(client):
    client.predict("What does TinyCLIP distil?", api_name="/converse")
    turn = client.predict("Compare it with DenseCLIP.", api_name="/converse")
    assert turn["standalone"] == "Compare TinyCLIP with DenseCLIP."
    assert "table" in turn and not turn["missing"]  # the comparison object of `ask --json`
    assert {p["title"].split(":")[0] for p in turn["papers"]} >= {"TinyCLIP", "DenseCLIP"}
    assert turn["table"]["rows"] and turn["citations"]


def _last_reply_done(page) -> None:
    """Wait until the newest bot message holds a finished answer (cards or the abstention)."""
    page.wait_for_function(
        """() => {
            const bots = document.querySelectorAll('#chat .message.bot, #chat [data-testid="bot"]');
            const last = bots[bots.length - 1];
            return last && /does not answer|\\((checked|checked, re-cited|quoted)\\)/.test(last.innerText)
                && !document.querySelector('#chat .generating, #chat .pending');
        }""", timeout=180_000)


@pytest.mark.browser
def test_browser_chat_follow_up_and_library(live, tmp_path):
    from assistant.ui.chat import EMPTY_QUESTION

    upload = tmp_path / "quokka.jsonl"
    upload.write_text(json.dumps(NEW_PAPER) + "\n")
    with browser_page(live[0]) as page:
        _chat(page, EMPTY_QUESTION)
        _library(page, upload)


@contextmanager
def browser_page(url: str, height: int = 1000):
    """A page of Debian's chromium (driven by Playwright) at `url`; fails the test on any console
    error once the block is done. Screenshots go to SCREENSHOTS."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": height})
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(RECORD_ERROR_TOASTS)
        page.goto(url)
        yield page
        errors += page.evaluate("window.errorToasts")
        browser.close()
    assert errors == []


# An event that fails shows an error toast (for a few seconds) and logs nothing to the console:
# record every one, so that a browser test fails on it too.
RECORD_ERROR_TOASTS = """
window.errorToasts = [];
new MutationObserver(() => {
  for (const toast of document.querySelectorAll('[data-testid="toast-text"].error')) {
    if (!toast.dataset.recorded) { toast.dataset.recorded = "1"; window.errorToasts.push(toast.innerText); }
  }
}).observe(document, {subtree: true, childList: true});
"""


def _chat(page, empty_question_message: str) -> None:
    page.click("#ask")  # nothing typed: a one-line warning, nothing sent
    page.get_by_text(empty_question_message).first.wait_for()
    page.fill("#question textarea", "What does TinyCLIP distil?")
    page.click("#ask")
    card = page.wait_for_selector("#chat details summary", timeout=180_000)
    titles = page.locator("#chat details summary").all_inner_texts()
    assert any("TinyCLIP" in title for title in titles), titles
    card.click()
    page.wait_for_selector("#chat details mark")
    _last_reply_done(page)
    page.screenshot(path=str(SCREENSHOTS / "chat.png"), full_page=True)
    page.fill("#question textarea", "What data does it use?")
    page.click("#ask")
    page.get_by_text("Searched as: What data does TinyCLIP use?").wait_for(timeout=180_000)
    _last_reply_done(page)
    page.screenshot(path=str(SCREENSHOTS / "chat-follow-up.png"), full_page=True)
    assert page.locator("#chat .answered-by").last.inner_text() == "Answered by extractive"
    _pick_model(page, "SmolLM2-135M-Instruct")  # this session only; the app is not reloaded
    page.fill("#question textarea", "What does TinyCLIP distil?")
    page.click("#ask")
    page.locator("#chat .answered-by").get_by_text("Answered by SmolLM2-135M-Instruct").wait_for(
        timeout=180_000)
    page.screenshot(path=str(SCREENSHOTS / "chat-model-picked.png"), full_page=True)


def _pick_model(page, name: str) -> None:
    page.locator("#model input").click()
    page.get_by_role("option", name=name).click()
    page.locator("#model input").press("Escape")


def _library(page, upload: Path) -> None:
    page.get_by_role("tab", name="Library").click()
    table = page.locator("#library-table")
    page.locator("#stats").get_by_text("all-MiniLM-L6-v2", exact=False).wait_for()
    page.fill("#library-search textarea", "tinyclip")
    _cells(table, "TinyCLIP: CLIP Distillation").wait_for()
    page.set_input_files("#upload input[type=file]", str(upload))
    page.click("#ingest")
    page.locator("#ingest-summary").get_by_text("Added 1, updated 0, unchanged 0, rejected 0").wait_for(
        timeout=120_000)
    page.fill("#library-search textarea", "quokka")
    row = _cells(table, NEW_PAPER["title"])
    row.wait_for()
    _cells(table, "TinyCLIP").wait_for(state="detached")
    page.screenshot(path=str(SCREENSHOTS / "library.png"), full_page=True)
    row.click()
    page.wait_for_function("() => document.querySelector('#paper-id textarea, #paper-id input')"
                           ".value.length > 0")
    page.click("#delete")  # asks first
    page.locator("#delete-summary").get_by_text("Delete Quokka Ranking", exact=False).wait_for()
    page.click("#confirm-delete")
    page.locator("#delete-summary").get_by_text("Deleted", exact=False).wait_for()
    _cells(table, NEW_PAPER["title"]).wait_for(state="detached")
    page.screenshot(path=str(SCREENSHOTS / "library-deleted.png"), full_page=True)


def _cells(table, text: str):
    """Visible cells holding the text (the Dataframe also keeps hidden copies for measuring)."""
    return table.get_by_text(text, exact=False).filter(visible=True).first
