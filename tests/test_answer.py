import json

from assistant.answer import AnswerSettings, answer_stream, too_far
from assistant.evidence import select_evidence
from assistant.models.judges import EvidenceJudge
from assistant.prompts import load_prompt
from assistant.schema import NO_EVIDENCE, Answer, Chunk, Paper, Passage, SentenceCheck
from conftest import ScriptedGenerator

TINYCLIP = Paper(
    paper_id="p1", title="TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance",
    abstract=("In this paper, we propose a novel cross-modal distillation method, called TinyCLIP, "
              "for large-scale language-image pre-trained models. The smallest TinyCLIP model "
              "reaches 84.8% zero-shot accuracy on ImageNet."))
WHISPER = Paper(paper_id="p2", title="Robust Speech Recognition",
                abstract="We train a speech recognition model on 680,000 hours of multilingual audio.")


def _passage(paper, similarity):
    chunk = Chunk(chunk_id=paper.paper_id + "#0", paper_id=paper.paper_id, title=paper.title,
                  text=paper.abstract, start=0, end=len(paper.abstract))
    return Passage(chunk=chunk, score=0.03, dense_similarity=similarity)


def _run(reply, similarity=0.6, named=frozenset(), papers=(TINYCLIP, WHISPER), embedder=None,
         min_evidence=0.0, quotes="fallback"):
    """The answer events for `reply`; quotes only where no model sentence survives unless asked."""
    generator = ScriptedGenerator(reply)
    question = "What does TinyCLIP distil?"
    evidence = select_evidence(question, list(papers), embedder, 4, named)
    events = list(answer_stream(
        question, [_passage(p, similarity) for p in papers], evidence, generator,
        EvidenceJudge(embedder), load_prompt("answer"),
        AnswerSettings(evidence_sentences=4, min_relevance=0.3, min_evidence=min_evidence, quotes=quotes)))
    return events, generator


def test_answer_streams_checked_sentences_then_the_answer(fake_embedder):
    reply = ("TinyCLIP is a cross-modal distillation method for large-scale language-image "
             "pre-trained models [1].")
    events, generator = _run(reply, embedder=fake_embedder)
    assert isinstance(events[-1], Answer) and all(isinstance(e, SentenceCheck) for e in events[:-1])
    answer = events[-1]
    assert not answer.abstained and answer.citations
    assert {c.paper_id for c in answer.citations} <= {"p1", "p2"}
    assert "TinyCLIP" in answer.text and "[" in answer.text
    assert "[1]" in generator.calls[0][1]["content"]  # the model saw numbered sources


def test_answer_never_cites_a_marker_that_points_nowhere(fake_embedder):
    events, _ = _run("TinyCLIP is a cross-modal distillation method [7].", embedder=fake_embedder)
    answer = events[-1]
    assert all(c.marker in {e.marker for e in answer.evidence} for c in answer.citations)
    assert "[7]" not in answer.text


def test_wrong_number_never_reaches_the_user(fake_embedder):
    events, _ = _run("The smallest TinyCLIP model reaches 98.7% zero-shot accuracy on ImageNet [1].",
                     embedder=fake_embedder)
    answer = events[-1]
    assert "98.7" not in answer.text
    assert answer.sentences[0].action in ("replaced", "dropped")


def test_named_paper_is_answered_even_when_similarity_is_low():
    passages = [_passage(TINYCLIP, 0.05)]
    assert too_far(passages, frozenset(), 0.3)
    assert not too_far(passages, frozenset({"p1"}), 0.3)
    assert too_far([], frozenset({"p1"}), 0.3)


def test_repeating_model_is_stopped_early(fake_embedder):
    sentence = "TinyCLIP is a cross-modal distillation method for language-image models [1]. "
    events, generator = _run(sentence * 40, embedder=fake_embedder)
    assert generator.pieces_sent < len((sentence * 40).split(" "))
    assert [s.action for s in events[-1].sentences if not s.quoted] == ["kept"]


def test_nothing_supported_falls_back_to_quoting_the_best_sources(fake_embedder):
    events, _ = _run("Bananas are yellow and grow in bunches.", embedder=fake_embedder)
    answer = events[-1]
    assert answer.sentences[-1].action == "extracted"
    assert answer.citations and answer.text.startswith(answer.evidence[0].text.rstrip(".")[:30])


def test_evidence_too_weak_for_the_question_abstains_without_calling_the_model(fake_embedder):
    events, generator = _run("Anything [1].", embedder=fake_embedder, min_evidence=5.0)
    assert len(events) == 1 and events[0].abstained and generator.calls == []
    assert events[0].reason.kind == NO_EVIDENCE and events[0].text == ""


def _assistant(tmp_path, embedder, reply):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store

    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n"
                              for p in (TINYCLIP, WHISPER)))
    settings = Settings(store=tmp_path / "store", min_relevance=0.3, min_evidence=0.0)
    generator = ScriptedGenerator(reply)
    assistant = Assistant(settings, Store(settings.store, embedder.name, embedder.dimension),
                          embedder, generator)
    assistant.ingest([source])
    return assistant, generator


def test_question_naming_a_paper_draws_evidence_from_that_paper_only(tmp_path, fake_embedder):
    assistant, generator = _assistant(tmp_path, fake_embedder,
                                      "TinyCLIP is a cross-modal distillation method [1].")
    answer = assistant.ask("What does TinyCLIP distil?")
    assert {e.title for e in answer.evidence} == {TINYCLIP.title}
    assert "Robust Speech Recognition" not in generator.calls[0][1]["content"]


def test_weak_retrieval_abstains_without_calling_the_model(tmp_path, fake_embedder):
    assistant, generator = _assistant(tmp_path, fake_embedder, "Anything [1].")
    answer = assistant.ask("Best sourdough bread recipe with rye flour?")
    assert answer.abstained and answer.reason.kind == "no_relevant_passage"
    assert not answer.citations and generator.calls == []


def test_model_whose_first_sentences_all_fail_is_stopped_and_sources_are_quoted(fake_embedder):
    reply = " ".join(f"Bananas number {i} are yellow fruit grown in bunches." for i in range(30))
    events, generator = _run(reply, embedder=fake_embedder)
    answer = events[-1]
    assert [s.action for s in answer.sentences][:3] == ["dropped"] * 3
    assert answer.sentences[-1].action == "extracted"
    assert generator.pieces_sent < len(reply.split(" ")) // 2


def test_a_near_repeat_of_a_shown_sentence_is_dropped(fake_embedder):
    reply = ("TinyCLIP is a cross-modal distillation method for large-scale language-image "
             "pre-trained models [1]. TinyCLIP is also a cross-modal distillation method for "
             "large-scale language-image pre-trained models [1].")
    answer = _run(reply, embedder=fake_embedder)[0][-1]
    assert [s.action for s in answer.sentences][:2] == ["kept", "dropped"]
    assert answer.text.count("cross-modal distillation method for large-scale") == 1


def test_the_model_lead_is_followed_by_the_quotes_it_does_not_already_say(fake_embedder):
    """What quoting alone would show stays in the answer, after the model's checked lead."""
    reply = "The smallest TinyCLIP model reaches 84.8% zero-shot accuracy on ImageNet [1]."
    answer = _run(reply, embedder=fake_embedder, quotes="after")[0][-1]
    actions = [s.action for s in answer.sentences]
    assert actions[0] in ("kept", "recited") and "extracted" in actions
    quotes = [s.text for s in answer.sentences if s.action == "extracted"]
    assert not any("84.8%" in q for q in quotes)  # the lead says it: not quoted again
    assert any("cross-modal distillation" in q for q in quotes)
    assert answer.text.index("84.8%") < answer.text.index("cross-modal")


def test_quotes_come_first_before_the_model_has_written_anything(fake_embedder):
    """Evidence first: the best sentences are shown, quoted, before the model writes a word; the
    model's sentences follow, checked, and only those that say something the quotes do not."""
    reply = ("The smallest TinyCLIP model reaches 84.8% zero-shot accuracy on ImageNet [1]. "
             "Whisper trains a speech recognition model on 680,000 hours of multilingual audio [3].")
    generator = ScriptedGenerator(reply)
    question = "What does TinyCLIP distil?"
    evidence = select_evidence(question, [TINYCLIP, WHISPER], fake_embedder, 4)
    stream = answer_stream(question, [_passage(p, 0.6) for p in (TINYCLIP, WHISPER)], evidence, generator,
                           EvidenceJudge(fake_embedder), load_prompt("answer"),
                           AnswerSettings(evidence_sentences=4, min_relevance=0.3, min_evidence=0.0))
    first = next(stream)
    assert first.quoted and generator.pieces_sent == 0
    answer = list(stream)[-1]
    actions = [s.action for s in answer.sentences]
    assert actions[:2] == ["extracted", "extracted"]
    assert actions[2] == "dropped"  # the 84.8% sentence says what a quote says
    assert actions[3] in ("kept", "recited") and "680,000 hours" in answer.text


def test_a_model_lead_of_words_without_a_verb_is_not_shown(fake_embedder):
    answer = _run("TinyCLIP cross-modal distillation language-image models [1].",
                  embedder=fake_embedder, quotes="after")[0][-1]
    assert answer.sentences[0].action == "dropped"
    assert all(s.quoted for s in answer.sentences if s.shown)


def test_one_paper_gives_at_most_per_paper_sentences_and_the_rest_come_from_the_next(fake_embedder):
    # the facts asked of one paper are spread over its sentences: the cap decides how many the
    # prompt (and the quotes) can draw on before the next paper's sentences come in
    long = Paper("p3", "Long", " ".join(f"TinyCLIP fact number {i} is stated here." for i in range(8)))
    capped = select_evidence("What does TinyCLIP state?", [long, WHISPER], fake_embedder, 6, per_paper=3)
    wide = select_evidence("What does TinyCLIP state?", [long, WHISPER], fake_embedder, 6, per_paper=6)
    assert [e.paper_id for e in capped].count("p3") == 3 and "p2" in {e.paper_id for e in capped}
    assert [e.paper_id for e in wide] == ["p3"] * 6
