"""Download Hugging Face Daily Papers API answers, one file per day: the only module that opens
network connections, and only when `assistant fetch` calls it.

Each day is asked for at `{base_url}?date=YYYY-MM-DD`, checked to be a JSON list of entries and
saved as `daily_papers_YYYY-MM-DD.json` (written to a temporary file, then renamed, so no half
file stays). A day that fails gives a DayDownload with a one-line error naming the URL; the other
days go on. Ingesting the saved files is the ingest stage's job.

Why not huggingface_hub's `list_daily_papers`: it returns parsed objects, not the API's answer, so
nothing would be left to save and re-ingest byte for byte (the day file is the record of what was
listed), and it has no overall deadline against a server that drips bytes; the request itself is
one GET, which urllib does with the deadline and the checks below.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import secrets
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant.sources.fields import json_type_name
from assistant.schema import AssistantError, DayDownload

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20.0  # per request: connecting, and each wait for data
DEADLINE_SECONDS = 60.0  # per day, whole: a server dripping a byte every few seconds stops here
MAX_BYTES = 50_000_000  # a day's list is well under 1 MB; anything this big is not one
USER_AGENT = "papers-assistant/0.1 (Python urllib)"


class DownloadError(Exception):
    """One day could not be downloaded or saved; the message names the URL and the cause."""


def check_base_url(base_url: str) -> str:
    """The base URL, if it is an http(s) URL (urllib would also open file: and ftp: URLs)."""
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AssistantError(f"daily_papers_url must be an http(s) URL, not {base_url!r}")
    return base_url.strip()


def day_url(base_url: str, day: date) -> str:
    """`base_url` asking for one day: ...?date=YYYY-MM-DD (appended to a query it already has)."""
    separator = "&" if urllib.parse.urlsplit(base_url).query else "?"
    return f"{base_url}{separator}{urllib.parse.urlencode({'date': day.isoformat()})}"


def saved_path(folder: Path, day: date) -> Path:
    return folder / f"daily_papers_{day.isoformat()}.json"


def download_days(days: Sequence[date], base_url: str, folder: Path,
                  timeout: float = TIMEOUT_SECONDS, deadline: float = DEADLINE_SECONDS) -> list[DayDownload]:
    """Download and save each day in turn; a failed day does not stop the others."""
    base_url = check_base_url(base_url)
    return [download_day(day, base_url, folder, timeout, deadline) for day in days]


def download_day(day: date, base_url: str, folder: Path, timeout: float = TIMEOUT_SECONDS,
                 deadline: float = DEADLINE_SECONDS) -> DayDownload:
    """One day's list, saved under `folder`; on failure nothing is written and `error` says why.
    `timeout` bounds each wait for data, `deadline` the whole download."""
    url = day_url(base_url, day)
    try:
        body = _get(url, timeout, deadline)
        entries = _entry_count(url, body)
        path = _save(url, body, saved_path(folder, day))
    except DownloadError as error:
        log.info("%s", error)  # the caller reports it
        return DayDownload(day, url, error=str(error))
    log.info("saved %s (%d entries) to %s", url, entries, path)
    return DayDownload(day, url, path, entries)


def _get(url: str, timeout: float, deadline: float) -> bytes:
    """The body at `url`; a watchdog cuts the connection when `deadline` seconds have passed,
    whatever phase it is in (a per-read timeout alone never fires on a slow drip)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    opened: list[socket.socket] = []
    expired = threading.Event()
    watchdog = threading.Timer(deadline, _cut, [opened, expired])
    watchdog.start()
    late = DownloadError(f"cannot reach {url}: no complete answer within the {deadline:g} s deadline")
    try:
        with _opener(opened).open(request, timeout=min(timeout, deadline)) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()
        raise DownloadError(f"{url} answered HTTP {error.code} ({error.reason})") from None
    except (OSError, http.client.HTTPException) as error:  # timeouts and resets while reading
        if expired.is_set():
            raise late from None
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        raise DownloadError(f"cannot reach {url}: {_why(reason, timeout)}") from None
    finally:
        watchdog.cancel()
    if expired.is_set():  # the cut may also end a body without a length early, with no error
        raise late
    if len(body) > MAX_BYTES:
        raise DownloadError(f"{url} did not return a Daily Papers list: more than {MAX_BYTES:,} bytes")
    return body


def _opener(opened: list) -> urllib.request.OpenerDirector:
    """urllib's opener, recording each connection it makes so the watchdog can cut it."""
    def connect(connection_class):
        def make(host, **options):
            connection = connection_class(host, **options)
            plain_connect = connection.connect

            def connect_and_record():  # urllib drops connection.sock before reading the body
                plain_connect()
                opened.append(connection.sock)
            connection.connect = connect_and_record
            return connection
        return make

    class Http(urllib.request.HTTPHandler):
        def http_open(self, request):
            return self.do_open(connect(http.client.HTTPConnection), request)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, request):
            return self.do_open(connect(http.client.HTTPSConnection), request,
                                context=self._context, check_hostname=self._check_hostname)

    return urllib.request.build_opener(Http, Https)


def _cut(opened: list, expired: threading.Event) -> None:
    """Shut down every recorded socket: a blocked read wakes at once."""
    expired.set()
    for sock in opened:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def _why(reason: object, timeout: float) -> str:
    """A short cause: "Connection refused", "no answer within 20 s", ..."""
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    text = " ".join(str(reason).split())
    return text or type(reason).__name__


def _entry_count(url: str, body: bytes) -> int:
    """How many entries the body lists, or DownloadError when it is not a Daily Papers list."""
    problem = f"{url} did not return a Daily Papers list"
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        raise DownloadError(f"{problem}: invalid JSON at line {error.lineno}, column {error.colno}: "
                            f"{error.msg}") from None
    except UnicodeDecodeError:
        raise DownloadError(f"{problem}: the body is not UTF-8 text") from None
    if not isinstance(data, list):
        raise DownloadError(f"{problem}: found a JSON {json_type_name(data)}, not an array")
    if data and not any(isinstance(entry, dict) and isinstance(entry.get("paper"), dict) for entry in data):
        raise DownloadError(f"{problem}: no element has a 'paper' object")
    return len(data)


def _save(url: str, body: bytes, path: Path) -> Path:
    """Write `body` to `path` atomically: a temporary file in the same folder, then a rename."""
    # Hidden and unique, so that folder ingests skip it and two fetches cannot collide; open()
    # gives it the usual permissions (a tempfile module file would be private to the user).
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "xb") as handle:
            handle.write(body)
        os.replace(temporary, path)
    except BaseException as error:  # an interrupt too: no temporary file stays behind
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise DownloadError(f"cannot save {url} to {path}: {error.strerror or error}") from None
        raise
    return path
