"""SciFact's tune/test split is a deterministic function of the data: pairs sharing a claim or a
rationale share a half, the seed decides the halves, and samples keep each label's share. The
estimator of eval/entail_tune.py weighs each gate stratum by its size in the whole half."""

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "real" / "judge_dev" / "scifact_rte_train.tsv"


def _script(name: str):
    sys.path.insert(0, str(ROOT / "eval"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "eval" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


split = _script("scifact_split")


def _chains(count: int) -> list[dict]:
    """`count` groups of three pairs linked claim - source - claim - source."""
    rows = []
    for n in range(count):
        rows += [{"claim": f"claim {n}a", "source": f"source {n}a", "label": "supported"},
                 {"claim": f"claim {n}b", "source": f"source {n}a", "label": "contradicted"},
                 {"claim": f"claim {n}b", "source": f"source {n}b", "label": "supported"}]
    return rows


def test_pairs_linked_by_a_claim_or_a_source_share_a_half():
    rows = split.assign_splits(_chains(40))
    for n in range(40):
        assert len({r["split"] for r in rows if r["claim"] in (f"claim {n}a", f"claim {n}b")}) == 1
    assert Counter(r["split"] for r in rows).keys() == {"tune", "test"}


def test_split_is_deterministic_and_the_seed_decides_it():
    rows = _chains(40)
    first = [r["split"] for r in split.assign_splits(rows)]
    assert first == [r["split"] for r in split.assign_splits(list(rows))]
    assert first != [r["split"] for r in split.assign_splits(rows, seed="another seed")]


def test_stratified_sample_keeps_label_shares_and_is_deterministic():
    rows = [{"claim": f"c{n}", "source": "s", "label": "supported" if n % 3 else "contradicted"}
            for n in range(300)]
    chosen = split.stratified(rows, 30)
    assert Counter(r["label"] for r in chosen) == {"supported": 20, "contradicted": 10}
    assert chosen == split.stratified(list(reversed(rows)), 30)


@pytest.mark.skipif(not SCIFACT.exists(), reason="the SciFact pairs are not in ../shared/real")
def test_scifact_halves_share_no_claim_and_no_rationale():
    rows = _script("checker_eval").load_scifact(SCIFACT)
    halves = {half: [r for r in rows if r["split"] == half] for half in ("tune", "test")}
    for key in ("claim", "source"):
        assert not {r[key] for r in halves["tune"]} & {r[key] for r in halves["test"]}
    assert 0.4 < len(halves["tune"]) / len(rows) < 0.6
    assert all({r["label"] for r in half} == {"supported", "contradicted"} for half in halves.values())


SOURCE = "The method was tested on a benchmark of 40 tasks and improves accuracy."
ROWS = [  # (claim, label): gate outcome
    ("The method was tested on a benchmark of 40 tasks and improves accuracy.", "supported"),  # rules
    ("The method was tested in Kenya on a benchmark of 40 tasks.", "supported"),  # names
    ("The method was tested on a benchmark of 90 tasks.", "supported"),  # vetoed: a number
    ("The method was tested on 40 tasks and improves accuracy a lot.", "contradicted"),  # rules
]


def test_strata_follow_the_gates():
    tune = _script("entail_tune")
    assert [tune.stratum({"claim": c, "source": SOURCE}) for c, _ in ROWS] == ["rules", "names", "vetoed", "rules"]


def test_estimate_weighs_each_stratum_by_its_size_and_vetoed_pairs_fail():
    tune = _script("entail_tune")
    rows = [{"claim": c, "source": SOURCE, "label": label} for c, label in ROWS]
    rows += [{**rows[0], "claim": rows[0]["claim"] + " Twice."}]  # a second "rules" pair, unscored
    scores = {(ROWS[0][0], SOURCE): 0.9, (ROWS[1][0], SOURCE): 0.9, (ROWS[3][0], SOURCE): 0.2}
    with_names = tune.estimate(rows, scores, names=True, threshold=0.5)
    assert with_names["supported"] == (pytest.approx(2 / 4), 1)  # 2 "rules" pairs pass, of 4
    assert with_names["contradicted"] == (0.0, 1)
    without = tune.estimate(rows, scores, names=False, threshold=0.5)
    assert without["supported"] == (pytest.approx(3 / 4), 2)  # and the "names" pair
    assert tune.choose_threshold(rows, scores, names=False) == (0.25, "target")  # lowest that fails 0.2
