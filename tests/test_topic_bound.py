"""eval/topic_bound.py's hindsight bound on the topic filter: the best mean precision at a mean recall
over every choice of cuts, the same as brute force finds."""

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval"))

import topic_bound as bound  # noqa: E402


def _signal(gold_in_rank_order: list[bool]):
    count = len(gold_in_rank_order)
    return np.linspace(1.0, 0.1, count), np.asarray(gold_in_rank_order)


def test_the_hindsight_cuts_are_the_best_ones_for_a_small_case():
    # first question: keeping 1 gives precision / recall 1.0 / 0.33, 3 gives 0.67 / 0.67, all six
    # 0.5 / 1.0; second: keep both. Best at mean recall >= 0.8: keep 3 and 2.
    signals = [_signal([True, False, True, False, False, True]), _signal([True, True])]
    precision, recall = bound.oracle_bound(signals, recall=0.8)
    assert (round(precision, 3), round(recall, 3)) == (0.833, 0.833)


def test_a_perfect_ranking_is_bounded_by_one():
    assert bound.oracle_bound([_signal([True, True, False]), _signal([True, False])]) == (1.0, 1.0)


@pytest.mark.parametrize("seed", range(5))
def test_it_matches_brute_force_over_every_top_k(seed):
    rng = np.random.default_rng(seed)
    signals = [_signal(list(rng.random(7) < 0.4) + [True]) for _ in range(4)]

    def top_k(scores, gold, k):
        hits = gold[np.argsort(-scores)][:k].sum()
        return (hits / k if k else 0.0), hits / gold.sum()

    options = [[top_k(*signal, k) for k in range(9)] for signal in signals]
    best = max(np.mean([o[0] for o in choice]) for choice in itertools.product(*options)
               if np.mean([o[1] for o in choice]) >= 0.8 - 1e-12)
    precision, recall = bound.oracle_bound(signals, recall=0.8)
    assert recall >= 0.8 - 1e-12 and precision == pytest.approx(best)


def test_the_relative_cut_scales_with_the_topics_own_spread():
    scores = np.asarray([0.9, 0.8, 0.5, 0.4, 0.3])
    # reference: the 4th best (0.3); 0.8 is (0.8 - 0.3) / 0.6 = 0.83 of the way up
    assert bound.relative_kept(scores, 4, 0.8, 0.0).tolist() == [True, True, False, False, False]
    assert bound.relative_kept(scores + 0.3, 4, 0.8, 0.0).tolist() == [True, True, False, False, False]
    assert bound.relative_kept(scores, 4, 0.8, 0.85).tolist() == [True, False, False, False, False]
