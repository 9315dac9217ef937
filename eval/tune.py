"""Choose the abstention and topic thresholds on the TUNE split only, and print them next to the
current settings (the test split is what the README reports; it is never read here).

Usage: .venv/bin/python eval/tune.py [--questions eval/questions.jsonl] [--ingest FOLDER]
(without --ingest: the configured store, e.g. ASSISTANT_STORE).

- min_relevance, min_evidence: one extractive pass (no model; abstention is decided before any
  generation) with both at 0 records, per question, the best passage similarity, whether a named
  paper was retrieved and the best evidence score; every grid pair is then scored from those
  values. Objective: abstention accuracy on unanswerable + (1 - false abstention) on answerable
  questions (comparative questions go through `compare` and are left out).
- min_carrier_score (assistant.answerability): from the same pass, each question's evidence
  sentences and scores; a question abstains also when no evidence sentence scoring at least this
  carries what it asks (nothing_stated). Chosen jointly with the two above, same objective.
- topic_threshold, topic_margin: the digest's topic filter on the tune topic questions at each grid
  pair (scores computed once per question). Objective: mean precision among the pairs whose mean
  recall against the gold lists is at least 0.8 (the target), then F1.
Ties go to the value closest to the current setting.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import environment  # noqa: E402

RELEVANCE_GRID = [round(0.20 + 0.025 * i, 3) for i in range(17)]  # 0.20 .. 0.60
EVIDENCE_GRID = [round(0.40 + 0.025 * i, 3) for i in range(15)]  # 0.40 .. 0.75
CARRIER_GRID = [round(0.025 * i, 3) for i in range(33)]  # 0 .. 0.80
TOPIC_GRID = [round(0.30 + 0.025 * i, 3) for i in range(17)]  # 0.30 .. 0.70
MARGIN_GRID = [round(0.10 + 0.0125 * i, 4) for i in range(25)]  # 0.10 .. 0.40
TOPIC_RECALL = 0.8  # the filter's target: best precision among settings that keep this recall


def tune_topics(description: str, options: dict[str, dict] | None = None) -> tuple:
    """For the topic-filter experiments: `--store` / `--questions` and the experiment's own
    `options` (flag -> add_argument keywords) parsed, the offline environment set, the store opened
    read-only; returns (assistant, the TUNE topic questions, the parsed arguments)."""
    import json

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    for flag, keywords in (options or {}).items():
        parser.add_argument(flag, **keywords)
    arguments = parser.parse_args()
    environment.apply(allow_network=False)
    from assistant.app import Assistant
    from assistant.settings import Settings

    assistant = Assistant.from_settings(Settings(store=arguments.store), read_only=True)
    questions = [json.loads(line) for line in arguments.questions.read_text().splitlines() if line.strip()]
    return assistant, [q for q in questions if q.get("split") == "tune" and q["type"] == "topic"], arguments


def corpus_papers(assistant) -> list:
    """Every stored paper, in the order topic_signals scores them (by id)."""
    from assistant.dates import make_window
    from assistant.digest import in_window

    return [d.paper for d in in_window(assistant.store.paper_records(), make_window(every=True))]


def held_out(signals: list[tuple], choose) -> tuple[float, float]:
    """Leave-one-question-out: each question scored at the pair `choose` picks on the others."""
    held = [topic_precision_recall([signals[i]], *choose(signals[:i] + signals[i + 1:]))
            for i in range(len(signals))]
    return float(np.mean([h[0] for h in held])), float(np.mean([h[1] for h in held]))


def abstention_signals(assistant, questions: list[dict]) -> list[dict]:
    """Per non-comparative question: what the abstention thresholds are compared with."""
    from assistant.evaluation.suite import extractive_assistant
    from assistant.reports import Comparison
    from assistant.schema import NOT_STATED

    quiet = extractive_assistant(assistant)
    quiet.settings = assistant.settings.model_copy(update={"min_relevance": 0.0, "min_evidence": 0.0})
    # not_stated at this pass is the answerability rule at its current threshold: it is scored
    # below from the recorded evidence instead, at every grid value
    signals = []
    for question in questions:
        if question["type"] == "compare":
            continue
        answer = quiet.ask(question["question"])
        if isinstance(answer, Comparison):
            continue
        named = set(quiet.resolver().in_question(question["question"]).paper_ids)
        signals.append({
            "answerable": question["type"] != "unanswerable",
            "question": question["question"],
            # abstains at 0/0: a name the corpus lacks, or no evidence
            "forced": answer.abstained and answer.reason.kind != NOT_STATED,
            "named": bool(named & {p.paper_id for p in answer.passages}),
            "similarity": max((p.dense_similarity or 0.0 for p in answer.passages), default=0.0),
            "evidence": max((e.score for e in answer.evidence), default=0.0),
            "sentences": answer.evidence})
    return signals


def add_answerability(signals: list[dict]) -> None:
    """Per signal and carrier grid value: does the answerability rule abstain?"""
    from assistant.answerability import MIN_CARRIER_SCORE, answerability

    for s in signals:
        s["nothing_stated"] = {c: answerability(s["question"], s["sentences"], c).nothing_stated
                               for c in [*CARRIER_GRID, MIN_CARRIER_SCORE]}


def abstention_score(signals: list[dict], min_relevance: float, min_evidence: float,
                     min_carrier: float | None) -> float:
    """The objective; `min_carrier` None scores the pipeline without the answerability rule."""
    def abstains(s):
        return s["forced"] or (not s["named"] and s["similarity"] < min_relevance) \
            or s["evidence"] < min_evidence \
            or (min_carrier is not None and s["nothing_stated"][min_carrier])

    answerable = [s for s in signals if s["answerable"]]
    unanswerable = [s for s in signals if not s["answerable"]]
    right = sum(abstains(s) for s in unanswerable) / max(1, len(unanswerable))
    wrong = sum(abstains(s) for s in answerable) / max(1, len(answerable))
    return right + (1 - wrong)


def topic_signals(assistant, topics: list[dict]) -> list[tuple]:
    """Per topic question: every paper's topic score (digest.topic_scores) over the whole corpus,
    and which of them are gold; each grid point is then scored from these without the store."""
    from assistant.topic_filter import topic_scores

    papers = corpus_papers(assistant)
    vectors = assistant.store.paper_embeddings([p.paper_id for p in papers])
    return [(topic_scores(q["question"], papers, vectors, assistant.embedder),
             np.asarray([p.title in set(q["gold_titles"]) for p in papers])) for q in topics]


def topic_precision_recall(signals: list[tuple], threshold: float, margin: float) -> tuple[float, float]:
    """Mean precision and recall of the topic filter (digest.kept) against the gold lists."""
    from assistant.topic_filter import kept

    precision, recall = [], []
    for scores, gold in signals:
        rows = kept(scores, threshold, margin)
        hits = int(gold[rows].sum()) if rows else 0
        precision.append(hits / len(rows) if rows else 0.0)
        recall.append(hits / max(1, int(gold.sum())))
    return float(np.mean(precision)), float(np.mean(recall))


def topic_objective(signals: list[tuple], threshold: float, margin: float) -> tuple[float, float]:
    """(precision if recall reaches TOPIC_RECALL else -1, F1): the target is precision at that recall."""
    return precision_at_recall(*topic_precision_recall(signals, threshold, margin))


def precision_at_recall(precision: float, recall: float) -> tuple[float, float]:
    """The objective of a (precision, recall) pair: precision where recall reaches TOPIC_RECALL,
    else -1; then F1."""
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return (precision if recall >= TOPIC_RECALL else -1.0, f1)


def choose_topic(signals: list[tuple], current: tuple[float, float]) -> tuple[float, float]:
    """The (topic_threshold, topic_margin) grid pair of best objective; ties go closest to `current`."""
    grid = {(t, m): topic_objective(signals, t, m) for t in TOPIC_GRID for m in MARGIN_GRID}
    return max(grid, key=lambda k: (grid[k], -abs(k[0] - current[0]) - abs(k[1] - current[1])))


def best(scored: dict, current) -> tuple:
    """The best-scoring key; among ties the one closest to `current`."""
    top = max(scored.values())
    tied = [key for key, value in scored.items() if value >= top - 1e-12]
    distance = (lambda k: sum(abs(a - b) for a, b in zip(k, current))) if isinstance(current, tuple) \
        else (lambda k: abs(k - current))
    return min(tied, key=distance), top


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--ingest", type=Path, default=None)
    args = parser.parse_args(argv)
    environment.apply()
    from assistant.answerability import MIN_CARRIER_SCORE
    from assistant.cli.eval import assistant_for
    from assistant.evaluation.questions import load_questions

    tune = load_questions(args.questions, "tune")
    with ExitStack() as stack:
        system = assistant_for(args.ingest, stack)
        current = system.settings
        signals = abstention_signals(system, tune)
        add_answerability(signals)
        now = (current.min_relevance, current.min_evidence, MIN_CARRIER_SCORE)
        triples = {(r, e, c): abstention_score(signals, r, e, c) for r in RELEVANCE_GRID
                   for e in EVIDENCE_GRID for c in CARRIER_GRID}
        (relevance, evidence, carrier), score = best(triples, now)
        topics = [q for q in tune if q["type"] == "topic"]
        now_topic = (current.topic_threshold, current.topic_margin)
        topic_signal = topic_signals(system, topics)
        topic = choose_topic(topic_signal, now_topic)
    print(f"tune split of {args.questions.name}: {len(tune)} questions, {len(signals)} scored for "
          f"abstention, {len(topics)} topic questions")
    print(f"min_relevance: chosen {relevance} (current {current.min_relevance})")
    print(f"min_evidence: chosen {evidence} (current {current.min_evidence})")
    print(f"min_carrier_score: chosen {carrier} (current {MIN_CARRIER_SCORE})")
    print(f"  abstention objective (abstain ok + answered ok, max 2): chosen {score:.3f}, current "
          f"{abstention_score(signals, *now):.3f}, without the answerability rule "
          f"{abstention_score(signals, current.min_relevance, current.min_evidence, None):.3f}")
    print(f"topic_threshold, topic_margin: chosen {topic} (current {now_topic})")
    for name, pair in (("chosen", topic), ("current", now_topic)):
        precision, recall = topic_precision_recall(topic_signal, *pair)
        print(f"  topic filter {name}: precision {precision:.3f}, recall {recall:.3f}")
    return 0


if __name__ == "__main__":
    from assistant.schema import AssistantError

    try:
        sys.exit(main(sys.argv[1:]))
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
