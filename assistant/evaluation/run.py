"""Run a question file through the assistant and write one result record per question.

Question files: one JSON object a line with id, type, question, gold_titles, reference_answer and
key_facts (eval/questions.jsonl is ours; any file in that format works).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from assistant.export import answer_dict, comparison_dict
from assistant.schema import AssistantError, Comparison

TYPES = ("factual", "compare", "topic", "unanswerable")
REQUIRED = {"id": str, "type": str, "question": str, "gold_titles": list, "key_facts": list}
SEARCH_DEPTH = 10  # retrieval metrics look at the top 10


def load_questions(path: Path) -> list[dict]:
    """Parse and check a question file; a bad line is a one-line error naming file and line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AssistantError(f"cannot read question file {path}: {error}") from None
    questions, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        question = _question(line, f"{path}:{number}")
        if question["id"] in seen:
            raise AssistantError(f"{path}:{number}: duplicate id {question['id']!r}")
        seen.add(question["id"])
        questions.append(question)
    if not questions:
        raise AssistantError(f"question file {path} has no questions")
    return questions


def _question(line: str, where: str) -> dict:
    try:
        question = json.loads(line)
    except json.JSONDecodeError as error:
        raise AssistantError(f"{where}: not valid JSON ({error.msg})") from None
    if not isinstance(question, dict):
        raise AssistantError(f"{where}: expected a JSON object")
    for field, kind in REQUIRED.items():
        if not isinstance(question.get(field), kind):
            raise AssistantError(f"{where}: field {field!r} must be a {kind.__name__}")
    if question["type"] not in TYPES:
        raise AssistantError(f"{where}: type must be one of {', '.join(TYPES)}")
    return question


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


def check_floors(summary: dict[str, dict], floors: dict[str, dict]) -> list[str]:
    """Every metric under its floor (a number) or over its ceiling ({"max": number})."""
    failures = []
    for group, wanted in floors.items():
        for metric, bound in wanted.items():
            value = summary.get(group, {}).get(metric)
            ceiling = bound.get("max") if isinstance(bound, dict) else None
            shown = "missing" if value is None else f"{value:.3f}"
            if ceiling is not None and (value is None or value > ceiling):
                failures.append(f"{group} {metric}: {shown} > {ceiling}")
            elif ceiling is None and (value is None or value < bound):
                failures.append(f"{group} {metric}: {shown} < {bound}")
    return failures


def judge_support(judge) -> Callable[[str, Sequence[str]], bool]:
    """ALCE's support test with our judge: the claim against the sentences of the cited abstracts."""
    from assistant.citations import strip_markers
    from assistant.text import split_sentences

    def supports(claim: str, abstracts: Sequence[str]) -> bool:
        sentences = [a[s:e] for a in abstracts for s, e in split_sentences(a)]
        return judge.support(strip_markers(claim), sentences) >= judge.threshold

    return supports


def evaluate(assistant, questions_path: Path, out: Path, retrieval_only: bool = False,
             limit: int | None = None, every: int = 1, progress=None) -> tuple[list[dict], dict]:
    """Run, write the records, and summarise them."""
    from assistant.evaluation.metrics import summarise

    questions = load_questions(questions_path)[::every][:limit]
    records = write_records(run(assistant, questions, retrieval_only, progress), out)
    abstracts = None if retrieval_only else {p.title: p.abstract for p in assistant.papers()}
    supports = None if retrieval_only else judge_support(assistant.judge)
    return records, summarise(records, {q["id"]: q for q in questions}, abstracts, supports)
