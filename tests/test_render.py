from assistant.render import highlight, render_answer, render_partial, render_references
from assistant.schema import Answer, Citation, Evidence, Paper, SentenceCheck

PAPER = Paper(paper_id="p1", title="TinyCLIP: <Distillation>",
              abstract="First sentence here. Second & last sentence.")


def _answer(**overrides):
    values = dict(
        question="q", text="First sentence here [1].", abstained=False,
        citations=[Citation(1, "p1", PAPER.title)], passages=[],
        evidence=[Evidence(1, "p1", PAPER.title, "First sentence here.", 0, 20, 1.0)],
        sentences=[SentenceCheck("First sentence here [1].", "x", (1,), 0.9, True, "kept"),
                   SentenceCheck("", "Nonsense claim.", (), 0.1, False, "dropped")])
    values.update(overrides)
    return Answer(**values)


def test_highlight_marks_spans_and_escapes_the_rest():
    assert highlight(PAPER.abstract, [(0, 20)]) == (
        "<mark>First sentence here.</mark> Second &amp; last sentence.")
    assert highlight("a<b", []) == "a&lt;b"


def test_render_answer_shows_only_shown_sentences_with_badges():
    html = render_answer(_answer(), [PAPER])
    assert "First sentence here [1]." in html and "(supported)" in html
    assert "Nonsense" not in html


def test_references_are_cards_with_highlighted_abstracts_and_escaped_titles():
    html = render_references(_answer(), [PAPER])
    assert html.startswith("<details><summary>[1] TinyCLIP: &lt;Distillation&gt;</summary>")
    assert "<mark>First sentence here.</mark>" in html


def test_abstained_answer_says_the_corpus_does_not_answer():
    html = render_answer(_answer(abstained=True, text="The corpus does not answer this question.",
                                 citations=[], sentences=[]), [])
    assert "does not answer" in html and "<details>" not in html


def test_partial_answer_escapes_model_text():
    checks = [SentenceCheck("A <b>bold</b> claim [1].", "x", (1,), 0.9, True, "kept")]
    assert render_partial(checks) == "A &lt;b&gt;bold&lt;/b&gt; claim [1]."
