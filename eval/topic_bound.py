"""How far can any cut-off take the topic filter's ranking? The best mean precision at mean recall
>= 0.8 when every question's cut (keep its top k papers) is chosen knowing its gold list:

    python eval/topic_bound.py --store STORE [--split tune|test] [--questions eval/questions.jsonl]

No cut-off rule can beat this bound with the shipped ranking (topic_filter.topic_scores; the filter
always keeps a top k), so it says whether the target needs a better cut or a better ranking. It is
exact: a dynamic programme over each question's cuts (see `oracle_bound`).
`--split test` reads the held-out gold lists to bound, never to choose a setting. Also printed:
leave-one-out on tune for a cut relative to the spread of the scores, (s - s_ref) / (best - s_ref)
>= tau, which normalises each topic's scale instead of a fixed threshold and margin.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

import tune  # noqa: E402

RELATIVE_GRID = list(itertools.product([10, 20, 50, 100], [round(0.3 + 0.05 * i, 2) for i in range(12)],
                                       [0.0, 0.4, 0.45, 0.5]))


def cuts(scores: np.ndarray, gold: np.ndarray) -> list[tuple[float, float]]:
    """A question's cuts that can be best: for each number h of gold papers kept, the shortest top-k
    holding h of them (cut just after the h-th), as (precision, recall); every other k keeps the
    same hits among more papers."""
    at = np.flatnonzero(gold[np.argsort(-scores, kind="stable")]) + 1  # 1-based ranks of gold papers
    return [(0.0, 0.0)] + [(h / int(k), h / len(at)) for h, k in enumerate(at, start=1)]


def oracle_bound(signals: list[tuple], recall: float = tune.TOPIC_RECALL) -> tuple[float, float]:
    """The highest mean precision, and its mean recall, over every choice of one cut a question
    whose mean recall reaches `recall`: exact, by dynamic programming over the recall sum, keeping
    for each sum only the states no other beats on both precision and recall."""
    states = [(0.0, 0.0)]  # (recall sum, precision sum), Pareto front
    for scores, gold in signals:
        grown = sorted({(r + dr, p + dp) for r, p in states for dp, dr in cuts(scores, gold)}, reverse=True)
        states, best = [], -1.0
        for r, p in grown:  # recall descending: keep a state only if it beats every higher-recall one
            if p > best + 1e-12:
                states.append((r, p))
                best = p
    count = max(1, len(signals))
    reached = [(p / count, r / count) for r, p in states if r / count >= recall - 1e-12]
    return max(reached, default=(0.0, 0.0))


def relative_kept(scores: np.ndarray, reference: int, tau: float, floor: float) -> np.ndarray:
    """Papers whose score clears `tau` of the way from the reference-th best score to the best."""
    ordered = np.sort(scores)[::-1]
    ref = ordered[min(reference, len(ordered) - 1)]
    return ((scores - ref) / max(1e-9, ordered[0] - ref) >= tau) & (scores >= floor)


def _precision_recall(signals: list[tuple], params: tuple) -> tuple[float, float]:
    rows = [(relative_kept(scores, *params), gold) for scores, gold in signals]
    precision = [float((keep & gold).sum() / keep.sum()) if keep.sum() else 0.0 for keep, gold in rows]
    return float(np.mean(precision)), float(np.mean([(keep & gold).sum() / max(1, gold.sum()) for keep, gold in rows]))


def main() -> None:
    assistant, topics, arguments = tune.tune_topics(__doc__.splitlines()[0], {
        "--split": {"choices": ["tune", "test"], "default": "tune"}})
    if arguments.split == "test":
        import json

        topics = [q for q in map(json.loads, arguments.questions.read_text().splitlines())
                  if q.get("split") == "test" and q["type"] == "topic"]
    signals = tune.topic_signals(assistant, topics)
    precision, recall = oracle_bound(signals)
    print(f"{arguments.split} ({len(signals)} topic questions), shipped ranking: the best hindsight cuts "
          f"at mean recall >= {tune.TOPIC_RECALL} give precision {precision:.3f} at recall {recall:.3f}")
    if arguments.split == "tune":
        def choose(others: list[tuple]) -> tuple:
            return max(RELATIVE_GRID, key=lambda g: tune.precision_at_recall(*_precision_recall(others, g)))

        held = [_precision_recall([signals[i]], choose(signals[:i] + signals[i + 1:])) for i in range(len(signals))]
        print(f"relative cut (reference, tau, floor) leave-one-out precision {np.mean([h[0] for h in held]):.3f} "
              f"recall {np.mean([h[1] for h in held]):.3f}; on all: {choose(signals)}")


if __name__ == "__main__":
    main()
