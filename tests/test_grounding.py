import pytest

from assistant.checking import check_sentence, complete_sentences, stream_sentences
from assistant.models.judges import EvidenceJudge, names_in, numbers_in
from assistant.schema import Evidence

TINYCLIP = ("TinyCLIP distils knowledge from large-scale language-image pre-trained models "
            "using affinity mimicking and weight inheritance.")
RESULT = "The smallest TinyCLIP model reaches 84.8% zero-shot accuracy on ImageNet."
SPEECH = "We train a speech recognition model on 680,000 hours of multilingual audio."


def _evidence():
    texts = [("p1", "TinyCLIP", TINYCLIP), ("p1", "TinyCLIP", RESULT), ("p2", "Whisper", SPEECH)]
    return [Evidence(marker=i + 1, paper_id=pid, title=title, text=text, start=0, end=len(text),
                     score=1.0) for i, (pid, title, text) in enumerate(texts)]


@pytest.fixture
def judge(fake_embedder):
    return EvidenceJudge(fake_embedder, threshold=0.5)


def test_numbers_and_names_are_extracted():
    assert numbers_in("84.8% on 680,000 hours in 2023") == {"84.8", "680000", "2023"}
    assert {"tinyclip", "imagenet", "gpt-4"} <= names_in("TinyCLIP beats GPT-4 on ImageNet")


def test_claim_with_a_number_absent_from_its_source_fails(judge):
    wrong = "The smallest TinyCLIP model reaches 98.7% zero-shot accuracy on ImageNet."
    assert judge.support(wrong, [RESULT]) == 0.0
    assert judge.support(RESULT, [RESULT]) >= judge.threshold


def test_claim_with_a_name_absent_from_its_source_fails(judge):
    assert judge.support("TinyCLIP distils knowledge from GPT-4 models.", [TINYCLIP]) == 0.0


def test_close_rewording_of_the_source_passes(judge):
    claim = "TinyCLIP distils knowledge from large language-image pre-trained models [1]."
    assert judge.support(claim, [TINYCLIP]) >= judge.threshold


def test_supported_sentence_is_kept_with_its_citation(judge):
    check = check_sentence("TinyCLIP distils knowledge from large pre-trained models [1].",
                           _evidence(), judge)
    assert check.action == "kept" and check.markers == (1,) and check.supported


def test_sentence_citing_the_wrong_source_is_recited(judge):
    check = check_sentence("We train a speech recognition model on multilingual audio [1].",
                           _evidence(), judge)
    assert check.action == "recited" and check.markers == (3,)
    assert check.text.endswith("[3].")


def test_sentence_with_a_wrong_number_is_replaced_by_its_source(judge):
    check = check_sentence("The smallest TinyCLIP model reaches 98.7% zero-shot accuracy [2].",
                           _evidence(), judge)
    assert check.action == "replaced"
    assert "84.8%" in check.text and "98.7" not in check.text and check.markers == (2,)


def test_unsupported_sentence_is_dropped(judge):
    check = check_sentence("Quantum computers will replace transformers by 2030 [1].",
                           _evidence(), judge)
    assert check.action == "dropped" and not check.shown and check.supported is False


def test_marker_pointing_nowhere_is_not_kept(judge):
    check = check_sentence("TinyCLIP distils knowledge from large pre-trained models [9].",
                           _evidence(), judge)
    assert 9 not in check.markers and check.action in ("recited", "replaced")


@pytest.mark.parametrize("buffer, done, rest", [
    ("One is done. [1] Two is", ["One is done. [1]"], "Two is"),
    ("A claim [1]. B claim", ["A claim [1]."], "B claim"),
    ("We use e.g. LoRA here. Next", ["We use e.g. LoRA here."], "Next"),
    ("Accuracy is 84.8% here", [], "Accuracy is 84.8% here"),
    ("Ends. [2]", [], "Ends. [2]"),
    ("The answer is: 4.1%\n\nThe reason is", ["The answer is: 4.1%"], "The reason is"),
    ("- first item [1]\n- second", ["- first item [1]"], "- second"),
])
def test_complete_sentences_keep_trailing_markers_with_their_sentence(buffer, done, rest):
    sentences, remainder = complete_sentences(buffer)
    assert sentences == done and remainder.strip() == rest


def test_stream_sentences_reassembles_pieces_and_flushes_the_tail():
    pieces = iter(["Tiny", "CLIP dist", "ils. [1", "] It is ", "small [2]"])
    assert list(stream_sentences(pieces)) == ["TinyCLIP distils. [1]", "It is small [2]"]


def test_closing_the_sentence_stream_closes_the_model_stream():
    closed = []

    def pieces():
        try:
            for word in ["A. ", "B. ", "C. ", "D. "]:
                yield word
        finally:
            closed.append(True)

    stream = stream_sentences(pieces())
    assert next(stream) == "A."
    stream.close()
    assert closed == [True]


def test_failed_claim_about_one_paper_is_not_replaced_by_another_papers_sentence(judge):
    evidence = [Evidence(marker=1, paper_id="v", title="TinyViT: Fast Pretraining Distillation",
                         text="We propose TinyViT, a new family of tiny and efficient small vision "
                              "transformers pretrained on large-scale datasets.", start=0, end=10,
                         score=1.0)]
    check = check_sentence("It mentions TinyCLIP, a family of tiny efficient small vision "
                           "transformers pretrained on large-scale datasets.", evidence, judge)
    assert check.action == "dropped"


def test_negated_claim_needs_a_negation_in_its_source(judge):
    assert judge.support("TinyCLIP does not distil knowledge from pre-trained models.", [TINYCLIP]) == 0.0


@pytest.mark.parametrize("sentence", [
    "The answer is not mentioned in the provided sources [1].",
    "The provided text gives no information about TinyCLIP [1].",
    "What does TinyCLIP distil? [1]",
    "Question: what is it",
])
def test_sentences_about_the_sources_or_questions_are_not_claims(judge, sentence):
    check = check_sentence(sentence, _evidence(), judge)
    assert check.action == "dropped" and check.support is None


def test_markdown_emphasis_is_removed_from_claims(judge):
    check = check_sentence("**TinyCLIP** distils knowledge from large pre-trained models [1].",
                           _evidence(), judge)
    assert check.action == "kept" and "**" not in check.text


def test_claim_naming_a_language_its_source_never_mentions_fails(judge):
    source = "We build the GigaAM family of speech recognition models for Russian."
    assert judge.support("The paper builds a speech recognition system for Swahili.", [source]) == 0.0
    assert judge.support("The paper builds speech recognition models for Russian.", [source]) > 0.0


@pytest.mark.parametrize("sentence", [
    'The paper finds that vision models improve as the patch size is "" by and [1].',
    "The SSL4EO-S12 dataset is a set of pre-trained, pre-trained, and pre-trained-trained data [1].",
    "TinyCLIP distils distils knowledge from models [1].",
    "The papers mentioned in the provided document are about pathology [1].",
    "TinyCLIP distils knowledge from large pre-trained models and [1].",
])
def test_degenerate_model_output_is_not_a_claim(judge, sentence):
    assert check_sentence(sentence, _evidence(), judge).action == "dropped"
