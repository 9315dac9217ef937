"""The support checker fails contradictions of real abstracts of the sample corpus and still
passes faithful statements of the same abstracts (issue #9: cases a new user saw)."""

from pathlib import Path

import pytest

from assistant.checking import check_sentence
from assistant.models.contradictions import find_contradiction, quantities
from assistant.models.judges import EvidenceJudge, why_unsupported
from assistant.schema import Evidence
from assistant.sources import parse_paths
from assistant.text import sentences

CORPUS = Path(__file__).resolve().parents[1] / "data" / "daily_papers"


@pytest.fixture(scope="module")
def abstracts() -> dict[str, list[str]]:
    papers = parse_paths([CORPUS]).papers
    wanted = ("TinyCLIP", "BLEUBERI", "Mask3D")
    return {p.title.split(":")[0]: [s.strip() for s in sentences(p.abstract)]
            for p in papers if p.title.split(":")[0] in wanted}


@pytest.fixture
def judge(fake_embedder):
    return EvidenceJudge(fake_embedder, threshold=0.5)


FAILS = [
    ("TinyCLIP", "Weight inheritance transmits the pre-trained weights from the student models to their "
                 "teacher counterparts.", "reverses"),
    ("TinyCLIP", "TinyCLIP increases the size by 50%.", '"increases" where the source says "reduce"'),
    ("TinyCLIP", "TinyCLIP uses a combination of techniques, including.", "including"),
    ("BLEUBERI", "The reward function used by BLEUBERI is GRPO.", "'bleu' as the reward function"),
    ("Mask3D", "We propose Mask3D to leverage unlabeled 2D pose data.", '"pose data"'),
]
PASSES = [
    ("TinyCLIP", "Weight inheritance transmits the pre-trained weights from the teacher models to their "
                 "student counterparts."),
    ("TinyCLIP", "TinyCLIP can reduce the size of the pre-trained CLIP ViT-B/32 by 50%."),
    ("TinyCLIP", "TinyCLIP introduces affinity mimicking and weight inheritance."),
    ("BLEUBERI", "BLEUBERI applies Group Relative Policy Optimization (GRPO) using BLEU as the reward function."),
    ("BLEUBERI", "The reward function used by BLEUBERI is BLEU."),
    ("Mask3D", "We propose Mask3D to leverage existing large-scale RGB-D data in a self-supervised pre-training."),
]


@pytest.mark.parametrize("paper, claim, reason", FAILS)
def test_contradiction_of_a_real_abstract_fails_with_its_reason(abstracts, judge, paper, claim, reason):
    assert judge.support(claim, abstracts[paper]) == 0.0
    assert reason in why_unsupported(claim, abstracts[paper])


@pytest.mark.parametrize("paper, claim", PASSES)
def test_faithful_statement_of_the_same_abstract_passes(abstracts, judge, paper, claim):
    assert why_unsupported(claim, abstracts[paper]) is None
    assert judge.support(claim, abstracts[paper]) >= judge.threshold


def test_wrong_reward_function_is_not_kept_or_recited(abstracts, judge):
    """The user saw "The reward function used by BLEUBERI is GRPO [1]" with a "re-cited" badge."""
    evidence = [Evidence(marker=i + 1, paper_id="bleuberi", title="BLEUBERI", text=text, start=0,
                         end=len(text), score=1.0) for i, text in enumerate(abstracts["BLEUBERI"])]
    check = check_sentence("The reward function used by BLEUBERI is GRPO [4].", evidence, judge)
    assert check.action not in ("kept", "recited")


@pytest.mark.parametrize("claim, source", [
    ("It reduces the size by 50 times.", "It reduces the size by 50%."),
    ("The model has 7M parameters.", "The model has 7B parameters."),
    ("It speeds up training by 2x.", "It speeds up training by 2%."),
])
def test_quantity_with_another_unit_fails(claim, source):
    assert "where the source says" in find_contradiction(claim, source)


def test_quantities_are_normalised():
    assert quantities("50% and 2 times, 3-fold, 7B") == {("50", "%"), ("2", "x"), ("3", "x"), ("7", "billion")}


@pytest.mark.parametrize("claim, source", [
    ("Our method needs more labelled examples than MAE.", "Our method needs fewer labelled examples than MAE."),
    ("Training is slower with weight inheritance.", "Training is faster with weight inheritance."),
    ("Pruning degrades the accuracy of the student.", "Pruning improves the accuracy of the student."),
    ("The model's test error increases with increasing epochs.",
     "The model's test error decreases with increasing epochs."),
])
def test_flipped_direction_fails(claim, source):
    assert find_contradiction(claim, source).startswith("says")
    assert find_contradiction(source, source) is None


def test_reversed_comparison_fails_and_the_same_comparison_passes():
    source = "Experiments show that SVFit outperforms LoRA on image classification."
    assert "reverses the comparison" in find_contradiction("LoRA outperforms SVFit on image classification.",
                                                           source)
    assert find_contradiction("SVFit outperforms LoRA on image classification.", source) is None


def test_comparison_with_a_target_the_source_never_mentions_fails():
    source = "Mask3D outperforms existing self-supervised 3D pre-training approaches on ScanNet."
    assert "compares with" in find_contradiction("Mask3D outperforms rule-based expert systems on ScanNet.",
                                                 source)
    assert find_contradiction("Mask3D outperforms existing approaches on ScanNet.", source) is None


@pytest.mark.parametrize("claim, source", [
    ("The approach requires 3D reconstructions.", "The approach works without requiring 3D reconstructions."),
    ("PTQ does not need a full training dataset for calibration.",
     "PTQ needs a full training dataset for calibration, without end-to-end training."),
])
def test_flipped_negation_fails_even_when_the_source_has_another_negation(claim, source):
    assert "negat" in find_contradiction(claim, source)


def test_not_only_is_not_a_negation():
    source = "Our model not only generalizes well to real data but also outperforms prior methods."
    assert find_contradiction("Our model generalizes well to real data.", source) is None
