"""Commands that answer: search and ask."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.cli.common import JsonFlag, assistant, echo
from assistant.export import result_dict, search_dict
from assistant.sanitize import markdown_safe
from assistant.schema import Answer
from assistant.reports import Comparison
from assistant.wording import answer_text, describe


MAX_K = 100  # a ranked list longer than this is not read; the cap is said, not silent


def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", min=1, max=MAX_K, help=f"How many papers (at most {MAX_K}).")] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Rank papers for a query (hybrid dense + BM25 retrieval)."""
    passages = assistant(read_only=True).search(query, k)
    if len(passages) < k:
        echo(f"{len(passages)} papers match, fewer than the {k} asked for", err=True)
    if as_json:
        echo(json.dumps(search_dict(passages)))
        return
    for rank, passage in enumerate(passages, 1):
        echo(f"{rank:>2}. {passage.score:.4f}  {passage.title}  ({passage.paper_id})")


def ask(
    question: Annotated[str, typer.Argument(help="A question about the papers.")],
    as_json: JsonFlag = False,
) -> None:
    """Answer a question from the papers, every sentence checked and cited."""
    from assistant.app import check_question

    question = check_question(question)  # before loading any model
    answer = None
    for event in assistant(read_only=True).ask_stream(question):
        if isinstance(event, (Answer, Comparison)):
            answer = event
        elif not as_json:
            echo((f"\u201c{event.text}\u201d" if event.quoted else event.text) + " ", nl=False)
    if as_json:
        echo(json.dumps(result_dict(answer)))
        return
    if isinstance(answer, Comparison):  # a comparative question
        from assistant.markdown import comparison_markdown

        echo(markdown_safe(comparison_markdown(answer)))
        return
    if answer.abstained:
        echo(answer_text(answer))
    elif answer.reason:  # answered in part: say what the abstracts do not state
        echo("\n" + describe(answer.reason))
    echo("")
    if any(s.quoted for s in answer.sentences if s.shown):
        echo("(Sentences in \u201cquotes\u201d are the abstracts' own words, copied verbatim.)")
    _print_references(answer)


def _print_references(answer: Answer) -> None:
    from assistant.citations import reference_list

    references = reference_list(answer.citations)
    if references:
        echo("\nReferences:")
    for markers, paper_id, title in references:
        echo(f"  {''.join(f'[{m}]' for m in markers)} {title}  ({paper_id})")
