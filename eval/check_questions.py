"""Validate an evaluation question file against its paper corpus.

Usage: .venv/bin/python eval/check_questions.py [FILE [CORPUS_FOLDER]]
(default: eval/questions.jsonl against data/daily_papers; eval/questions_real.jsonl is checked
against ../shared/real/hf_daily_papers).

Every line goes through the one question validator (assistant.evaluation.questions, strict: the
dev sets' own fields too), then: gold titles that are exactly corpus titles, key facts of
factual/compare questions occurring (case-insensitively) in a gold paper's abstract, unanswerable
questions without gold titles or key facts, and a split field equal to the fixed stratified split
(seed SPLIT_SEED). Prints counts per type and split; exits 1 with one line per problem.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import TYPES, assign_splits, parse_lines  # noqa: E402
from assistant.ingest import deduplicate  # noqa: E402
from assistant.sources import parse_paths  # noqa: E402

DEFAULT_FILE = ROOT / "eval" / "questions.jsonl"
REAL_FILE = ROOT / "eval" / "questions_real.jsonl"
CORPUS_DIR = ROOT / "data" / "daily_papers"
REAL_DIR = ROOT.parent / "shared" / "real" / "hf_daily_papers"


def load_corpus(folder: Path = CORPUS_DIR) -> dict[str, str]:
    """Map every distinct corpus title to its abstract, using the project's parser."""
    papers, _ = deduplicate(parse_paths([folder]).papers)
    return {paper.title: paper.abstract for paper in papers}


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
    """Check every line of the file; return the problems and the counts per type and split."""
    questions, problems = parse_lines(path, strict=True)
    counts: Counter[str] = Counter()
    splits = assign_splits(questions)
    for question in questions:
        counts[question["type"]] += 1
        counts[f"{question['type']}/{question['split']}"] += 1
        issues = check_content(question, corpus)
        if question["split"] != splits[question["id"]]:
            issues.append(f"split is {question['split']!r}, the fixed split says {splits[question['id']]!r}")
        problems += [f"{path} ({question['id']}): {issue}" for issue in issues]
    return problems, counts


def main(argv: list[str]) -> int:
    """Run the checks; 0 if clean, else 1."""
    path = Path(argv[0]) if argv else DEFAULT_FILE
    folder = Path(argv[1]) if len(argv) > 1 else REAL_DIR if path.resolve() == REAL_FILE else CORPUS_DIR
    for needed in (path, folder):
        if not needed.exists():
            print(f"no such file or folder: {needed}")
            return 1
    problems, counts = check_file(path, load_corpus(folder))
    for kind in TYPES:
        print(f"{kind}: {counts[kind]} (tune {counts[kind + '/tune']}, test {counts[kind + '/test']})")
    print(f"total: {sum(counts[kind] for kind in TYPES)}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
