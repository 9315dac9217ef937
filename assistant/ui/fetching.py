"""The Library tab's Fetch control: download a day or an ISO week of Hugging Face Daily Papers
into the store's downloads folder and ingest it (what `assistant fetch` does). Off, with a word
why, unless the settings allow network use."""

from __future__ import annotations

from datetime import date

from assistant.app import Assistant
from assistant.dates import ISO_WEEK, parse_iso_date, parse_week, week_days
from assistant.schema import AssistantError, IngestReport, Progress
from assistant.ui.render import render_ingest

OFF = ("Fetching is off: this app does not use the network. Start it with `--allow-network` "
       "(or set `allow_network = true`) to download Daily Papers from the Library tab.")
ON = "Download a day (YYYY-MM-DD) or an ISO week (YYYY-Www) of Daily Papers, then ingest it."


def fetch_days(text: str) -> list[date]:
    """ "2024-06-03" -> that day; "2024-W23" -> its seven days; anything else is an error."""
    value = (text or "").strip()
    if ISO_WEEK.fullmatch(value):
        return week_days(*parse_week(value))
    try:
        return [parse_iso_date(value)]
    except AssistantError:
        raise AssistantError(f"fetch wants a day (YYYY-MM-DD) or an ISO week (YYYY-Www), "
                             f"not {value!r}") from None


def fetch_and_ingest(assistant: Assistant, text: str, progress: Progress | None = None) -> str:
    """Download the days asked for, ingest what came, and say both (Markdown)."""
    from assistant.sources.fetch import download_days

    if not assistant.settings.allow_network:
        raise AssistantError(OFF)
    days = fetch_days(text)
    settings = assistant.settings
    downloads = download_days(days, settings.daily_papers_url, settings.store / "downloads")
    saved = [download.path for download in downloads if download.ok]
    report = assistant.ingest(saved, progress) if saved else IngestReport()
    lines = [f"- {download.day}: {download.entries} entries" if download.ok
             else f"- {download.day}: {text(download.error)}"
             for download in downloads]
    return "\n".join(lines) + "\n\n" + render_ingest(report)
