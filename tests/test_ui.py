"""The Gradio app with the real models on the sample corpus: API round trips and a real browser."""

import socket
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def live_url(sample_store, model_cache, real_embedder):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store
    from assistant.ui import build_app

    settings = Settings(store=sample_store, model_cache=model_cache)
    assistant = Assistant(settings, Store(sample_store, real_embedder.name, real_embedder.dimension),
                          real_embedder)
    app = build_app(assistant)
    port = _free_port()
    app.queue(default_concurrency_limit=1).launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_chat_endpoint_returns_a_cited_answer(live_url):
    from gradio_client import Client

    client = Client(live_url, verbose=False)
    answer = client.predict("What does TinyCLIP distil?", api_name="/chat")
    assert not answer["abstained"] and answer["citations"]
    assert {c["title"] for c in answer["citations"]} <= set(answer["retrieved"])


@pytest.mark.browser
def test_browser_asks_a_question_and_shows_a_citation_card(live_url):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_url)
        page.fill("#question textarea", "What does TinyCLIP distil?")
        page.click("#ask")
        card = page.wait_for_selector("#chat details summary", timeout=120_000)
        titles = page.locator("#chat details summary").all_inner_texts()
        assert any("TinyCLIP" in title for title in titles), titles
        card.click()
        page.wait_for_selector("#chat details mark")
        page.screenshot(path=str(SCREENSHOTS / "chat.png"), full_page=True)
        browser.close()
    assert errors == []
