"""The `eval` subcommand of `assistant`."""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.common import JsonFlag, assistant, progress, settings


def eval_command(
    questions: Annotated[Path, typer.Option("--questions", help="Question file (JSONL).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write one result per line.")],
    report: Annotated[Optional[Path], typer.Option(help="Markdown report (and a PNG beside it).")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Skip generation.")] = False,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Only the first N questions.")] = None,
    every: Annotated[int, typer.Option(min=1, help="Only every K-th question (a spread-out subset).")] = 1,
    split: Annotated[Optional[str], typer.Option(help="Only the questions of this split (tune or test).")] = None,
    floors: Annotated[Optional[Path], typer.Option(help="Fail when a metric is under its floor.")] = None,
    score_judge: Annotated[str, typer.Option(
        "--score-judge", help="Judge that scores the answers: auto (the strongest installed model as an "
        "entailment judge, else offline), offline, nli:MODEL or entailment:MODEL.")] = "auto",
    ingest: Annotated[Optional[Path], typer.Option(
        help="Ingest this folder into a temporary store and evaluate against it.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score retrieval, citations, key facts, abstention and latency on a question file, next to
    the baselines (extractive, dense only, BM25 only, no title boost)."""
    from assistant.evaluation.floors import check_floors, read_floors
    from assistant.evaluation.questions import load_questions
    from assistant.evaluation.scoring import build_score_judge, parse_spec, resolve_spec
    from assistant.evaluation.suite import evaluate

    chosen = load_questions(questions, split)[::every][:limit]  # a bad file fails before any model loads
    mode = "retrieval" if retrieval_only else "generation"
    wanted = read_floors(floors, mode) if floors else None
    parse_spec(score_judge)
    with ExitStack() as stack:
        system = assistant_for(ingest, stack)
        spec = resolve_spec(score_judge, system.settings.model_cache_dir)
        scorer = None if retrieval_only else build_score_judge(spec, system.embedder,
                                                               system.settings.threads)
        bar, update = progress("questions", unit="question")
        with bar:
            records, result = evaluate(system, chosen, out, retrieval_only, scorer, update)
    failures = None if wanted is None else check_floors(result["system"], wanted, result["baselines"])
    if report:
        from assistant.evaluation.report import write_report

        write_report(result, report, f"Eval ({mode}) of {questions.name}: {len(records)} questions",
                     [f"results: {out}"], failures)
    typer.echo(json.dumps(result, indent=None if as_json else 2))
    for failure in failures or []:
        typer.echo(f"eval floor failed: {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def assistant_for(folder: Path | None, stack: ExitStack):
    """The configured assistant or, with a folder, one over a temporary store of that folder."""
    if folder is None:
        return assistant()
    from assistant.app import Assistant
    from assistant.schema import AssistantError

    if not folder.is_dir():
        raise AssistantError(f"no such folder to ingest: {folder}")
    temporary = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="assistant-eval-")))
    built = Assistant.from_settings(settings().model_copy(update={"store": temporary}))
    built.ingest([folder])
    return built
