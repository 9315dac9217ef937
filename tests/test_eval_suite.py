"""The eval's baselines, relative floors, scoring judge and written-vs-copied metrics (fast: fakes)."""

import json

import pytest

from assistant.evaluation import authorship
from assistant.evaluation.floors import check_floors
from assistant.evaluation.questions import parse_lines, question_problems
from assistant.evaluation.report import side_by_side, write_report
from assistant.evaluation.scoring import build_score_judge, measure_judge
from assistant.evaluation.suite import ablated_retriever, evaluate, extractive_assistant
from assistant.schema import AssistantError
from conftest import ScriptedGenerator
from test_answer import TINYCLIP, WHISPER


def _assistant(tmp_path, embedder, reply):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store

    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n"
                              for p in (TINYCLIP, WHISPER)))
    settings = Settings(store=tmp_path / "store", min_relevance=0.3, min_evidence=0.0)
    assistant = Assistant(settings, Store(settings.store, embedder.name, embedder.dimension),
                          embedder, ScriptedGenerator(reply))
    assistant.ingest([source])
    return assistant


def test_relative_floors_compare_with_the_baseline_of_the_same_run():
    summary = {"all": {"key_facts": 0.45, "mrr": 0.95, "false_abstention": 0.1}}
    baselines = {"extractive": {"all": {"key_facts": 0.40, "false_abstention": 0.0}},
                 "dense_only": {"all": {"mrr": 0.98}}}
    floors = {"all": {"key_facts": [0.2, {"over": "extractive", "by": 0.10}],
                      "mrr": {"over": "dense_only", "by": -0.01},
                      "false_abstention": {"under": "extractive", "by": 0.05},
                      "citation_precision": {"over": "extractive", "by": -0.02}}}
    assert check_floors(summary, floors, baselines) == [
        "all key_facts: 0.450 < extractive 0.400 + 0.1",
        "all mrr: 0.950 < dense_only 0.980 - 0.01",
        "all false_abstention: 0.100 > extractive 0.000 + 0.05",
        "all citation_precision: baseline extractive has no value"]
    assert check_floors({"all": {"key_facts": 0.5, "mrr": 0.975, "false_abstention": 0.05,
                                 "citation_precision": 0.9}},
                        floors, {**baselines, "extractive": {"all": {
                            "key_facts": 0.40, "false_abstention": 0.0, "citation_precision": 0.9}}}) == []


def test_own_share_counts_kept_and_recited_against_quoted_and_replaced():
    sentences = [{"text": "a.", "action": "kept"}, {"text": "b.", "action": "recited"},
                 {"text": "c.", "action": "replaced"}, {"text": "d.", "action": "extracted"},
                 {"text": "", "action": "dropped"}]
    assert authorship.own_share([{"sentences": sentences}]) == 0.5
    assert authorship.answer_metrics([{"kind": "answer", "abstained": False,
                                       "sentences": sentences[2:]}]) == {"own_sentences": 0.0}


@pytest.mark.parametrize("text, fragment", [
    ("TinyCLIP distils CLIP into a small model [1].", False),
    ("The model is small.", False),
    ("A cross-modal distillation method for large models [1].", True),  # no verb
    ("TinyCLIP distils the knowledge of the", True),  # stops mid-phrase
    ("It reaches 84.8% accuracy and", True),
])
def test_fragments_are_sentences_without_a_verb_or_cut_mid_phrase(text, fragment):
    assert authorship.is_fragment(text) is fragment


def test_comparison_table_and_paragraph_are_scored_apart():
    record = {"id": "c1", "kind": "comparison", "abstained": False, "papers": ["A", "X"],
              "paragraph": "A uses affinity mimicking, whereas X prunes [1][2].",
              "table": {"rows": ["key idea", "results"],
                        "cells": [[{"text": "affinity mimicking", "marker": 1}, None],
                                  [{"text": "84.8% accuracy", "marker": 1},
                                   {"text": "", "marker": None}]]},
              "sentences": [{"text": "A uses affinity mimicking, whereas X prunes [1][2].",
                             "cited_titles": ["A"], "action": "kept"}]}
    record["question"] = "How do A and X differ?"
    labels = {("How do A and X differ?", "A"): {"key idea": ["affinity mimicking"], "results": ["84.9%"]},
              ("How do A and X differ?", "X"): {"results": []}}
    metrics = authorship.comparison_metrics([record], {"c1": ["A", "B"]},
                                            {"c1": ["affinity mimicking", "weight inheritance"]}, labels)
    assert metrics["table_paper_recall"] == 0.5 and metrics["table_paper_precision"] == 0.5
    assert metrics["table_key_facts"] == 0.5 and metrics["paragraph_key_facts"] == 0.5
    # labelled: A's key idea (right), A's results (a wrong sentence), X's results (rightly empty)
    assert metrics["table_cell_accuracy"] == 2 / 3
    assert metrics["paragraph_contrasts"] == 1.0 and metrics["paragraph_own_sentences"] == 1.0
    flat = dict(record, sentences=[{"text": "A uses affinity mimicking [1].", "cited_titles": ["A"]}])
    assert authorship.comparison_metrics([flat], {"c1": []}, {"c1": []})["paragraph_contrasts"] == 0.0


def test_extractive_baseline_quotes_the_evidence_with_the_same_retrieval(tmp_path, fake_embedder):
    assistant = _assistant(tmp_path, fake_embedder, "TinyCLIP is a cross-modal distillation method [1].")
    quiet = extractive_assistant(assistant)
    answer = quiet.ask("What does TinyCLIP distil?")
    assert quiet.retriever is assistant.retriever and not answer.abstained
    assert answer.sentences and {s.action for s in answer.sentences} == {"extracted"}
    model = assistant.ask("What does TinyCLIP distil?").sentences
    # the same quotes, then the model's sentence, checked (here it says what a quote says: dropped)
    assert [s.text for s in model if s.quoted] == [s.text for s in answer.sentences]
    assert [s.action for s in model if not s.quoted] in (["kept"], ["recited"], ["dropped"])


def test_retrieval_ablations_switch_one_side_or_the_boost_off(tmp_path, fake_embedder):
    from assistant.retrieval import RRF_K

    assistant = _assistant(tmp_path, fake_embedder, "")
    question = "cross-modal distillation method"  # both sides rank TinyCLIP first; no paper is named
    one_side = 1.0 / (RRF_K + 1)
    assert assistant.search(question)[0].score == pytest.approx(2 * one_side)
    for name in ("dense_only", "bm25_only"):
        top = ablated_retriever(assistant, name).search(question)[0]
        assert top.title == TINYCLIP.title and top.score == pytest.approx(one_side), name
    assert ablated_retriever(assistant, "bm25_only").search("zzzz qqqq") == []  # no word matches
    named = "What does TinyCLIP do?"
    boosted = assistant.search(named)[0].score
    plain = ablated_retriever(assistant, "no_title_boost").search(named)[0].score
    assert boosted == pytest.approx(plain + assistant.settings.title_boost)  # the title boost


def test_evaluate_reports_the_system_next_to_every_baseline(tmp_path, fake_embedder):
    assistant = _assistant(tmp_path, fake_embedder, "TinyCLIP is a cross-modal distillation method [1].")
    questions = [{"id": "f1", "type": "factual", "question": "What does TinyCLIP distil?",
                  "gold_titles": [TINYCLIP.title], "key_facts": ["cross-modal"]}]
    dev = tmp_path / "dev.tsv"
    dev.write_text("index\tsentence1\tsentence2\tentailment\n"
                   "0\tTinyCLIP is a distillation method.\tTinyCLIP is a distillation method.\tentailment\n")
    records, result = evaluate(assistant, questions, tmp_path / "r.jsonl",
                               score_judge=build_score_judge("offline", fake_embedder), judge_dev=dev)
    assert set(result["baselines"]) == {"extractive", "dense_only", "bm25_only", "no_title_boost"}
    assert 0.0 < result["system"]["all"]["own_sentences"] < 1.0  # the model's lead, then quotes
    assert result["baselines"]["extractive"]["all"]["own_sentences"] == 0.0
    assert {"alce_citation_recall", "pipeline_alce_citation_recall"} <= result["system"]["all"].keys()
    assert result["judges"]["score_dev"] == {"pairs": 1, "accuracy": 1.0, "not_entailment_pass_rate": None}
    assert (tmp_path / "r.extractive.jsonl").exists()
    table = side_by_side(result)
    assert table.startswith("| metric | system | extractive | dense_only | bm25_only | no_title_boost |")
    write_report(result, tmp_path / "report.md", "Eval", [], ["all mrr: 0.5 < 0.9"])
    text = (tmp_path / "report.md").read_text()
    own = result["system"]["all"]["own_sentences"]
    assert f"| own sentences | {own:.3f} | 0.000 |" in text and "FAILED all mrr" in text
    assert "accuracy 1.000" in text and (tmp_path / "report.png").exists()


class _FakeYesNo:
    def __init__(self):
        self.asked = []

    def yes_probability(self, messages):
        self.asked.append(messages)
        return 0.9 if "distils" in messages[-1]["content"].split("Claim:")[1] else 0.1


def test_entailment_score_judge_plugs_in_a_yes_no_model(fake_embedder):
    model = _FakeYesNo()
    judge = build_score_judge("entailment:some.gguf", fake_embedder, loader=lambda target: model)
    assert judge.name == "entailment:some.gguf"
    source = "TinyCLIP distils and compresses CLIP models into small students."
    yes, no = "TinyCLIP distils CLIP models", "TinyCLIP compresses CLIP models"
    assert judge.support(yes + " [1]", [source]) == 0.9 and judge.support(no, [source]) == 0.1
    assert source in model.asked[0][-1]["content"] and yes in model.asked[0][-1]["content"]
    scores = measure_judge(judge, [(source, yes, True), (source, no, False), (source, yes, False)])
    assert scores == {"pairs": 3, "accuracy": pytest.approx(2 / 3), "not_entailment_pass_rate": 0.5}


@pytest.mark.parametrize("spec", ["", "entailment", "nli:", "gpt4", "offline:x"])
def test_unknown_score_judge_is_a_one_line_error(spec, fake_embedder):
    with pytest.raises(AssistantError, match="unknown score judge"):
        build_score_judge(spec, fake_embedder)


def test_entailment_with_a_model_that_is_not_installed_is_a_one_line_error(fake_embedder):
    with pytest.raises(AssistantError, match="name a model from `assistant models list` or a .gguf file"):
        build_score_judge("entailment:qwen", fake_embedder)


def test_one_validator_lists_every_problem_of_a_line(tmp_path):
    assert question_problems({"id": "x", "type": "opinion", "question": 3, "gold_titles": [""],
                              "key_facts": [], "split": "dev"}) == [
        "field 'question' must be a str", "field 'gold_titles' must hold non-empty strings",
        "type must be one of factual, compare, topic, unanswerable", "split must be one of tune, test"]
    line = {"id": "x", "type": "factual", "question": "q", "gold_titles": ["A"], "key_facts": []}
    assert question_problems(line) == []
    assert question_problems(line, strict=True) == [
        "field 'reference_answer' is required", "field 'split' is required",
        "factual question needs a boolean 'named'"]
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps(line) + "\nnope\n")
    questions, problems = parse_lines(path)
    assert len(questions) == 1 and problems == [f"{path}:2: duplicate id 'x'",
                                                f"{path}:3: not valid JSON (Expecting value)"]


def test_floors_of_the_baselines_themselves_catch_a_broken_component():
    floors = {"baselines": {"bm25_only": {"all": {"mrr": 0.5}}}, "all": {"mrr": 0.8}}
    broken = {"bm25_only": {"all": {"mrr": 0.0}}}
    assert check_floors({"all": {"mrr": 0.9}}, floors, broken) == ["baseline bm25_only: all mrr: 0.000 < 0.5"]
    assert check_floors({"all": {"mrr": 0.9}}, floors, {"bm25_only": {"all": {"mrr": 0.7}}}) == []


def test_eval_cli_ingests_a_folder_into_a_temporary_store(run_cli, tmp_path):
    folder = tmp_path / "days"
    folder.mkdir()
    (folder / "papers.jsonl").write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n"
                                                 for p in (TINYCLIP, WHISPER)))
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "f1", "type": "factual", "question": "What does TinyCLIP distil?",
                                     "gold_titles": [TINYCLIP.title], "key_facts": [], "split": "test"}) + "\n")
    code, out, err = run_cli("eval", "--questions", str(questions), "--out", str(tmp_path / "r.jsonl"),
                             "--retrieval-only", "--ingest", str(folder), "--split", "test", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["system"]["all"]["mrr"] == 1.0 and set(result["baselines"]) == {
        "dense_only", "bm25_only", "no_title_boost"}
    assert not (tmp_path / "store").exists()  # the configured store is untouched


@pytest.mark.parametrize("args, message", [
    (["--score-judge", "gpt4"], "error: unknown score judge 'gpt4': use auto, offline, nli:MODEL or entailment:MODEL"),
    (["--split", "dev"], "has no questions in split 'dev'"),
    (["--ingest", "/no/such/folder"], "error: no such folder to ingest: /no/such/folder"),
])
def test_eval_cli_bad_options_are_one_line_errors(run_cli, tmp_path, args, message):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "u1", "type": "unanswerable", "question": "Sourdough?",
                                     "gold_titles": [], "key_facts": []}) + "\n")
    code, _, err = run_cli("eval", "--questions", str(questions), "--out", str(tmp_path / "r.jsonl"), *args)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_the_default_score_judge_is_the_strongest_installed_model(tmp_path, monkeypatch):
    from assistant.evaluation import scoring
    from assistant.models import install

    assert scoring.resolve_spec("auto", tmp_path) == "offline"  # nothing installed
    assert scoring.resolve_spec("offline", tmp_path) == "offline"
    installed = {"qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"}
    monkeypatch.setattr(install, "status", lambda model, cache: install.ModelStatus(
        model, tmp_path / model.file_name, model.name in installed, model.name in installed))
    assert scoring.resolve_spec("auto", tmp_path) == "entailment:qwen2.5-coder-1.5b-instruct"
    installed.discard("qwen2.5-coder-1.5b-instruct")
    assert scoring.resolve_spec("auto", tmp_path) == "entailment:qwen2.5-coder-0.5b-instruct"


def test_table_cell_accuracy_scores_each_labelled_cell_against_the_sentences_that_answer_it():
    question = "How do A and B differ?"
    labels = {(question, "A"): {"problem": ["Training is slow."],
                                "results": ["It is 2x faster.", "It saves memory."]},
              (question, "B"): {"problem": [], "results": ["It wins."]}}

    def record(cells):
        return {"id": "c1", "kind": "comparison", "abstained": False, "question": question,
                "papers": ["A", "B"], "table": {"rows": ["problem", "results"], "cells": cells}}

    right = record([[{"text": "Training is slow.", "marker": 1}, {"text": "not stated", "marker": None}],
                    [{"text": "It is 2x faster. It saves memory.", "marker": 2},
                     {"text": "It wins.", "marker": 3}]])
    wrong = record([[{"text": "It is 2x faster.", "marker": 1}, {"text": "It wins.", "marker": 2}],
                    [{"text": "Training is slow. It saves memory. We test.", "marker": 3}, None]])

    def score(made):
        return authorship.comparison_metrics([made], {"c1": []}, {"c1": []}, labels)["table_cell_accuracy"]

    assert score(right) == 1.0
    assert score(wrong) == 0.0
    unlabelled = dict(right, question="Another question?")
    assert authorship.comparison_metrics([unlabelled], {"c1": []}, {"c1": []}, labels)["table_cell_accuracy"] is None


def test_cell_labels_are_read_from_the_shipped_file():
    from assistant.evaluation.suite import CELL_LABELS

    labels = authorship.read_cell_labels(CELL_LABELS)
    assert len(labels) == 12
    assert all(set(rows) >= {"problem", "key idea", "data / scale", "results"} for rows in labels.values())
