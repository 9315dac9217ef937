"""Adding a round of dev questions never moves an earlier question between tune and test."""

from assistant.evaluation.questions import assign_splits, parse_lines
from conftest import ROOT


def _question(qid, kind, batch=None):
    record = {"id": qid, "type": kind, "question": "q", "gold_titles": [], "key_facts": []}
    return record if batch is None else {**record, "round": batch}


def test_a_later_round_is_split_on_its_own_and_leaves_the_first_as_it_was():
    first = [_question(f"u{i:02d}", "unanswerable") for i in range(1, 33)]
    later = [_question(f"u{i:02d}", "unanswerable", 2) for i in range(33, 57)]
    before = assign_splits(first)
    after = assign_splits(first + later)
    assert {qid: after[qid] for qid in before} == before
    assert sorted(after[q["id"]] for q in later).count("tune") == 12  # half of the round tunes


def test_the_shipped_first_round_keeps_its_recorded_split():
    questions, problems = parse_lines(ROOT / "eval" / "questions.jsonl", strict=True)
    assert problems == []
    first = [q for q in questions if q.get("round", 1) == 1]
    assert len(first) == 123 and any(q.get("round") == 2 for q in questions)
    splits = assign_splits(first)
    assert all(splits[q["id"]] == q["split"] for q in first)
