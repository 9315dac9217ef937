"""Serving rules for the app: who may connect (and how fast they may guess), and what an upload
may be, where it lands and when it is deleted.

The only state here is the login throttle's failure counts: every chat lives in its browser
session, and model calls queue one at a time (Gradio's queue, `default_concurrency_limit=1`, on
top of the Assistant's own lock).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.schema import AssistantError, IngestReport, Rejection
from assistant.sources import SUPPORTED_SUFFIXES

UPLOAD_FOLDER = "uploads"  # under the store
# Row names on one line; on a phone, the comparison table scrolls sideways rather than crush its
# columns (the library table does so by its fixed column widths).
# (No CSS comments: Gradio's scoping of custom CSS drops every rule after one.)
# Row names on one line; on a phone, the comparison table scrolls sideways rather than crush its
# columns (the library table does so by its fixed column widths).
# (One rule a string, no comments: Gradio's scoping of custom CSS drops rules otherwise.)
CSS = " ".join([
    "#compare-result td:first-child { white-space: nowrap; }",
    ".paper-meta { color: var(--body-text-color-subdued); }",
    "@media (max-width: 640px) {"
    " #compare-result table { display: block; overflow-x: auto; }"
    " #compare-result th, #compare-result td { min-width: 8em; } }",
])
MODEL_JOBS = "model"  # the queue's concurrency group for every event that runs a model
MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    """A file copied into the upload folder, or the one-line reason it was refused."""

    name: str  # as the browser sent it
    path: Path | None = None
    refused: str | None = None


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """`user:password` -> (user, password); None when no authentication is set."""
    if auth is None or not auth.strip():
        return None
    user, colon, password = auth.partition(":")
    if not colon or not user.strip() or not password:
        raise AssistantError("auth must be given as user:password")
    return user.strip(), password


def check_bind(host: str, auth: str | None) -> tuple[str, str] | None:
    """The credentials to require; refuses a non-loopback address without any."""
    credentials = parse_auth(auth)
    if credentials is None and not is_loopback(host):
        raise AssistantError(
            f"binding {host} (not a loopback address) needs authentication: "
            "set ASSISTANT_AUTH=user:password or pass --auth-file PATH")
    return credentials


def safe_name(name: str) -> str:
    """A basename that cannot leave its folder: no directories, no leading dots, plain characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", base).lstrip("._")
    stem, dot, suffix = base.rpartition(".")
    if dot and len(base) > MAX_NAME_CHARS:
        base = stem[:MAX_NAME_CHARS - len(suffix) - 1] + "." + suffix
    return base[:MAX_NAME_CHARS] or "upload"


def keep_upload(source: Path, name: str, folder: Path, max_bytes: int) -> Upload:
    """Copy one uploaded file into `folder` under a safe name, after checking type and size. A
    refused upload's temporary file is deleted (it may be 20 MB); a reason never names a path."""
    refused = _refusal(source, safe_name(name), folder, max_bytes)
    if refused:
        source.unlink(missing_ok=True)
        return Upload(name, refused=refused)
    target = (folder / safe_name(name)).resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as error:
        target.unlink(missing_ok=True)
        return Upload(name, refused=f"could not be stored: {error.strerror or 'write failed'}")
    return Upload(name, path=target)


def _refusal(source: Path, clean: str, folder: Path, max_bytes: int) -> str | None:
    if Path(clean).suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"not an ingestible file type (expected {', '.join(SUPPORTED_SUFFIXES)})"
    if not source.is_file():
        return "not a regular file"
    size = source.stat().st_size
    if size > max_bytes:
        return f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB upload limit"
    if (folder / clean).resolve().parent != folder.resolve():  # safe_name already prevents it
        return "not a plain file name"
    return None


def settle_uploads(uploads: Sequence[Upload], report: IngestReport) -> IngestReport:
    """After ingesting the kept uploads: delete each one the ingest refused as a whole file, and
    report every rejection under the name the browser sent, never the server's path."""
    names = {str(upload.path): upload.name for upload in uploads if upload.path}
    failed = {r.source for r in report.rejected if r.line == 0 and r.source in names}
    for path in failed:
        Path(path).unlink(missing_ok=True)
    report.rejected[:] = [Rejection(upload.name, 0, upload.refused)
                          for upload in uploads if upload.refused] + [
        replace(r, source=names.get(r.source, Path(r.source).name)) for r in report.rejected]
    return report


def keep_uploads(files: Sequence[str | Path], folder: Path, max_bytes: int) -> list[Upload]:
    """Gradio hands over temporary paths whose basename is the name the browser sent."""
    return [keep_upload(Path(file), Path(file).name, folder, max_bytes) for file in files or []]


def upload_folder(store: Path) -> Path:
    return store / UPLOAD_FOLDER


def max_upload_bytes(megabytes: float) -> int:
    return int(megabytes * 1_000_000)


class LoginThrottle:
    """Gradio's auth callable: checks `user:password` in constant time, and after `free_failures`
    wrong passwords in a row for a user name, refuses every attempt unchecked until a wait has
    passed that doubles with each further failure (capped). Unknown user names share one count, so
    guessing names cannot grow the table."""

    def __init__(self, credentials: tuple[str, str], free_failures: int = 3,
                 first_wait: float = 1.0, longest_wait: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self._user, self._password = credentials
        self.free_failures, self.first_wait, self.longest_wait = free_failures, first_wait, longest_wait
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # name -> (failures, refused until)
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        user_ok = hmac.compare_digest(username.encode(), self._user.encode())
        key = self._user if user_ok else ""
        with self._lock:
            now = self._clock()
            failures, refused_until = self._failures.get(key, (0, 0.0))
            if now < refused_until:
                return False
            if user_ok and hmac.compare_digest(password.encode(), self._password.encode()):
                self._failures.pop(key, None)
                return True
            failures += 1
            self._failures[key] = (failures, now + self.wait_after(failures))
            return False

    def wait_after(self, failures: int) -> float:
        """Seconds every attempt is refused after `failures` wrong passwords in a row."""
        if failures < self.free_failures:
            return 0.0
        return min(self.longest_wait, self.first_wait * 2 ** (failures - self.free_failures))


@contextmanager
def user_errors() -> Iterator[None]:
    """An AssistantError (bad input) reaches the browser or API client as its one-line message."""
    try:
        yield
    except AssistantError as error:
        import gradio as gr

        raise gr.Error(str(error), print_exception=False) from None


def status(assistant) -> dict:
    """What the `/status` endpoint reports: whether this process's Hugging Face hub client is
    offline (as huggingface_hub read it at import), and the store's paper count."""
    from huggingface_hub import constants

    return {"hub_offline": bool(constants.HF_HUB_OFFLINE), "papers": assistant.stats()["papers"],
            "generator": assistant.settings.generator}


def launch(app, host: str, port: int, credentials: tuple[str, str] | None, max_upload_mb: float,
           block: bool = True) -> None:
    """Start the app: one model job at a time, uploads capped, the queue on."""
    app.queue(default_concurrency_limit=1)
    auth = LoginThrottle(credentials) if credentials else None
    app.launch(server_name=host, server_port=port, auth=auth, show_error=True,
               max_file_size=max_upload_bytes(max_upload_mb), prevent_thread_lock=not block,
               quiet=not block, footer_links=["api"], css=CSS)
