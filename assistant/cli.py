"""The `assistant` command: one subcommand per job, a thin adapter over `assistant.app`.

Errors print one line to stderr and exit non-zero; `--json` prints exactly one JSON object.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.dates import parse_iso_date, parse_week, week_days
from assistant.export import download_dict, ingest_dict, result_dict, search_dict
from assistant.schema import Answer, AssistantError, Comparison, DayDownload, IngestReport, ListingDates
from assistant.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Ask, search and summarise Hugging Face Daily Papers listings, offline.")
_overrides: dict = {}

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@app.callback()
def main(
    store: Annotated[Optional[Path], typer.Option(help="Data directory (ASSISTANT_STORE).")] = None,
    embedder: Annotated[Optional[str], typer.Option(help="Embedder id or path.")] = None,
    generator: Annotated[Optional[str], typer.Option(help="Generator id or path.")] = None,
    threads: Annotated[Optional[int], typer.Option(help="torch threads.")] = None,
    max_new_tokens: Annotated[Optional[int], typer.Option(help="Tokens per answer, at most.")] = None,
    allow_network: Annotated[Optional[bool], typer.Option(
        "--allow-network/--offline", help="Let model libraries reach the Hugging Face hub.")] = None,
) -> None:
    """Flags here override the config file and the environment."""
    given = {"store": store, "embedder": embedder, "generator": generator, "threads": threads,
             "max_new_tokens": max_new_tokens, "allow_network": allow_network}
    _overrides.update({k: v for k, v in given.items() if v is not None})


def _settings() -> Settings:
    try:
        return Settings(**_overrides)
    except Exception as error:  # pydantic's validation message, made one line
        raise AssistantError(f"invalid settings: {' '.join(str(error).split())}") from None


def _assistant():
    from assistant.app import Assistant

    return Assistant.from_settings(_settings())


def _progress(description: str):
    from tqdm import tqdm

    bar = tqdm(total=0, desc=description, unit="paper", file=sys.stderr, disable=None)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if the store has papers.")] = False,
    year: Annotated[Optional[int], typer.Option(
        "--year", help="Year of the listing files' month-day date lines (\"Sep 3\").")] = None,
    listing_day: Annotated[Optional[str], typer.Option(
        "--date", help="Listing date (YYYY-MM-DD) of every entry of the listing files.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Parse listing dumps / JSON / JSONL / CSV / Atom files and add their papers to the store."""
    dating = _listing_dates(year, listing_day)  # bad dates fail before any model loads
    if if_empty:
        from assistant.app import store_stats

        if store_stats(_settings())["papers"]:
            typer.echo("store already has papers: nothing to do", err=True)
            return
    assistant = _assistant()
    bar, update = _progress("embedding")
    with bar:
        report = assistant.ingest(paths, progress=update, dating=dating)
    _print_ingest(report, as_json)
    if report.rejected:
        raise typer.Exit(1)


def _listing_dates(year: int | None, listing_day: str | None) -> ListingDates | None:
    if year is not None and not 1 <= year <= 9999:
        raise AssistantError(f"--year must be from 1 to 9999, not {year}")
    if year is None and listing_day is None:
        return None
    return ListingDates(year, None if listing_day is None else parse_iso_date(listing_day))


@app.command()
def fetch(
    day: Annotated[Optional[str], typer.Option("--date", help="One day, YYYY-MM-DD.")] = None,
    week: Annotated[Optional[str], typer.Option("--week", help="The 7 days of an ISO week, e.g. 2026-W47.")] = None,
    base_url: Annotated[Optional[str], typer.Option(
        "--base-url", help="Daily Papers API URL (setting daily_papers_url).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Download the Hugging Face Daily Papers of a day or a week into the store and ingest them."""
    from assistant.fetch import download_days

    days = _fetch_days(day, week)
    settings = _settings()
    downloads = download_days(days, base_url or settings.daily_papers_url, settings.store / "downloads")
    saved = [download.path for download in downloads if download.ok]
    report = IngestReport()
    if saved:
        bar, update = _progress("embedding")
        with bar:
            report = _assistant().ingest(saved, progress=update)
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
            typer.echo(f"error: {download.error}", err=True)
        elif not as_json:
            typer.echo(f"saved {download.day}: {download.entries} entries in {download.path}")


def _print_ingest(report: IngestReport, as_json: bool,
                  downloads: list[DayDownload] | None = None) -> None:
    if as_json:
        extra = {} if downloads is None else {"days": [download_dict(d) for d in downloads]}
        typer.echo(json.dumps({**ingest_dict(report), **extra}))
        return
    typer.echo(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
               f"rejected {len(report.rejected)} (duplicates skipped: {report.duplicates}; "
               f"chunks embedded: {report.chunks_embedded}; {report.seconds:.1f} s)")
    for rejection in report.rejected:
        typer.echo(f"rejected {rejection}", err=True)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", min=1, help="How many papers.")] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Rank papers for a query (hybrid dense + BM25 retrieval)."""
    passages = _assistant().search(query, k)
    if as_json:
        typer.echo(json.dumps(search_dict(passages)))
        return
    for rank, passage in enumerate(passages, 1):
        typer.echo(f"{rank:>2}. {passage.score:.4f}  {passage.title}  ({passage.paper_id})")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the papers.")],
    as_json: JsonFlag = False,
) -> None:
    """Answer a question from the papers, every sentence checked and cited."""
    from assistant.app import check_question

    question = check_question(question)  # before loading any model
    answer = None
    for event in _assistant().ask_stream(question):
        if isinstance(event, (Answer, Comparison)):
            answer = event
        elif not as_json:
            typer.echo(event.text + " ", nl=False)
    if as_json:
        typer.echo(json.dumps(result_dict(answer)))
        return
    if isinstance(answer, Comparison):  # a comparative question
        from assistant.markdown import comparison_markdown

        typer.echo(comparison_markdown(answer))
        return
    if answer.abstained:
        typer.echo(answer.text)
    typer.echo("")
    _print_references(answer)


def _print_references(answer: Answer) -> None:
    from assistant.citations import reference_list

    references = reference_list(answer.citations)
    if references:
        typer.echo("\nReferences:")
    for markers, paper_id, title in references:
        typer.echo(f"  {''.join(f'[{m}]' for m in markers)} {title}  ({paper_id})")


@app.command()
def stats(as_json: JsonFlag = False) -> None:
    """Papers, chunks and models of the store."""
    from assistant.app import store_stats

    numbers = store_stats(_settings())
    if as_json:
        typer.echo(json.dumps(numbers))
        return
    for key, value in numbers.items():
        typer.echo(f"{key}: {value}")


@app.command()
def reindex() -> None:
    """Re-embed every stored paper with the configured embedder (after changing it)."""
    from assistant.app import reindex_store

    bar, update = _progress("re-embedding")
    with bar:
        count = reindex_store(_settings(), update)
    typer.echo(f"re-embedded {count} papers")


@app.command()
def ui(
    host: Annotated[Optional[str], typer.Option(help="Address to bind.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to bind.")] = None,
    auth: Annotated[Optional[str], typer.Option(
        help="user:password to require (ASSISTANT_AUTH); needed for a non-loopback --host.")] = None,
) -> None:
    """Serve the Gradio app (127.0.0.1:7860 by default)."""
    from assistant.ui import serve
    from assistant.ui.serving import check_bind

    settings = _settings()
    host = host or settings.host
    auth = auth or (settings.auth.get_secret_value() if settings.auth else None)
    check_bind(host, auth)  # before any model loads: a refused bind fails in a second
    serve(_assistant(), host, port or settings.port, auth)


def run() -> None:
    """Console-script entry point: AssistantError becomes one line on stderr and exit 1."""
    try:
        app()
    except AssistantError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


from assistant import cli_analysis, cli_eval  # noqa: E402,F401  register compare, digest, eval
