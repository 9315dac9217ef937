"""The `compare` and `digest` subcommands of `assistant` ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.common import JsonFlag, assistant, echo, progress
from assistant.export import comparison_dict, digest_dict
from assistant.export import comparison_csv
from assistant.markdown import comparison_markdown, digest_markdown
from assistant.sanitize import markdown_safe
from assistant.schema import AssistantError


def compare_command(
    question: Annotated[Optional[str], typer.Argument(help="What to compare (optional with --paper).")] = None,
    paper: Annotated[Optional[list[str]], typer.Option(
        "--paper", "-p", help="A paper to compare: title, acronym or description (2 to 4).")] = None,
    aspect: Annotated[Optional[list[str]], typer.Option(
        "--aspect", "-a", help='An extra row, e.g. --aspect "training data" (repeatable).')] = None,
    table_format: Annotated[str, typer.Option(
        "--format", help="md (the table and paragraph) or csv (the table only).")] = "md",
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Also write the table as CSV here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Compare two to four papers: a cited table (problem, key idea, data, results) and paragraph."""
    from assistant.app import check_question

    if paper is None:
        check_question(question or "")  # before loading any model
    elif len(paper) == 1 or len(paper) > 4:
        raise AssistantError(f"give 2 to 4 papers with --paper, not {len(paper)}")
    if table_format not in ("md", "csv"):
        raise AssistantError(f"--format {table_format!r} is not md or csv")
    if csv_file is not None and csv_file.is_dir():
        raise AssistantError(f"--csv {csv_file} is a folder: give a file name, e.g. {csv_file / 'table.csv'}")
    comparison = assistant(read_only=True).compare(question, paper or (), aspect or ())
    if as_json:
        echo(json.dumps(comparison_dict(comparison)))
    else:
        echo(comparison_csv(comparison) if table_format == "csv"
             else markdown_safe(comparison_markdown(comparison)))
    if csv_file is not None:
        _write(csv_file, comparison_csv(comparison))
    if paper and comparison.missing:  # papers the user named explicitly must exist
        for name in comparison.missing:
            echo(f"error: {name!r} is not in the corpus (no title, acronym or description "
                       "matches it)", err=True)
        raise typer.Exit(1)


def digest_command(
    week: Annotated[Optional[str], typer.Option("--week", help="An ISO week, e.g. 2026-W47.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Last day, YYYY-MM-DD.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every paper, whatever its date.")] = False,
    topic: Annotated[Optional[str], typer.Option("--topic", help="Only papers on this topic.")] = None,
    topics: Annotated[Optional[int], typer.Option(
        "--topics", min=1, max=40, help="How many topics (default: about sqrt(papers / 2)).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the Markdown digest here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Summarise the papers of a week or date range by topic, every paragraph checked and cited
    (default: the latest week that has dated papers)."""
    from assistant.dates import make_window

    # bad dates fail before any model loads; no window: the latest week with dated papers
    window = make_window(week, since, until, every, optional=True)
    if out is not None and out.is_dir():
        raise AssistantError(f"--out {out} is a folder: give a file name, e.g. {out / 'digest.md'}")
    bar, update = progress("topics", unit="topic")
    with bar:
        digest = assistant(read_only=True).digest(window, topic, topics, progress=update)
    text = markdown_safe(digest_markdown(digest))  # a Markdown viewer would fetch source images
    if out is not None:
        _write(out, text)
    if as_json:
        echo(json.dumps(digest_dict(digest)))
    elif out is None:
        echo(text)
    else:
        echo(f"wrote {out}: {digest.papers} papers in {len(digest.topics)} topics")


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise AssistantError(f"cannot write {path}: {error.strerror or error}") from None
