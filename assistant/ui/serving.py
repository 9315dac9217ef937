"""Serving rules for the app: who may connect, and what an upload may be and where it lands.

Nothing here holds state: every chat lives in its browser session, and model calls queue one at a
time (Gradio's queue, `default_concurrency_limit=1`, on top of the Assistant's own lock).
"""

from __future__ import annotations

import ipaddress
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.schema import AssistantError
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
            "pass --auth user:password or set ASSISTANT_AUTH")
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
    """Copy one uploaded file into `folder` under a safe name, after checking type and size."""
    clean = safe_name(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        return Upload(name, refused=f"not an ingestible file type (expected {kinds})")
    size = source.stat().st_size
    if size > max_bytes:
        return Upload(name, refused=f"{size / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB "
                                    "upload limit")
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / clean).resolve()
    if target.parent != folder.resolve():  # belt and braces: safe_name already prevents it
        return Upload(name, refused="not a plain file name")
    shutil.copyfile(source, target)
    return Upload(name, path=target)


def keep_uploads(files: Sequence[str | Path], folder: Path, max_bytes: int) -> list[Upload]:
    """Gradio hands over temporary paths whose basename is the name the browser sent."""
    return [keep_upload(Path(file), Path(file).name, folder, max_bytes) for file in files or []]


def upload_folder(store: Path) -> Path:
    return store / UPLOAD_FOLDER


def max_upload_bytes(megabytes: float) -> int:
    return int(megabytes * 1_000_000)


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
    app.launch(server_name=host, server_port=port, auth=credentials, show_error=True,
               max_file_size=max_upload_bytes(max_upload_mb), prevent_thread_lock=not block,
               quiet=not block, footer_links=["api"], css=CSS)
