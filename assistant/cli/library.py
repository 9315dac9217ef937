"""Commands that fill, inspect and mend the store: ingest, fetch, stats, reindex, repair."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli import common
from assistant.cli.common import JsonFlag, echo, progress
from assistant.dates import parse_iso_date, parse_week, week_days
from assistant.export import download_dict, ingest_dict
from assistant.schema import AssistantError, DayDownload, IngestReport, ListingDates


def ingest_command(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Files or folders to ingest (default: the sample_corpus setting).")] = None,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if the store has papers.")] = False,
    year: Annotated[Optional[int], typer.Option(
        "--year", help="Year of the listing files' month-day date lines (\"Sep 3\").")] = None,
    listing_day: Annotated[Optional[str], typer.Option(
        "--date", help="Listing date (YYYY-MM-DD) of every entry of the listing files.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Parse listing dumps / JSON / JSONL / CSV / Atom files and add their papers to the store."""
    dating = _listing_dates(year, listing_day)  # bad dates fail before any model loads
    paths = paths or [common.settings().sample_corpus]
    if if_empty:
        from assistant.store.summary import store_stats

        settings = common.settings()
        if settings.store.is_dir() and store_stats(settings)["papers"]:
            echo("store already has papers: nothing to do", err=True)
            return
    assistant = common.assistant()
    bar, update = progress("embedding", lines=True)
    with bar:
        report = assistant.ingest(paths, progress=update, dating=dating)
    _print_ingest(report, as_json)
    if report.interrupted:
        echo("interrupted: the papers written so far are stored; run the same ingest again "
                   "to add the rest", err=True)
        raise typer.Exit(130)
    if report.rejected:
        raise typer.Exit(1)


def _listing_dates(year: int | None, listing_day: str | None) -> ListingDates | None:
    if year is not None and not 1 <= year <= 9999:
        raise AssistantError(f"--year must be from 1 to 9999, not {year}")
    if year is None and listing_day is None:
        return None
    return ListingDates(year, None if listing_day is None else parse_iso_date(listing_day))


def fetch(
    day: Annotated[Optional[str], typer.Option("--date", help="One day, YYYY-MM-DD.")] = None,
    week: Annotated[Optional[str], typer.Option("--week", help="The 7 days of an ISO week, e.g. 2026-W47.")] = None,
    base_url: Annotated[Optional[str], typer.Option(
        "--base-url", help="Daily Papers API URL (setting daily_papers_url).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Download the Hugging Face Daily Papers of a day or a week into the store and ingest them."""
    from assistant.sources.fetch import download_days

    days = _fetch_days(day, week)
    settings = common.settings()
    downloads = download_days(days, base_url or settings.daily_papers_url, settings.store / "downloads")
    saved = [download.path for download in downloads if download.ok]
    report = IngestReport()
    if saved:
        bar, update = progress("embedding", lines=True)
        with bar:
            report = common.assistant().ingest(saved, progress=update)
    _print_downloads(downloads, as_json)
    _print_ingest(report, as_json, downloads)
    if report.rejected or not all(download.ok for download in downloads):
        raise typer.Exit(1)


def _fetch_days(day: str | None, week: str | None) -> list[date]:
    if (day is None) == (week is None):
        raise AssistantError("give one of --date YYYY-MM-DD or --week YYYY-Www (e.g. 2026-W47)")
    return [parse_iso_date(day)] if day is not None else week_days(*parse_week(week))


def _print_downloads(downloads: list[DayDownload], as_json: bool) -> None:
    for download in downloads:
        if not download.ok:
            echo(f"error: {download.error}", err=True)
        elif not as_json:
            echo(f"saved {download.day}: {download.entries} entries in {download.path}")


def _print_ingest(report: IngestReport, as_json: bool,
                  downloads: list[DayDownload] | None = None) -> None:
    if as_json:
        extra = {} if downloads is None else {"days": [download_dict(d) for d in downloads]}
        echo(json.dumps({**ingest_dict(report), **extra}))
        return
    echo(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
               f"rejected {len(report.rejected)} (duplicates skipped: {report.duplicates}; "
               f"chunks embedded: {report.chunks_embedded}; {report.seconds:.1f} s)")
    for change in report.changes:  # "updated <title>: abstract changed"
        echo(str(change))
    for rejection in report.rejected:
        echo(f"rejected {rejection}", err=True)


def stats(as_json: JsonFlag = False) -> None:
    """Papers, chunks and models of the store."""
    from assistant.store.summary import store_stats

    numbers = store_stats(common.settings())
    if as_json:
        echo(json.dumps(numbers))
        return
    for key, value in numbers.items():
        echo(f"{key}: {value}")


def reindex() -> None:
    """Re-embed every stored paper with the configured embedder (after changing it)."""
    from assistant.upkeep import reindex_store

    bar, update = progress("re-embedding", lines=True)
    with bar:
        count = reindex_store(common.settings(), update)
    echo(f"re-embedded {count} papers")


def repair() -> None:
    """Rebuild a broken or missing Chroma index from the store's ledger (no source files needed)."""
    from assistant.upkeep import repair_store

    bar, update = progress("re-embedding", lines=True)
    with bar:
        count = repair_store(common.settings(), update)
    echo(f"repaired: {count} papers re-embedded from the ledger")
