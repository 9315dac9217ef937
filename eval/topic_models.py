"""Two heavier topic scorers, measured on the TUNE topic questions against the shipped filter
(README, "Topic filter"; neither is kept):

    python eval/topic_models.py --store STORE [--classifier MODEL] [--candidates 60] [--mpnet DIR]

- classifier: an installed instruct model (`assistant models list`) reads each of a topic's best
  `--candidates` papers (title and the abstract's first two sentences) and gives P(yes) that it is
  about the topic; the score becomes topic score + w x (P(yes) - 0.5) (P(yes) = 0 past the
  candidates), and (w, threshold, margin) is chosen on the tune questions (w = 0 is the shipped
  filter). Prints the tune optimum, leave-one-out on tune, and how P(yes) alone ranks.
- mpnet: all-mpnet-base-v2 (`DIR`: the folder its five registry chunk packages unzip to) embeds
  each paper's "title. abstract" in place of MiniLM's chunk mean; same word share, same grid.
Test questions are never read.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

import tune  # noqa: E402

WEIGHTS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3]
SYSTEM = "You sort research papers by topic. Answer only yes or no."
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def average_precision(scores: np.ndarray, gold: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(gold[order])
    return float(np.sum(hits[gold[order]] / (np.flatnonzero(gold[order]) + 1)) / max(1, gold.sum()))


def report(name: str, signals: list[tuple]) -> None:
    from assistant.topic_filter import TOPIC_MARGIN, TOPIC_THRESHOLD
    from topic_bound import oracle_bound

    current = (TOPIC_THRESHOLD, TOPIC_MARGIN)
    chosen = tune.choose_topic(signals, current)
    precision, recall = tune.held_out(signals, lambda others: tune.choose_topic(others, current))
    print(f"{name}: mean AP {np.mean([average_precision(s, g) for s, g in signals]):.3f}; tune optimum "
          f"{chosen} P/R {tune.topic_precision_recall(signals, *chosen)}; leave-one-out P/R "
          f"{precision:.3f}/{recall:.3f}; hindsight cuts (eval/topic_bound.py) precision "
          f"{oracle_bound(signals)[0]:.3f}")


def classifier_scores(assistant, topics, papers, base, model: str, candidates: int) -> list[np.ndarray]:
    from assistant.models import yes_model
    from assistant.topic_filter import topic_phrase

    judge = yes_model(model, assistant.settings)
    started, calls, yes = time.perf_counter(), 0, []
    for question, (scores, _) in zip(topics, base):
        phrase, probability = topic_phrase(question["question"]), np.zeros(len(papers))
        for row in np.argsort(-scores, kind="stable")[:candidates]:
            opening = " ".join(_SENTENCE.split(papers[row].abstract)[:2])[:400]
            probability[row] = judge.yes_probability([
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"Topic: {phrase}\n\nIs the following paper about this topic?\n\n"
                                            f"Title: {papers[row].title}\nAbstract (start): {opening}"}])
            calls += 1
        yes.append(probability)
    print(f"{model}: {calls} calls, {(time.perf_counter() - started) / max(1, calls):.2f} s a call")
    return yes


def main() -> None:
    assistant, topics, extra = tune.tune_topics(__doc__.splitlines()[0], {
        "--classifier": {"default": "qwen2.5-coder-1.5b-instruct"},
        "--candidates": {"type": int, "default": 60},
        "--mpnet": {"type": Path, "default": None}})
    from assistant.text import content_terms
    from assistant.topic_filter import TERM_WEIGHT, _share, topic_phrase

    papers = tune.corpus_papers(assistant)
    base = tune.topic_signals(assistant, topics)
    report("shipped filter (MiniLM + word share)", base)
    if extra.mpnet:
        from sentence_transformers import SentenceTransformer

        mpnet = SentenceTransformer(str(extra.mpnet), device="cpu")
        started = time.perf_counter()
        vectors = mpnet.encode([f"{p.title}. {p.abstract}" for p in papers], normalize_embeddings=True)
        print(f"mpnet: {(time.perf_counter() - started) / len(papers):.2f} s a paper")
        terms = [content_terms(f"{p.title} {p.abstract}") for p in papers]
        report("mpnet + word share", [
            (vectors @ mpnet.encode(topic_phrase(q["question"]), normalize_embeddings=True)
             + TERM_WEIGHT * _share(q["question"], terms), gold) for q, (_, gold) in zip(topics, base)])
    if extra.classifier:
        yes = classifier_scores(assistant, topics, papers, base, extra.classifier, extra.candidates)
        scored = [p > 0 for p in yes]
        alone = np.mean([average_precision(p[s], g[s]) for p, s, (_, g) in zip(yes, scored, base)])
        topic = np.mean([average_precision(b[s], g[s]) for s, (b, g) in zip(scored, base)])
        gold = np.concatenate([p[s & g] for p, s, (_, g) in zip(yes, scored, base)])
        others = np.concatenate([p[s & ~g] for p, s, (_, g) in zip(yes, scored, base)])
        print(f"P(yes) alone, mean AP over the candidates {alone:.3f} (topic score {topic:.3f}); "
              f"mean P(yes) of gold candidates {gold.mean():.2f}, of the others {others.mean():.2f}")
        for weight in WEIGHTS[1:]:  # 0 is the shipped filter, reported first
            report(f"blend w={weight}", [(scores + weight * (p - 0.5), gold) for p, (scores, gold) in zip(yes, base)])


if __name__ == "__main__":
    main()
