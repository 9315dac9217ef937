"""Validate the evaluation dev set (eval/questions.jsonl) against the paper corpus.

Usage: .venv/bin/python eval/check_questions.py [FILE]

Checks every line: JSON object with the required fields and types, a known type, a unique id,
`named` (bool) on factual questions, gold titles that are exactly corpus titles, key facts of
factual/compare questions occurring (case-insensitively) in the abstract of one of the gold
papers, and unanswerable questions without gold titles or key facts. Prints counts per type;
exits 1 with one line per problem.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest import deduplicate  # noqa: E402
from assistant.sources import parse_paths  # noqa: E402

DEFAULT_FILE = ROOT / "eval" / "questions.jsonl"
CORPUS_DIR = ROOT / "data" / "daily_papers"
TYPES = ("factual", "compare", "topic", "unanswerable")
FIELDS: dict[str, type] = {
    "id": str,
    "type": str,
    "question": str,
    "gold_titles": list,
    "reference_answer": str,
    "key_facts": list,
}


def load_corpus(folder: Path = CORPUS_DIR) -> dict[str, str]:
    """Map every distinct corpus title to its abstract, using the project's parser."""
    papers, _ = deduplicate(parse_paths([folder]).papers)
    return {paper.title: paper.abstract for paper in papers}


def check_shape(record: object) -> list[str]:
    """Problems with the fields, their types and the question type of one record."""
    if not isinstance(record, dict):
        return ["not a JSON object"]
    problems = [
        f"field {name!r} missing or not {kind.__name__}"
        for name, kind in FIELDS.items()
        if not isinstance(record.get(name), kind)
    ]
    for name in ("gold_titles", "key_facts"):
        values = record.get(name)
        if isinstance(values, list) and not all(isinstance(v, str) and v.strip() for v in values):
            problems.append(f"{name} must hold non-empty strings")
    if record.get("type") not in TYPES:
        problems.append(f"type {record.get('type')!r} not one of {', '.join(TYPES)}")
    if record.get("type") == "factual" and not isinstance(record.get("named"), bool):
        problems.append("factual question needs a boolean 'named'")
    return problems


def check_content(record: dict, corpus: dict[str, str]) -> list[str]:
    """Problems with the gold titles and key facts of a well-formed record."""
    kind, titles, facts = record["type"], record["gold_titles"], record["key_facts"]
    if kind == "unanswerable":
        return ["unanswerable question has gold titles or key facts"] if titles or facts else []
    problems = [f"gold title not in corpus: {t!r}" for t in titles if t not in corpus]
    if not titles:
        problems.append(f"{kind} question has no gold titles")
    if len(set(titles)) != len(titles):
        problems.append("duplicate gold titles")
    if kind in ("factual", "compare"):
        if not facts:
            problems.append(f"{kind} question has no key facts")
        abstracts = [corpus[t].lower() for t in titles if t in corpus]
        for fact in facts:
            if not any(fact.lower() in abstract for abstract in abstracts):
                problems.append(f"key fact not in any gold abstract: {fact!r}")
    if kind == "factual" and len(titles) != 1:
        problems.append("factual question must have exactly one gold title")
    return problems


def check_file(path: Path, corpus: dict[str, str]) -> tuple[list[str], Counter[str]]:
    """Check every line of the file; return the problems and the counts per type."""
    problems: list[str] = []
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: invalid JSON ({error.msg})")
            continue
        issues = check_shape(record)
        if not issues:
            issues = check_content(record, corpus)
            counts[record["type"]] += 1
            if record["id"] in seen:
                issues.append(f"duplicate id {record['id']!r}")
            seen.add(record["id"])
        label = record.get("id", "?") if isinstance(record, dict) else "?"
        problems.extend(f"line {number} ({label}): {issue}" for issue in issues)
    return problems, counts


def main(argv: list[str]) -> int:
    """Run the checks on argv[0] (default eval/questions.jsonl); 0 if clean, else 1."""
    path = Path(argv[0]) if argv else DEFAULT_FILE
    if not path.is_file():
        print(f"no such file: {path}")
        return 1
    problems, counts = check_file(path, load_corpus())
    for kind in TYPES:
        print(f"{kind}: {counts[kind]}")
    print(f"total: {sum(counts.values())}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
