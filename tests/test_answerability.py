"""Answerability and honest quoting: a question asking for a number the abstracts do not give is
not answered; quoted sentences are labelled as quotes, never as judged; the quoted fallback gives
the sentence that answers (real abstract text from the sample corpus)."""

import pytest

from assistant.answer import AnswerSettings, answer_stream
from assistant.answerability import answerability
from assistant.checking import check_sentence, extractive_fallback
from assistant.models.judges import EvidenceJudge
from assistant.prompts import load_prompt
from assistant.schema import NOT_STATED, Evidence
from assistant.text import asked_quantity, asks_several, states_quantity
from assistant.wording import answer_text, describe
from assistant.writing import best_quotes
from conftest import ScriptedGenerator
from fakes import ConstantEmbedder

GAPRETRAIN = [
    "To address this issue, we propose a novel geometric-aware pretraining framework called GAPretrain.",
    "GAPretrain serves as a plug-and-play solution that can be flexibly applied to multiple "
    "state-of-the-art detectors.",
    "We achieve 46.2 mAP and 55.5 NDS on the nuScenes val set using the BEVFormer method, with a "
    "gain of 2.7 and 2.1 points, respectively.",
]
GAPRETRAIN_TITLE = "Geometric-aware Pretraining for Vision-centric 3D Object Detection"
VIETASR = [
    "It outperforms Whisper Large-v3 and commercial ASR systems on real-world data.",
    "Experiments demonstrate that pre-training on 70,000-hour unlabeled data and fine-tuning on "
    "merely 50-hour labeled data yield a lightweight but powerful ASR model.",
]


def _evidence(sentences, scores=None, title="P"):
    scores = scores or [0.9 - 0.1 * i for i in range(len(sentences))]
    return [Evidence(i + 1, "p", title, s, 0, len(s), score) for i, (s, score)
            in enumerate(zip(sentences, scores))]


@pytest.mark.parametrize("question, aspect", [
    ("How many parameters does Whisper large-v3 have?", "the number of parameters of Whisper large-v3"),
    ("How many GPU hours did DINOv3 take to train?", "the number of GPU hours of DINOv3"),
    ("What is the batch size used for LLaMA 2?", "the batch size of LLaMA 2"),
    ("What mAP and NDS does GAPretrain achieve on nuScenes?", "the mAP and NDS of GAPretrain"),
    ("What does TinyCLIP distil?", None),
    ("How does FerKD adapt labels?", None),
])
def test_asked_quantity_reads_what_number_a_question_wants(question, aspect):
    found = asked_quantity(question)
    assert (found.aspect if found else None) == aspect


def test_a_number_of_another_kind_does_not_state_the_one_asked():
    wanted = asked_quantity("How many parameters does Whisper large-v3 have?")
    assert not states_quantity(VIETASR[1], wanted)  # hours, not parameters
    assert not states_quantity("GPT-4 and Whisper-large-v3 are strong.", wanted)  # digits in names
    assert states_quantity("The largest model has 1.5B parameters.", wanted)


def test_question_for_a_number_the_evidence_lacks_is_not_answered_and_says_what():
    question = "How many parameters does Whisper large-v3 have?"
    generator = ScriptedGenerator("Whisper large-v3 has 1.5B parameters [1].")
    events = list(answer_stream(question, [], _evidence(VIETASR), generator, EvidenceJudge(None),
                                load_prompt("answer"), AnswerSettings(min_evidence=0.0)))
    answer = events[-1]
    assert answer.abstained and generator.calls == []
    assert answer.reason.kind == NOT_STATED == "not_stated"
    assert answer_text(answer) == "The abstracts do not state the number of parameters of Whisper large-v3."


def test_a_question_of_several_parts_is_answered_and_notes_the_part_not_stated():
    question = "What does VietASR outperform, and how many parameters does it have?"
    assert asks_several(question)
    unstated = answerability(question, _evidence(VIETASR))
    assert not unstated.nothing_stated and "parameters" in describe(unstated.reason)


def test_quoted_fallback_gives_the_sentence_with_the_numbers_asked_for():
    evidence = _evidence(GAPRETRAIN, scores=[0.9, 0.8, 0.5], title=GAPRETRAIN_TITLE)  # numbers last
    quotes = best_quotes("What mAP and NDS does GAPretrain achieve on nuScenes?", evidence)
    assert any("46.2 mAP" in e.text for e in quotes)
    assert [e.marker for e in quotes] == sorted(e.marker for e in quotes)


def test_quoted_sentences_carry_no_judged_score():
    evidence = _evidence(GAPRETRAIN, title=GAPRETRAIN_TITLE)
    for check in extractive_fallback(evidence):
        assert check.quoted and check.support is None and check.supported is None
    garbled = "We achieve 99.9 mAP and 55.5 NDS on the nuScenes val set using the BEVFormer method [3]."
    check = check_sentence(garbled, evidence, EvidenceJudge(ConstantEmbedder()))
    assert check.action == "replaced" and check.supported is None and check.support is None


def test_evidence_selection_favours_the_sentence_with_the_number_asked_for(fake_embedder):
    from assistant.evidence import select_evidence
    from assistant.schema import Paper

    paper = Paper("p", GAPRETRAIN_TITLE, " ".join(GAPRETRAIN))
    chosen = select_evidence("What mAP does GAPretrain achieve with the pretraining framework?",
                             [paper], fake_embedder, 1)
    assert "46.2 mAP" in chosen[0].text
