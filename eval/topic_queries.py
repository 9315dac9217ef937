"""Other queries and a learned blend for the topic filter, leave-one-out on the TUNE topic questions
against the shipped score (README, "Topic filter"; none is kept):

    python eval/topic_queries.py --store STORE [--hyde MODEL] [--hyde-cache FILE.json]

- core: the phrase cut before its first parenthesis, "i.e." or clause ("computational pathology"
  for "computational pathology (histopathology / whole slide images)"), alone and averaged with
  the phrase's similarity.
- term weight: the word share weighted 0.1 .. 0.7 in place of 0.2 (scores rescaled for the grid).
- hyde: an installed instruct model writes the title and opening of a typical paper on the topic
  (one generation a topic); its embedding's similarity, alone and blended with the phrase's.
- learned: logistic regression over eleven ranking features (similarities of the phrase, the core,
  the title and the best sentence(s); word shares; each relative to the topic's best; the log rank),
  trained on the other questions; its probability is cut by a (threshold, margin) chosen there.
Test questions are never read.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

import tune  # noqa: E402
from topic_models import average_precision, report  # noqa: E402

HYDE_PROMPT = ("Write the title and the first two sentences of the abstract of a typical research paper "
               "on this topic: {phrase}")
PROBABILITY_GRID = [(round(0.05 * t, 2), m) for t in range(1, 20) for m in (0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)]


def core(phrase: str) -> str:
    return re.split(r"\s*\(|,\s*i\.e\.|;\s|\?", phrase)[0].strip() or phrase


def hyde_texts(phrases: list[str], model: str, settings, cache: Path | None) -> list[str]:
    from assistant.models import install
    from assistant.models.llama_cpp import LlamaCppGenerator

    done = json.loads(cache.read_text()) if cache and cache.exists() else {}
    generator = None
    for phrase in phrases:
        if f"{model}|{phrase}" in done:
            continue
        generator = generator or LlamaCppGenerator(install.verified_path(model, settings.model_cache_dir),
                                                   max_new_tokens=100, threads=settings.threads)
        started = time.perf_counter()
        done[f"{model}|{phrase}"] = generator.complete([{"role": "user", "content": HYDE_PROMPT.format(phrase=phrase)}])
        print(f"hyde {time.perf_counter() - started:.1f} s: {done[f'{model}|{phrase}'][:120]!r}", flush=True)
        if cache:
            cache.write_text(json.dumps(done, indent=1))
    return [done[f"{model}|{phrase}"] for phrase in phrases]


def learned(features: list[np.ndarray], gold: list[np.ndarray]) -> None:
    from sklearn.linear_model import LogisticRegression

    def fit(rows):
        x = np.concatenate([features[i] for i in rows])
        mean, spread = x.mean(0), x.std(0) + 1e-9
        model = LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000).fit(
            (x - mean) / spread, np.concatenate([gold[i] for i in rows]))
        return lambda z: model.predict_proba((z - mean) / spread)[:, 1]

    aps, held = [], []
    for i in range(len(features)):
        others = [j for j in range(len(features)) if j != i]
        probability = fit(others)
        signals = [(probability(features[j]), gold[j]) for j in others]
        cut = max(PROBABILITY_GRID, key=lambda k: tune.topic_objective(signals, *k))
        scores = probability(features[i])
        aps.append(average_precision(scores, gold[i]))
        held.append(tune.topic_precision_recall([(scores, gold[i])], *cut))
    print(f"learned (11 features, C=0.1): leave-one-out mean AP {np.mean(aps):.3f}, precision "
          f"{np.mean([h[0] for h in held]):.3f} recall {np.mean([h[1] for h in held]):.3f}")


def main() -> None:
    assistant, topics, extra = tune.tune_topics(__doc__.splitlines()[0], {
        "--hyde": {"default": ""}, "--hyde-cache": {"type": Path, "default": None}})
    from assistant.text import content_terms
    from assistant.topic_filter import TERM_WEIGHT, _share, topic_phrase

    papers = tune.corpus_papers(assistant)
    embed = assistant.embedder.embed_query
    vectors = assistant.store.paper_embeddings([p.paper_id for p in papers])
    titles = assistant.embedder.embed([p.title for p in papers])
    sentences = assistant.store.sentence_vectors(papers)
    terms = [content_terms(f"{p.title} {p.abstract}") for p in papers]
    title_terms = [content_terms(p.title) for p in papers]
    gold = [np.asarray([p.title in set(q["gold_titles"]) for p in papers]) for q in topics]
    phrases = [topic_phrase(q["question"]) for q in topics]
    share = [_share(q["question"], terms) for q in topics]
    phrase_sim = [vectors @ embed(p) for p in phrases]
    core_sim = [vectors @ embed(core(p)) for p in phrases]

    def rep(name, similarities, weight=TERM_WEIGHT, scale=1.0):
        report(name, [((s + weight * w) * scale, g) for s, w, g in zip(similarities, share, gold)])

    rep("shipped (phrase + 0.2 x word share)", phrase_sim)
    rep("core", core_sim)
    rep("mean(phrase, core)", [(a + b) / 2 for a, b in zip(phrase_sim, core_sim)])
    for weight in (0.1, 0.3, 0.4, 0.5, 0.7):  # rescaled so that the grid's thresholds still span the scores
        rep(f"term weight {weight}", phrase_sim, weight, 1.2 / (1 + weight))
    if extra.hyde:
        written = hyde_texts(phrases, extra.hyde, assistant.settings, extra.hyde_cache)
        hyde_sim = [vectors @ embed(text) for text in written]
        rep("hyde alone", hyde_sim)
        for a in (0.25, 0.5, 0.75):
            rep(f"{a} x phrase + {1 - a} x hyde", [a * x + (1 - a) * y for x, y in zip(phrase_sim, hyde_sim)])
    features = []
    for phrase, sim, csim, words in zip(phrases, phrase_sim, core_sim, share):
        query = embed(phrase)
        per_paper = [np.sort(sentences[p.paper_id].vectors @ query) if p.paper_id in sentences else np.asarray([s])
                     for p, s in zip(papers, sim)]
        best = np.asarray([s[-1] for s in per_paper])
        score = sim + TERM_WEIGHT * words
        rank = np.empty(len(score))
        rank[np.argsort(-score, kind="stable")] = np.arange(1, len(score) + 1)
        features.append(np.stack([sim, csim, titles @ query, best, [s[-2:].mean() for s in per_paper], words,
                                  _share(phrase, title_terms), sim - sim.max(), score - score.max(),
                                  -np.log(rank), best - best.max()], 1))
    learned(features, gold)


if __name__ == "__main__":
    main()
