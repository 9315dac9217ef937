"""Answerability of asked aspects: on-topic evidence that does not carry what is asked ("the
learning-rate schedule of LLaMA 2") is not an answer. Sentences are real abstract text from the
sample corpus."""

import pytest

from assistant.answer import AnswerSettings, answer_stream
from assistant.answerability import answerability, asked
from assistant.evidence import select_evidence
from assistant.export import reason_dict
from assistant.models.judges import EvidenceJudge
from assistant.prompts import load_prompt
from assistant.schema import NOT_STATED, Answer, Evidence, Paper, Reason
from assistant.ui.render import render_answer
from assistant.wording import answer_text, describe
from assistant.writing import best_quotes
from conftest import ScriptedGenerator
from fakes import ConstantEmbedder

COSINE = ("Beyond Cosine Decay: On the effectiveness of Infinite Learning Rate Schedule for "
          "Continual Pre-training",
          "In this work, we systematically compare the widely used cosine schedule with the recently "
          "proposed infinite learning rate schedule and empirically find the latter to be a more "
          "effective alternative.")
SECUREBERT = ("SecureBERT: A Domain-Specific Language Model for Cybersecurity",
              "To make SecureBERT effective not just in retaining general English understanding, but also "
              "when applied to text with cybersecurity implications, we developed a customized tokenizer "
              "as well as a method to alter pre-trained weights.")
VIDEOMAE = ("VideoMAE: Masked Autoencoders are Data-Efficient Learners for Self-Supervised Video "
            "Pre-Training",
            "We find that an extremely high proportion of masking ratio (i.e., 90% to 95%) still yields "
            "favorable performance of VideoMAE.")
SMPLEST = ("SMPLest-X: Ultimate Scaling for Expressive Human Pose and Shape Estimation",
           "To exclude the influence of algorithmic design, we base our experiments on two minimalist "
           "architectures: SMPLer-X, which consists of an intermediate step, and SMPLest-X, an even "
           "more minimalist architecture.")


def _evidence(*sources, score=0.8):
    return [Evidence(i + 1, f"p{i}", title, text, 0, len(text), score)
            for i, (title, text) in enumerate(sources)]


@pytest.mark.parametrize("question, phrases", [
    ("What learning-rate schedule does LLaMA 2 use?", ["the learning-rate schedule of LLaMA 2"]),
    ("What learning rate and batch size were used to train OpenAI's Whisper models?",
     ["the learning rate of OpenAI's Whisper models", "the batch size of OpenAI's Whisper models"]),
    ("What is the vocabulary size of the GLM-130B tokenizer?",
     ["the vocabulary size of the GLM-130B tokenizer"]),
    ("Which optimizer and weight decay does OpenELM use?",
     ["the optimizer of OpenELM", "the weight decay of OpenELM"]),
    ("How many parameters does ERNIE 3.0 Titan have, and on which platform was it trained?",
     ["the number of parameters of ERNIE 3.0 Titan", "the platform of ERNIE 3.0 Titan"]),
    ("What technique does QLLM introduce to handle activation outliers?", []),  # "technique": any
    ("What does TinyCLIP distil?", []),
    ("Which paper builds a speech recognition system for Swahili?", []),
])
def test_asked_aspects_are_read_from_the_question(question, phrases):
    assert [aspect.phrase for aspect in asked(question).aspects] == phrases


def test_on_topic_evidence_without_the_subjects_schedule_states_nothing_asked():
    found = answerability("What learning-rate schedule does LLaMA 2 use?", _evidence(COSINE))
    assert found.nothing_stated  # a cosine schedule, but in a paper on schedules, not of LLaMA 2
    assert describe(found.reason) == "The abstracts do not state the learning-rate schedule of LLaMA 2."


def test_an_aspect_the_named_papers_sentence_carries_is_stated():
    found = answerability("What tokenizer does SecureBERT use?", _evidence(SECUREBERT))
    assert found.missing == () and found.reason is None


def test_evidence_under_the_carrier_score_does_not_count():
    question = "What tokenizer does SecureBERT use?"
    assert answerability(question, _evidence(SECUREBERT, score=0.4), min_score=0.5).nothing_stated


def test_a_count_of_an_unknown_noun_needs_that_noun_not_any_number():
    question = "How many attention heads does SMPLest-X use?"
    assert answerability(question, _evidence(SMPLEST)).nothing_stated  # "two ... architectures"


def test_a_lexicon_cue_states_the_aspect_without_its_word():
    warmup = ("Continual Pre-Training of Large Language Models: How to (re)warm your model?",
              "We experiment with different pre-training checkpoints, various maximum learning rates, "
              "and various warmup lengths.")
    question = "What learning-rate schedule is used when continually pre-training large language models?"
    assert asked(question).aspects[0].phrase == "the learning-rate schedule"
    assert answerability(question, _evidence(warmup)).missing == ()  # warm-up is a schedule


def test_nothing_asked_stated_is_not_answered_and_names_the_aspect():
    generator = ScriptedGenerator("LLaMA 2 uses a cosine schedule [1].")
    *_, answer = answer_stream("What learning-rate schedule does LLaMA 2 use?", [], _evidence(COSINE),
                               generator, EvidenceJudge(None), load_prompt("answer"),
                               AnswerSettings(min_evidence=0.0))
    assert answer.abstained and generator.calls == []
    assert answer.reason == Reason(NOT_STATED, aspects=("the learning-rate schedule of LLaMA 2",))
    assert answer_text(answer) == "The abstracts do not state the learning-rate schedule of LLaMA 2."
    assert reason_dict(answer.reason)["aspects"] == ["the learning-rate schedule of LLaMA 2"]


def test_a_question_of_two_aspects_is_answered_and_names_the_part_not_stated(fake_embedder):
    question = "What masking ratio does VideoMAE use, and what learning-rate schedule does it use?"
    generator = ScriptedGenerator("VideoMAE masks 90% to 95% of the video [1].")
    *_, answer = answer_stream(question, [], _evidence(VIDEOMAE), generator,
                               EvidenceJudge(fake_embedder), load_prompt("answer"),
                               AnswerSettings(min_evidence=0.0))
    assert not answer.abstained and answer.text
    assert answer.reason.aspects == ("the learning-rate schedule of VideoMAE",)
    html = render_answer(answer, [])
    assert "The abstracts do not state the learning-rate schedule of VideoMAE." in html


def test_an_abstention_for_an_unstated_aspect_is_shown_in_the_chat():
    reason = Reason(NOT_STATED, aspects=("the learning rate of X", "the batch size of X"))
    answer = Answer(question="q", text="", abstained=True, citations=[], passages=[], reason=reason)
    assert "The abstracts do not state the learning rate of X and the batch size of X." in \
        render_answer(answer, [])


def test_quoted_fallback_gives_the_sentence_naming_the_asked_aspect():
    other = ("SecureBERT: A Domain-Specific Language Model for Cybersecurity",
             "SecureBERT has been trained using a large corpus of cybersecurity text.")
    evidence = [Evidence(1, "p", other[0], other[1], 0, 10, 0.9),
                Evidence(2, "p", SECUREBERT[0], SECUREBERT[1], 20, 40, 0.5)]
    quotes = best_quotes("What tokenizer does SecureBERT use?", evidence, count=1)
    assert [e.marker for e in quotes] == [2]


def test_evidence_selection_favours_the_sentence_carrying_the_asked_aspect():
    first = ("This paper proposes SecureBERT, a cybersecurity language model capable of capturing "
             "text connotations in cybersecurity text (e.g., CTI) and therefore successful in "
             "automation for many critical cybersecurity tasks that would otherwise rely on human "
             "expertise and time-consuming manual efforts.")
    paper = Paper("p", SECUREBERT[0], f"{first} {SECUREBERT[1]}")
    question = ("Which tokenizer does the cybersecurity language model SecureBERT use for "
                "cybersecurity text?")
    chosen = select_evidence(question, [paper], ConstantEmbedder(), 1)  # the first shares more words
    assert "customized tokenizer" in chosen[0].text
