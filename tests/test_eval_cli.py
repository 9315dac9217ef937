"""`assistant eval` through the real entry point, with the real models on the sample corpus."""

import json

import pytest

from assistant.evaluation.questions import load_questions
from conftest import ROOT
from test_integration import _cli

pytestmark = pytest.mark.slow
QUESTIONS = ROOT / "eval" / "questions.jsonl"
FLOORS = ROOT / "eval" / "floors.json"
TINY = [
    {"id": "q1", "type": "factual", "question": "What does TinyCLIP distil?",
     "gold_titles": ["TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance"],
     "reference_answer": "", "key_facts": ["TinyCLIP"]},
    {"id": "q2", "type": "unanswerable", "question": "What is the best recipe for sourdough bread?",
     "gold_titles": [], "reference_answer": "", "key_facts": []},
]


def test_eval_cli_on_a_tiny_question_file(sample_store, model_cache, tmp_path):
    questions = tmp_path / "tiny.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in TINY))
    out, report = tmp_path / "results.jsonl", tmp_path / "report.md"
    result = _cli("eval", "--questions", str(questions), "--out", str(out), "--report", str(report),
                  "--json", store=sample_store, cache=model_cache)
    result = json.loads(result.stdout)
    summary = result["system"]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["q1", "q2"]
    expected = {"id", "type", "question", "answer", "abstained", "citations", "retrieved",
                "sentences", "seconds"}
    assert expected <= records[0].keys()
    assert records[0]["retrieved"][0] == TINY[0]["gold_titles"][0]
    assert records[1]["abstained"] is True
    assert summary["all"]["questions"] == 2 and summary["unanswerable"]["abstention_accuracy"] == 1.0
    assert report.exists() and report.with_suffix(".png").exists()
    assert set(result["baselines"]) == {"extractive", "dense_only", "bm25_only", "no_title_boost"}
    assert result["baselines"]["extractive"]["unanswerable"]["abstention_accuracy"] == 1.0
    assert result["judges"]["score"] == "offline" and result["judges"]["score_dev"]["pairs"] == 564
    text = report.read_text()
    assert "| metric | system | extractive | dense_only | bm25_only | no_title_boost |" in text
    assert "scoring judge on the SciFact claim/rationale dev set (564 pairs): accuracy" in text


def test_retrieval_eval_of_the_whole_dev_set_stays_above_its_floors(sample_store, tmp_path):
    result = _cli("eval", "--questions", str(QUESTIONS), "--out", str(tmp_path / "r.jsonl"),
                  "--retrieval-only", "--floors", str(FLOORS), "--json", store=sample_store,
                  check=False)
    assert result.returncode == 0, result.stderr[-1500:]
    assert json.loads(result.stdout)["system"]["all"]["questions"] == len(load_questions(QUESTIONS))


def test_generation_eval_of_a_dev_subset_stays_above_its_floors(sample_store, model_cache, tmp_path):
    """Every 5th question (35 of 171: every type, unanswerable ones included) with the default
    (extractive) generator, next to the baselines of the same run."""
    result = _cli("eval", "--questions", str(QUESTIONS), "--out", str(tmp_path / "g.jsonl"),
                  "--every", "5", "--floors", str(FLOORS), "--score-judge", "offline", "--json",
                  store=sample_store,
                  cache=model_cache, check=False, timeout=1800)
    assert result.returncode == 0, result.stderr[-1500:]
    summary = json.loads(result.stdout)["system"]
    assert summary["all"]["questions"] == len(load_questions(QUESTIONS)[::5])
    assert summary["unanswerable"]["questions"] >= 4
    assert all(summary[t]["questions"] >= 4 for t in ("factual", "compare", "topic"))


def test_bad_question_file_is_a_one_line_error(sample_store, tmp_path):
    questions = tmp_path / "bad.jsonl"
    questions.write_text('{"id": "x"}\n')
    result = _cli("eval", "--questions", str(questions), "--out", str(tmp_path / "o.jsonl"),
                  store=sample_store, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {questions}:1: field 'type' must be a str"


def test_the_model_path_writes_checked_sentences_within_its_floors(sample_store, model_cache, tmp_path,
                                                                    monkeypatch):
    """The same questions (every 5th) with the packaged model on llama.cpp: fails when the model is removed
    (no sentence of its own) or falls too far behind the extractive baseline of the same run."""
    monkeypatch.setenv("ASSISTANT_GENERATOR", "SmolLM2-135M-Instruct")
    monkeypatch.setenv("ASSISTANT_GENERATOR_BACKEND", "llama.cpp")
    result = _cli("eval", "--questions", str(QUESTIONS), "--out", str(tmp_path / "m.jsonl"),
                  "--every", "5", "--floors", str(ROOT / "eval" / "floors_model.json"),
                  "--score-judge", "offline", "--json",
                  store=sample_store, cache=model_cache, check=False, timeout=1800)
    assert result.returncode == 0, result.stderr[-1500:]
    summary = json.loads(result.stdout)
    assert summary["system"]["all"]["own_sentences"] > 0

