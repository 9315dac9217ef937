"""Run a question file through the assistant and write one result record per question.

The question-file format and its validator are in `assistant.evaluation.questions`; the runs of the
baselines and the scoring are composed in `assistant.evaluation.suite`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from assistant.export import answer_dict, comparison_dict
from assistant.reports import Comparison

SEARCH_DEPTH = 10  # retrieval metrics look at the top 10


def run(assistant, questions: Sequence[dict], retrieval_only: bool = False,
        progress: Callable[[int, int], None] | None = None) -> Iterator[dict]:
    """One result record per question, in order."""
    for index, question in enumerate(questions, 1):
        yield _record(assistant, question, retrieval_only)
        if progress:
            progress(index, len(questions))


def _record(assistant, question: dict, retrieval_only: bool) -> dict:
    started = time.perf_counter()
    passages = assistant.search(question["question"], SEARCH_DEPTH)
    record = {"id": question["id"], "type": question["type"], "question": question["question"],
              "retrieved": [p.title for p in passages],
              "best_similarity": max((p.dense_similarity or 0.0 for p in passages), default=0.0),
              "named": bool(assistant.retriever.names.named_in(question["question"]))}
    if retrieval_only:
        record.update(answer=None, abstained=None, citations=[], sentences=[],
                      seconds=time.perf_counter() - started, **_topic_record(assistant, question))
        return record
    result = assistant.ask(question["question"])
    if isinstance(result, Comparison):  # what the user sees: the table's cells and the paragraph
        answer = {**comparison_dict(result)}
        record.update(paragraph=answer["answer"], table=answer["table"],
                      papers=[p["title"] for p in answer["papers"]])
        answer["answer"] = answer["text"]
    else:
        answer = answer_dict(result)
    record.update({key: answer[key] for key in ("kind", "answer", "abstained", "citations", "sentences")})
    record["seconds"] = time.perf_counter() - started
    record.update(_topic_record(assistant, question, digest=True))
    return record


def _topic_record(assistant, question: dict, digest: bool = False) -> dict:
    """A topic question as `digest --all --topic QUESTION`: the titles its filter keeps and, with
    `digest`, the digest's paragraph (its citations and checked sentences)."""
    from assistant.dates import make_window
    from assistant.export import digest_dict

    if question["type"] != "topic":
        return {}
    window = make_window(every=True)
    if not digest:
        return {"topic_papers": [p.title for p in assistant.topic_papers(question["question"], window)]}
    started = time.perf_counter()
    made = digest_dict(assistant.digest(window, question["question"]))
    topics = made["topics"] or [{"papers": [], "citations": [], "sentences": []}]
    return {"topic_papers": [p["title"] for p in topics[0]["papers"]],
            "digest": {"citations": topics[0]["citations"], "sentences": topics[0]["sentences"],
                       "seconds": time.perf_counter() - started}}


def write_records(records: Iterator[dict], path: Path) -> list[dict]:
    """Write records as they come (a crash keeps what was done) and return them all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
            out.flush()
            written.append(record)
    return written


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
