"""The `eval` subcommand of `assistant` ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.common import JsonFlag, assistant, progress
from assistant.schema import AssistantError


def eval_command(
    questions: Annotated[Path, typer.Option("--questions", help="Question file (JSONL).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write one result per line.")],
    report: Annotated[Optional[Path], typer.Option(help="Markdown report (and a PNG beside it).")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Skip generation.")] = False,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Only the first N questions.")] = None,
    every: Annotated[int, typer.Option(min=1, help="Only every K-th question (a spread-out subset).")] = 1,
    floors: Annotated[Optional[Path], typer.Option(help="Fail when a metric is under its floor.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score retrieval, citations, key facts, abstention and latency on a question file."""
    from assistant.evaluation.run import check_floors, evaluate, load_questions

    load_questions(questions)  # a bad file fails before any model loads
    bar, update = progress("questions")
    with bar:
        records, summary = evaluate(assistant(), questions, out, retrieval_only, limit, every, update)
    mode = "retrieval" if retrieval_only else "generation"
    if report:
        from assistant.evaluation.report import write_report

        write_report(summary, report, f"Eval ({mode}) of {questions.name}: {len(records)} questions",
                     [f"results: {out}"])
    typer.echo(json.dumps(summary, indent=None if as_json else 2))
    if floors:
        failures = check_floors(summary, _floors(floors, mode))
        for failure in failures:
            typer.echo(f"eval floor failed: {failure}", err=True)
        if failures:
            raise typer.Exit(1)


def _floors(path: Path, mode: str) -> dict:
    try:
        floors = json.loads(path.read_text(encoding="utf-8")).get(mode, {})
    except (OSError, json.JSONDecodeError) as error:
        raise AssistantError(f"cannot read floors file {path}: {error}") from None
    return {group: wanted for group, wanted in floors.items() if not group.startswith("_")}
