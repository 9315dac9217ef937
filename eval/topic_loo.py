"""Leave-one-out on the TUNE topic questions: does the rule that picks the topic filter's
(topic_threshold, topic_margin) generalise from 7 questions to the eighth?

    python eval/topic_loo.py --store STORE [--questions eval/questions.jsonl]

For each selection rule, each tune topic question in turn is held out, the grid pair is chosen on
the other seven (eval/tune.py's grid and scoring), and the held-out question is scored with it;
prints the mean precision and recall over the held-out questions and the pair the rule picks on all
eight. Test questions are never read.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

import tune  # noqa: E402


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


RULES = {
    "precision at recall >= 0.8 (used)": lambda p, r: p if r >= 0.8 else -1 + _f1(p, r) / 10,
    "precision at recall >= 0.85": lambda p, r: p if r >= 0.85 else -1 + _f1(p, r) / 10,
    "precision at recall >= 0.9": lambda p, r: p if r >= 0.9 else -1 + _f1(p, r) / 10,
    "F1": _f1,
    "min(precision, recall)": min,
    "recall at precision >= 0.8": lambda p, r: r if p >= 0.8 else -1 + p / 10,
}


def pick(signals, rule, current=(0.525, 0.2)):
    grid = [(t, m) for t in tune.TOPIC_GRID for m in tune.MARGIN_GRID]
    scored = {k: tune.topic_precision_recall(signals, *k) for k in grid}
    return max(scored, key=lambda k: (rule(*scored[k]), -abs(k[0] - current[0]) - abs(k[1] - current[1])))


def main() -> None:
    assistant, topics, _ = tune.tune_topics(__doc__.splitlines()[0])
    signals = tune.topic_signals(assistant, topics)
    for name, rule in RULES.items():
        precision, recall = tune.held_out(signals, lambda others: pick(others, rule))
        print(f"{name:36s} held-out precision {precision:.3f} recall {recall:.3f}; "
              f"on all {len(signals)}: {pick(signals, rule)}")


if __name__ == "__main__":
    main()
