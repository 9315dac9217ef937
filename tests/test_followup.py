"""Follow-up questions become standalone ones; self-contained questions are left alone."""

import pytest

from assistant.followup import mentions, standalone_question
from assistant.retrieval import NameIndex

TITLES = {
    "tiny": "TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance",
    "lora": "LoRA: Low-Rank Adaptation of Large Language Models",
    "qlora": "QLoRA: Efficient Finetuning of Quantized LLMs",
    "scaling": "Scaling Laws for Neural Language Models",
}
NAMES = NameIndex(TITLES)

CASES = [
    # (earlier questions, new question, standalone question)
    ([], "What does TinyCLIP distil?", "What does TinyCLIP distil?"),
    (["What does TinyCLIP distil?"], "what data does it use?", "What data does TinyCLIP use?"),
    (["What does TinyCLIP distil?"], "and how does it compare with LoRA?",
     "How does TinyCLIP compare with LoRA?"),
    (["What does TinyCLIP distil?"], "How big is its student model?",
     "How big is TinyCLIP's student model?"),
    (["What does TinyCLIP distil?"], "What does this paper report on ImageNet?",
     "What does TinyCLIP report on ImageNet?"),
    (["How do LoRA and QLoRA save memory?"], "Which one is faster? Do they lose accuracy?",
     "Which one is faster? Do LoRA and QLoRA lose accuracy?"),
    (["What does TinyCLIP distil?"], "What about LoRA?", "What does LoRA distil?"),
    (["What does TinyCLIP distil?"], "what about the training data?",
     "What about the training data for TinyCLIP?"),
    (["What does TinyCLIP distil?"], "And the training data?", "The training data for TinyCLIP?"),
    (["What does TinyCLIP distil?"], "What data does the model use?",
     "What data does TinyCLIP use?"),
    (["What does TinyCLIP distil?"], "And how does TinyCLIP keep accuracy?",
     "How does TinyCLIP keep accuracy?"),
    # self-contained questions stay as typed
    (["What does TinyCLIP distil?"], "Which papers study scaling laws?",
     "Which papers study scaling laws?"),
    (["What does TinyCLIP distil?"], "Which papers prune models, and do they lose accuracy?",
     "Which papers prune models, and do they lose accuracy?"),
    (["What does TinyCLIP distil?"], "Does LoRA freeze the weights, and is it fast?",
     "Does LoRA freeze the weights, and is it fast?"),
    # no earlier subject: nothing to carry over
    (["Which papers study scaling laws?"], "what data do they use?", "what data do they use?"),
    ([], "and how does it work?", "and how does it work?"),
    # the subject carries along a chain of follow-ups, not from turns long gone
    (["What does TinyCLIP distil?", "What data does TinyCLIP use?"], "and is it open source?",
     "Is TinyCLIP open source?"),
    (["What does TinyCLIP distil?", "a", "b", "c"], "does it work?", "does it work?"),
    ([], "  what   is  LoRA? ", "what is LoRA?"),
]


@pytest.mark.parametrize(("earlier", "question", "expected"), CASES)
def test_standalone_question(earlier, question, expected):
    assert standalone_question(question, earlier, NAMES.named_in) == expected


def test_mentions_keep_the_names_as_written_and_in_order():
    assert mentions("Is QLoRA's memory lower than LoRA?", NAMES.named_in) == ["QLoRA", "LoRA"]
    assert mentions("What do scaling laws for neural language models predict?",
                    NAMES.named_in) == ["scaling laws for neural language models"]
    assert mentions("How do low-rank adapters work?", NAMES.named_in) == []


def test_empty_question_stays_empty():
    assert standalone_question("   ", ["What does TinyCLIP distil?"], NAMES.named_in) == ""
