"""eval/check_questions.py on the shipped question files (run in `make test`), and that it can fail."""

import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "eval"))
import check_questions  # noqa: E402


@pytest.fixture(scope="module")
def corpus():
    return check_questions.load_corpus()


def test_the_dev_set_passes_its_checks(corpus, capsys):
    problems, counts = check_questions.check_file(check_questions.DEFAULT_FILE, corpus)
    assert problems == []
    assert sum(counts[t] for t in check_questions.TYPES) >= 120 and counts["unanswerable"] >= 30
    assert all(counts[f"{t}/tune"] and counts[f"{t}/test"] for t in check_questions.TYPES)


def test_the_real_weeks_question_file_passes_its_checks(capsys):
    if not check_questions.REAL_DIR.is_dir():
        pytest.skip(f"no real Daily Papers days at {check_questions.REAL_DIR}")
    assert check_questions.main([str(check_questions.REAL_FILE)]) == 0, capsys.readouterr().out


def test_a_wrong_key_fact_title_or_split_is_reported(tmp_path, corpus):
    good = json.loads(check_questions.DEFAULT_FILE.read_text().splitlines()[0])
    bad = [dict(good, key_facts=["a fact no abstract states"], split="test"),  # of three factual
           dict(good, id="x2", gold_titles=["No Such Paper"], split="test"),  # questions one tunes
           dict(good, id="x3", split="test"),
           {"id": "x4", "type": "factual", "question": "q", "gold_titles": [], "key_facts": []}]
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in bad))
    problems, _ = check_questions.check_file(path, corpus)
    text = "\n".join(problems)
    assert "key fact not in any gold abstract: 'a fact no abstract states'" in text
    assert "gold title not in corpus: 'No Such Paper'" in text
    assert "the fixed split says" in text
    assert "field 'reference_answer' is required" in text
