"""What each job writes, scored apart from what it copies.

- answers: the share of shown sentences that are the model's own and survived the check (action
  kept or recited) rather than source sentences quoted in their place (extracted or replaced);
- comparisons: the table (did it get the gold papers; are its cells the sentences a person marked
  as answering their rows, eval/compare_cells.jsonl) and the paragraph (key facts, does it contrast
  the papers) as separate figures;
- digests: the share of shown paragraph sentences that are fragments.
Pure functions of result records, like `metrics`.
"""

from __future__ import annotations

import re
import json
from collections.abc import Sequence
from pathlib import Path

from assistant.citations import strip_markers
from assistant.text import split_sentences

OWN = ("kept", "recited")
COPIED = ("extracted", "replaced")
# (question, paper title) -> row -> the abstract's sentences that answer it ([]: not stated)
CellLabels = dict[tuple[str, str], dict[str, list[str]]]

_CONTRAST = re.compile(r"\b(?:whereas|while|unlike|in contrast|by contrast|but|however|instead|"
                       r"rather than|compared (?:to|with)|differs?|different(?:ly)?|on the other hand)\b",
                       re.I)
_DANGLING = {"the", "a", "an", "of", "and", "or", "to", "with", "for", "in", "on", "by", "from", "as",
             "that", "which", "its", "their", "than", "via", "into", "such"}
_AUXILIARIES = {"is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "can", "could",
                "may", "might", "will", "would", "shall", "should", "must", "does", "do", "did"}
_PAST = re.compile(r"^[a-z]{3,}ed$")
_THIRD_PERSON = re.compile(r"^[a-z]{2,}(?:es|s)$")
_SUBJECTS = {"we", "they", "it", "this", "which", "that", "who", "each", "both", "one"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def shown(sentences: Sequence[dict]) -> list[dict]:
    return [s for s in sentences if s.get("text")]


def own_share(records: Sequence[dict]) -> float | None:
    """Over all shown sentences of the records: the model's own (kept/recited) vs copied."""
    actions = [s.get("action") for r in records for s in shown(r.get("sentences", []))
               if s.get("action") in OWN + COPIED]
    return _mean(action in OWN for action in actions)


def _has_verb(tokens: list[str]) -> bool:
    """Crude, without a tagger: an auxiliary, a past form (-ed), a word after a subject pronoun
    ("we propose"), or an -s word right after a name ("TinyCLIP distils")."""
    for before, token in zip([""] + tokens, tokens):
        lowered = token.lower()
        if lowered in _AUXILIARIES or (token.islower() and _PAST.match(token)):
            return True
        if before.lower() in _SUBJECTS and token.islower():
            return True
        if before[:1].isupper() and _THIRD_PERSON.match(token):
            return True
    return False


def is_fragment(text: str) -> bool:
    """A shown sentence that stops mid-phrase (no end mark, or a dangling last word) or has no verb.

    Deliberately not the pipeline's own filter (assistant.phrasing.is_fragment): a metric computed
    with the filter it grades would read 0 by construction."""
    text = strip_markers(text).strip().rstrip("\"')”’")
    tokens = _WORD.findall(text)
    if not tokens or text[-1:] not in ".!?" or tokens[-1].lower() in _DANGLING:
        return True
    return not _has_verb(tokens)


def fragment_share(records: Sequence[dict]) -> float | None:
    return _mean(is_fragment(s["text"]) for r in records for s in shown(r.get("sentences", [])))


def contrasts(sentences: Sequence[dict]) -> bool:
    """Does a paragraph set the papers against each other: a sentence citing two papers, or a
    contrast connective ("whereas", "unlike", "in contrast")?"""
    return any(len(set(s.get("cited_titles", []))) >= 2 or _CONTRAST.search(strip_markers(s["text"]))
               for s in shown(sentences))


def _facts_in(text: str, facts: Sequence[str]) -> float | None:
    return sum(f.lower() in text.lower() for f in facts) / len(facts) if facts else None


def filled_cells(record: dict) -> list[tuple[str, str]]:
    table = record.get("table") or {"rows": [], "cells": []}
    return [(row, cell["text"]) for row, cells in zip(table["rows"], table["cells"])
            for cell in cells if cell and cell.get("marker") is not None and cell.get("text")]


def read_cell_labels(path: Path) -> CellLabels:
    """The hand-labelled rows of eval/compare_cells.jsonl, by question and paper title."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(row["question"], row["title"]): row["answers"] for row in rows}


def cell_right(cell: dict | None, gold: Sequence[str]) -> bool:
    """Right when the cell is empty and nothing answers the row, or when most of its sentences
    are among those that do (the rule of eval/compare_cells.py)."""
    if not cell or cell.get("marker") is None:
        return not gold
    text = cell.get("text") or ""
    sentences = [text[s:e] for s, e in split_sentences(text)] or [text]
    return 2 * sum(sentence in gold for sentence in sentences) > len(sentences)


def labelled_cells(record: dict, labels: CellLabels) -> list[bool]:
    """Right or wrong, for each cell of the record's table that a person labelled."""
    table = record.get("table") or {"rows": [], "cells": []}
    verdicts = []
    for column, title in enumerate(record.get("papers", [])):
        answers = labels.get((record.get("question"), title))
        for row, cells in zip(table["rows"], table["cells"]):
            if answers is not None and row in answers and column < len(cells):
                verdicts.append(cell_right(cells[column], answers[row]))
    return verdicts


def comparison_metrics(records: Sequence[dict], gold: dict[str, list], facts: dict[str, list],
                       cell_labels: CellLabels | None = None) -> dict:
    """Table and paragraph of the comparisons among `records` (kind "comparison")."""
    made = [r for r in records if r.get("kind") == "comparison" and not r.get("abstained")]
    if not made:
        return {}
    papers = [(set(r.get("papers", [])), set(gold[r["id"]])) for r in made if gold[r["id"]]]
    metrics = {
        "table_paper_recall": _mean(len(p & g) / len(g) for p, g in papers),
        "table_paper_precision": _mean(len(p & g) / len(p) if p else 0.0 for p, g in papers),
        "table_key_facts": _mean(v for r in made if (v := _facts_in(
            " ".join(text for _, text in filled_cells(r)), facts[r["id"]])) is not None),
        "paragraph_key_facts": _mean(v for r in made if (v := _facts_in(
            r.get("paragraph") or "", facts[r["id"]])) is not None),
        "paragraph_contrasts": _mean(float(contrasts(r.get("sentences", []))) for r in made),
        "paragraph_own_sentences": own_share(made),
    }
    if cell_labels:  # only comparisons of labelled papers are scored; None when there are none
        metrics["table_cell_accuracy"] = _mean(v for r in made for v in labelled_cells(r, cell_labels))
    return metrics


def answer_metrics(records: Sequence[dict]) -> dict:
    answers = [r for r in records if r.get("kind") == "answer" and not r.get("abstained")]
    return {"own_sentences": own_share(answers)} if answers else {}


def digest_metrics(records: Sequence[dict]) -> dict:
    digests = [r["digest"] for r in records if r.get("digest")]
    if not digests:
        return {}
    return {"digest_fragments": fragment_share(digests), "digest_own_sentences": own_share(digests)}
