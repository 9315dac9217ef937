"""The digest's topic filter (`assistant.topic_filter`): the topic phrase without a question's
frame, topic words weighted by their rarity, and the margin below the best paper."""

import numpy as np
import pytest

from assistant.topic_filter import kept, on_topic, topic_phrase
from assistant.schema import Paper


class _AxisEmbedder:
    """Every query is the first axis, so a paper's similarity is its vector's first component;
    the queries it was asked are kept."""

    def __init__(self):
        self.queries = []

    def embed_query(self, text):
        self.queries.append(text)
        return np.eye(4, dtype=np.float32)[0]


def _vectors(*similarities):
    return np.asarray([[s, (1 - s * s) ** 0.5, 0, 0] for s in similarities], dtype=np.float32)


@pytest.mark.parametrize("question, phrase", [
    ("Which papers are about computational pathology?", "computational pathology"),
    ("Which papers study scaling laws of diffusion models?", "scaling laws of diffusion models"),
    ("What papers do model merging?", "model merging"),
    ("monocular depth estimation", "monocular depth estimation"),
])
def test_topic_phrase_drops_the_question_frame(question, phrase):
    assert topic_phrase(question) == phrase


def test_on_topic_embeds_the_topic_phrase_not_the_question():
    embedder = _AxisEmbedder()
    papers = [Paper("a", "Pathology", "We study whole slide images.")]
    on_topic("Which papers are about computational pathology?", papers, _vectors(0.5), embedder, 0.0)
    assert embedder.queries == ["computational pathology"]


def test_a_rare_topic_word_counts_for_more_than_a_common_one():
    # "detection" is in every paper, "zebra" in one: an equal share of words, an unequal weight
    papers = [Paper("z", "Zebra survey", "Zebras in the wild."),
              *(Paper(f"d{i}", f"Detection {i}", "A detection benchmark.") for i in range(3))]
    rows = on_topic("zebra detection", papers, _vectors(0.3, 0.3, 0.3, 0.3), _AxisEmbedder(), 0.4, 1.0)
    assert rows == [0]


def test_papers_far_below_the_best_one_are_dropped_even_above_the_threshold():
    scores = np.asarray([0.9, 0.8, 0.5, 0.2])
    assert kept(scores, 0.3, 0.225) == [0, 1]
    assert kept(scores, 0.3, 1.0) == [0, 1, 2]


def test_no_paper_clears_the_threshold_no_paper_is_kept():
    assert kept(np.asarray([0.4, 0.3]), 0.5, 0.225) == []
    assert kept(np.zeros(0), 0.5, 0.225) == []


@pytest.mark.slow
def test_topic_filter_on_the_held_out_topic_questions_of_the_real_corpus(sample_store, real_embedder):
    """The real corpus and embedder, the test split's 16 topic questions and their full gold lists,
    at the shipped threshold and margin: measured precision 0.682, recall 0.761."""
    import json

    from assistant.dates import make_window
    from assistant.digest import in_window
    from assistant.topic_filter import TOPIC_MARGIN, TOPIC_THRESHOLD, topic_scores
    from assistant.store import Store
    from conftest import ROOT

    store = Store(sample_store, real_embedder.name, real_embedder.dimension)
    papers = [d.paper for d in in_window(store.paper_records(), make_window(every=True))]
    vectors = store.paper_embeddings([p.paper_id for p in papers])
    questions = [q for q in map(json.loads, (ROOT / "eval" / "questions.jsonl").read_text().splitlines())
                 if q["type"] == "topic" and q["split"] == "test"]
    precision, recall = [], []
    for question in questions:
        rows = kept(topic_scores(question["question"], papers, vectors, real_embedder),
                    TOPIC_THRESHOLD, TOPIC_MARGIN)
        hits = sum(papers[r].title in question["gold_titles"] for r in rows)
        precision.append(hits / len(rows) if rows else 0.0)
        recall.append(hits / len(question["gold_titles"]))
    assert np.mean(precision) >= 0.65 and np.mean(recall) >= 0.72
