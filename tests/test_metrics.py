import pytest

from assistant.evaluation.floors import check_floors
from assistant.evaluation.questions import load_questions
from assistant.evaluation.metrics import alce, summarise
from assistant.evaluation.report import metrics_table, write_report
from assistant.schema import AssistantError

QUESTIONS = {
    "f1": {"id": "f1", "type": "factual", "gold_titles": ["A"], "key_facts": ["50%", "ViT"]},
    "c1": {"id": "c1", "type": "compare", "gold_titles": ["A", "B"], "key_facts": ["x"]},
    "u1": {"id": "u1", "type": "unanswerable", "gold_titles": [], "key_facts": []},
    "u2": {"id": "u2", "type": "unanswerable", "gold_titles": [], "key_facts": []},
}


def _record(qid, kind, retrieved, answer="", abstained=False, cited=(), seconds=1.0, sentences=()):
    return {"id": qid, "type": kind, "retrieved": list(retrieved), "answer": answer,
            "abstained": abstained, "citations": [{"marker": i + 1, "paper_id": t, "title": t}
                                                  for i, t in enumerate(cited)],
            "sentences": list(sentences), "seconds": seconds}


RECORDS = [
    # gold A at rank 2: recall@5 1, MRR 0.5; cites A and C: precision 0.5, recall 1; facts 1 of 2
    _record("f1", "factual", ["C", "A", "D"], "It cuts 50% [1].", cited=["A", "C"], seconds=1.0),
    # gold A, B: B at rank 1, A at rank 7: recall@5 0.5, recall@10 1, MRR 1; cites B: P 1, R 0.5
    _record("c1", "compare", ["B", "C", "D", "E", "F", "G", "A"], "x differs [1].", cited=["B"],
            seconds=3.0),
    _record("u1", "unanswerable", ["C"], "The corpus does not answer this question.",
            abstained=True, seconds=0.5),
    _record("u2", "unanswerable", ["D"], "Something [1].", cited=["D"], seconds=2.0),
]


def test_metrics_on_a_hand_made_result_file_have_known_values():
    summary = summarise(RECORDS, QUESTIONS)
    overall, factual = summary["all"], summary["factual"]
    assert factual["recall@5"] == 1.0 and factual["mrr"] == 0.5
    assert summary["compare"]["recall@5"] == 0.5 and summary["compare"]["recall@10"] == 1.0
    assert overall["recall@5"] == pytest.approx(0.75) and overall["mrr"] == pytest.approx(0.75)
    assert overall["citation_precision"] == pytest.approx(0.75)  # (0.5 + 1) / 2
    assert overall["citation_recall"] == pytest.approx(0.75)  # (1 + 0.5) / 2
    assert overall["key_facts"] == pytest.approx(0.75)  # (0.5 + 1) / 2
    assert overall["abstention_accuracy"] == 0.5 and overall["false_abstention"] == 0.0
    assert overall["latency_p50_s"] == 1.5 and overall["latency_p95_s"] == pytest.approx(2.85)
    assert summary["unanswerable"]["recall@5"] is None


def test_retrieval_only_records_have_no_answer_metrics():
    records = [dict(r, answer=None, abstained=None, citations=[], sentences=[]) for r in RECORDS]
    summary = summarise(records, QUESTIONS)
    assert "citation_precision" not in summary["all"] and summary["all"]["recall@5"] == 0.75


def test_alce_recall_and_precision_follow_the_definitions():
    abstracts = {"A": "alpha", "B": "beta", "C": "gamma"}

    def supports(claim, sources):  # a claim is supported when every word is in some source
        return all(any(word in s for s in sources) for word in claim.split())

    record = {"sentences": [
        {"text": "alpha", "cited_titles": ["A", "C"]},  # A alone supports; C irrelevant
        {"text": "alpha beta", "cited_titles": ["A", "B"]},  # needs both: both precise
        {"text": "delta", "cited_titles": ["A"]},  # unsupported
        {"text": "", "cited_titles": ["A"]},  # dropped sentence: not scored
    ]}
    recall, precision = alce(record, abstracts, supports)
    assert recall == [1, 1, 0]
    assert precision == [1, 0, 1, 1, 0]


def test_floors_report_every_metric_below_its_floor():
    summary = {"all": {"recall@5": 0.7, "mrr": 0.9}}
    assert check_floors(summary, {"all": {"recall@5": 0.8, "mrr": 0.5, "key_facts": 0.1}}) == [
        "all recall@5: 0.700 < 0.8", "all key_facts: missing < 0.1"]


def test_report_has_a_table_and_a_plot(tmp_path):
    summary = summarise(RECORDS, QUESTIONS)
    write_report({"system": summary}, tmp_path / "report.md", "Eval", ["note"])
    text = (tmp_path / "report.md").read_text()
    assert "| factual |" in text and "![main metrics](report.png)" in text
    assert (tmp_path / "report.png").read_bytes()[:4] == b"\x89PNG"
    assert metrics_table(summary).count("\n") == 1 + len(summary)


@pytest.mark.parametrize("line, message", [
    ("not json", "not valid JSON"),
    ('{"id": "x", "type": "factual", "question": "q", "gold_titles": [], "key_facts": []}\n'
     '{"id": "x", "type": "factual", "question": "q", "gold_titles": [], "key_facts": []}', "duplicate id"),
    ('{"id": "x", "type": "opinion", "question": "q", "gold_titles": [], "key_facts": []}', "type must be"),
    ('{"id": "x", "type": "factual", "gold_titles": [], "key_facts": []}', "'question'"),
    ("", "no questions"),
])
def test_bad_question_files_are_one_line_errors(tmp_path, line, message):
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(AssistantError, match=message):
        load_questions(path)


def test_ceilings_report_metrics_above_them():
    summary = {"all": {"false_abstention": 0.2, "latency_p50_s": 1.0}}
    assert check_floors(summary, {"all": {"false_abstention": {"max": 0.1},
                                          "latency_p50_s": {"max": 5}}}) == [
        "all false_abstention: 0.200 > 0.1"]


def test_topic_filter_precision_and_recall_against_the_gold_list():
    questions = {"t1": {"id": "t1", "type": "topic", "gold_titles": ["A", "B", "C", "D"], "key_facts": []},
                 "t2": {"id": "t2", "type": "topic", "gold_titles": ["E"], "key_facts": []}}
    records = [dict(_record("t1", "topic", ["A"]), topic_papers=["A", "B", "X"]),  # P 2/3, R 2/4
               dict(_record("t2", "topic", ["E"]), topic_papers=[])]  # keeps nothing: P 0, R 0
    topic = summarise(records, questions)["topic"]
    assert topic["topic_precision"] == pytest.approx(1 / 3)
    assert topic["topic_recall"] == pytest.approx(0.25)
    assert "topic P" in metrics_table(summarise(records, questions))


def test_digest_paragraph_metrics_on_topic_questions():
    questions = {"t1": {"id": "t1", "type": "topic", "gold_titles": ["A", "B"], "key_facts": []}}
    sentences = [{"text": "A does x [1].", "cited_titles": ["A"]},
                 {"text": "C does y [2].", "cited_titles": ["C"]}]
    digest = {"citations": [{"marker": 1, "paper_id": "A", "title": "A"},
                            {"marker": 2, "paper_id": "C", "title": "C"}], "sentences": sentences}
    records = [dict(_record("t1", "topic", ["A"]), topic_papers=["A", "C"], digest=digest)]
    abstracts = {"A": "A does x.", "C": "C does z."}
    topic = summarise(records, questions, abstracts, lambda claim, sources: "x" in claim
                      and any("x" in s for s in sources))["topic"]
    assert topic["digest_citation_precision"] == 0.5  # cites A (gold) and C (not)
    assert topic["digest_alce_recall"] == 0.5 and topic["digest_alce_precision"] == 0.5
