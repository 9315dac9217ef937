"""A question asking for papers is answered with a list of them, each cited, then their best sentences."""

from assistant.answer import AnswerSettings, answer_stream
from assistant.evidence import select_evidence
from assistant.listing import is_list_question, listing
from assistant.models.generators import ExtractiveGenerator
from assistant.models.judges import EvidenceJudge
from assistant.prompts import load_prompt
from assistant.schema import Answer, Paper
from test_answer import _passage

DEPTH = [
    Paper(paper_id="d1", title="Depth Pro: Sharp Monocular Metric Depth in Less Than a Second",
          abstract="We present a foundation model for zero-shot metric monocular depth estimation. "
                   "The model synthesizes high-resolution depth maps in 0.3 seconds."),
    Paper(paper_id="d2", title="ScaleDepth: Decomposing Metric Depth Estimation into Scale Prediction",
          abstract="We propose a novel monocular depth estimation method called ScaleDepth. "
                   "It decomposes metric depth into scene scale and relative depth."),
    Paper(paper_id="s1", title="Robust Speech Recognition",
          abstract="We train a speech recognition model on 680,000 hours of multilingual audio."),
]


def test_questions_asking_for_papers_are_told_from_questions_about_one():
    for question in ("Which papers propose methods for monocular depth estimation?",
                     "What recent papers study LoRA?", "Which works distil CLIP?", "List papers on pruning"):
        assert is_list_question(question), question
    for question in ("Which paper studied supervised scaling laws on galaxy images?",
                     "Which fine-tuning method approximates the centre of the weight space?",
                     "What do the papers on continual pre-training recommend?", "What does TinyCLIP distil?"):
        assert not is_list_question(question), question


def _answer(question, embedder, min_evidence=0.0):
    evidence = select_evidence(question, DEPTH, embedder, 4, frozenset())
    *_, answer = answer_stream(question, [_passage(p, 0.6) for p in DEPTH], evidence, ExtractiveGenerator(),
                               EvidenceJudge(embedder), load_prompt("answer"),
                               AnswerSettings(evidence_sentences=4, min_relevance=0.3, min_evidence=min_evidence))
    return answer


def test_a_list_question_names_each_paper_cited_to_its_sentence_then_quotes_them(fake_embedder):
    answer = _answer("Which papers propose methods for monocular depth estimation?", fake_embedder)
    assert isinstance(answer, Answer) and not answer.abstained
    first, *rest = answer.sentences
    assert first.action == "listed" and first.supported is None and first.support is None
    listed = {e.paper_id for e in answer.evidence if e.marker in first.markers}
    assert len(listed) == len(first.markers) >= 2
    for paper in DEPTH:
        if paper.paper_id in listed:
            assert paper.title in first.text
    assert [s.action for s in rest] == ["extracted"] * len(listed)  # one quote a listed paper
    quoted = {e.paper_id for e in answer.evidence for s in rest if e.marker in s.markers}
    assert quoted == listed and listed <= {c.paper_id for c in answer.citations}


def test_only_papers_with_a_sentence_good_enough_to_answer_are_listed(fake_embedder):
    question = "Which papers propose methods for monocular depth estimation?"
    evidence = select_evidence(question, DEPTH, fake_embedder, 4, frozenset())
    scores = sorted({e.paper_id: max(x.score for x in evidence if x.paper_id == e.paper_id)
                     for e in evidence}.values())
    assert len(scores) == 2
    found = listing(question, evidence, scores[0])  # both papers reach the bar
    assert found and len(found.sentence.markers) == 2
    assert listing(question, evidence, scores[1]) is None  # one paper: answered as any question
    assert listing("What does ScaleDepth decompose?", evidence, 0.0) is None


def test_the_list_has_its_own_badge_that_says_it_is_not_a_model_sentence(fake_embedder):
    from assistant.ui.render import BADGE_LEGEND, sentence_badge

    answer = _answer("Which papers propose methods for monocular depth estimation?", fake_embedder)
    badge = sentence_badge(answer.sentences[0])
    assert "(listed)" in badge and "not written by a model" in badge and "support" not in badge
    assert "listed:" in BADGE_LEGEND
