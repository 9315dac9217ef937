"""The question-file format and its one validator, shared by `assistant eval` and eval/check_questions.py.

A question file holds one JSON object a line: id, type, question, gold_titles, key_facts, and
optionally reference_answer (text), named (factual: does the question name its paper?), split
("tune" or "test": thresholds are chosen on tune, figures are reported on test) and round (the
batch of questions it was written in, 1 when absent: a later round is split on its own, so adding
questions never moves an earlier one between tune and test). `strict` (the
project's own dev sets) also requires reference_answer, split, and named on factual questions.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.schema import AssistantError

TYPES = ("factual", "compare", "topic", "unanswerable")
SPLITS = ("tune", "test")
REQUIRED: dict[str, type] = {"id": str, "type": str, "question": str, "gold_titles": list,
                             "key_facts": list}
OPTIONAL: dict[str, type] = {"reference_answer": str, "named": bool, "split": str, "round": int}


def question_problems(record: object, strict: bool = False) -> list[str]:
    """Every problem with one parsed line's shape (fields, types, question type, split)."""
    if not isinstance(record, dict):
        return ["expected a JSON object"]
    problems = [f"field {name!r} must be a {kind.__name__}" for name, kind in REQUIRED.items()
                if not isinstance(record.get(name), kind)]
    problems += [f"field {name!r} must be a {kind.__name__}" for name, kind in OPTIONAL.items()
                 if name in record and not isinstance(record[name], kind)]
    for name in ("gold_titles", "key_facts"):
        values = record.get(name)
        if isinstance(values, list) and not all(isinstance(v, str) and v.strip() for v in values):
            problems.append(f"field {name!r} must hold non-empty strings")
    if isinstance(record.get("type"), str) and record["type"] not in TYPES:
        problems.append(f"type must be one of {', '.join(TYPES)}")
    if isinstance(record.get("split"), str) and record["split"] not in SPLITS:
        problems.append(f"split must be one of {', '.join(SPLITS)}")
    if strict:
        problems += [f"field {name!r} is required" for name in ("reference_answer", "split")
                     if name not in record]
        if record.get("type") == "factual" and "named" not in record:
            problems.append("factual question needs a boolean 'named'")
    return problems


def parse_lines(path: Path, strict: bool = False) -> tuple[list[dict], list[str]]:
    """The well-formed questions of a file and one 'FILE:LINE: problem' per problem found."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise AssistantError(f"cannot read question file {path}: {error}") from None
    questions, problems, seen = [], [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not valid JSON ({error.msg})")
            continue
        found = question_problems(record, strict)
        if not found and record["id"] in seen:
            found = [f"duplicate id {record['id']!r}"]
        problems += [f"{where}: {problem}" for problem in found]
        if not found:
            seen.add(record["id"])
            questions.append(record)
    return questions, problems


def load_questions(path: Path, split: str | None = None) -> list[dict]:
    """Parse and check a question file (only the `split` part when given); the first bad line is a
    one-line error naming file and line."""
    questions, problems = parse_lines(path)
    if problems:
        raise AssistantError(problems[0])
    if not questions:
        raise AssistantError(f"question file {path} has no questions")
    if split is not None:
        questions = [q for q in questions if q.get("split") == split]
        if not questions:
            raise AssistantError(f"question file {path} has no questions in split {split!r}")
    return questions


SPLIT_SEED = 10  # fixed: the split of the dev sets is part of their definition
TUNE_SHARE = 0.5


def assign_splits(questions: list[dict], seed: int = SPLIT_SEED) -> dict[str, str]:
    """id -> "tune" | "test": within each type (and round), ids sorted then shuffled with `seed`;
    the first half (rounded down) tunes, the rest is reported. Stratified, so both parts have every
    type; by round, so a later round leaves the split of the earlier ones as it was."""
    import random

    splits = {}
    for kind, batch in sorted({(q["type"], q.get("round", 1)) for q in questions}):
        ids = sorted(q["id"] for q in questions if q["type"] == kind and q.get("round", 1) == batch)
        random.Random(f"{seed}:{kind}" + (f":{batch}" if batch != 1 else "")).shuffle(ids)
        cut = int(len(ids) * TUNE_SHARE)
        splits.update({qid: "tune" if index < cut else "test" for index, qid in enumerate(ids)})
    return splits
