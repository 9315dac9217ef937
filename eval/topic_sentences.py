"""Would the topic filter rank better with the papers' stored sentence vectors? Leave-one-out on the
TUNE topic questions, as eval/topic_loo.py, for the shipped score (paper similarity + word share)
and for blends of the paper similarity with a paper's best sentence, or its best two, similarity.

    python eval/topic_sentences.py --store STORE [--questions eval/questions.jsonl]

For each score, each tune topic question in turn is held out, the (topic_threshold, topic_margin)
grid pair is chosen on the others (eval/tune.py's objective: precision at recall >= 0.8), and the
held-out question is scored with it. Test questions are never read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

import tune  # noqa: E402

BLENDS = [("shipped (paper similarity)", "max", 0.0), ("best sentence, weight 0.25", "max", 0.25),
          ("best sentence, weight 0.5", "max", 0.5), ("best two sentences, weight 0.25", "top2", 0.25),
          ("best two sentences, weight 0.5", "top2", 0.5)]


def main() -> None:
    assistant, topics, _ = tune.tune_topics(__doc__.splitlines()[0])
    from assistant.text import content_terms
    from assistant.topic_filter import TERM_WEIGHT, TOPIC_MARGIN, TOPIC_THRESHOLD, _share, topic_phrase

    papers = tune.corpus_papers(assistant)
    vectors = assistant.store.paper_embeddings([p.paper_id for p in papers])
    sentences = assistant.store.sentence_vectors(papers)
    terms = [content_terms(f"{p.title} {p.abstract}") for p in papers]
    parts = []
    for question in topics:
        query = assistant.embedder.embed_query(topic_phrase(question["question"]))
        similarity = vectors @ query
        per_paper = [np.sort(sentences[p.paper_id].vectors @ query) if p.paper_id in sentences else
                     np.asarray([s]) for p, s in zip(papers, similarity)]
        best = {"max": np.asarray([s[-1] for s in per_paper]),
                "top2": np.asarray([s[-2:].mean() for s in per_paper])}
        gold = np.asarray([p.title in set(question["gold_titles"]) for p in papers])
        parts.append((similarity, best, TERM_WEIGHT * _share(question["question"], terms), gold))
    current = (TOPIC_THRESHOLD, TOPIC_MARGIN)
    for name, kind, weight in BLENDS:
        signals = [((1 - weight) * sim + weight * best[kind] + words, gold) for sim, best, words, gold in parts]
        precision, recall = tune.held_out(signals, lambda others: tune.choose_topic(others, current))
        print(f"{name:32s} held-out precision {precision:.3f} recall {recall:.3f}; "
              f"on all {len(signals)}: {tune.choose_topic(signals, current)}")


if __name__ == "__main__":
    main()
