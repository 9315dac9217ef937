"""`assistant fetch` against a real HTTP server on 127.0.0.1 that answers like the Daily Papers API.

The server serves recorded fixtures by date and has routes that answer 404, 500, HTML, a JSON
object, a list of something else, or nothing in time. The CLI runs in-process through its entry
point with the fake embedder (the `run_cli` fixture).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.sources.fetch import day_url, download_day, download_days, saved_path
from assistant.schema import AssistantError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MONDAY = date(2026, 11, 16)  # 2026-W47 runs from Monday 16 to Sunday 22 November
RECORDED = {"2026-11-16": (FIXTURES / "daily_papers_2026-11-16.json").read_bytes(),
            "2026-11-17": (FIXTURES / "daily_papers_malformed.json").read_bytes()}
ANSWERS = {  # path -> (status, content type, body); /api/ answers from RECORDED by date
    "/missing/daily_papers": (404, "application/json", b'{"error": "Not Found"}'),
    "/broken/daily_papers": (500, "text/plain", b"Internal Server Error"),
    "/html/daily_papers": (200, "text/html", b"<!DOCTYPE html>\n<html><body>Sign in</body></html>"),
    "/object/daily_papers": (200, "application/json", b'{"error": "Invalid date"}'),
    "/models/daily_papers": (200, "application/json", b'[{"id": "gpt2", "downloads": 10}]'),
}
SLOW_SECONDS = 1.0
DRIP_SECONDS = 0.3


class DailyPapersApi:
    """What the server was asked, and its base URLs."""

    def __init__(self, port: int):
        self.port = port
        self.requests: list[str] = []
        self.failing_days: set[str] = set()  # /api/ answers 500 for these dates

    def url(self, route: str = "api") -> str:
        return f"http://127.0.0.1:{self.port}/{route}/daily_papers"

    def answer(self, path: str) -> tuple[int, str, bytes]:
        parts = urllib.parse.urlsplit(path)
        day = urllib.parse.parse_qs(parts.query).get("date", [""])[0]
        if parts.path == "/slow/daily_papers":
            time.sleep(SLOW_SECONDS)
            return 200, "application/json", b"[]"
        if parts.path == "/api/daily_papers":
            if day in self.failing_days:
                return 500, "text/plain", b"Internal Server Error"
            return 200, "application/json", RECORDED.get(day, b"[]")
        return ANSWERS.get(parts.path, (404, "text/plain", b"Not Found"))


@pytest.fixture
def api(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            server.api.requests.append(self.path)
            if self.path.startswith("/drip"):
                return self.drip(headers_too=self.path.startswith("/dripheaders"))
            status, content_type, body = server.api.answer(self.path)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                pass

        def drip(self, headers_too: bool):
            """One byte every DRIP_SECONDS (well inside any per-read timeout), for up to 30 s."""
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            try:
                if not headers_too:
                    self.wfile.write(head + b"\r\n[")
                    head = b""
                for byte in (head or b" " * 100):
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(DRIP_SECONDS)
            except OSError:  # the client cut the connection
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.api = DailyPapersApi(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server.api
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


# The download module -----------------------------------------------------------------------------


def test_download_saves_the_days_answer_as_served(api, tmp_path):
    download = download_day(MONDAY, api.url(), tmp_path / "downloads")
    assert download.ok and download.entries == 4
    assert download.url == f"{api.url()}?date=2026-11-16"
    assert download.path == tmp_path / "downloads" / "daily_papers_2026-11-16.json"
    assert download.path.read_bytes() == RECORDED["2026-11-16"]
    assert api.requests == ["/api/daily_papers?date=2026-11-16"]
    assert _files(tmp_path / "downloads") == ["daily_papers_2026-11-16.json"]  # no temporary file left


def test_download_of_a_day_without_papers_saves_an_empty_list(api, tmp_path):
    download = download_day(date(2026, 11, 21), api.url(), tmp_path)
    assert (download.ok, download.entries, download.path.read_text()) == (True, 0, "[]")


@pytest.mark.parametrize(
    ("route", "error"),
    [
        ("missing", "{url} answered HTTP 404 (Not Found)"),
        ("broken", "{url} answered HTTP 500 (Internal Server Error)"),
        ("html", "{url} did not return a Daily Papers list: invalid JSON at line 1, column 1: Expecting value"),
        ("object", "{url} did not return a Daily Papers list: found a JSON object, not an array"),
        ("models", "{url} did not return a Daily Papers list: no element has a 'paper' object"),
    ],
)
def test_failed_download_is_one_line_naming_the_url_and_saves_nothing(api, tmp_path, route, error):
    download = download_day(MONDAY, api.url(route), tmp_path / "downloads")
    url = f"{api.url(route)}?date=2026-11-16"
    assert (download.ok, download.path, download.url) == (False, None, url)
    assert download.error == error.format(url=url)
    assert _files(tmp_path / "downloads") == []


def test_unreachable_server_is_one_line_naming_the_url(closed_port, tmp_path):
    base = f"http://127.0.0.1:{closed_port}/api/daily_papers"
    download = download_day(MONDAY, base, tmp_path)
    assert download.error == f"cannot reach {base}?date=2026-11-16: Connection refused"
    assert _files(tmp_path) == []


def test_server_that_does_not_answer_in_time_is_a_timeout(api, tmp_path):
    started = time.perf_counter()
    download = download_day(MONDAY, api.url("slow"), tmp_path, timeout=0.2)
    assert download.error == f"cannot reach {api.url('slow')}?date=2026-11-16: no answer within 0.2 s"
    assert time.perf_counter() - started < SLOW_SECONDS


@pytest.mark.parametrize("route", ["drip", "dripheaders"])
def test_server_that_drips_bytes_stops_at_the_overall_deadline(api, tmp_path, route):
    started = time.perf_counter()
    download = download_day(MONDAY, api.url(route), tmp_path, timeout=5.0, deadline=1.0)
    elapsed = time.perf_counter() - started
    assert download.error == (f"cannot reach {api.url(route)}?date=2026-11-16: no complete answer "
                              "within the 1 s deadline")
    assert elapsed < 5.0  # the per-read timeout never fired: the deadline ended it
    assert _files(tmp_path) == []


def test_file_that_cannot_be_saved_is_a_day_error_and_leaves_no_partial_file(api, tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("assistant.sources.fetch.os.replace", refuse)
    download = download_day(MONDAY, api.url(), tmp_path)
    target = tmp_path / "daily_papers_2026-11-16.json"
    assert download.error == f"cannot save {api.url()}?date=2026-11-16 to {target}: Permission denied"
    assert _files(tmp_path) == []


def test_week_asks_for_each_day_in_order_and_keeps_the_days_that_worked(api, tmp_path):
    api.failing_days = {"2026-11-18"}
    days = [date(2026, 11, day) for day in range(16, 23)]
    downloads = download_days(days, api.url(), tmp_path)
    assert api.requests == [f"/api/daily_papers?date=2026-11-{day}" for day in range(16, 23)]
    assert [download.ok for download in downloads] == [True, True, False, True, True, True, True]
    assert _files(tmp_path) == [f"daily_papers_2026-11-{day}.json" for day in (16, 17, 19, 20, 21, 22)]


@pytest.mark.parametrize("base", ["file:///etc/passwd", "ftp://example.org/daily", "huggingface.co/api"])
def test_base_url_must_be_http(tmp_path, base):
    with pytest.raises(AssistantError, match="daily_papers_url must be an http\\(s\\) URL"):
        download_days([MONDAY], base, tmp_path)


@pytest.mark.parametrize(
    ("base", "url"),
    [("https://huggingface.co/api/daily_papers", "https://huggingface.co/api/daily_papers?date=2026-11-16"),
     ("http://mirror.local/daily?token=x", "http://mirror.local/daily?token=x&date=2026-11-16")],
)
def test_day_url_adds_the_date_to_the_query(base, url):
    assert day_url(base, MONDAY) == url


def test_saved_path_names_the_day(tmp_path):
    assert saved_path(tmp_path, MONDAY) == tmp_path / "daily_papers_2026-11-16.json"


# The command -------------------------------------------------------------------------------------


def _stored(tmp_path) -> dict[str, tuple]:
    from fakes import HashingEmbedder
    from assistant.store import Store, stored_signature

    if stored_signature(tmp_path / "store") is None:
        return {}
    embedder = HashingEmbedder()
    store = Store(tmp_path / "store", embedder.name, embedder.dimension)
    return {p.arxiv_id: (p.listed_on, p.published, p.upvotes) for p in store.papers()}


def test_fetch_date_saves_and_ingests_the_day(api, run_cli, tmp_path):
    code, out, err = run_cli("fetch", "--date", "2026-11-16", "--base-url", api.url())
    saved = tmp_path / "store" / "downloads" / "daily_papers_2026-11-16.json"
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"saved 2026-11-16: 4 entries in {saved}"
    assert out.splitlines()[1].startswith("added 4, updated 0, unchanged 0, rejected 0")
    assert _stored(tmp_path) == {"2611.08421": ("2026-11-16", "2026-11-12", 42),
                                 "2611.07995": ("2026-11-16", "2026-11-11", 17),
                                 "2611.08177": ("2026-11-16", "2026-11-12", 88),
                                 "2611.06512": ("2026-11-16", "2026-11-10", 0)}


def test_fetch_uses_the_daily_papers_url_setting(api, run_cli, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DAILY_PAPERS_URL", api.url())
    code, out, _ = run_cli("fetch", "--date", "2026-11-16")
    assert code == 0 and "added 4" in out
    assert api.requests == ["/api/daily_papers?date=2026-11-16"]


def test_fetch_week_reports_failed_and_rejected_days_and_keeps_the_rest(api, run_cli, tmp_path):
    api.failing_days = {"2026-11-18"}
    code, out, err = run_cli("fetch", "--week", "2026-W47", "--base-url", api.url(), "--json")
    assert code == 1
    report = json.loads(out)
    assert [(day["date"], day["entries"], day["error"] is None) for day in report["days"]] == [
        ("2026-11-16", 4, True), ("2026-11-17", 5, True), ("2026-11-18", 0, False),
        ("2026-11-19", 0, True), ("2026-11-20", 0, True), ("2026-11-21", 0, True), ("2026-11-22", 0, True)]
    assert report["added"] == 5 and len(report["rejected"]) == 4  # the malformed fixture on the 17th
    failed = f"{api.url()}?date=2026-11-18"
    assert err.splitlines()[0] == f"error: {failed} answered HTTP 500 (Internal Server Error)"
    assert not (tmp_path / "store" / "downloads" / "daily_papers_2026-11-18.json").exists()
    assert _stored(tmp_path)["2611.09001"] == ("2026-11-17", "2026-11-13", 9)


def test_failed_day_leaves_the_store_unchanged(api, run_cli, tmp_path):
    assert run_cli("fetch", "--date", "2026-11-16", "--base-url", api.url())[0] == 0
    before = _stored(tmp_path)
    code, out, err = run_cli("fetch", "--date", "2026-11-17", "--base-url", api.url("missing"))
    assert code == 1
    assert err == f"error: {api.url('missing')}?date=2026-11-17 answered HTTP 404 (Not Found)\n"
    assert out.startswith("added 0, updated 0, unchanged 0, rejected 0")
    assert _stored(tmp_path) == before
    assert _files(tmp_path / "store" / "downloads") == ["daily_papers_2026-11-16.json"]


def test_fetch_from_an_unreachable_server_stores_nothing(run_cli, closed_port, tmp_path):
    base = f"http://127.0.0.1:{closed_port}/api/daily_papers"
    code, _, err = run_cli("fetch", "--date", "2026-11-16", "--base-url", base)
    assert (code, err) == (1, f"error: cannot reach {base}?date=2026-11-16: Connection refused\n")
    assert _stored(tmp_path) == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--week", "2026-W60"], "not an ISO week: '2026-W60' (2026 has weeks 1 to 53)"),
     (["--date", "2026-11-31"], "not a date: '2026-11-31' (day is out of range for month)"),
     ([], "give one of --date YYYY-MM-DD or --week YYYY-Www (e.g. 2026-W47)"),
     (["--date", "2026-11-16", "--week", "2026-W47"], "give one of --date YYYY-MM-DD or --week YYYY-Www (e.g. 2026-W47)"),
     (["--date", "2026-11-16", "--base-url", "file:///etc/passwd"],
      "daily_papers_url must be an http(s) URL, not 'file:///etc/passwd'")],
)
def test_bad_fetch_arguments_are_one_line_errors_before_any_request(api, run_cli, args, message):
    code, out, err = run_cli("fetch", *args)
    assert (code, out, err) == (1, "", f"error: {message}\n")
    assert api.requests == []
